/**
 * Vendors a JSON schema set as OCA distributes it into specs/<version>/ and rewrites that
 * version's entry in specs/manifest.json. This is how the SDK moves to a new OCA release.
 *
 *   pnpm import-specs --version ocpp2.0.1 --from ~/Downloads/OCPP-2.0.1_part3_JSON_schemas.zip \
 *     [--subdir <folder inside the archive>] [--source "OCA download 2025-01-31"] \
 *     [--edition "OCPP 2.0.1 Edition 3"] [--merge] [--dry-run]
 *
 * --from      a folder or a .zip (extracted with `unzip`, which must be on PATH). The schemas may
 *             sit in a subfolder; all *.json files must then be in one folder, or name it with
 *             --subdir.
 * --source    where the files came from; recorded in the manifest (default: "OCA distribution
 *             <zip or folder name>").
 * --edition   the edition to record; by default read from the files' comment / $id.
 * --merge     keep files of specs/<version>/ that the import does not contain. OCPP 1.6 needs this:
 *             OCA ships the core schemas and the security-whitepaper schemas separately.
 * --dry-run   report what would change, write nothing.
 *
 * Files are copied byte for byte (nothing stripped or re-formatted) and recorded with an empty
 * `differences` list, since they are OCA's own. Errata for the version are re-checked against the
 * new files: those whose `test` operations fail need review (OCA may have fixed the defect).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { applyPatch } from '../codegen/src/json-patch.js';
import {
  type CrossCheck,
  compareFileSets,
  compareNames,
  type FileEntry,
  formatSummary,
  hashVersionDir,
  type KnownDifference,
  leadingTests,
  MANIFEST_COMMENT,
  parseSchemaBytes,
  readErrata,
  readManifest,
  SPECS_DIR,
  sha256,
  summariseEditions,
  VERSIONS,
  type VersionEntry,
  writeManifest,
  writeVersionDir,
} from './lib/specs.js';

class UsageError extends Error {}

const fail = (message: string): never => {
  throw new UsageError(message);
};

const USAGE =
  'usage: pnpm import-specs --version <ocpp1.6|ocpp2.0.1|ocpp2.1> --from <folder|file.zip> ' +
  '[--subdir <path>] [--source "<text>"] [--edition "<text>"] [--merge] [--dry-run]';

function isZip(path: string): boolean {
  if (/\.zip$/i.test(path)) return true;
  const head = readFileSync(path).subarray(0, 4);
  return (
    head.length === 4 &&
    head[0] === 0x50 &&
    head[1] === 0x4b &&
    head[2] === 0x03 &&
    head[3] === 0x04
  );
}

function extractZip(zip: string): string {
  const probe = spawnSync('unzip', ['-v'], { stdio: 'ignore' });
  if (probe.error !== undefined) {
    fail(
      `${zip} is a zip archive, but "unzip" is not on PATH. Install it (e.g. "apt-get install unzip", ` +
        `"brew install unzip") or extract the archive yourself and pass the folder to --from.`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'ocpp-import-specs-'));
  const run = spawnSync('unzip', ['-q', '-o', zip, '-d', dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (run.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    fail(`unzip failed on ${zip} (exit code ${run.status})`);
  }
  return dir;
}

/** All *.json files below `root`, skipping macOS metadata and hidden entries; paths relative to root. */
function findJsonFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === '__MACOSX') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json'))
        out.push(relative(root, path));
    }
  };
  walk(root);
  return out.sort(compareNames);
}

