/**
 * Integrity of the vendored schemas: specs/<version>/ and specs/manifest.json agree file for file
 * and hash for hash, and every erratum in specs/errata/ is well formed and still matches the file
 * it corrects.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyPatch, jsonEqual, parseOperations } from '../../codegen/src/json-patch.js';
import {
  applyErrata,
  ERRATUM_NAME,
  leadingTests,
  type Manifest,
  serialiseManifest,
  VERSIONS,
} from '../../scripts/lib/specs.js';

const SPECS = fileURLToPath(new URL('..', import.meta.url));
const manifestText = readFileSync(join(SPECS, 'manifest.json'), 'utf8');
const manifest = JSON.parse(manifestText) as Manifest;
/** The versions vendored: the manifest says which, and how many files each holds. */
const versions = Object.keys(VERSIONS);

const read = (version: string, name: string) => readFileSync(join(SPECS, version, name));
const parse = (bytes: Buffer): unknown => JSON.parse(bytes.toString('utf8'));
const hash = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const onDisk = (version: string) => readdirSync(join(SPECS, version)).sort();

describe('specs/manifest.json', () => {
  it('lists exactly the vendored versions', () => {
    expect(Object.keys(manifest.versions).sort()).toEqual([...versions].sort());
  });

  it('is in the canonical form the import scripts write (sorted, fixed key order)', () => {
    expect(manifestText).toBe(serialiseManifest(manifest));
  });
});

describe.each(versions)('specs/%s', (version) => {
  const entry = manifest.versions[version]!;
  const names = onDisk(version);

  it('holds the plain files its manifest lists, request and response in pairs', () => {
    expect(names).toHaveLength(Object.keys(entry.files).length);
    const responses = names.filter((n) => n.endsWith('Response.json'));
    for (const r of responses) {
      const request = r.replace(
        /Response\.json$/,
        version === 'ocpp1.6' ? '.json' : 'Request.json',
      );
      expect(names, r).toContain(request);
    }
    for (const n of names) expect(statSync(join(SPECS, version, n)).isFile(), n).toBe(true);
  });

  it('has every file in the manifest and every manifest file on disk', () => {
    expect(names).toEqual(Object.keys(entry.files).sort());
  });

  it('matches the manifest sha256 of every file', () => {
    const wrong = names.filter((n) => entry.files[n]?.sha256 !== hash(read(version, n)));
    expect(wrong).toEqual([]);
  });

  it('records source, edition and differences for every file', () => {
    for (const [name, f] of Object.entries(entry.files)) {
      expect(
        entry.source.some((s) => f.source.startsWith(`${s} `)),
        `${name}: source "${f.source}"`,
      ).toBe(true);
      expect(f.edition, name).not.toBe('');
      expect(entry.edition.split(' + '), name).toContain(f.edition);
      expect(
        Array.isArray(f.differences) &&
          f.differences.every((d) => typeof d === 'string' && d !== ''),
        name,
      ).toBe(true);
    }
  });

  it('uses the file names and request/response pairs of its OCPP version', () => {
    const rules = VERSIONS[version]!;
    expect(names.filter((n) => !rules.fileName.test(n))).toEqual([]);
    expect(rules.checkSet(names).errors).toEqual([]);
  });

  it('holds JSON objects without a byte order mark', () => {
    for (const n of names) {
      const bytes = read(version, n);
      expect(bytes[0], `${n} starts with a BOM`).not.toBe(0xef);
      const value = parse(bytes);
      expect(value !== null && typeof value === 'object' && !Array.isArray(value), n).toBe(true);
    }
  });
});

describe('specs/errata', () => {
  const errataRoot = join(SPECS, 'errata');
  const errataVersions = readdirSync(errataRoot).filter((d) =>
    statSync(join(errataRoot, d)).isDirectory(),
  );

  it('only has folders for vendored versions', () => {
    expect(errataVersions.filter((v) => !versions.includes(v))).toEqual([]);
  });

  describe.each(errataVersions)('%s', (version) => {
    const dir = join(errataRoot, version);
    const fileNames = readdirSync(dir).sort();
    const vendored = new Set(onDisk(version));

    it('names every erratum NNN-<slug>.json with a unique number', () => {
      expect(fileNames.filter((n) => !ERRATUM_NAME.test(n))).toEqual([]);
      const numbers = fileNames.map((n) => n.slice(0, 3));
      expect(new Set(numbers).size).toBe(numbers.length);
    });

    describe.each(fileNames)('%s', (name) => {
      const raw = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>;

      it('has exactly file, reason, reference and patch', () => {
        expect(Object.keys(raw).sort()).toEqual(['file', 'patch', 'reason', 'reference']);
        for (const key of ['file', 'reason', 'reference']) {
          expect(typeof raw[key] === 'string' && (raw[key] as string).trim() !== '', key).toBe(
            true,
          );
        }
        expect(() => parseOperations(raw.patch)).not.toThrow();
      });

      it('targets a vendored file listed in the manifest', () => {
        expect(vendored.has(raw.file as string), `${String(raw.file)} in specs/${version}/`).toBe(
          true,
        );
        expect(manifest.versions[version]?.files).toHaveProperty([raw.file as string]);
      });

      it('starts with test operations that pass against the vendored file', () => {
        const patch = parseOperations(raw.patch);
        const tests = leadingTests(patch);
        expect(tests.length).toBeGreaterThan(0);
        expect(tests.length).toBeLessThan(patch.length);
        const doc = parse(read(version, raw.file as string));
        expect(() => applyPatch(doc, tests)).not.toThrow();
      });

      it('changes the file', () => {
        const doc = parse(read(version, raw.file as string));
        const patched = applyPatch(doc, parseOperations(raw.patch), { strictAdd: true });
        expect(jsonEqual(patched, doc)).toBe(false);
      });
    });

    it('applies in order, never overwriting a member with add', () => {
      const errata = fileNames.map((name) => {
        const raw = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>;
        return {
          name,
          file: raw.file as string,
          reason: '',
          reference: '',
          patch: parseOperations(raw.patch),
        };
      });
      const files = new Map(errata.map((e) => [e.file, parse(read(version, e.file))]));
      expect(() => applyErrata(errata, files)).not.toThrow();
    });
  });
});
