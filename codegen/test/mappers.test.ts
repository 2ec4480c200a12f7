import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KeyTable, snakeKey, toCamelCase, toSnakeCase } from '@ocpp/runtime';
import { v16Actions } from '@ocpp/v16-core';
import { v21Actions } from '@ocpp/v21-core';
import { v201Actions } from '@ocpp/v201-core';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../src/build-model.js';
import { snakeKey as generatorSnakeKey } from '../src/emit/keys.js';
import { loadVersion } from '../src/load.js';
import type { Model, TypeRef } from '../src/model.js';
import { validSample } from '../src/samples.js';
import { VERSIONS, type VersionConfig } from '../src/versions.js';

const root = join(import.meta.dirname, '../..');
const registries = {
  'ocpp1.6': v16Actions,
  'ocpp2.0.1': v201Actions,
  'ocpp2.1': v21Actions,
} as const;

function camelKeys(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) camelKeys(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      if (k !== 'data') camelKeys(v, out);
    }
  }
  return out;
}

for (const config of VERSIONS) {
  describe(`${config.id}: camelCase ↔ snake_case mappers round-trip every message`, () => {
    const { files } = loadVersion(join(root, 'specs'), config);
    const messages = new Map<string, KeyTable>();
    for (const a of Object.values(registries[config.id])) {
      messages.set(a.request.name, a.request.keys);
      if (a.response !== undefined) messages.set(a.response.name, a.response.keys);
    }
    it('one key table per message', () => expect(messages.size).toBe(files.size));
    for (const [file, schema] of files) {
      const name = config.identify(file)!.message;
      it(name, () => {
        const keys = messages.get(name)!;
        const sample = validSample(schema);
        const snake = toSnakeCase(keys, sample);
        expect(toCamelCase(keys, snake)).toEqual(sample);
        // Every schema-defined key went to snake_case; vendor keys of open objects stayed as they were.
        const left = camelKeys(snake).filter((k) => /[A-Z]/.test(k) && k !== 'vendorExtension');
        expect(left).toEqual([]);
      });
    }
  });
}

/**
 * The Python `ocpp` library's `camel_to_snake_case` (mobilityhouse/ocpp 2.x,
 * `ocpp/charge_point.py`) for one key, transcribed: the reference the names are checked against.
 */
function pythonSnake(key: string): string {
  const k = key
    .replaceAll('ocppCSMSURL', 'ocpp_csms_url')
    .replaceAll('V2X', '_v2x')
    .replaceAll('V2G', '_v2g');
  const s1 = k.replace(/(.)([A-Z][a-z]+)/g, '$1_$2');
  return s1.replace(/([a-z0-9])([A-Z])(?=\S)/g, '$1_$2').toLowerCase();
}

function objectRef(t: TypeRef, defs: Model['defs']): string | undefined {
  if (t.kind === 'array') return objectRef(t.items, defs);
  if (t.kind === 'ref' && defs.get(t.name)?.kind === 'object') return t.name;
  return undefined;
}

/** Every unique key of every version, for the type-level check below. */
const everyKey = new Map<string, string>();

for (const config of VERSIONS) {
  const model = buildModel(config, loadVersion(join(root, 'specs'), config).files);
  const objects = [...model.defs.values()].filter((d) => d.kind === 'object');
  const pairs = objects.reduce((n, d) => n + d.properties.length, 0);
  const unique = new Set(objects.flatMap((d) => d.properties.map((p) => p.name)));
  for (const k of unique) everyKey.set(k, pythonSnake(k));

  describe(`${config.id}: snake_case names of all ${pairs} keys (${unique.size} distinct) of ${objects.length} object types`, () => {
    // The generated table of every object type, reached from the message tables of the registry.
    const tables = new Map<string, KeyTable>();
    const walk = (name: string, table: KeyTable) => {
      if (tables.has(name)) {
        expect(tables.get(name), name).toBe(table);
        return;
      }
      tables.set(name, table);
      const def = model.defs.get(name);
      if (def?.kind !== 'object') throw new Error(`${name}: no object type`);
      for (const p of def.properties) {
        const nested = objectRef(p.type, model.defs);
        const entry = table[p.name];
        if (nested !== undefined && entry?.[1] !== undefined) walk(nested, entry[1]);
      }
    };
    for (const a of Object.values(registries[config.id])) {
      walk(a.request.name, a.request.keys);
      if (a.response !== undefined) walk(a.response.name, a.response.keys);
    }

    it('every object type has its table', () => {
      expect([...tables.keys()].sort()).toEqual(objects.map((d) => d.name).sort());
    });

    it("every key's name is the Python library's, in the generated table, snakeKey and the generator", () => {
      const wrong: string[] = [];
      for (const def of objects) {
        const table = tables.get(def.name)!;
        expect(Object.keys(table), def.name).toEqual(def.properties.map((p) => p.name));
        for (const p of def.properties) {
          const want = pythonSnake(p.name);
          const [snake, nested] = table[p.name]!;
          if (snake !== want || snakeKey(p.name) !== want || generatorSnakeKey(p.name) !== want)
            wrong.push(`${def.name}.${p.name}: ${snake}, want ${want}`);
          expect(nested !== undefined, `${def.name}.${p.name}`).toBe(
            objectRef(p.type, model.defs) !== undefined,
          );
        }
      }
      expect(wrong).toEqual([]);
    });

    it('no two keys of one object type get the same name', () => {
      for (const def of objects) {
        const names = def.properties.map((p) => pythonSnake(p.name));
        expect(new Set(names).size, def.name).toBe(names.length);
      }
    });

    it('every key round-trips: camelCase → snake_case → camelCase is the identity', () => {
      for (const def of objects) {
        const table = tables.get(def.name)!;
        const value = Object.fromEntries(def.properties.map((p) => [p.name, p.name]));
        const snake = toSnakeCase(table, value) as Record<string, unknown>;
        expect(Object.keys(snake), def.name).toEqual(def.properties.map((p) => table[p.name]![0]));
        expect(toCamelCase(table, snake), def.name).toEqual(value);
      }
    });
  });
}

