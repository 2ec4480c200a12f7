import { join } from 'node:path';
import { type KeyTable, toCamelCase, toSnakeCase } from '@ocpp/runtime';
import { v16Actions } from '@ocpp/v16-core';
import { v21Actions } from '@ocpp/v21-core';
import { v201Actions } from '@ocpp/v201-core';
import { describe, expect, it } from 'vitest';
import { loadVersion } from '../src/load.js';
import { validSample } from '../src/samples.js';
import { VERSIONS } from '../src/versions.js';

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
