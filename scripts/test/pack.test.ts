import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, posix, relative } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Manifest,
  publicPackageDirs,
  readManifest,
  root,
  SOURCE_CONDITION,
} from '../lib/packages.js';

/**
 * What a user gets from the registry, checked on what `pnpm pack` writes: every public package is
 * packed (`pnpm build` must have run: turbo's `//#test:repo` depends on every package's build),
 * the tarballs are installed into a project in the OS temp directory, outside the workspace, and
 * a file importing every entry point of every package is type-checked with `skipLibCheck: false`
 * under `module: nodenext` and under `moduleResolution: bundler`, then run as ESM, and the entry
 * points are `require()`d from CommonJS (the README's claim for Node 20.19+ and 22.12+). Each
 * tarball must hold every file its manifest points at, no source condition, source maps that carry
 * their sources, and README links that resolve inside it; publint (strict, suggestions included)
 * and attw must find nothing.
 *
 * attw runs with `--profile esm-only`: the packages are ESM only by design (their READMEs say so),
 * so the two resolutions that profile ignores are not findings here: `node16` from CommonJS
 * reports every entry point as "ESM (dynamic import only)", and `node10`
 * (`moduleResolution: node`) cannot see subpath exports such as `@ocpp/outbox/file`. Every other
 * rule applies, under `node16` from ESM and `bundler`.
 *
 * The install is offline: the tarballs come from the temp directory, and their third-party
 * dependencies (ws, zod, better-sqlite3 and their types) are linked (pnpm `overrides` with
 * `link:`) to the copies `pnpm install` put in this workspace. pnpm needs registry metadata to
 * resolve a version range, and `pnpm install --frozen-lockfile` fetches none, so an install that
 * resolved `ws@^8` would need the network at test time; linking also spares a native build of
 * better-sqlite3. `hoist=false` keeps a dependency a manifest forgot from being found anyway.
 */

const packages = publicPackageDirs().map((dir) => ({ dir, manifest: readManifest(dir) }));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const attwBin = (() => {
  const dir = join(root, 'node_modules', '@arethetypeswrong', 'cli');
  const bin = (readManifest(dir) as Manifest & { bin: Record<string, string> }).bin;
  return join(dir, bin.attw as string);
})();

interface Outcome {
  ok: boolean;
  output: string;
}

/** Runs a command; never rejects, so a result can wait for the test that reads it. */
function run(
  file: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({ ok: error === null, output: `${stdout}${stderr}`.trim() }),
    );
  });
}

/** Wraps `task` so that at most `limit` calls of the result run at once. */
function limited<A extends unknown[], T>(
  limit: number,
  task: (...args: A) => Promise<T>,
): (...args: A) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (...args) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task(...args);
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** Every file under `dir`, as posix paths relative to it. */
function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory()
      ? listFiles(path, base)
      : [relative(base, path).split('\\').join('/')];
  });
}

/** Every string an `exports` value points at, with the conditions that lead to it. */
function exportTargets(value: unknown, path: string[] = []): { path: string[]; target: string }[] {
  if (typeof value === 'string') return [{ path, target: value }];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => exportTargets(v, [...path, key]));
}

