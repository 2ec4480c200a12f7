import { join } from 'node:path';
import { kindOfZodIssue, type Protocol, violationCode } from '@ocpp/runtime';
import { v16Protocol } from '@ocpp/v16-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { loadVersion } from '../src/load.js';
import { mutations, validSample } from '../src/samples.js';
import { VERSIONS } from '../src/versions.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const root = join(import.meta.dirname, '../..');

// biome-ignore lint/suspicious/noExplicitAny: protocols of three versions in one table
const protocols: Record<string, Protocol<any, any>> = {
  'ocpp1.6': v16Protocol,
  'ocpp2.0.1': v201Protocol,
  'ocpp2.1': v21Protocol,
};

/** The reference validator: Ajv on the same errata-patched official schema. */
function referenceValidator(schema: Record<string, unknown>) {
  const ajv = new Ajv({ strict: false, allErrors: false, multipleOfPrecision: 9 });
  addFormats(ajv);
  const { $schema: _s, $id: _i, id: _id, ...body } = schema;
  return ajv.compile(body);
}

for (const config of VERSIONS) {
  describe(`${config.id}: fast validator, zod schema and Ajv agree`, () => {
    const { files } = loadVersion(join(root, 'specs'), config);
    const protocol = protocols[config.id]!;
    for (const [action, entry] of Object.entries(protocol.actions)) {
      for (const part of ['request', 'response'] as const) {
        const message = entry[part];
        if (message === undefined) continue;
        const file = [...files.keys()].find((f) => config.identify(f)?.message === message.name)!;
        it(`${message.name}`, () => {
          const schema = files.get(file)!;
          const ajv = referenceValidator(schema);
          const zod = message.schema as ZodType;
          const sample = validSample(schema);
          const ok = protocol.validate(action, part, sample);
          expect(ok, 'fast validator accepts the valid sample').toMatchObject({ success: true });
          expect(zod.safeParse(sample).success, 'zod accepts the valid sample').toBe(true);
          expect(ajv(sample), 'Ajv accepts the valid sample').toBe(true);

          const cases = mutations(schema, sample);
          expect(cases.length).toBeGreaterThan(1);
          for (const m of cases) {
            const expected = violationCode(config.version, m.kind);
            const fast = protocol.validate(action, part, m.payload);
            const z = zod.safeParse(m.payload);
            expect(ajv(m.payload), `Ajv rejects: ${m.description}`).toBe(false);
            expect(fast.success, `fast validator rejects: ${m.description}`).toBe(false);
            expect(z.success, `zod rejects: ${m.description}`).toBe(false);
            if (!fast.success)
              expect(fast.errorCode, `fast validator code for ${m.description}`).toBe(expected);
            if (!z.success) {
              const kind = kindOfZodIssue(z.error.issues[0]!, m.payload);
              expect(violationCode(config.version, kind), `zod code for ${m.description}`).toBe(
                expected,
              );
            }
          }
        });
      }
    }
  });
}