describe('the names the issue reported as differing from the Python library', () => {
  const nameIn = (id: VersionConfig['id'], key: string): string[] => {
    const out = new Set<string>();
    const seen = new Set<KeyTable>();
    const visit = (t: KeyTable) => {
      if (seen.has(t)) return;
      seen.add(t);
      for (const [k, [snake, nested]] of Object.entries(t)) {
        if (k === key) out.add(snake);
        if (nested !== undefined) visit(nested);
      }
    };
    for (const a of Object.values(registries[id])) {
      visit(a.request.keys);
      if (a.response !== undefined) visit(a.response.keys);
    }
    return [...out];
  };

  it.each<[VersionConfig['id'], string, string]>([
    ['ocpp2.0.1', 'fullSoC', 'full_soc'],
    ['ocpp2.0.1', 'bulkSoC', 'bulk_soc'],
    ['ocpp2.0.1', 'responderURL', 'responder_url'],
    ['ocpp2.1', 'limit_L2', 'limit_l2'],
    ['ocpp2.1', 'dischargeLimit_L3', 'discharge_limit_l3'],
    ['ocpp2.1', 'evMinV2XEnergyRequest', 'ev_min_v2x_energy_request'],
    ['ocpp2.1', 'taxRuleID', 'tax_rule_id'],
    ['ocpp2.1', 'fixedPF', 'fixed_pf'],
    ['ocpp2.1', 'soC', 'soc'],
    ['ocpp1.6', 'chargePointVendor', 'charge_point_vendor'],
  ])('%s %s → %s', (id, key, want) => expect(nameIn(id, key)).toEqual([want]));
});

describe('SnakeKey<K> (the type) is the same name for every key of every version', () => {
  it(`compiles one equality per distinct key (${everyKey.size})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocpp-snake-key-'));
    try {
      const keys = [...everyKey];
      const file = join(dir, 'check.ts');
      const runtimeKeys = join(root, 'packages/runtime/src/keys.js');
      writeFileSync(
        file,
        [
          `import type { SnakeKey } from ${JSON.stringify(runtimeKeys)};`,
          'type Eq<A, B> = (<G>() => G extends A ? 1 : 2) extends (<G>() => G extends B ? 1 : 2) ? true : false;',
          ...keys.map(
            ([k, want], i) =>
              `export const k${i}: Eq<SnakeKey<${JSON.stringify(k)}>, ${JSON.stringify(want)}> = true;`,
          ),
          '',
        ].join('\n'),
      );
      // The runtime's sources expect the host types its build adds.
      const program = ts.createProgram([file, join(root, 'types/web-host.d.ts')], {
        strict: true,
        noEmit: true,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        target: ts.ScriptTarget.ES2022,
        lib: ['lib.es2022.d.ts'],
        types: [],
        skipLibCheck: true,
      });
      const failures = ts.getPreEmitDiagnostics(program).map((d) => {
        const line = d.file?.getLineAndCharacterOfPosition(d.start ?? 0).line ?? -1;
        const key = keys[line - 2];
        return key === undefined
          ? ts.flattenDiagnosticMessageText(d.messageText, '\n')
          : `${key[0]}: want ${key[1]}`;
      });
      expect(failures).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
