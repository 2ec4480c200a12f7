/**
 * API reports: one text file per public package listing what its entry points export, read
 * with ts-morph from the built `.d.ts` files (what a user of the package compiles against), and
 * the classification of the difference between two reports as breaking, additive or none.
 *
 * A report is a list of entries, one per exported name and kind, sorted; under each, its members
 * one per line, indented by two spaces:
 *
 *   ## @ocpp/outbox/file                     an entry point (package.json `exports` key)
 *   class FileStore implements OutboxStore   entry: kind, name, type parameters, heritage
 *     constructor(path: string, ...)         member lines: what the .d.ts says, comments and
 *     append(message: StoredMessage): ...    line breaks removed
 *
 * Interfaces, type literals and classes list their own members (not inherited ones: the base is
 * in the header and, when exported, has its own entry); functions one line per overload; a union
 * type alias one `| constituent` line per member, sorted (an alias that only refers to a union,
 * like the generated enums' `(typeof X)[keyof typeof X]`, is expanded by the compiler); a const
 * whose type is an object literal one line per property. A line longer than `MAX_LINE` keeps its
 * start and a hash of the whole (generated zod schema types run to thousands of characters).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Node, Project, type SourceFile, ts } from 'ts-morph';
import { readManifest, root } from './packages.js';

/** Longer lines are cut to `KEEP` characters plus the length and a hash of the whole line. */
export const MAX_LINE = 400;
const KEEP = 200;

/** Where the reports live: `api-reports/<package folder>.api.txt`. */
export const REPORT_DIR = join(root, 'api-reports');
export const reportPath = (pkgDir: string): string =>
  join(REPORT_DIR, `${relative(join(root, 'packages'), pkgDir)}.api.txt`);

const printer = ts.createPrinter({ removeComments: true, omitTrailingSemicolon: true });

function cut(line: string): string {
  if (line.length <= MAX_LINE) return line;
  const hash = createHash('sha256').update(line).digest('hex').slice(0, 12);
  return `${line.slice(0, KEEP)} …[${line.length} chars, sha256 ${hash}]`;
}

/** A node as the printer writes it without comments, on one line, without a final `;`. */
function print(node: Node): string {
  const text = printer.printNode(
    ts.EmitHint.Unspecified,
    node.compilerNode,
    node.getSourceFile().compilerNode,
  );
  return tidy(text);
}

/** One line, without a `;` before a `}` or at the end. */
function tidy(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/;\s*$/, '').replace(/;\s*}/g, ' }').trim();
}

const typeParams = (node: Node): string => {
  const params = Node.isTypeParametered(node) ? node.getTypeParameters() : [];
  return params.length === 0 ? '' : `<${params.map(print).join(', ')}>`;
};

const heritage = (node: Node): string =>
  Node.isHeritageClauseable(node)
    ? node
        .getHeritageClauses()
        .map((h) => ` ${print(h)}`)
        .join('')
    : '';

/** Member lines of an interface, type literal or class, in declaration order. */
function memberLines(members: readonly Node[]): string[] {
  const out: string[] = [];
  for (const m of members) {
    if (Node.isModifierable(m) && m.hasModifier(ts.SyntaxKind.PrivateKeyword)) continue;
    if (
      (Node.isPropertyDeclaration(m) || Node.isMethodDeclaration(m)) &&
      Node.isPrivateIdentifier(m.getNameNode())
    )
      continue;
    out.push(cut(print(m)));
  }
  return out;
}

interface Entry {
  header: string;
  members: string[];
}

