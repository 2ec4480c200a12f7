import {
  type EnumDef,
  type Model,
  type ObjectDef,
  type TypeRef,
  topologicalOrder,
} from '../model.js';
import type { VersionConfig } from '../versions.js';
import { preamble, str } from './common.js';

/** Emits one check of `value` against `t`; `fail(issue)` renders the early return on failure. */
interface CheckContext {
  readonly depth: number;
  readonly patterns: string[];
  readonly helpers: Set<string>;
}

function failWith(segments: readonly string[]): (issue: string) => string {
  return (issue) => {
    let expr = issue;
    for (let i = segments.length - 1; i >= 0; i--) expr = `at(${expr}, ${segments[i]})`;
    return `return ${expr};`;
  };
}

function check(
  t: TypeRef,
  v: string,
  segments: readonly string[],
  ctx: CheckContext,
  ind: string,
  defs: Model['defs'],
): string[] {
  const fail = failWith(segments);
  const out: string[] = [];
  const use = (h: string): string => {
    ctx.helpers.add(h);
    return h;
  };
  switch (t.kind) {
    case 'string': {
      out.push(
        `${ind}if (typeof ${v} !== 'string') ${fail(`${use('issueType')}(${v}, 'string')`)}`,
      );
      if (t.maxLength !== undefined) {
        out.push(
          `${ind}if (${v}.length > ${t.maxLength} && ${use('codePointLength')}(${v}) > ${t.maxLength}) ${fail(`${use('issueValue')}('maxLength', ${str(`must have at most ${t.maxLength} characters`)})`)}`,
        );
      }
      if (t.minLength !== undefined) {
        out.push(
          `${ind}if (${use('codePointLength')}(${v}) < ${t.minLength}) ${fail(`${use('issueValue')}('minLength', ${str(`must have at least ${t.minLength} characters`)})`)}`,
        );
      }
      if (t.format === 'date-time') {
        out.push(
          `${ind}if (!${use('isDateTime')}(${v})) ${fail(`${use('issueValue')}('format', 'must be an RFC 3339 date-time')`)}`,
        );
      }
      if (t.format === 'uri') {
        out.push(
          `${ind}if (!${use('isUri')}(${v})) ${fail(`${use('issueValue')}('format', 'must be an absolute URI')`)}`,
        );
      }
      if (t.pattern !== undefined) {
        const name = `P${ctx.patterns.length}`;
        ctx.patterns.push(`const ${name} = new RegExp(${str(t.pattern)}, 'u');`);
        out.push(
          `${ind}if (!${name}.test(${v})) ${fail(`${use('issueValue')}('pattern', ${str(`must match /${t.pattern}/`)})`)}`,
        );
      }
      break;
    }
    case 'number':
    case 'integer': {
      const test = t.kind === 'integer' ? `!Number.isInteger(${v})` : `!Number.isFinite(${v})`;
      out.push(
        `${ind}if (typeof ${v} !== 'number' || ${test}) ${fail(`${use('issueType')}(${v}, '${t.kind}')`)}`,
      );
      const bound = (
        op: string,
        limit: number | undefined,
        keyword: string,
        words: string,
      ): void => {
        if (limit === undefined) return;
        out.push(
          `${ind}if (${v} ${op} ${limit}) ${fail(`${use('issueValue')}('${keyword}', ${str(`must be ${words} ${limit}`)})`)}`,
        );
      };
      bound('<', t.minimum, 'minimum', '>=');
      bound('>', t.maximum, 'maximum', '<=');
      bound('<=', t.exclusiveMinimum, 'exclusiveMinimum', '>');
      bound('>=', t.exclusiveMaximum, 'exclusiveMaximum', '<');
      if (t.multipleOf !== undefined) {
        out.push(
          `${ind}if (!${use('isMultipleOf')}(${v}, ${t.multipleOf})) ${fail(`${use('issueValue')}('multipleOf', ${str(`must be a multiple of ${t.multipleOf}`)})`)}`,
        );
      }
      break;
    }
    case 'boolean':
      out.push(
        `${ind}if (typeof ${v} !== 'boolean') ${fail(`${use('issueType')}(${v}, 'boolean')`)}`,
      );
      break;
    case 'any':
      break;
    case 'ref': {
      const def = defs.get(t.name)!;
      if (def.kind === 'enum') {
        out.push(
          `${ind}if (typeof ${v} !== 'string') ${fail(`${use('issueType')}(${v}, 'string')`)}`,
        );
        out.push(
          `${ind}if (!e${t.name}(${v})) ${fail(`${use('issueValue')}('enum', ${str(`must be a value of ${t.name}`)})`)}`,
        );
      } else {
        const e = `e${ctx.depth}`;
        out.push(`${ind}const ${e} = v${t.name}(${v});`);
        out.push(`${ind}if (${e} !== null) ${fail(e)}`);
      }
      break;
    }
    case 'array': {
      out.push(`${ind}if (!Array.isArray(${v})) ${fail(`${use('issueType')}(${v}, 'array')`)}`);
      if (t.minItems !== undefined) {
        out.push(
          `${ind}if (${v}.length < ${t.minItems}) ${fail(`${use('issueValue')}('minItems', ${str(`must have at least ${t.minItems} item${t.minItems === 1 ? '' : 's'}`)})`)}`,
        );
      }
      if (t.maxItems !== undefined) {
        out.push(
          `${ind}if (${v}.length > ${t.maxItems}) ${fail(`${use('issueValue')}('maxItems', ${str(`must have at most ${t.maxItems} item${t.maxItems === 1 ? '' : 's'}`)})`)}`,
        );
      }
      const i = `i${ctx.depth}`;
      const y = `y${ctx.depth}`;
      const inner = check(
        t.items,
        y,
        [...segments, i],
        { ...ctx, depth: ctx.depth + 1 },
        `${ind}  `,
        defs,
      );
      if (inner.length > 0) {
        out.push(`${ind}for (let ${i} = 0; ${i} < ${v}.length; ${i}++) {`);
        out.push(`${ind}  const ${y}: unknown = ${v}[${i}];`);
        out.push(...inner);
        out.push(`${ind}}`);
      }
      break;
    }
  }
  return out;
}

