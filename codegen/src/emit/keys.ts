import { type Model, type TypeRef, topologicalOrder } from '../model.js';
import type { VersionConfig } from '../versions.js';
import { key, preamble, str } from './common.js';

const SPACE = /\s/;
const upper = (c: number) => c >= 65 && c <= 90;
const lowerOrDigit = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);

/**
 * The snake_case spelling of a camelCase key: the Python `ocpp` library's names (mobilityhouse/ocpp
 * 2.x, `camel_to_snake_case`). A copy of `snakeKey` in @ocpp/runtime (which documents the rule),
 * so that the generator runs without a built runtime; `test/mappers.test.ts` holds the two equal
 * on every key of every schema.
 */
export function snakeKey(camel: string): string {
  const s = camel
    .replaceAll('ocppCSMSURL', 'ocpp_csms_url')
    .replaceAll('V2X', '_v2x')
    .replaceAll('V2G', '_v2g');
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (i > 0 && upper(c) && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      const lower = next >= 97 && next <= 122;
      if (lower || (lowerOrDigit(s.charCodeAt(i - 1)) && !SPACE.test(s[i + 1]!))) out += '_';
    }
    out += s[i];
  }
  return out.toLowerCase();
}

function objectRef(t: TypeRef, model: Model): string | undefined {
  if (t.kind === 'array') return objectRef(t.items, model);
  if (t.kind === 'ref' && model.defs.get(t.name)?.kind === 'object') return t.name;
  return undefined;
}

/** `keys.ts`: the camelCase ↔ snake_case key table of every object type. */
export function emitKeysFile(config: VersionConfig, model: Model, errata: number): string {
  const parts: string[] = [];
  for (const def of topologicalOrder(model.defs)) {
    if (def.kind !== 'object') continue;
    const seen = new Map<string, string>();
    const entries = def.properties.map((p) => {
      const snake = snakeKey(p.name);
      const clash = seen.get(snake);
      if (clash !== undefined)
        throw new Error(
          `${config.id}: specs/${config.id}/${def.source.file}#${def.source.pointer}: ${def.name}'s keys ${clash} and ${p.name} have the same snake_case form, ${snake}`,
        );
      seen.set(snake, p.name);
      const nested = objectRef(p.type, model);
      return `  ${key(p.name)}: [${str(snake)}${nested === undefined ? '' : `, K${nested}`}],`;
    });
    parts.push(`const K${def.name}: KeyTable = {\n${entries.join('\n')}\n};\n`);
  }
  const messages = model.messages.map((m) => `  ${m.name}: K${m.name},`);
  return [
    preamble(config, `camelCase/snake_case key tables of OCPP ${config.version}`, errata),
    "import type { KeyTable } from '@ocpp/runtime';",
    '',
    parts.join('\n'),
    '/** The key table of every message payload, by message name. */',
    `export const ${config.prefix}KeyTables = {\n${messages.join('\n')}\n} as const satisfies Record<string, KeyTable>;`,
    '',
  ].join('\n');
}