/** Link targets in a Markdown text, outside code: inline, images, definitions, HTML attributes. */
function markdownLinks(text: string): string[] {
  const prose = text.replace(/^(```|~~~)[\s\S]*?^\1/gm, '').replace(/`[^`\n]*`/g, '``');
  return [
    ...[...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
    ...[...prose.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]),
    ...[...prose.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/g)].map((m) => m[1]),
  ].filter((link): link is string => link !== undefined);
}

interface Packed {
  dir: string;
  name: string;
  tarball: string;
  /** The unpacked `package/` directory. */
  unpacked: string;
  files: Set<string>;
  manifest: Manifest;
}

let work: string;
const packed: Packed[] = [];
let app: string;
let installed: Outcome;
let nodenext: Promise<Outcome>;
let bundler: Promise<Outcome>;
const attw = new Map<string, Promise<Outcome>>();

beforeAll(async () => {
  const missing = packages.filter((p) => !existsSync(join(p.dir, 'dist')));
  if (missing.length > 0)
    throw new Error(
      `no dist/ in ${missing.map((p) => p.manifest.name).join(', ')}: run \`pnpm build\` first`,
    );

  work = mkdtempSync(join(realpathSync(tmpdir()), 'ocpp-pack-'));
  expect(relative(root, work).startsWith('..')).toBe(true);
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);

  // Pack and unpack every package.
  const packs = await Promise.all(
    packages.map((p) => run('pnpm', ['pack', '--json', '--pack-destination', tarballs], p.dir)),
  );
  for (const [i, p] of packages.entries()) {
    const result = packs[i] as Outcome;
    if (!result.ok) throw new Error(`pnpm pack ${p.manifest.name}:\n${result.output}`);
    const tarball = (
      JSON.parse(result.output.slice(result.output.indexOf('{'))) as {
        filename: string;
      }
    ).filename;
    const into = join(work, 'unpacked', p.manifest.name);
    mkdirSync(into, { recursive: true });
    const untar = await run('tar', ['-xzf', tarball, '-C', into], work);
    if (!untar.ok) throw new Error(`tar ${tarball}:\n${untar.output}`);
    const unpacked = join(into, 'package');
    packed.push({
      dir: p.dir,
      name: p.manifest.name,
      tarball,
      unpacked,
      files: new Set(listFiles(unpacked)),
      manifest: readManifest(unpacked),
    });
  }

  // attw reads the tarballs: start it now, the install and the type-checks do not need it.
  const attwRun = limited(availableParallelism(), (tarball: string) =>
    run(
      process.execPath,
      [
        attwBin,
        tarball,
        '--profile',
        'esm-only',
        '--no-definitely-typed',
        '--format',
        'ascii',
        '--no-color',
        '--no-emoji',
      ],
      work,
    ),
  );
  for (const p of packed) attw.set(p.name, attwRun(p.tarball));

  // The consumer project: every package from its tarball, third-party packages linked.
  app = join(work, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  const ours = new Map(packed.map((p) => [p.name, `file:${p.tarball}`]));
  const overrides: Record<string, string> = Object.fromEntries(ours);
  for (const p of packed)
    for (const dep of Object.keys({ ...p.manifest.dependencies, ...p.manifest.peerDependencies }))
      if (!ours.has(dep) && overrides[dep] === undefined) {
        const copy = join(p.dir, 'node_modules', dep);
        // Not installed in the workspace: left to pnpm, whose offline install then says so.
        if (existsSync(copy)) overrides[dep] = `link:${realpathSync(copy)}`;
      }
  const types = `link:${realpathSync(join(root, 'node_modules', '@types', 'node'))}`;
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies: Object.fromEntries(ours),
      devDependencies: { '@types/node': types },
      pnpm: { overrides },
    }),
  );
  writeFileSync(join(app, '.npmrc'), 'hoist=false\n');
  // The outer pnpm's settings (npm_config_*) are this workspace's, not the consumer's.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_|^pnpm_/i.test(key)),
  );
  installed = await run(
    'pnpm',
    [
      'install',
      '--offline',
      '--no-frozen-lockfile',
      '--ignore-scripts',
      '--store-dir',
      join(work, 'store'),
    ],
    app,
    env,
  );
  if (!installed.ok) return;

  // One file that imports every entry point of every package and uses each.
  const entries = packed.flatMap((p) =>
    Object.keys((p.manifest.exports ?? { '.': null }) as object)
      .filter((sub) => sub !== './package.json')
      .map((sub) => (sub === '.' ? p.name : `${p.name}/${sub.slice(2)}`)),
  );
  const imports = entries.map((e, i) => `import * as m${i} from '${e}';`);
  writeFileSync(
    join(app, 'src', 'index.ts'),
    `${imports.join('\n')}

const modules: Record<string, object> = {
${entries.map((e, i) => `  '${e}': m${i},`).join('\n')}
};
const empty = Object.entries(modules).filter(([, m]) => Object.keys(m).length === 0);
if (empty.length > 0) throw new Error(\`no exports: \${empty.map(([e]) => e).join(', ')}\`);
console.log(JSON.stringify(Object.keys(modules)));
`,
  );
  writeFileSync(
    join(app, 'require.cjs'),
    `const entries = ${JSON.stringify(entries)};
for (const e of entries) if (Object.keys(require(e)).length === 0) throw new Error('no exports: ' + e);
console.log(JSON.stringify(entries));
`,
  );
  const compilerOptions = {
    target: 'es2022',
    lib: ['es2022'],
    strict: true,
    skipLibCheck: false,
    types: ['node'],
  };
  writeFileSync(
    join(app, 'tsconfig.nodenext.json'),
    JSON.stringify({
      compilerOptions: {
        ...compilerOptions,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        rootDir: 'src',
        outDir: 'out',
      },
      include: ['src'],
    }),
  );
  writeFileSync(
    join(app, 'tsconfig.bundler.json'),
    JSON.stringify({
      compilerOptions: {
        ...compilerOptions,
        module: 'esnext',
        moduleResolution: 'bundler',
        noEmit: true,
      },
      include: ['src'],
    }),
  );
  nodenext = run(process.execPath, [tsc, '-p', 'tsconfig.nodenext.json'], app);
  bundler = run(process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], app);
}, 300_000);

afterAll(async () => {
  // Let whatever still runs finish before its directory goes.
  await Promise.all([nodenext, bundler, ...attw.values()]);
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
}, 300_000);