function entryOf(name: string, decl: Node): Entry {
  if (Node.isInterfaceDeclaration(decl)) {
    return {
      header: `interface ${name}${typeParams(decl)}${heritage(decl)}`,
      members: memberLines(decl.getMembers()),
    };
  }
  if (Node.isClassDeclaration(decl)) {
    const abstract = decl.isAbstract() ? 'abstract ' : '';
    return {
      header: `${abstract}class ${name}${typeParams(decl)}${heritage(decl)}`,
      members: memberLines(decl.getMembers()),
    };
  }
  if (Node.isTypeAliasDeclaration(decl)) {
    const head = `type ${name}${typeParams(decl)}`;
    const node = decl.getTypeNodeOrThrow();
    if (Node.isTypeLiteral(node)) return { header: head, members: memberLines(node.getMembers()) };
    if (Node.isUnionTypeNode(node)) {
      return {
        header: head,
        members: node
          .getTypeNodes()
          .map((t) => cut(`| ${print(t)}`))
          .sort(),
      };
    }
    const type = decl.getType();
    if (decl.getTypeParameters().length === 0 && type.isUnion()) {
      // One level of expansion: `(typeof X)[keyof typeof X]` becomes its literal members.
      const flags =
        ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType;
      return {
        header: `${head} = ${print(node)}`,
        members: type
          .getUnionTypes()
          .map((t) => cut(`| ${tidy(t.getText(decl, flags))}`))
          .sort(),
      };
    }
    return { header: cut(`${head} = ${print(node)}`), members: [] };
  }
  if (Node.isFunctionDeclaration(decl)) {
    const overloads = decl.getOverloads().length > 0 ? decl.getOverloads() : [decl];
    return {
      header: `function ${name}`,
      members: overloads.map((o) =>
        cut(print(o).replace(/^(export )?(declare )?(async )?function\*? ?[\w$]*/, '')),
      ),
    };
  }
  if (Node.isVariableDeclaration(decl)) {
    const kind = decl.getVariableStatement()?.getDeclarationKind() ?? 'const';
    const node = decl.getTypeNode();
    if (node !== undefined && Node.isTypeLiteral(node)) {
      return { header: `${kind} ${name}`, members: memberLines(node.getMembers()) };
    }
    const type =
      node === undefined
        ? tidy(decl.getType().getText(decl, ts.TypeFormatFlags.NoTruncation))
        : print(node);
    return { header: cut(`${kind} ${name}: ${type}`), members: [] };
  }
  if (Node.isEnumDeclaration(decl)) {
    return {
      header: `${decl.isConstEnum() ? 'const ' : ''}enum ${name}`,
      members: decl.getMembers().map((m) => cut(print(m))),
    };
  }
  if (Node.isModuleDeclaration(decl)) {
    return {
      header: `namespace ${name}`,
      members: decl.getStatements().map((s) => cut(print(s))),
    };
  }
  if (Node.isSourceFile(decl)) {
    return {
      header: `namespace ${name}`,
      members: [...decl.getExportedDeclarations().keys()].sort().map((k) => `export ${k}`),
    };
  }
  return {
    header: cut(
      `${decl.getKindName()} ${name}: ${tidy(decl.getType().getText(decl, ts.TypeFormatFlags.NoTruncation))}`,
    ),
    members: [],
  };
}

/** Code-unit order, independent of the locale. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The `.d.ts` of each entry point (`exports` key → file), `./package.json` left out. */
export function entryPoints(pkgDir: string): Map<string, string> {
  const exportsField = readManifest(pkgDir).exports;
  const out = new Map<string, string>();
  if (exportsField === null || typeof exportsField !== 'object') return out;
  for (const [key, value] of Object.entries(exportsField as Record<string, unknown>)) {
    if (key === './package.json') continue;
    const types =
      typeof value === 'object' && value !== null
        ? (value as Record<string, unknown>).types
        : undefined;
    if (typeof types !== 'string') throw new Error(`${pkgDir}: exports["${key}"] has no "types"`);
    out.set(key, join(pkgDir, types));
  }
  return out;
}

/** One project for all packages: shared files (zod's types, @ocpp/runtime) are read once. */
export function createProject(): Project {
  return new Project({
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: true,
      types: [],
      noEmit: true,
    },
    skipAddingFilesFromTsConfig: true,
  });
}

