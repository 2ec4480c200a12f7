import type { Def, EnumDef, Model, ObjectDef, Property, TypeRef } from '../model.js';
import type { VersionConfig } from '../versions.js';
import { enumMemberName, jsdoc, key, preamble, str } from './common.js';

/** The TypeScript type of a property value. */
export function tsType(t: TypeRef): string {
  switch (t.kind) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'any':
      return 'unknown';
    case 'ref':
      return t.name;
    case 'array':
      return `${tsType(t.items)}[]`;
  }
}

/** A one-line summary of a property's schema constraints, for its JSDoc. */
export function constraintText(t: TypeRef): string | undefined {
  const parts: string[] = [];
  const visit = (x: TypeRef, prefix: string): void => {
    switch (x.kind) {
      case 'string':
        if (x.minLength !== undefined) parts.push(`${prefix}min length ${x.minLength}`);
        if (x.maxLength !== undefined) parts.push(`${prefix}max length ${x.maxLength}`);
        if (x.format !== undefined) parts.push(`${prefix}format ${x.format}`);
        if (x.pattern !== undefined) parts.push(`${prefix}pattern /${x.pattern}/`);
        break;
      case 'integer':
      case 'number':
        if (x.kind === 'integer') parts.push(`${prefix}integer`);
        if (x.minimum !== undefined) parts.push(`${prefix}minimum ${x.minimum}`);
        if (x.maximum !== undefined) parts.push(`${prefix}maximum ${x.maximum}`);
        if (x.exclusiveMinimum !== undefined)
          parts.push(`${prefix}greater than ${x.exclusiveMinimum}`);
        if (x.exclusiveMaximum !== undefined)
          parts.push(`${prefix}less than ${x.exclusiveMaximum}`);
        if (x.multipleOf !== undefined) parts.push(`${prefix}multiple of ${x.multipleOf}`);
        break;
      case 'array':
        if (x.minItems !== undefined)
          parts.push(`${prefix}at least ${x.minItems} item${x.minItems === 1 ? '' : 's'}`);
        if (x.maxItems !== undefined)
          parts.push(`${prefix}at most ${x.maxItems} item${x.maxItems === 1 ? '' : 's'}`);
        visit(x.items, 'each item: ');
        break;
      default:
        break;
    }
  };
  visit(t, '');
  return parts.length === 0 ? undefined : `Schema: ${parts.join(', ')}.`;
}

function sourceLine(config: VersionConfig, def: Def): string {
  return `Source: \`specs/${config.id}/${def.source.file}#${def.source.pointer}\``;
}

/** The `as const` object and union type of one enum. */
export function emitEnum(config: VersionConfig, def: EnumDef): string {
  const members = def.values.map((v) => `  ${key(enumMemberName(v))}: ${str(v)},`).join('\n');
  return (
    jsdoc([def.description, sourceLine(config, def)]) +
    `export const ${def.name} = {\n${members}\n} as const;\n` +
    jsdoc([def.description ?? `One of the values of {@link ${def.name}}.`]) +
    `export type ${def.name} = (typeof ${def.name})[keyof typeof ${def.name}];\n`
  );
}

function emitProperty(p: Property): string {
  const doc = jsdoc(
    [
      p.description,
      constraintText(p.type),
      p.default === undefined ? undefined : `@default ${JSON.stringify(p.default)}`,
    ],
    '  ',
  );
  return `${doc}  ${key(p.name)}${p.required ? '' : '?'}: ${tsType(p.type)};\n`;
}

/** The interface of one object type. */
export function emitInterface(config: VersionConfig, def: ObjectDef): string {
  const body = def.properties.map(emitProperty).join('');
  const open = def.closed
    ? ''
    : '  /** Vendor-defined properties (the schema leaves this object open). */\n  [key: string]: unknown;\n';
  return `${jsdoc([def.description, sourceLine(config, def)])}export interface ${def.name} {\n${body}${open}}\n`;
}

/** `enums.ts`: every enum of the version. */
export function emitEnumsFile(config: VersionConfig, model: Model, errata: number): string {
  const enums = [...model.defs.values()].filter((d): d is EnumDef => d.kind === 'enum');
  enums.sort((a, b) => a.name.localeCompare(b.name));
  return `${preamble(config, `enums of OCPP ${config.version}`, errata)}\n${enums.map((e) => emitEnum(config, e)).join('\n')}`;
}

/** `types.ts`: every object type and message payload of the version. */
export function emitTypesFile(config: VersionConfig, model: Model, errata: number): string {
  const objects = [...model.defs.values()].filter((d): d is ObjectDef => d.kind === 'object');
  objects.sort((a, b) => a.name.localeCompare(b.name));
  const enumNames = [...model.defs.values()]
    .filter((d) => d.kind === 'enum')
    .map((d) => d.name)
    .sort();
  const used = new Set<string>();
  for (const o of objects) {
    for (const p of o.properties) {
      const t = tsType(p.type).replace(/\[\]$/, '');
      if (enumNames.includes(t)) used.add(t);
    }
  }
  const imports = [...used].sort();
  const head =
    imports.length === 0
      ? ''
      : `import type {\n${imports.map((n) => `  ${n},`).join('\n')}\n} from './enums.js';\n\n`;
  return `${preamble(config, `payload types of OCPP ${config.version}`, errata)}\n${head}${objects.map((o) => emitInterface(config, o)).join('\n')}`;
}
