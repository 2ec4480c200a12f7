/**
 * Reads a V8 heap snapshot (`v8.writeHeapSnapshot`) and counts objects and their own (shallow)
 * size per kind, so two snapshots of one server, before and after N connections, tell what each
 * connection keeps alive.
 */
import { readFileSync } from 'node:fs';

interface HeapSnapshotFile {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: readonly string[];
      readonly node_types: readonly [readonly string[], ...unknown[]];
    };
  };
  readonly nodes: readonly number[];
  readonly strings: readonly string[];
}

/** Objects of one kind: how many, and their shallow bytes. */
export interface HeapKind {
  count: number;
  bytes: number;
}

/** Kinds whose names carry no meaning per instance: grouped under their type alone. */
const BY_TYPE_ONLY = new Set([
  'string',
  'concatenated string',
  'sliced string',
  'number',
  'code',
  'bigint',
  'symbol',
]);

/** Shallow bytes and counts per kind (`Object: Constructor`, `closure: name`, `(string)`, ...). */
export function summariseHeapSnapshot(path: string): Map<string, HeapKind> {
  const file = JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshotFile;
  const fields = file.snapshot.meta.node_fields;
  const types = file.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const out = new Map<string, HeapKind>();
  const nodes = file.nodes;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]!] ?? '?';
    const name = file.strings[nodes[i + nameAt]!] ?? '?';
    const key = BY_TYPE_ONLY.has(type)
      ? `(${type})`
      : type === 'object'
        ? name
        : `(${type}) ${name.length > 60 ? `${name.slice(0, 60)}…` : name}`;
    const entry = out.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += nodes[i + sizeAt]!;
    out.set(key, entry);
  }
  return out;
}

/** What grew between two summaries, per connection, largest first. */
export function growthPerConnection(
  before: ReadonlyMap<string, HeapKind>,
  after: ReadonlyMap<string, HeapKind>,
  connections: number,
): { kind: string; count: number; bytes: number }[] {
  const rows: { kind: string; count: number; bytes: number }[] = [];
  for (const [kind, a] of after) {
    const b = before.get(kind) ?? { count: 0, bytes: 0 };
    rows.push({
      kind,
      count: (a.count - b.count) / connections,
      bytes: (a.bytes - b.bytes) / connections,
    });
  }
  return rows.sort((x, y) => y.bytes - x.bytes);
}
