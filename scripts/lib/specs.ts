/**
 * Shared helpers for the tools that maintain `specs/`: version rules, the manifest format,
 * hashing, and checking the errata patches against the vendored files.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  applyErrata,
  compareNames,
  ERRATUM_NAME,
  type Erratum,
  leadingTests,
  parseSchemaBytes,
  readErrata as readErrataIn,
} from '../../codegen/src/load.js';

export { applyErrata, compareNames, ERRATUM_NAME, type Erratum, leadingTests, parseSchemaBytes };

export const SPECS_DIR = fileURLToPath(new URL('../../specs/', import.meta.url));
export const MANIFEST_PATH = join(SPECS_DIR, 'manifest.json');

/** Reads the errata of a version from `specs/` (or another specs folder). */
export function readErrata(version: string, specsDir = SPECS_DIR): Erratum[] {
  return readErrataIn(version, specsDir);
}

// ---------------------------------------------------------------------------------------------
// Versions and their file-name rules

export interface VersionRules {
  /** Folder name under specs/ and key in the manifest. */
  id: string;
  /** Every schema file name must match. */
  fileName: RegExp;
  /** Human-readable form of `fileName` for error messages. */
  fileNameHelp: string;
  /** Returns problems with the set of names (missing request/response partners, ...). */
  checkSet(names: readonly string[]): { errors: string[]; warnings: string[] };
}

/** Request files `<A>.json` must have `<A>Response.json` and vice versa (OCPP-J 1.6 naming). */
function checkPairs16(names: readonly string[]) {
  const set = new Set(names);
  const errors: string[] = [];
  for (const n of names) {
    const base = n.slice(0, -'.json'.length);
    if (base.endsWith('Response')) {
      if (!set.has(`${base.slice(0, -'Response'.length)}.json`))
        errors.push(`${n} has no request file`);
    } else if (!set.has(`${base}Response.json`)) {
      errors.push(`${n} has no ${base}Response.json`);
    }
  }
  return { errors, warnings: [] };
}

/** SEND messages (OCPP 2.1) have a single schema without a Request/Response suffix. */
const KNOWN_SEND_MESSAGES = new Set(['NotifyPeriodicEventStream']);

function checkPairs2x(allowSend: boolean) {
  return (names: readonly string[]) => {
    const set = new Set(names);
    const errors: string[] = [];
    const warnings: string[] = [];
    for (const n of names) {
      const m = /^(.*?)(Request|Response)?\.json$/.exec(n)!;
      const action = m[1]!;
      if (m[2] === 'Request' && !set.has(`${action}Response.json`))
        errors.push(`${n} has no ${action}Response.json`);
      else if (m[2] === 'Response' && !set.has(`${action}Request.json`))
        errors.push(`${n} has no ${action}Request.json`);
      else if (m[2] === undefined) {
        if (!allowSend) errors.push(`${n} is neither a ...Request.json nor a ...Response.json`);
        else if (!KNOWN_SEND_MESSAGES.has(action)) {
          warnings.push(
            `${n} has no Request/Response suffix: treated as a new SEND message; check the codegen knows it`,
          );
        }
      }
    }
    return { errors, warnings };
  };
}

export const VERSIONS: Record<string, VersionRules> = {
  'ocpp1.6': {
    id: 'ocpp1.6',
    fileName: /^[A-Z][A-Za-z0-9]*\.json$/,
    fileNameHelp: '<Action>.json (request) and <Action>Response.json',
    checkSet: checkPairs16,
  },
  'ocpp2.0.1': {
    id: 'ocpp2.0.1',
    fileName: /^[A-Z][A-Za-z0-9]*(Request|Response)\.json$/,
    fileNameHelp: '<Action>Request.json and <Action>Response.json',
    checkSet: checkPairs2x(false),
  },
  'ocpp2.1': {
    id: 'ocpp2.1',
    fileName: /^[A-Z][A-Za-z0-9]*\.json$/,
    fileNameHelp:
      '<Action>Request.json, <Action>Response.json, or <Message>.json for SEND messages',
    checkSet: checkPairs2x(true),
  },
};

// ---------------------------------------------------------------------------------------------
// Manifest

export interface FileEntry {
  sha256: string;
  /** Where the bytes came from: "<origin> <path inside it>". */
  source: string;
  edition: string;
  /** Known ways in which this file differs from OCA's own distribution. Empty for OCA's files. */
  differences: string[];
}

export interface KnownDifference {
  /** The origin (see `VersionEntry.source`) the difference applies to. */
  source: string;
  difference: string;
}

export interface CrossCheck {
  /** The origin whose files were checked. */
  source: string;
  /** The second copy they were compared with. */
  against: string;
  /** What the comparison ignored (known, explained rewrites in the second copy). */
  ignoring: string[];
  /** `explained`: the copies differ, but every difference is accounted for in `detail`. */
  result: 'match' | 'explained' | 'mismatch';
  detail: string;
}

