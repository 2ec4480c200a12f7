/**
 * `pnpm bench`: the generated fast validators against the zod schemas and a compiled JSON-schema
 * validator (Ajv) of the same errata-patched official schema, and against JSON.parse of the frame
 * that carries the payload, on realistic hot-path messages.
 */
import { join } from 'node:path';
import type { Protocol } from '@ocpp/runtime';
import { v16Protocol } from '@ocpp/v16-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { ZodType } from 'zod';
import { loadVersion } from '../../codegen/src/load.js';
import { VERSIONS } from '../../codegen/src/versions.js';
import { measure, us } from './harness.js';
import { meterValues16, transactionEvent2 } from './payloads.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const root = join(import.meta.dirname, '../..');

interface Case {
  readonly version: (typeof VERSIONS)[number];
  // biome-ignore lint/suspicious/noExplicitAny: three versions in one table
  readonly protocol: Protocol<any, any>;
  readonly action: string;
  readonly payload: unknown;
}

const cases: Case[] = [
  { version: VERSIONS[0]!, protocol: v16Protocol, action: 'MeterValues', payload: meterValues16() },
  {
    version: VERSIONS[1]!,
    protocol: v201Protocol,
    action: 'TransactionEvent',
    payload: transactionEvent2(),
  },
  {
    version: VERSIONS[2]!,
    protocol: v21Protocol,
    action: 'TransactionEvent',
    payload: transactionEvent2(),
  },
];

console.log(
  'Validator benchmark: median time per payload; ratios < 1 mean the fast validator is faster.\n',
);
const rows: string[][] = [];
for (const c of cases) {
  const { files } = loadVersion(join(root, 'specs'), c.version);
  const file = [...files.keys()].find(
    (f) => c.version.identify(f)?.message === `${c.action}Request`,
  )!;
  const { $schema: _s, $id: _i, id: _id, ...schema } = files.get(file)!;
  const ajv = new Ajv({ strict: false, multipleOfPrecision: 9 });
  addFormats(ajv);
  const ajvValidate = ajv.compile(schema);
  const descriptor = c.protocol.actions[c.action]!;
  const fast = descriptor.request.validate;
  const zod = descriptor.request.schema as ZodType;
  const frame = JSON.stringify([2, 'b7a1c2d3-0000-4000-8000-000000000001', c.action, c.payload]);
  const check = c.protocol.validate(c.action, 'request', c.payload);
  if (!check.success || !ajvValidate(c.payload) || !zod.safeParse(c.payload).success) {
    throw new Error(
      `${c.version.id} ${c.action}: the benchmark payload is not valid: ${JSON.stringify(check)}`,
    );
  }
  const t = measure([
    { name: 'fast', run: () => fast(c.payload) },
    { name: 'ajv', run: () => ajvValidate(c.payload) },
    { name: 'zod', run: () => zod.safeParse(c.payload) },
    { name: 'parse', run: () => JSON.parse(frame) },
  ]);
  const f = t.get('fast')!;
  rows.push([
    `${c.version.id} ${c.action}`,
    us(f),
    us(t.get('ajv')!),
    us(t.get('zod')!),
    us(t.get('parse')!),
    `${(f / t.get('ajv')!).toFixed(2)}×`,
    `${(f / t.get('zod')!).toFixed(2)}×`,
    `${(f / t.get('parse')!).toFixed(2)}×`,
  ]);
}
const header = [
  'payload',
  'fast',
  'ajv',
  'zod',
  'JSON.parse',
  'fast/ajv',
  'fast/zod',
  'fast/parse',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: readonly string[]) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
console.log(line(header));
for (const r of rows) console.log(line(r));
