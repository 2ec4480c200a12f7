/**
 * Writes `api-reports/<package>.api.txt` for every public package from its built `.d.ts` files,
 * and says, per package, what changed since the baseline (the last release, or the commit that
 * added the report) and which bump that needs. `pnpm api:report` builds first.
 *
 * Usage: tsx scripts/api-report.ts [--check]
 *   --check  write nothing; exit 1 when a report is stale or an API change since the baseline
 *            has no pending changeset that bumps its package enough (what `pnpm test:repo` checks)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import parse from '@changesets/parse';
import {
  atLeast,
  createProject,
  type Git,
  type PackageStatus,
  packageStatus,
  pendingBumps,
  REPORT_DIR,
  readHistory,
  reportPath,
} from './lib/api-report.js';
import { publicPackageDirs, root } from './lib/packages.js';

/** git in the repository root; `undefined` when it fails (no repository, unknown object). */
export const git: Git = (args) => {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch {
    return undefined;
  }
};

/** The status of every public package, against the pending changesets. */
export function apiStatus(): { statuses: PackageStatus[]; extra: string[] } {
  const dir = join(root, '.changeset');
  const changesets = readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .map((f) => parse(readFileSync(join(dir, f), 'utf8')));
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
    fixed?: string[][];
  };
  const pending = pendingBumps(changesets, config.fixed ?? []);
  const project = createProject();
  const dirs = publicPackageDirs();
  const history = readHistory(git);
  const statuses = dirs.map((d) => packageStatus(project, d, git, history, pending));
  const expected = new Set(dirs.map((d) => basename(reportPath(d))));
  let present: string[] = [];
  try {
    present = readdirSync(REPORT_DIR);
  } catch {
    // no reports yet
  }
  return { statuses, extra: present.filter((f) => !expected.has(f)) };
}

/** Human-readable findings; `problems` is empty when the check passes. */
export function findings(statuses: readonly PackageStatus[], extra: readonly string[]) {
  const lines: string[] = [];
  const problems: string[] = [];
  for (const s of statuses) {
    const file = relative(root, reportPath(s.dir));
    if (!s.fresh) problems.push(`${file} is stale: run \`pnpm api:report\` and commit it`);
    if (s.changes.length === 0) continue;
    const since = s.baseline === undefined ? 'ever' : `since ${s.baseline.slice(0, 10)}`;
    lines.push(
      `${s.name} ${s.version}: ${s.changes.length} API change(s) ${since}, needs a ${s.required} changeset, pending: ${s.pending}`,
    );
    for (const c of s.changes) lines.push(`  ${c.level}: ${c.what}`);
    if (!atLeast(s.pending, s.required)) {
      problems.push(
        `${s.name}: the API changed (${s.changes.some((c) => c.level === 'breaking') ? 'breaking' : 'additive'}) since ${s.baseline?.slice(0, 10)} and no pending changeset bumps it by ${s.required} or more; add one (\`pnpm changeset\`)`,
      );
    }
  }
  for (const f of extra) problems.push(`api-reports/${f} belongs to no public package: delete it`);
  return { lines, problems };
}

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const unknown = argv.find((a) => a !== '--check');
  if (unknown !== undefined) {
    console.error(`api-report: unknown argument "${unknown}"; usage: [--check]`);
    return 2;
  }
  const started = performance.now();
  const { statuses, extra } = apiStatus();
  if (!check) {
    mkdirSync(REPORT_DIR, { recursive: true });
    for (const s of statuses) if (!s.fresh) writeFileSync(reportPath(s.dir), s.generated);
    for (const f of extra) rmSync(join(REPORT_DIR, f));
  }
  const written = check ? statuses : statuses.map((s) => ({ ...s, fresh: true }));
  const { lines, problems } = findings(written, check ? extra : []);
  for (const l of lines) console.log(l);
  for (const p of problems) console.error(`api-report: ${p}`);
  const ms = Math.round(performance.now() - started);
  console.log(
    `api-report: ${statuses.length} packages, ${check ? 'checked' : 'written'} in ${ms} ms${problems.length > 0 ? `, ${problems.length} problem(s)` : ''}`,
  );
  return check && problems.length > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && relative(process.argv[1], import.meta.filename) === '') {
  process.exitCode = main(process.argv.slice(2));
}
