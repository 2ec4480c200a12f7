import { type Model, type TypeRef, topologicalOrder } from '../model.js';
import type { VersionConfig } from '../versions.js';
import { key, preamble, str, upperPrefix } from './common.js';

/** The zod 4 expression for a property value. */
export function zodType(t: TypeRef): string {
  switch (t.kind) {
    case 'string': {
      let s =
        t.format === 'date-time'
          ? "z.stringFormat('date-time', isDateTime)"
          : t.format === 'uri'
            ? "z.stringFormat('uri', isUri)"
            : 'z.string()';
      if (t.minLength !== undefined)
        s += `.refine(minChars(${t.minLength}), ${str(`must have at least ${t.minLength} characters`)})`;
      if (t.maxLength !== undefined)
        s += `.refine(maxChars(${t.maxLength}), ${str(`must have at most ${t.maxLength} characters`)})`;
      if (t.pattern !== undefined) s += `.regex(new RegExp(${str(t.pattern)}, 'u'))`;
      return s;
    }
    case 'number':
    case 'integer': {
      let s = t.kind === 'integer' ? 'z.int()' : 'z.number()';
      if (t.minimum !== undefined) s += `.gte(${t.minimum})`;
      if (t.maximum !== undefined) s += `.lte(${t.maximum})`;
      if (t.exclusiveMinimum !== undefined) s += `.gt(${t.exclusiveMinimum})`;
      if (t.exclusiveMaximum !== undefined) s += `.lt(${t.exclusiveMaximum})`;
      if (t.multipleOf !== undefined) s += `.multipleOf(${t.multipleOf})`;
      return s;
    }
    case 'boolean':
      return 'z.boolean()';
    case 'any':
      return 'z.unknown()';
    case 'ref':
      return `${t.name}Schema`;
    case 'array': {
      let s = `z.array(${zodType(t.items)})`;
      if (t.minItems !== undefined) s += `.min(${t.minItems})`;
      if (t.maxItems !== undefined) s += `.max(${t.maxItems})`;
      return s;
    }
  }
}

/** `schemas.ts`: a zod schema per enum, datatype and message, and a map of them by action. */
export function emitSchemasFile(config: VersionConfig, model: Model, errata: number): string {
  const lines: string[] = [];
  const usesFormat = { 'date-time': false, uri: false };
  const scan = (t: TypeRef): void => {
    if (t.kind === 'string' && t.format !== undefined) usesFormat[t.format] = true;
    if (t.kind === 'array') scan(t.items);
  };
  for (const def of topologicalOrder(model.defs)) {
    const typeName = def.name;
    if (def.kind === 'enum') {
      lines.push(
        `/** zod schema of {@link ${typeName}}. */\nexport const ${typeName}Schema = /*@__PURE__*/ z.enum([${def.values.map(str).join(', ')}]);\n`,
      );
      continue;
    }
    const fields = def.properties.map((p) => {
      scan(p.type);
      const z = zodType(p.type);
      return `  ${key(p.name)}: ${p.required ? z : `${z}.exactOptional()`},`;
    });
    const ctor = def.closed ? 'z.strictObject' : 'z.looseObject';
    lines.push(
      `/** zod schema of {@link ${typeName}}. */\nexport const ${typeName}Schema = /*@__PURE__*/ ${ctor}({\n${fields.join('\n')}\n});\n`,
    );
  }
  const runtimeImports = ['maxChars', 'minChars'];
  if (usesFormat['date-time']) runtimeImports.push('isDateTime');
  if (usesFormat.uri) runtimeImports.push('isUri');
  runtimeImports.sort();
  const map = model.actions.map((a) => {
    const res = a.response === undefined ? '' : ` response: ${a.response}Schema,`;
    return `  ${key(a.name)}: { request: ${a.request}Schema,${res} },`;
  });
  return [
    preamble(config, `zod schemas of OCPP ${config.version}`, errata),
    "import { z } from 'zod';",
    `import { ${runtimeImports.join(', ')} } from '@ocpp/runtime/codegen';`,
    '',
    lines.join('\n'),
    `/** The zod schemas of every action's request and response, by action name. */`,
    `export const ${config.prefix}Schemas = {\n${map.join('\n')}\n} as const;`,
    '',
    `/** The shape of {@link ${config.prefix}Schemas}. */`,
    `export type ${upperPrefix(config)}Schemas = typeof ${config.prefix}Schemas;`,
    '',
  ].join('\n');
}