/**
 * The check of an enum: a switch on the length, then the values of that length. `JSON.parse` does
 * not intern strings longer than ten characters, and V8 compares such a string with each case of
 * a plain `switch` in turn; the length narrows it to one or two candidates.
 */
export function emitEnumCheck(def: EnumDef): string {
  const byLength = new Map<number, string[]>();
  for (const value of def.values) {
    const list = byLength.get(value.length);
    if (list === undefined) byLength.set(value.length, [value]);
    else list.push(value);
  }
  const cases = [...byLength.entries()]
    .sort(([a], [b]) => a - b)
    .map(
      ([length, values]) =>
        `    case ${length}:\n      return ${values.map((v) => `x === ${str(v)}`).join(' || ')};`,
    )
    .join('\n');
  return `function e${def.name}(x: string): boolean {\n  switch (x.length) {\n${cases}\n    default:\n      return false;\n  }\n}\n`;
}

function emitObjectCheck(def: ObjectDef, ctx: CheckContext, defs: Model['defs']): string {
  const lines: string[] = [];
  ctx.helpers.add('issueType');
  lines.push(`function v${def.name}(d: unknown): RawIssue | null {`);
  lines.push(
    `  if (typeof d !== 'object' || d === null || Array.isArray(d)) return issueType(d, 'object');`,
  );
  lines.push('  const o = d as Record<string, unknown>;');
  if (def.closed) lines.push('  let n = 0;');
  for (const p of def.properties) {
    const x = `x_${p.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    lines.push(`  const ${x} = o[${str(p.name)}];`);
    const body = check(p.type, x, [str(p.name)], ctx, '    ', defs);
    if (p.required) {
      ctx.helpers.add('issueRequired');
      lines.push(`  if (${x} === undefined) return issueRequired(${str(p.name)});`);
      lines.push('  {');
      if (def.closed) lines.push('    n++;');
    } else {
      lines.push(`  if (${x} !== undefined) {`);
      if (def.closed) lines.push('    n++;');
    }
    lines.push(...body, '  }');
  }
  if (def.closed) {
    ctx.helpers.add('issueExtra');
    lines.push('  let c = 0;');
    lines.push('  for (const _ in o) c++;');
    lines.push(`  if (c !== n) return issueExtra(o, K${def.name});`);
  }
  lines.push('  return null;', '}');
  const known = def.closed
    ? `const K${def.name}: readonly string[] = [${def.properties.map((p) => str(p.name)).join(', ')}];\n`
    : '';
  return `${known}${lines.join('\n')}\n`;
}

/** `validators.ts`: straight-line fast validators, one function per object type and enum. */
export function emitValidatorsFile(config: VersionConfig, model: Model, errata: number): string {
  const ctx: CheckContext = { depth: 0, patterns: [], helpers: new Set(['at']) };
  const parts: string[] = [];
  for (const def of topologicalOrder(model.defs)) {
    parts.push(def.kind === 'enum' ? emitEnumCheck(def) : emitObjectCheck(def, ctx, model.defs));
  }
  const messages = model.messages.map((m) => `  ${m.name}: v${m.name},`);
  const helpers = [...ctx.helpers].sort((a, b) => a.localeCompare(b));
  return [
    preamble(config, `fast validators of OCPP ${config.version}`, errata),
    "import type { RawIssue } from '@ocpp/runtime';",
    `import { ${helpers.join(', ')} } from '@ocpp/runtime/codegen';`,
    '',
    ...ctx.patterns,
    parts.join('\n'),
    '/** The fast validator of every message payload, by message name. */',
    `export const ${config.prefix}Validators = {\n${messages.join('\n')}\n} as const;`,
    '',
  ].join('\n');
}
