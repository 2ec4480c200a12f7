/**
 * Reads a V8 CPU profile (the `.cpuprofile` that `node --cpu-prof` or the inspector writes) and
 * tells where a server's CPU went: self and inclusive time per function, and self time per
 * package, as shares of the busy (non-idle) samples.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  /** 0-based. */
  readonly lineNumber: number;
  /** 0-based. */
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

/** The parts of a `.cpuprofile` this module reads. */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
}

/** One function's share of the busy samples. */
export interface FunctionCost {
  readonly name: string;
  /** Path relative to the repository, with the 1-based line of the function. */
  readonly location: string;
  readonly group: string;
  /** Share of busy samples spent in the function itself. */
  readonly self: number;
  /** Share of busy samples with the function anywhere on the stack. */
  readonly inclusive: number;
}

/** What {@link analyseProfile} finds. */
export interface ProfileSummary {
  readonly busySamples: number;
  readonly idleSamples: number;
  readonly functions: readonly FunctionCost[];
  /** Self time per group (package, runtime part), as shares of busy samples. */
  readonly groups: ReadonlyMap<string, number>;
}

/** The package or runtime part a frame belongs to. */
function groupOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'V8 garbage collector';
    if (functionName === '(program)') return 'V8 (program, unattributed)';
    return 'V8 builtins / native';
  }
  if (url.startsWith('node:')) return 'Node.js internals';
  const match = /\/packages\/([^/]+)\//.exec(url);
  if (match !== null) {
    const name = match[1]!;
    return name.endsWith('-core') ? `@ocpp/${name} (generated)` : `@ocpp/${name}`;
  }
  if (/\/node_modules\/(\.pnpm\/)?ws[@/]/.test(url)) return 'ws';
  if (/\/node_modules\/(\.pnpm\/)?ocpp-rpc[@/]/.test(url)) return 'ocpp-rpc';
  if (/\/node_modules\/(\.pnpm\/)?(ajv|ajv-formats|fast-uri|fast-deep-equal)[@/]/.test(url))
    return 'ajv (ocpp-rpc)';
  if (url.includes('/bench/src/')) return 'bench (handlers, harness)';
  return 'other';
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decoded mappings of one source map: per generated line, [column, source, line] segments. */
interface SourceMap {
  readonly sources: readonly string[];
  readonly lines: readonly (readonly (readonly [number, number, number])[])[];
}

/** Decodes a version-3 source map's `mappings` (base64 VLQ). */
function decodeSourceMap(file: string): SourceMap | undefined {
  if (!existsSync(file)) return undefined;
  const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; mappings: string };
  const lines: (readonly [number, number, number])[][] = [];
  let source = 0;
  let sourceLine = 0;
  for (const line of map.mappings.split(';')) {
    const segments: (readonly [number, number, number])[] = [];
    let column = 0;
    for (const segment of line.split(',')) {
      if (segment === '') continue;
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of segment) {
        const digit = BASE64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0] ?? 0;
      // [column, source, line, column in source(, name)]: the source column is not needed.
      if (values.length >= 4) {
        source += values[1]!;
        sourceLine += values[2]!;
        segments.push([column, source, sourceLine]);
      }
    }
    lines.push(segments);
  }
  const base = dirname(file);
  return { sources: map.sources.map((s) => join(base, s)), lines };
}

const sourceMaps = new Map<string, SourceMap | undefined>();

/** The original file and 0-based line of a generated position, when a source map says so. */
function original(path: string, line: number, column: number): [string, number] | undefined {
  let map = sourceMaps.get(path);
  if (!sourceMaps.has(path)) {
    map = decodeSourceMap(`${path}.map`);
    sourceMaps.set(path, map);
  }
  const segments = map?.lines[line];
  if (map === undefined || segments === undefined || segments.length === 0) return undefined;
  let best = segments[0]!;
  for (const segment of segments) {
    if (segment[0] > column) break;
    best = segment;
  }
  const source = map.sources[best[1]];
  return source === undefined ? undefined : [source, best[2]];
}

function locationOf(frame: CallFrame, root: string): string {
  if (frame.url === '') return '';
  let path = frame.url;
  let line = frame.lineNumber;
  if (path.startsWith('file://')) {
    path = fileURLToPath(path);
    // Compiled workspace packages: point at the TypeScript source.
    const mapped = /\/packages\/[^/]+\/dist\//.test(path)
      ? original(path, frame.lineNumber, frame.columnNumber)
      : undefined;
    if (mapped !== undefined) [path, line] = mapped;
    path = relative(root, path);
    const pnpm = path.indexOf('node_modules/.pnpm/');
    if (pnpm !== -1) {
      const rest = path.slice(pnpm + 'node_modules/.pnpm/'.length);
      const inner = rest.indexOf('/node_modules/');
      path = inner === -1 ? rest : rest.slice(inner + '/node_modules/'.length);
    }
  }
  return `${path}:${line + 1}`;
}

/** Summarises a profile; `root` is the repository root, for readable locations. */
export function analyseProfile(profile: CpuProfile, root: string): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const keyOf = (frame: CallFrame): string =>
    `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}`;

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const frames = new Map<string, CallFrame>();
  let idle = 0;
  let busy = 0;
  // Stacks repeat: count each distinct leaf once, then spread its count over its stack.
  const leafCounts = new Map<number, number>();
  for (const id of profile.samples) leafCounts.set(id, (leafCounts.get(id) ?? 0) + 1);
  for (const [leaf, count] of leafCounts) {
    const frame = byId.get(leaf)?.callFrame;
    if (frame === undefined) continue;
    if (frame.functionName === '(idle)') {
      idle += count;
      continue;
    }
    busy += count;
    const leafKey = keyOf(frame);
    frames.set(leafKey, frame);
    self.set(leafKey, (self.get(leafKey) ?? 0) + count);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (f.functionName === '(root)') continue;
      const key = keyOf(f);
      if (seen.has(key)) continue;
      seen.add(key);
      frames.set(key, f);
      inclusive.set(key, (inclusive.get(key) ?? 0) + count);
    }
  }
  const share = (n: number): number => (busy === 0 ? 0 : n / busy);
  const functions: FunctionCost[] = [];
  const groups = new Map<string, number>();
  for (const [key, frame] of frames) {
    const s = share(self.get(key) ?? 0);
    const group = groupOf(frame);
    groups.set(group, (groups.get(group) ?? 0) + s);
    functions.push({
      name: frame.functionName === '' ? '(anonymous)' : frame.functionName,
      location: locationOf(frame, root),
      group,
      self: s,
      inclusive: share(inclusive.get(key) ?? 0),
    });
  }
  functions.sort((a, b) => b.self - a.self);
  return { busySamples: busy, idleSamples: idle, functions, groups };
}
