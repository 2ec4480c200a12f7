/**
 * fast-check arbitraries of payloads derived from the official JSON schemas in `specs/`, and of
 * single mutations of them. The payloads are meant to be valid, but the fuzzer never trusts that:
 * it asks the protocol's validator, so an errata difference only moves a frame between buckets.
 */
import { readFileSync } from 'node:fs';
import type { MessagePart, OcppVersion } from '@ocpp/runtime';
import fc from 'fast-check';

// biome-ignore lint/suspicious/noExplicitAny: JSON schema nodes are untyped input
type Schema = Record<string, any>;

const SPECS = new URL('../../../specs/', import.meta.url);

const FOLDER: Record<OcppVersion, string> = {
  '1.6': 'ocpp1.6',
  '2.0.1': 'ocpp2.0.1',
  '2.1': 'ocpp2.1',
};

/** The schema file of one message: 1.6 `<Action>.json`, 2.x `<Action>Request.json`, SEND `<Action>.json`. */
function schemaFile(
  version: OcppVersion,
  action: string,
  part: MessagePart,
  send: boolean,
): string {
  if (part === 'response') return `${action}Response.json`;
  return version === '1.6' || send ? `${action}.json` : `${action}Request.json`;
}

function load(version: OcppVersion, file: string): Schema {
  return JSON.parse(readFileSync(new URL(`${FOLDER[version]}/${file}`, SPECS), 'utf8')) as Schema;
}

function resolve(root: Schema, node: Schema): Schema {
  if (typeof node.$ref === 'string') {
    const target = root.definitions?.[node.$ref.slice('#/definitions/'.length)];
    if (target === undefined) throw new Error(`unresolvable $ref ${node.$ref}`);
    return target as Schema;
  }
  return node;
}

const DATE_TIME = fc
  .date({
    min: new Date('2000-01-01T00:00:00Z'),
    max: new Date('2099-12-31T23:59:59Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString());

function fromSchema(root: Schema, node: Schema, depth: number): fc.Arbitrary<unknown> {
  const n = resolve(root, node);
  if (Array.isArray(n.enum)) return fc.constantFrom(...(n.enum as unknown[]));
  switch (n.type) {
    case 'object': {
      const properties = (n.properties ?? {}) as Record<string, Schema>;
      const required = new Set((n.required ?? []) as string[]);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, child] of Object.entries(properties)) {
        // Past a few levels only what is required, so samples stay small.
        if (depth > 4 && !required.has(key)) continue;
        model[key] = fromSchema(root, child, depth + 1);
      }
      return fc.record(model, { requiredKeys: [...required].filter((k) => k in model) });
    }
    case 'array': {
      const minLength = (n.minItems as number | undefined) ?? 0;
      const maxLength = Math.min(
        (n.maxItems as number | undefined) ?? minLength + 2,
        minLength + 2,
      );
      return fc.array(fromSchema(root, n.items as Schema, depth + 1), { minLength, maxLength });
    }
    case 'string': {
      if (n.format === 'date-time') return DATE_TIME;
      if (n.format === 'uri') return fc.constant('https://files.example.com/upload/7');
      const maxLength = Math.min((n.maxLength as number | undefined) ?? 24, 24);
      return fc.string({ minLength: (n.minLength as number | undefined) ?? 0, maxLength });
    }
    case 'integer':
    case 'number': {
      // Integers satisfy every multipleOf in the schemas (0.1 in 1.6 charging schedules).
      const min = (n.minimum as number | undefined) ?? -1000;
      const max = (n.maximum as number | undefined) ?? 100_000;
      return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
    }
    case 'boolean':
      return fc.boolean();
    default:
      // No type (2.x DataTransfer.data and similar): any JSON value.
      return fc.jsonValue({ maxDepth: 2 });
  }
}

const cache = new Map<string, fc.Arbitrary<unknown>>();

/** Payloads of one message built from its official schema (cached). */
export function payloadArbitrary(
  version: OcppVersion,
  action: string,
  part: MessagePart,
  send = false,
): fc.Arbitrary<unknown> {
  const key = `${version}/${action}/${part}`;
  let arb = cache.get(key);
  if (arb === undefined) {
    const root = load(version, schemaFile(version, action, part, send));
    arb = fromSchema(root, root, 0);
    cache.set(key, arb);
  }
  return arb;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The paths of every value inside a JSON document (the root is `[]`). */
function paths(
  doc: unknown,
  at: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(at);
  if (Array.isArray(doc)) {
    for (let i = 0; i < doc.length; i++) paths(doc[i], [...at, i], out);
  } else if (typeof doc === 'object' && doc !== null) {
    for (const [k, v] of Object.entries(doc)) paths(v, [...at, k], out);
  }
  return out;
}

function edit(doc: unknown, path: readonly (string | number)[], change: (v: unknown) => unknown) {
  if (path.length === 0) return change(doc);
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let node = copy;
  for (const p of path.slice(0, -1)) node = node[p] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  const next = change(node[last]);
  if (next === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = next;
  return copy;
}

const WRONG_VALUES: readonly Json[] = [
  null,
  '',
  'x',
  0,
  -1,
  1.5,
  1e21,
  true,
  [],
  {},
  'NotAnEnumValue',
  '2025-13-45T99:99:99Z',
  'x'.repeat(2600),
];

// What a mutation draws besides the path, built once rather than per mutated payload (an
// arbitrary holds no state: the values drawn are the same).
const HOW = fc.nat({ max: 4 });
const RANDOM_VALUE = fc.jsonValue({ maxDepth: 1 });
const WRONG_VALUE = fc.constantFrom(...WRONG_VALUES);

/** One random edit of a payload: a value removed, replaced, retyped, or an unknown property added. */
export function mutate(payload: unknown): fc.Arbitrary<unknown> {
  const all = paths(payload);
  return fc
    .tuple(fc.nat({ max: all.length - 1 }), HOW, RANDOM_VALUE, WRONG_VALUE)
    .map(([i, how, random, wrong]) => {
      const path = all[i]!;
      switch (how) {
        case 0:
          return edit(payload, path, () => undefined);
        case 1:
          return edit(payload, path, () => wrong);
        case 2:
          return edit(payload, path, () => random);
        case 3:
          return edit(payload, path, (v) =>
            typeof v === 'object' && v !== null && !Array.isArray(v)
              ? { ...v, unexpectedProperty: random }
              : [v],
          );
        default:
          return edit(payload, path, (v) =>
            typeof v === 'string' ? v + 'x'.repeat(300) : JSON.stringify(v),
          );
      }
    });
}
