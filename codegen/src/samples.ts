/**
 * Schema-derived payloads for tests: one valid sample per message, and systematic mutations of
 * it, each breaking exactly one constraint and naming the kind of CALLERROR it must produce.
 * Works on the raw (errata-patched) JSON schema, not on the generator's model, so the tests
 * check the generator against the schema rather than against itself.
 */
import type { ViolationKind } from '@ocpp/runtime';

// biome-ignore lint/suspicious/noExplicitAny: JSON schema nodes are untyped input
type Schema = Record<string, any>;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A mutated payload and what a validator must say about it. */
export interface Mutation {
  readonly description: string;
  readonly payload: Json;
  readonly kind: ViolationKind;
}

function resolve(root: Schema, node: Schema): Schema {
  if (typeof node.$ref === 'string') {
    const name = node.$ref.slice('#/definitions/'.length);
    const target = root.definitions?.[name];
    if (target === undefined) throw new Error(`unresolvable $ref ${node.$ref}`);
    return target;
  }
  return node;
}

function sampleNumber(node: Schema): number {
  const integer = node.type === 'integer';
  let v = integer ? 3 : 3.5;
  if (node.multipleOf !== undefined) v = node.multipleOf * 3;
  if (node.minimum !== undefined && v < node.minimum) v = node.minimum;
  if (node.maximum !== undefined && v > node.maximum) v = node.maximum;
  return v;
}

function sampleString(node: Schema, name: string): string {
  if (node.format === 'date-time') return '2025-03-14T09:26:53.589Z';
  if (node.format === 'uri') return 'https://files.example.com/upload/7';
  const base = `${name}-sample`;
  const max = node.maxLength ?? 64;
  const min = node.minLength ?? 1;
  const s = base.length > max ? base.slice(0, max) : base;
  return s.length < min ? s.padEnd(min, 'x') : s;
}

/** A payload that uses every property of the schema, each with a valid value. */
export function validSample(root: Schema, node: Schema = root, name = 'value'): Json {
  const n = resolve(root, node);
  if (n.enum !== undefined) return n.enum[n.enum.length - 1];
  switch (n.type) {
    case 'object': {
      const out: Record<string, Json> = {};
      for (const [k, child] of Object.entries<Schema>(n.properties ?? {}))
        out[k] = validSample(root, child, k);
      if (n.additionalProperties !== false) out.vendorExtension = { note: 'kept as is' };
      return out;
    }
    case 'array': {
      const count = Math.max(n.minItems ?? 1, 1);
      return Array.from({ length: count }, () => validSample(root, n.items, name));
    }
    case 'string':
      return sampleString(n, name);
    case 'integer':
    case 'number':
      return sampleNumber(n);
    case 'boolean':
      return true;
    default:
      return { free: ['form', 1, true] };
  }
}

type Path = readonly (string | number)[];

function setAt(doc: Json, path: Path, value: Json | undefined): Json {
  const copy = structuredClone(doc);
  if (path.length === 0) return value as Json;
  let node = copy as Record<string | number, Json>;
  for (const p of path.slice(0, -1)) node = node[p] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function getAt(doc: Json, path: Path): Json {
  let node: Json = doc;
  for (const p of path) node = (node as Record<string | number, Json>)[p]!;
  return node;
}

function wrongType(n: Schema): { value: Json; kind: ViolationKind } | undefined {
  if (n.enum !== undefined) return { value: 17, kind: 'type' };
  switch (n.type) {
    case 'string':
      return { value: 17, kind: 'type' };
    case 'integer':
    case 'number':
      return { value: '17', kind: 'type' };
    case 'boolean':
      return { value: 'true', kind: 'type' };
    case 'object':
      return { value: 'not an object', kind: 'format' };
    case 'array':
      return { value: { not: 'an array' }, kind: 'format' };
    default:
      return undefined;
  }
}

/** Every single-constraint mutation of `sample` that the schema lets us derive. */
export function mutations(root: Schema, sample: Json): Mutation[] {
  const out: Mutation[] = [];
  const push = (
    description: string,
    path: Path,
    value: Json | undefined,
    kind: ViolationKind,
  ): void => {
    out.push({
      description: `${description} at /${path.join('/')}`,
      payload: setAt(sample, path, value),
      kind,
    });
  };
  const walk = (node: Schema, path: Path): void => {
    const n = resolve(root, node);
    const here = getAt(sample, path);
    if (path.length > 0) {
      const wrong = wrongType(n);
      if (wrong !== undefined) push('wrong type', path, wrong.value, wrong.kind);
    }
    if (n.enum !== undefined) {
      push('value outside the enum', path, 'NotAnEnumValue', 'property');
      return;
    }
    switch (n.type) {
      case 'object': {
        for (const r of (n.required ?? []) as string[])
          push(`required "${r}" removed`, [...path, r], undefined, 'occurrence');
        if (n.additionalProperties === false)
          push('unknown property', [...path, 'unexpectedProperty'], 1, 'format');
        for (const [k, child] of Object.entries<Schema>(n.properties ?? {}))
          walk(child, [...path, k]);
        break;
      }
      case 'array': {
        const arr = here as Json[];
        if (n.minItems !== undefined && n.minItems > 0)
          push('too few items', path, arr.slice(0, n.minItems - 1), 'occurrence');
        if (n.maxItems !== undefined) {
          push(
            'too many items',
            path,
            Array.from({ length: n.maxItems + 1 }, () => structuredClone(arr[0]!)),
            'occurrence',
          );
        }
        walk(n.items, [...path, 0]);
        break;
      }
      case 'string': {
        if (n.maxLength !== undefined)
          push('one character too long', path, 'L'.repeat(n.maxLength + 1), 'property');
        if (n.format === 'date-time') {
          push('malformed date-time', path, 'yesterday at noon', 'property');
          push('impossible date', path, '2025-02-30T10:00:00Z', 'property');
          push('date-time without offset', path, '2025-03-14T09:26:53', 'property');
        }
        if (n.format === 'uri') push('malformed uri', path, 'not a uri', 'property');
        break;
      }
      case 'integer':
      case 'number': {
        if (n.type === 'integer') push('fractional integer', path, 2.5, 'type');
        if (n.minimum !== undefined) push('below minimum', path, n.minimum - 1, 'property');
        if (n.maximum !== undefined) push('above maximum', path, n.maximum + 1, 'property');
        if (n.multipleOf !== undefined)
          push('not a multiple', path, n.multipleOf * 3 + n.multipleOf / 2, 'property');
        break;
      }
      default:
        break;
    }
  };
  walk(root, []);
  // A payload must be an object: anything else is a structural violation.
  out.push({ description: 'payload is an array', payload: [], kind: 'format' });
  out.push({ description: 'payload is a string', payload: 'hello', kind: 'format' });
  return out;
}