/** The report text of one package, from its built `.d.ts` (run `pnpm build` first). */
export function generateReport(project: Project, pkgDir: string): string {
  const { name } = readManifest(pkgDir);
  const lines = [
    `# API report of ${name}`,
    '# Generated by `pnpm api:report` from the built .d.ts files; do not edit.',
    '# How to read it: CONTRIBUTING.md, "API reports".',
  ];
  for (const [subpath, file] of [...entryPoints(pkgDir)].sort(([a], [b]) => compare(a, b))) {
    if (!existsSync(file)) {
      throw new Error(`${relative(root, file)} is missing: build the package first (pnpm build)`);
    }
    const sf: SourceFile = project.addSourceFileAtPath(file);
    lines.push('', `## ${subpath === '.' ? name : `${name}${subpath.slice(1)}`}`, '');
    const entries: Entry[] = [];
    for (const [exported, decls] of sf.getExportedDeclarations()) {
      const seen = new Set<string>();
      for (const decl of decls) {
        const entry = entryOf(exported, decl);
        const text = [entry.header, ...entry.members.map((m) => `  ${m}`)].join('\n');
        if (seen.has(text)) continue; // merged declarations print once per distinct form
        seen.add(text);
        entries.push(entry);
      }
    }
    entries.sort(
      (a, b) => compare(entryKey(a.header), entryKey(b.header)) || compare(a.header, b.header),
    );
    for (const e of entries) lines.push(e.header, ...e.members.map((m) => `  ${m}`));
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Reading and comparing reports

/** What an entry is called: its name, then its kind (`RegistrationStatus const`). */
export function entryKey(header: string): string {
  const m = /^((?:abstract |const )?[a-z]+) ([\w$]+)/.exec(header);
  if (m === null) return header;
  return `${m[2]} ${m[1]}`;
}

/** A parsed report: entry point → entry key → header and member lines. */
export type ParsedReport = Map<string, Map<string, { header: string; members: string[] }>>;

export function parseReport(text: string): ParsedReport {
  const out: ParsedReport = new Map();
  let section: Map<string, { header: string; members: string[] }> | undefined;
  let entry: { header: string; members: string[] } | undefined;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# ')) continue;
    if (line.startsWith('## ')) {
      section = new Map();
      out.set(line.slice(3), section);
      entry = undefined;
    } else if (line.startsWith('  ')) {
      if (entry === undefined) throw new Error(`member line outside an entry: ${line}`);
      entry.members.push(line.slice(2));
    } else {
      if (section === undefined) throw new Error(`entry outside an entry point: ${line}`);
      entry = { header: line, members: [] };
      // Two entries of one key (a merged declaration printed two ways) are compared as one.
      const key = entryKey(line);
      const previous = section.get(key);
      if (previous !== undefined) {
        previous.header += ` & ${line}`;
        entry = previous;
      } else section.set(key, entry);
    }
  }
  return out;
}

/**
 * What a member line is about, so that a changed line is told from an added one: a property
 * (`readonly a?: T`) or accessor by its name, a method by its name (its overloads form one
 * group), anything else (call, construct and index signatures, union members) by the whole line.
 */
export function memberGroup(line: string): string {
  const s = line.replace(/^((static|protected|public|readonly|abstract|override|accessor) )+/, '');
  const isStatic = line.startsWith('static ') ? 'static ' : '';
  const accessor = /^(get|set) ([\w$]+|"[^"]*"|'[^']*')\(/.exec(s);
  if (accessor !== null) return `${isStatic}${accessor[1]} ${accessor[2]}`;
  const named = /^([\w$]+|"[^"]*"|'[^']*')(\??)([:(<])/.exec(s);
  if (named !== null) return `${isStatic}${named[3] === ':' ? 'property' : 'method'} ${named[1]}`;
  return line;
}

/** A member that code building such an object must now supply (no `?`). */
function isRequired(line: string): boolean {
  const s = line.replace(/^((readonly|static|protected|public|abstract) )+/, '');
  if (/^([\w$]+|"[^"]*"|'[^']*')\?/.test(s)) return false;
  return !s.startsWith('| ');
}

export type Level = 'breaking' | 'additive';

export interface Change {
  readonly level: Level;
  readonly what: string;
}

/**
 * The changes from `before` to `after`, each breaking or additive:
 * - breaking: an entry point or export removed; an entry's header changed (its type, type
 *   parameters, `extends`); a member removed or changed (a method's overload removed counts as
 *   changed); a required member added to an interface or an object type alias (code that builds
 *   such an object stops compiling; input and output types are not told apart); a call,
 *   construct or index signature added to one;
 * - additive: an entry point or export added; an optional member added to an interface or type;
 *   any member added to a class, a const object or an enum; an overload added to a function or
 *   method; a member added to a union (widening is treated as additive, see CONTRIBUTING.md).
 */
export function compareReports(before: ParsedReport, after: ParsedReport): Change[] {
  const changes: Change[] = [];
  for (const [section, entries] of before) {
    const now = after.get(section);
    if (now === undefined) {
      changes.push({ level: 'breaking', what: `entry point ${section} removed` });
      continue;
    }
    for (const [key, old] of entries) {
      const cur = now.get(key);
      const label = `${section}: ${key}`;
      if (cur === undefined) {
        changes.push({ level: 'breaking', what: `${label} removed` });
        continue;
      }
      if (cur.header !== old.header) {
        changes.push({
          level: 'breaking',
          what: `${label} changed: ${old.header} → ${cur.header}`,
        });
      }
      const objectType =
        /^(interface|type) /.test(old.header) && !old.members.some((m) => m.startsWith('| '));
      // A function's lines are its overloads: one group.
      const fn = old.header.startsWith('function ');
      const group = (lines: string[]) => {
        const map = new Map<string, Set<string>>();
        for (const l of lines) {
          const g = fn ? 'overloads' : memberGroup(l);
          map.set(g, (map.get(g) ?? new Set()).add(l));
        }
        return map;
      };
      const was = group(old.members);
      const is = group(cur.members);
      for (const [g, lines] of was) {
        const next = is.get(g);
        if (next === undefined) {
          changes.push({
            level: 'breaking',
            what: `${label}: member removed: ${[...lines].join('; ')}`,
          });
        } else if (![...lines].every((l) => next.has(l))) {
          changes.push({
            level: 'breaking',
            what: `${label}: member changed: ${[...lines].join('; ')} → ${[...next].join('; ')}`,
          });
        } else if (next.size > lines.size) {
          const added = [...next].filter((l) => !lines.has(l));
          changes.push({
            level: 'additive',
            what: `${label}: overload added: ${added.join('; ')}`,
          });
        }
      }
      for (const [g, lines] of is) {
        if (was.has(g)) continue;
        for (const l of lines) {
          const breaking = objectType && isRequired(l);
          changes.push({
            level: breaking ? 'breaking' : 'additive',
            what: `${label}: ${breaking ? 'required ' : ''}member added: ${l}`,
          });
        }
      }
    }
    for (const key of now.keys()) {
      if (!entries.has(key)) changes.push({ level: 'additive', what: `${section}: ${key} added` });
    }
  }
  for (const section of after.keys()) {
    if (!before.has(section))
      changes.push({ level: 'additive', what: `entry point ${section} added` });
  }
  return changes;
}

// ---------------------------------------------------------------------------------------------
// Changesets

export type Bump = 'none' | 'patch' | 'minor' | 'major';
const RANK: Record<Bump, number> = { none: 0, patch: 1, minor: 2, major: 3 };
export const atLeast = (have: Bump, need: Bump): boolean => RANK[have] >= RANK[need];
export const maxBump = (a: Bump, b: Bump): Bump => (RANK[a] >= RANK[b] ? a : b);

/**
 * The bump a set of changes needs under semver, as changesets applies it: from 1.0.0 on, breaking
 * → major and additive → minor; below 1.0.0 (0.x, where a minor may break), breaking → minor and
 * additive → patch.
 */
export function requiredBump(changes: readonly Change[], version: string): Bump {
  const stable = !version.startsWith('0.');
  if (changes.some((c) => c.level === 'breaking')) return stable ? 'major' : 'minor';
  if (changes.length > 0) return stable ? 'minor' : 'patch';
  return 'none';
}

/** The report of a package at a commit, or `undefined` where it did not exist. */
export function readReportAt(commit: string, pkgDir: string, git: Git): string | undefined {
  const path = relative(root, reportPath(pkgDir)).split('\\').join('/');
  return git(['show', `${commit}:${path}`]);
}

/** Runs git in the repository; the output, or `undefined` when git fails. */
export type Git = (args: readonly string[]) => string | undefined;

/** What the baseline is chosen from, read from git once for all packages. */
export interface History {
  /** Commits of `HEAD`'s history, newest first, with their position. */
  readonly order: ReadonlyMap<string, number>;
  /** Commits after which no changeset was pending (releases), newest first. */
  readonly releases: readonly string[];
}

/** Replays the additions and removals of `.changeset/*.md` over the history (two git calls). */
export function readHistory(git: Git): History {
  const commits = (git(['rev-list', 'HEAD']) ?? '').split('\n').filter(Boolean);
  const order = new Map(commits.map((c, i) => [c, i]));
  const log =
    git([
      'log',
      '--reverse',
      '--no-renames',
      '--name-status',
      '--format=commit %H',
      '--',
      '.changeset',
    ]) ?? '';
  const pending = new Set<string>();
  const releases: string[] = [];
  let commit: string | undefined;
  const close = () => {
    if (commit !== undefined && pending.size === 0) releases.unshift(commit);
  };
  for (const line of log.split('\n')) {
    const c = /^commit ([0-9a-f]+)$/.exec(line);
    if (c !== null) {
      close();
      commit = c[1];
      continue;
    }
    const f = /^([ADM])\t(.*)$/.exec(line);
    if (f === null || !f[2]!.endsWith('.md') || f[2]!.endsWith('/README.md')) continue;
    if (f[1] === 'D') pending.delete(f[2]!);
    else pending.add(f[2]!);
  }
  close();
  return { order, releases };
}

/**
 * The commit to compare a package's report with: the newest release (a commit after which no
 * changeset was pending: \`changeset version\` consumed them all) that has the report, else the
 * commit that added the report (when reports were introduced, or the package was). \`undefined\`
 * when the report was never committed (a new package: everything is new).
 *
 * Pending changesets describe what changed since the last release, so it is against the last
 * release that the bump they promise is checked.
 */
export function baselineCommit(pkgDir: string, git: Git, history: History): string | undefined {
  const path = relative(root, reportPath(pkgDir)).split('\\').join('/');
  const added = (git(['log', '--diff-filter=A', '--format=%H', '--', path]) ?? '')
    .split('\n')
    .filter(Boolean)
    .at(-1);
  if (added === undefined) return undefined;
  const since = history.order.get(added) ?? -1;
  const release = history.releases.find((r) => (history.order.get(r) ?? Infinity) <= since);
  return release ?? added;
}

/** The report file on disk, or `undefined`. */
export const readReport = (pkgDir: string): string | undefined => {
  const p = reportPath(pkgDir);
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
};

/**
 * The bump the pending changesets (`.changeset/*.md`) give each package: the highest release
 * type naming it or, for a package in a `fixed` group of `.changeset/config.json`, naming any
 * package of its group (changesets releases a fixed group together at one version).
 */
export function pendingBumps(
  changesets: readonly { releases: readonly { name: string; type: string }[] }[],
  fixed: readonly (readonly string[])[],
): Map<string, Bump> {
  const direct = new Map<string, Bump>();
  for (const cs of changesets) {
    for (const r of cs.releases) {
      if (r.type === 'major' || r.type === 'minor' || r.type === 'patch') {
        direct.set(r.name, maxBump(direct.get(r.name) ?? 'none', r.type));
      }
    }
  }
  const out = new Map(direct);
  for (const group of fixed) {
    const top = group.reduce<Bump>((b, name) => maxBump(b, direct.get(name) ?? 'none'), 'none');
    if (top === 'none') continue;
    for (const name of group) out.set(name, maxBump(out.get(name) ?? 'none', top));
  }
  return out;
}

/** What the check finds for one public package. */
export interface PackageStatus {
  readonly name: string;
  readonly dir: string;
  readonly version: string;
  /** The report the code produces now. */
  readonly generated: string;
  /** Whether the committed-to-be file on disk says the same. */
  readonly fresh: boolean;
  /** The commit compared against, `undefined` when the package has no committed report yet. */
  readonly baseline: string | undefined;
  /** Changes from the baseline's report to the generated one. */
  readonly changes: readonly Change[];
  readonly required: Bump;
  readonly pending: Bump;
}

export function packageStatus(
  project: Project,
  pkgDir: string,
  git: Git,
  history: History,
  pending: ReadonlyMap<string, Bump>,
): PackageStatus {
  const manifest = readManifest(pkgDir);
  const generated = generateReport(project, pkgDir);
  const onDisk = readReport(pkgDir);
  const baseline = baselineCommit(pkgDir, git, history);
  const before = baseline === undefined ? undefined : readReportAt(baseline, pkgDir, git);
  const changes =
    before === undefined ? [] : compareReports(parseReport(before), parseReport(generated));
  const version = manifest.version ?? '0.0.0';
  return {
    name: manifest.name,
    dir: pkgDir,
    version,
    generated,
    fresh: onDisk === generated,
    baseline,
    changes,
    required: requiredBump(changes, version),
    pending: pending.get(manifest.name) ?? 'none',
  };
}