/** Edition guessed from a schema's own comment or id, if it says. */
function detectEdition(version: string, schema: unknown): string | undefined {
  if (schema === null || typeof schema !== 'object') return undefined;
  const s = schema as Record<string, unknown>;
  const comment =
    typeof s.comment === 'string'
      ? s.comment
      : typeof s.$comment === 'string'
        ? s.$comment
        : undefined;
  const id = typeof s.$id === 'string' ? s.$id : typeof s.id === 'string' ? s.id : '';
  if (version !== 'ocpp1.6' && comment !== undefined) {
    // "OCPP 2.1 Edition 1 (c) OCA, Creative Commons ..." -> "OCPP 2.1 Edition 1"
    return comment.replace(/\s*\(c\).*$/i, '').trim() || undefined;
  }
  const m16 = /^urn:OCPP:1\.6:(\d{4}):(\d{1,2}):/.exec(id);
  if (version === 'ocpp1.6' && m16)
    return `OCPP-J 1.6 (${m16[1]}-${m16[2]!.padStart(2, '0')} schema release)`;
  const sec = /^urn:OCPP:Cp:1\.6:(\d{4}):(\d{1,2}):/.exec(id);
  if (version === 'ocpp1.6' && sec)
    return `OCPP 1.6 Security Whitepaper schemas (${sec[1]}-${sec[2]!.padStart(2, '0')})`;
  return undefined;
}

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      version: { type: 'string' },
      from: { type: 'string' },
      subdir: { type: 'string' },
      source: { type: 'string' },
      edition: { type: 'string' },
      merge: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const version = values.version ?? fail(`--version is required\n${USAGE}`);
  const rules =
    VERSIONS[version] ??
    fail(`unknown version "${version}"; expected one of ${Object.keys(VERSIONS).join(', ')}`);
  // pnpm runs scripts from the repository root; resolve --from against the caller's directory.
  const from = resolve(
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: not a turbo task; pnpm sets INIT_CWD to the caller's cwd
    process.env.INIT_CWD ?? process.cwd(),
    values.from ?? fail(`--from is required\n${USAGE}`),
  );
  if (!existsSync(from)) fail(`${from} does not exist`);

  const cleanup: string[] = [];
  try {
    // 1. Locate the schema files.
    const base = statSync(from).isDirectory()
      ? from
      : isZip(from)
        ? extractZip(from)
        : fail(`${from} is neither a folder nor a .zip`);
    if (base !== from) cleanup.push(base);
    const root = values.subdir !== undefined ? join(base, values.subdir) : base;
    if (!existsSync(root) || !statSync(root).isDirectory())
      fail(`--subdir ${values.subdir} is not a folder inside ${from}`);
    const found = findJsonFiles(root);
    if (found.length === 0)
      fail(`no *.json files found in ${from}${values.subdir ? `/${values.subdir}` : ''}`);
    const byDir = new Map<string, string[]>();
    for (const f of found) {
      const dir = f.includes(sep) ? f.slice(0, f.lastIndexOf(sep)) : '.';
      byDir.set(dir, [...(byDir.get(dir) ?? []), f]);
    }
    if (byDir.size > 1) {
      const list = [...byDir].map(([d, fs]) => `  ${d} (${fs.length} files)`).join('\n');
      fail(`*.json files are spread over several folders; pick one with --subdir:\n${list}`);
    }
    const [schemaDir, relPaths] = [...byDir][0]!;
    const where = relative(base, join(root, schemaDir)) || '.';

    // 2. Check names and contents.
    const names = relPaths.map((p) => basename(p));
    const errors: string[] = [];
    const warnings: string[] = [];
    const badNames = names.filter((n) => !rules.fileName.test(n));
    if (badNames.length > 0)
      errors.push(`file names not of the form ${rules.fileNameHelp}: ${badNames.join(', ')}`);
    const lower = new Map<string, string>();
    for (const n of names) {
      const clash = lower.get(n.toLowerCase());
      if (clash !== undefined) errors.push(`${clash} and ${n} differ only in case`);
      lower.set(n.toLowerCase(), n);
    }
    if (badNames.length === 0) {
      const set = rules.checkSet(names);
      errors.push(...set.errors);
      warnings.push(...set.warnings);
    }

    const files = new Map<string, Uint8Array>();
    const parsed = new Map<string, unknown>();
    const editions = new Map<string, string | undefined>();
    for (const rel of relPaths) {
      const name = basename(rel);
      const bytes = readFileSync(join(root, rel));
      let value: unknown;
      try {
        const r = parseSchemaBytes(bytes);
        value = r.value;
        if (r.bom) warnings.push(`${name} starts with a UTF-8 byte order mark (kept as is)`);
      } catch (e) {
        errors.push(`${name} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        errors.push(`${name} is not a JSON object`);
        continue;
      }
      const id = (value as Record<string, unknown>).$id;
      if (
        version !== 'ocpp1.6' &&
        typeof id === 'string' &&
        !id.endsWith(`:${name.slice(0, -5)}`)
      ) {
        warnings.push(`${name}: $id "${id}" does not end with ":${name.slice(0, -5)}"`);
      }
      files.set(name, bytes);
      parsed.set(name, value);
      editions.set(name, values.edition ?? detectEdition(version, value));
    }
    if (errors.length > 0) fail(`refusing to import ${from}:\n  ${errors.join('\n  ')}`);
    const unknownEdition = [...editions].filter(([, e]) => e === undefined).map(([n]) => n);
    if (unknownEdition.length > 0) {
      fail(
        `cannot tell the edition of ${unknownEdition.length} file(s) (e.g. ${unknownEdition[0]}); pass --edition "<edition>"`,
      );
    }

    // 3. Build the manifest entry.
    const source = values.source ?? `OCA distribution ${basename(from)}`;
    const manifest = readManifest();
    const old: VersionEntry | undefined = manifest.versions[version];
    const newEntries: Record<string, FileEntry> = {};
    for (const [name, bytes] of files) {
      const path = where === '.' ? name : `${where.split(sep).join('/')}/${name}`;
      newEntries[name] = {
        sha256: sha256(bytes),
        source: `${source} ${path}`,
        edition: editions.get(name)!,
        differences: [],
      };
    }
    let entries = newEntries;
    let knownDifferences: KnownDifference[] = [];
    let crossChecks: CrossCheck[] = [];
    let sources = [source];
    if (values.merge && old !== undefined) {
      entries = { ...old.files, ...newEntries };
      const used = (origin: string) =>
        Object.values(entries).some((f) => f.source.startsWith(`${origin} `));
      sources = [...old.source.filter((s) => s !== source && used(s)), source];
      knownDifferences = old.knownDifferences.filter((d) => used(d.source));
      crossChecks = old.crossChecks.filter((c) => used(c.source));
    }
    const entry: VersionEntry = {
      edition: summariseEditions(entries),
      source: sources,
      knownDifferences,
      crossChecks,
      files: entries,
    };

    // 4. Report.
    const before = Object.fromEntries(
      Object.entries(hashVersionDir(version)).map(([n, h]) => [
        n,
        { sha256: h, source: '', edition: '', differences: [] },
      ]),
    );
    const summary = compareFileSets(before, entries);
    if (summary.removed.length > 0) {
      warnings.push(
        `${summary.removed.length} file(s) now in specs/${version}/ are not in the import and will be removed; if the import is partial, use --merge`,
      );
    }
    const lines = [
      `importing ${files.size} files from ${from}${where === '.' ? '' : ` (${where})`} into specs/${version}/${values.merge ? ' (merge)' : ''}`,
      `edition: ${entry.edition}`,
      formatSummary(version, summary),
    ];
    for (const w of warnings) lines.push(`warning: ${w}`);

    // 5. Errata: do they still apply to the new files?
    const finalFiles = new Map<string, unknown>();
    for (const name of Object.keys(entries)) {
      if (parsed.has(name)) finalFiles.set(name, parsed.get(name));
      else
        finalFiles.set(name, parseSchemaBytes(readFileSync(join(SPECS_DIR, version, name))).value);
    }
    const errata = readErrata(version);
    const stale: string[] = [];
    for (const e of errata) {
      const target = finalFiles.get(e.file);
      if (target === undefined) {
        stale.push(`${e.name}: targets ${e.file}, which the import does not contain`);
        continue;
      }
      try {
        // the leading tests pin the defect; strict adds catch members OCA has since added itself
        applyPatch(target, leadingTests(e.patch));
        applyPatch(target, e.patch, { strictAdd: true });
      } catch (err) {
        stale.push(`${e.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (errata.length > 0) {
      lines.push(
        `errata: ${errata.length - stale.length} of ${errata.length} in specs/errata/${version} still match the files`,
      );
      if (stale.length > 0) {
        lines.push(
          '  these no longer match (OCA may have fixed the defect): check each and delete or rewrite it; the specs test fails until then',
          ...stale.map((s) => `  - ${s}`),
        );
      }
    }

    // 6. Write.
    if (values['dry-run']) {
      lines.push('dry run: nothing written');
    } else {
      writeVersionDir(version, files, values.merge ? 'merge' : 'replace');
      manifest.versions[version] = entry;
      writeManifest({ $comment: MANIFEST_COMMENT, versions: manifest.versions });
      lines.push(`wrote specs/${version}/ and specs/manifest.json`);
      lines.push('next: review specs/README.md (provenance), run the specs test and pnpm codegen');
    }
    console.log(lines.join('\n'));
    return 0;
  } finally {
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (
    e instanceof UsageError ||
    (e instanceof Error && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))
  ) {
    console.error(`import-specs: ${e.message}`);
    process.exitCode = 1;
  } else {
    throw e;
  }
}
