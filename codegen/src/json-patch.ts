/** One RFC 6902 operation, as written in `specs/errata/**.json`. */
export type PatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

type Container = Record<string, unknown> | unknown[];

function parentOf(doc: unknown, pointer: string): [Container, string] {
  const parts = parsePointer(pointer);
  const last = parts.pop();
  if (last === undefined) throw new Error('an operation on the document root is not supported');
  let node: unknown = doc;
  for (const p of parts) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, p)) {
      throw new Error(`path "${pointer}" does not exist`);
    }
    node = (node as Record<string, unknown>)[p];
  }
  if (node === null || typeof node !== 'object')
    throw new Error(`path "${pointer}" does not exist`);
  return [node as Container, last];
}

function get(doc: unknown, pointer: string): unknown {
  let node: unknown = doc;
  for (const p of parsePointer(pointer)) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, p)) {
      throw new Error(`path "${pointer}" does not exist`);
    }
    node = (node as Record<string, unknown>)[p];
  }
  return node;
}

function put(doc: unknown, pointer: string, value: unknown, mode: 'add' | 'replace'): void {
  const [parent, key] = parentOf(doc, pointer);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw new Error(`bad array index in "${pointer}"`);
    }
    if (mode === 'add') parent.splice(index, 0, value);
    else parent[index] = value;
    return;
  }
  if (mode === 'replace' && !Object.hasOwn(parent, key))
    throw new Error(`path "${pointer}" does not exist`);
  parent[key] = value;
}

function remove(doc: unknown, pointer: string): unknown {
  const [parent, key] = parentOf(doc, pointer);
  if (Array.isArray(parent)) return parent.splice(Number(key), 1)[0];
  if (!Object.hasOwn(parent, key)) throw new Error(`path "${pointer}" does not exist`);
  const old = parent[key];
  delete parent[key];
  return old;
}

/**
 * Applies RFC 6902 operations to a deep copy of `doc`. A failing `test` throws, which is how an
 * erratum notices that the file it corrects has changed.
 */
export function applyPatch<T>(doc: T, operations: readonly PatchOperation[]): T {
  const out = structuredClone(doc);
  for (const op of operations) {
    switch (op.op) {
      case 'test':
        if (canonical(get(out, op.path)) !== canonical(op.value)) {
          throw new Error(
            `test failed at "${op.path}": found ${JSON.stringify(get(out, op.path))}`,
          );
        }
        break;
      case 'add':
      case 'replace':
        put(out, op.path, structuredClone(op.value), op.op);
        break;
      case 'remove':
        remove(out, op.path);
        break;
      case 'move':
        put(out, op.path, remove(out, op.from), 'add');
        break;
      case 'copy':
        put(out, op.path, structuredClone(get(out, op.from)), 'add');
        break;
      default:
        throw new Error(`unsupported patch operation ${JSON.stringify(op)}`);
    }
  }
  return out;
}