export interface VersionEntry {
  edition: string;
  /** The origins the files came from; every file's `source` starts with one of them. */
  source: string[];
  knownDifferences: KnownDifference[];
  crossChecks: CrossCheck[];
  files: Record<string, FileEntry>;
}

export interface Manifest {
  $comment: string;
  versions: Record<string, VersionEntry>;
}

export const MANIFEST_COMMENT =
  'Generated by scripts/import-specs.ts and scripts/lib/import-from-npm-copies.ts; do not edit by hand. See specs/README.md.';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function readManifest(path = MANIFEST_PATH): Manifest {
  if (!existsSync(path)) return { $comment: MANIFEST_COMMENT, versions: {} };
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
}

/** Rebuilds the entry with a fixed key order and files sorted by name. */
function normaliseVersion(v: VersionEntry): VersionEntry {
  const files: Record<string, FileEntry> = {};
  for (const name of Object.keys(v.files).sort(compareNames)) {
    const f = v.files[name]!;
    files[name] = {
      sha256: f.sha256,
      source: f.source,
      edition: f.edition,
      differences: [...f.differences],
    };
  }
  return {
    edition: v.edition,
    source: [...v.source],
    knownDifferences: v.knownDifferences.map((d) => ({
      source: d.source,
      difference: d.difference,
    })),
    crossChecks: v.crossChecks.map((c) => ({
      source: c.source,
      against: c.against,
      ignoring: [...c.ignoring],
      result: c.result,
      detail: c.detail,
    })),
    files,
  };
}

export function serialiseManifest(m: Manifest): string {
  const versions: Record<string, VersionEntry> = {};
  for (const id of Object.keys(m.versions).sort(compareNames))
    versions[id] = normaliseVersion(m.versions[id]!);
  return `${JSON.stringify({ $comment: MANIFEST_COMMENT, versions }, null, 2)}\n`;
}

export function writeManifest(m: Manifest, path = MANIFEST_PATH): void {
  writeFileSync(path, serialiseManifest(m));
}

/**
 * The version-level edition: the distinct file editions, most files first (ties by name),
 * joined with " + ".
 */
export function summariseEditions(files: Record<string, FileEntry>): string {
  const counts = new Map<string, number>();
  for (const f of Object.values(files)) counts.set(f.edition, (counts.get(f.edition) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || compareNames(a[0], b[0]))
    .map(([e]) => e)
    .join(' + ');
}

// ---------------------------------------------------------------------------------------------
// Writing a version folder

export interface ChangeSummary {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: number;
}

/** Compares two `files` maps of a manifest entry by sha256. */
export function compareFileSets(
  before: Readonly<Record<string, FileEntry>>,
  after: Readonly<Record<string, FileEntry>>,
): ChangeSummary {
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  let unchanged = 0;
  for (const name of Object.keys(after).sort(compareNames)) {
    const old = before[name];
    if (old === undefined) added.push(name);
    else if (old.sha256 !== after[name]!.sha256) changed.push(name);
    else unchanged++;
  }
  for (const name of Object.keys(before).sort(compareNames))
    if (!(name in after)) removed.push(name);
  return { added, removed, changed, unchanged };
}

export function formatSummary(version: string, s: ChangeSummary): string {
  const list = (label: string, names: string[]) =>
    names.length === 0 ? [] : [`  ${label} (${names.length}): ${names.join(', ')}`];
  return [
    `${version}: ${s.added.length} added, ${s.removed.length} removed, ${s.changed.length} changed, ${s.unchanged} unchanged`,
    ...list('added', s.added),
    ...list('removed', s.removed),
    ...list('changed', s.changed),
  ].join('\n');
}

/** The manifest's view of the files currently in specs/<version>/ (hashes from disk). */
export function hashVersionDir(version: string, specsDir = SPECS_DIR): Record<string, string> {
  const dir = join(specsDir, version);
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort(compareNames))
    out[name] = sha256(readFileSync(join(dir, name)));
  return out;
}

/**
 * Writes `files` into specs/<version>/. With `replace`, the folder afterwards holds exactly these
 * files (built in a sibling staging folder, then swapped in); with `merge`, other files stay.
 */
export function writeVersionDir(
  version: string,
  files: ReadonlyMap<string, Uint8Array>,
  mode: 'replace' | 'merge',
  specsDir = SPECS_DIR,
): void {
  const target = join(specsDir, version);
  if (mode === 'merge') {
    mkdirSync(target, { recursive: true });
    for (const [name, bytes] of files) writeFileSync(join(target, name), bytes);
    return;
  }
  const staging = join(specsDir, `.${version}.staging`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const [name, bytes] of files) writeFileSync(join(staging, name), bytes);
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
}
