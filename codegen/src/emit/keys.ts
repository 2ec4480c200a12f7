import { type Model, type TypeRef, topologicalOrder } from '../model.js';
import type { VersionConfig } from '../versions.js';
import { key, preamble, str } from './common.js';

/** The snake_case spelling of a camelCase key (mirrors `snakeKey` in @ocpp/runtime). */
export function snakeKey(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
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
