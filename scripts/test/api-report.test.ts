import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiStatus, findings } from '../api-report.js';
import {
  atLeast,
  type Bump,
  compareReports,
  memberGroup,
  parseReport,
  pendingBumps,
  readHistory,
  reportPath,
  requiredBump,
} from '../lib/api-report.js';
import { root } from '../lib/packages.js';

/**
 * The committed API reports (`api-reports/`) say what the built packages export (`pnpm build`
 * must have run: turbo's `//#test:repo` depends on every package's build), and every API change
 * since the baseline (the last release, or the commit that added the report) comes with a
 * pending changeset that bumps its package enough. See CONTRIBUTING.md, "API reports".
 */
describe('API reports', () => {
  const { statuses, extra } = apiStatus();

  it('cover every public package', () => {
    expect(statuses.length).toBeGreaterThan(0);
    expect(extra).toEqual([]);
  });

  for (const s of statuses) {
    const file = relative(root, reportPath(s.dir));
    it(`${file} is what the code exports (else run \`pnpm api:report\`)`, () => {
      expect(s.fresh, `${file} is stale: run \`pnpm api:report\` and commit it`).toBe(true);
    });
    it(`${s.name}: changes since the baseline have a changeset that bumps enough`, () => {
      const { lines, problems } = findings([{ ...s, fresh: true }], []);
      expect(problems, lines.join('\n')).toEqual([]);
    });
  }
});

const report = (body: string): string => `# header\n\n## @x/y\n\n${body}\n`;
const changes = (before: string, after: string) =>
  compareReports(parseReport(report(before)), parseReport(report(after)));
const levels = (before: string, after: string) => changes(before, after).map((c) => c.level);

describe('API change classification', () => {
  const base = [
    'interface Options',
    '  readonly a: string',
    '  readonly b?: number',
    '  run(x: string): void',
    'type Kind = (typeof Kind)[keyof typeof Kind]',
    "  | 'A'",
    "  | 'B'",
    'class Thing',
    '  constructor(o: Options)',
    '  get size(): number',
    '  go(): void',
    'function make',
    '  (o: Options): Thing',
  ].join('\n');
  const edit = (from: string, to: string) => {
    if (!base.includes(from)) throw new Error(`not in the base report: ${from}`);
    return base.replace(from, to);
  };

  it.each([
    ['nothing', base, []],
    ['an export added', `${base}\nconst extra: number`, ['additive']],
    ['an export removed', edit('function make\n  (o: Options): Thing', ''), ['breaking']],
    ['an optional member added', edit('  run(', '  c?: boolean\n  run('), ['additive']],
    ['a required member added', edit('  run(', '  c: boolean\n  run('), ['breaking']],
    ['a required method added', edit('  run(', '  stop(): void\n  run('), ['breaking']],
    ['a member removed', edit('  readonly b?: number\n', ''), ['breaking']],
    ['optional made required', edit('b?: number', 'b: number'), ['breaking']],
    ['a member type widened', edit('a: string', 'a: string | number'), ['breaking']],
    ['a union member added', edit("  | 'B'", "  | 'B'\n  | 'C'"), ['additive']],
    ['a union member removed', edit("  | 'B'\n", ''), ['breaking']],
    ['a class member added', edit('  go(): void', '  go(): void\n  stop(): void'), ['additive']],
    ['a class member changed', edit('get size(): number', 'get size(): string'), ['breaking']],
    [
      'an overload added',
      edit('  (o: Options): Thing', '  (o: Options): Thing\n  (): Thing'),
      ['additive'],
    ],
    ['an overload changed', edit('  (o: Options): Thing', '  (o?: Options): Thing'), ['breaking']],
    ['a header changed', edit('class Thing', 'class Thing extends Base'), ['breaking']],
    [
      'members reordered',
      edit(
        '  readonly a: string\n  readonly b?: number',
        '  readonly b?: number\n  readonly a: string',
      ),
      [],
    ],
  ] as const)('%s', (_name, after, expected) => {
    expect(levels(base, after)).toEqual(expected);
  });

  it('an entry point added or removed', () => {
    const two = `${report('const a: number')}\n## @x/y/sub\n\nconst b: number\n`;
    const one = report('const a: number');
    expect(compareReports(parseReport(one), parseReport(two)).map((c) => c.level)).toEqual([
      'additive',
    ]);
    expect(compareReports(parseReport(two), parseReport(one)).map((c) => c.level)).toEqual([
      'breaking',
    ]);
  });

  it('groups member lines by what they declare', () => {
    expect(memberGroup('readonly a?: string')).toBe('property a');
    expect(memberGroup('static readonly a: string')).toBe('static property a');
    expect(memberGroup('get size(): number')).toBe('get size');
    expect(memberGroup('on<K extends keyof E>(event: K): void')).toBe('method on');
    expect(memberGroup("readonly '1.6': { a: 1 }")).toBe("property '1.6'");
    expect(memberGroup('[key: string]: unknown')).toBe('[key: string]: unknown');
    expect(memberGroup("| 'A'")).toBe("| 'A'");
  });

  it.each([
    ['0.1.0', 'breaking', 'minor'],
    ['0.1.0', 'additive', 'patch'],
    ['1.2.0', 'breaking', 'major'],
    ['1.2.0', 'additive', 'minor'],
  ] as const)('%s with a %s change needs %s', (version, level, bump) => {
    expect(requiredBump([{ level, what: '' }], version)).toBe(bump);
  });

  it('a changeset bumps the fixed group of the package it names', () => {
    const bumps = pendingBumps(
      [
        { releases: [{ name: '@x/a', type: 'minor' }] },
        { releases: [{ name: '@x/c', type: 'patch' }] },
      ],
      [['@x/a', '@x/b']],
    );
    expect(Object.fromEntries(bumps)).toEqual({
      '@x/a': 'minor',
      '@x/b': 'minor',
      '@x/c': 'patch',
    });
    const need: Bump = 'minor';
    expect(atLeast(bumps.get('@x/b') ?? 'none', need)).toBe(true);
    expect(atLeast(bumps.get('@x/c') ?? 'none', need)).toBe(false);
  });

  it('a release is a commit after which no changeset is pending', () => {
    const log = [
      'commit 1111',
      'A\t.changeset/config.json',
      'commit 2222',
      'A\t.changeset/a.md',
      'commit 3333',
      'D\t.changeset/a.md',
      'commit 4444',
      'A\t.changeset/b.md',
    ].join('\n');
    const history = readHistory((args) =>
      args[0] === 'rev-list' ? '4444\n3333\n2222\n1111\n' : log,
    );
    expect(history.releases).toEqual(['3333', '1111']);
  });
});
