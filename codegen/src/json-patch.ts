/**
 * A small RFC 6902 (JSON Patch) implementation for the errata files in `specs/errata/`.
 *
 * Supports `add`, `remove`, `replace`, `move`, `copy` and `test`. Documents are never mutated:
 * `applyPatch` works on a deep copy and returns it. Any failing operation throws a
 * `JsonPatchError` that names the operation's index and path.
 *
 * One deliberate, opt-in extension: with `{ strictAdd: true }`, an `add` whose target is an
 * object member that already exists fails instead of silently replacing it. JSON Patch has no
 * way to `test` that a member is absent; the errata use `add` only for members OCA left out, so
 * in strict mode a patch fails once OCA ships the member itself.
 */

export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

export interface ApplyOptions {
  /** Reject `add` operations that would overwrite an existing object member. */
  strictAdd?: boolean;
}

export class JsonPatchError extends Error {
  constructor(
    message: string,
    readonly index: number,
    readonly operation: unknown,
  ) {
    super(`operation #${index} ${describe(operation)}: ${message}`);
    this.name = 'JsonPatchError';
  }
}

function describe(operation: unknown): string {
  if (operation !== null && typeof operation === 'object') {
    const o = operation as Record<string, unknown>;
    const from = typeof o.from === 'string' ? ` from "${o.from}"` : '';
    return `(${String(o.op)} "${String(o.path)}"${from})`;
  }
  return JSON.stringify(operation);
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Splits a JSON Pointer (RFC 6901) into unescaped reference tokens. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`"${pointer}" is not a JSON pointer`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~[^01]|~$/.test(token)) throw new Error(`bad escape in JSON pointer "${pointer}"`);
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

/** Structural equality as RFC 6902 `test` defines it: object member order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Error(`"${token}" is not an array index`);
  const index = Number(token);
  if (index > length || (!allowEnd && index === length)) {
    throw new Error(`array index ${index} is out of bounds (length ${length})`);
  }
  return index;
}

/** The value at `pointer`; throws if it does not exist. */
export function getAt(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(node)) node = node[arrayIndex(token, node.length, false)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else throw new Error(`"${pointer}" does not exist`);
  }
  return node;
}

/** Whether `pointer` names an existing value. */
export function hasAt(doc: unknown, pointer: string): boolean {
  try {
    getAt(doc, pointer);
    return true;
  } catch {
    return false;
  }
}

function parentOf(doc: unknown, pointer: string): { parent: JsonObject | unknown[]; key: string } {
  const tokens = parsePointer(pointer);
  const key = tokens.pop();
  if (key === undefined) throw new Error('operations on the whole document are not supported');
  const parentPointer = tokens
    .map((t) => `/${t.replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .join('');
  const parent = getAt(doc, parentPointer);
  if (!Array.isArray(parent) && !isObject(parent)) {
    throw new Error(`the parent of "${pointer}" is not an object or array`);
  }
  return { parent, key };
}

function add(doc: unknown, pointer: string, value: unknown, strict: boolean): void {
  const { parent, key } = parentOf(doc, pointer);
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(key, parent.length, true), 0, value);
  } else {
    if (strict && Object.hasOwn(parent, key)) {
      throw new Error(`"${pointer}" already exists (strict add never overwrites)`);
    }
    parent[key] = value;
  }
}

function remove(doc: unknown, pointer: string): unknown {
  const { parent, key } = parentOf(doc, pointer);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(key, parent.length, false), 1)[0];
  if (!Object.hasOwn(parent, key)) throw new Error(`"${pointer}" does not exist`);
  const old = parent[key];
  delete parent[key];
  return old;
}

function replace(doc: unknown, pointer: string, value: unknown): void {
  const { parent, key } = parentOf(doc, pointer);
  if (Array.isArray(parent)) parent[arrayIndex(key, parent.length, false)] = value;
  else if (Object.hasOwn(parent, key)) parent[key] = value;
  else throw new Error(`"${pointer}" does not exist`);
}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * Checks that `input` is an array of well-formed operations (right `op`, string pointers, a
 * `value` where one is required) and returns it typed. Throws on the first malformed entry.
 */
export function parseOperations(input: unknown): JsonPatchOperation[] {
  if (!Array.isArray(input)) throw new Error('a JSON Patch must be an array of operations');
  input.forEach((op: unknown, index) => {
    const problem = checkOperation(op);
    if (problem !== undefined) throw new JsonPatchError(problem, index, op);
  });
  return input as JsonPatchOperation[];
}

function checkOperation(op: unknown): string | undefined {
  if (!isObject(op)) return 'not an object';
  if (typeof op.op !== 'string' || !OPS.has(op.op)) return `unknown op ${JSON.stringify(op.op)}`;
  if (typeof op.path !== 'string') return '"path" must be a string';
  try {
    parsePointer(op.path);
    if (op.op === 'move' || op.op === 'copy') {
      if (typeof op.from !== 'string') return '"from" must be a string';
      parsePointer(op.from);
    }
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !('value' in op)) {
    return '"value" is required';
  }
  return undefined;
}

/** Applies `operations` to a deep copy of `doc` and returns the copy. */
export function applyPatch<T>(
  doc: T,
  operations: readonly JsonPatchOperation[],
  options: ApplyOptions = {},
): T {
  const out = structuredClone(doc);
  const strict = options.strictAdd === true;
  operations.forEach((op, index) => {
    try {
      switch (op.op) {
        case 'test': {
          const actual = getAt(out, op.path);
          if (!jsonEqual(actual, op.value)) {
            throw new Error(`test failed, found ${JSON.stringify(actual)}`);
          }
          break;
        }
        case 'add':
          add(out, op.path, structuredClone(op.value), strict);
          break;
        case 'remove':
          remove(out, op.path);
          break;
        case 'replace':
          replace(out, op.path, structuredClone(op.value));
          break;
        case 'move': {
          if (op.path.startsWith(`${op.from}/`)) throw new Error('cannot move a value into itself');
          add(out, op.path, remove(out, op.from), strict);
          break;
        }
        case 'copy':
          add(out, op.path, structuredClone(getAt(out, op.from)), strict);
          break;
        default:
          throw new Error(`unsupported op ${JSON.stringify((op as { op: unknown }).op)}`);
      }
    } catch (e) {
      if (e instanceof JsonPatchError) throw e;
      throw new JsonPatchError(e instanceof Error ? e.message : String(e), index, op);
    }
  });
  return out;
}