describe('the packed packages', () => {
  it('are every public package', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(packages.map((p) => p.manifest.name).sort());
  });

  it('are all built before this test runs in pnpm verify', () => {
    const turbo = JSON.parse(readFileSync(join(root, 'turbo.json'), 'utf8')) as {
      tasks: Record<string, { dependsOn?: string[] }>;
    };
    const dependsOn = turbo.tasks['//#test:repo']?.dependsOn ?? [];
    expect(
      packages.map((p) => `${p.manifest.name}#build`).filter((t) => !dependsOn.includes(t)),
    ).toEqual([]);
  });

  for (const { name } of packages.map((p) => p.manifest)) {
    const get = (): Packed => packed.find((p) => p.name === name) as Packed;

    it(`${name}: its manifest points only at packed files, through no source condition`, () => {
      const { manifest: m, files } = get();
      const problems: string[] = [];
      const check = (field: string, target: string | undefined): void => {
        if (target === undefined) return;
        const path = posix.normalize(target);
        if (target.includes('*')) problems.push(`${field}: pattern ${target} (not checked)`);
        else if (!files.has(path)) problems.push(`${field}: ${target} is not in the tarball`);
      };
      for (const { path, target } of exportTargets(m.exports)) {
        if (path.includes(SOURCE_CONDITION)) problems.push(`exports: ${path.join(' > ')}`);
        check(`exports ${path.join(' > ')}`, target);
      }
      check('main', m.main);
      check('types', m.types ?? m.typings);
      const bins = typeof m.bin === 'string' ? { [name]: m.bin } : (m.bin ?? {});
      for (const [command, target] of Object.entries(bins)) check(`bin ${command}`, target);
      for (const [dep, range] of Object.entries({ ...m.dependencies, ...m.peerDependencies }))
        if (range.startsWith('workspace:')) problems.push(`${dep}: ${range}`);
      expect(problems).toEqual([]);
    });

    it(`${name}: its source maps carry their sources, and declarations have none`, () => {
      const { unpacked, files } = get();
      const problems: string[] = [];
      for (const file of files) {
        if (file.endsWith('.d.ts.map')) problems.push(`${file}: points at unshipped sources`);
        else if (file.endsWith('.map')) {
          const map = JSON.parse(readFileSync(join(unpacked, file), 'utf8')) as {
            sources: string[];
            sourcesContent?: (string | null)[];
          };
          const content = map.sourcesContent ?? [];
          if (content.length !== map.sources.length || content.some((c) => typeof c !== 'string'))
            problems.push(`${file}: no sourcesContent for ${map.sources.join(', ')}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it(`${name}: its declarations show no @internal member (stripInternal)`, () => {
      const { unpacked, files } = get();
      const tagged = [...files].filter(
        (f) => f.endsWith('.d.ts') && readFileSync(join(unpacked, f), 'utf8').includes('@internal'),
      );
      expect(tagged).toEqual([]);
    });

    it(`${name}: every relative link in its README resolves inside the tarball`, () => {
      const { unpacked, files } = get();
      expect(files.has('README.md')).toBe(true);
      const dirs = new Set(
        [...files].flatMap((f) => {
          const parts = f.split('/');
          return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('/'));
        }),
      );
      const broken = markdownLinks(readFileSync(join(unpacked, 'README.md'), 'utf8')).filter(
        (link) => {
          if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith('#')) return false;
          const path = posix.normalize(decodeURI(link.replace(/[?#].*$/, '')).replace(/\/$/, ''));
          return path.startsWith('..') || !(files.has(path) || dirs.has(path));
        },
      );
      expect(broken).toEqual([]);
    });

    it(`${name}: publint finds nothing (strict, suggestions included)`, async () => {
      const { tarball } = get();
      const data = readFileSync(tarball);
      const { messages, pkg } = await publint({
        pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) },
        level: 'suggestion',
        strict: true,
      });
      expect(messages.map((m) => `${m.type}: ${formatMessage(m, pkg, { color: false })}`)).toEqual(
        [],
      );
    });

    it(`${name}: attw --profile esm-only finds nothing`, async () => {
      const result = await (attw.get(name) as Promise<Outcome>);
      expect(result.ok, result.output).toBe(true);
    }, 300_000);
  }
});

describe('a project outside the workspace', () => {
  it('installs the tarballs offline', () => {
    expect(installed.ok, installed.output).toBe(true);
    for (const p of packed)
      expect(existsSync(join(app, 'node_modules', ...p.name.split('/'), 'package.json'))).toBe(
        true,
      );
  });

  it('type-checks a file importing every package: nodenext, skipLibCheck false', async () => {
    const result = await nodenext;
    expect(result.ok, result.output).toBe(true);
  }, 300_000);

  it('type-checks the same file: moduleResolution bundler, skipLibCheck false', async () => {
    const result = await bundler;
    expect(result.ok, result.output).toBe(true);
  }, 300_000);

  it('runs it: every entry point imports and exports something', async () => {
    expect((await nodenext).ok).toBe(true);
    const result = await run(process.execPath, [join('out', 'index.js')], app);
    expect(result.ok, result.output).toBe(true);
  }, 60_000);

  it('require()s every entry point from CommonJS (Node 20.19+, 22.12+)', async (ctx) => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    const unflagged = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 23;
    if (!unflagged) ctx.skip();
    const result = await run(process.execPath, ['require.cjs'], app);
    expect(result.ok, result.output).toBe(true);
  }, 60_000);

  it('runs the ocpp command from the installed bin', async () => {
    const bin = join(app, 'node_modules', '.bin', 'ocpp');
    const result = await run(bin, ['--help'], app);
    expect(result.ok, result.output).toBe(true);
    expect(result.output).toMatch(/^Usage: ocpp /);
  }, 60_000);
});
