/**
 * The generator's intermediate model: named enums and object types (deduplicated across schema
 * files), and one root object per message. Emitters turn it into TypeScript text.
 */

/** A string constraint set. */
export interface StringType {
  readonly kind: 'string';
  readonly maxLength?: number;
  readonly minLength?: number;
  readonly format?: 'date-time' | 'uri';
  readonly pattern?: string;
}

/** A number or integer constraint set. */
export interface NumberType {
  readonly kind: 'number' | 'integer';
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly multipleOf?: number;
}

/** Where a property's value type points. */
export type TypeRef =
  | StringType
  | NumberType
  | { readonly kind: 'boolean' }
  | { readonly kind: 'any' }
  | { readonly kind: 'ref'; readonly name: string }
  | {
      readonly kind: 'array';
      readonly items: TypeRef;
      readonly minItems?: number;
      readonly maxItems?: number;
    };

/** One property of an object type. */
export interface Property {
  readonly name: string;
  readonly type: TypeRef;
  readonly required: boolean;
  readonly description?: string;
  readonly default?: unknown;
}

/** Where in the vendored schemas a definition was read. */
export interface Source {
  readonly file: string;
  readonly pointer: string;
}

/** A string enumeration. */
export interface EnumDef {
  readonly kind: 'enum';
  readonly name: string;
  readonly values: readonly string[];
  readonly description?: string;
  readonly source: Source;
}

/** An object type; `closed` when the schema says `additionalProperties: false`. */
export interface ObjectDef {
  readonly kind: 'object';
  readonly name: string;
  readonly properties: readonly Property[];
  readonly closed: boolean;
  readonly description?: string;
  readonly source: Source;
}

/** A named type. */
export type Def = EnumDef | ObjectDef;

/** Which message of an action a schema file describes. */
export type MessagePart = 'request' | 'response';

/** One message: its schema file and the object type of its payload. */
export interface Message {
  readonly name: string;
  readonly action: string;
  readonly part: MessagePart;
  readonly file: string;
}

/** One action: direction, kind, request and (for a CALL) response message names. */
export interface Action {
  readonly name: string;
  readonly direction: 'StationToCsms' | 'CsmsToStation' | 'Both';
  readonly kind: 'CALL' | 'SEND';
  readonly request: string;
  readonly response?: string;
}

/** Everything the emitters need for one version. */
export interface Model {
  readonly defs: ReadonlyMap<string, Def>;
  readonly messages: readonly Message[];
  readonly actions: readonly Action[];
}

/**
 * Removes descriptions, sources and property order: what two copies of a definition must agree on.
 */
export function structureOf(def: Def): string {
  if (def.kind === 'enum') return JSON.stringify(['enum', def.values]);
  return JSON.stringify([
    'object',
    def.closed,
    def.properties
      .map((p) => [p.name, p.required, p.type, p.default] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
  ]);
}

/** The names of the defs an object refers to directly. */
export function refsOf(def: Def): string[] {
  if (def.kind === 'enum') return [];
  const out: string[] = [];
  const visit = (t: TypeRef): void => {
    if (t.kind === 'ref') out.push(t.name);
    else if (t.kind === 'array') visit(t.items);
  };
  for (const p of def.properties) visit(p.type);
  return out;
}

/** Defs in dependency order (every def after the defs it refers to), ties broken by name. */
export function topologicalOrder(defs: ReadonlyMap<string, Def>): Def[] {
  const out: Def[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, from: string): void => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`recursive type ${name} (via ${from}) is not supported`);
    const def = defs.get(name);
    if (def === undefined) throw new Error(`${from} refers to unknown type ${name}`);
    state.set(name, 'visiting');
    for (const r of refsOf(def).sort()) visit(r, name);
    state.set(name, 'done');
    out.push(def);
  };
  for (const name of [...defs.keys()].sort()) visit(name, name);
  return out;
}
