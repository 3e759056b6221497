/**
 * How `hub` starts: `hub --help` loads no package (each command imports its modules when it runs),
 * and `bin/hub.mjs` never runs a build in dist/ that is older than the sources: it runs the
 * TypeScript through tsx instead, with a notice. Every process here is a real `node bin/hub.mjs`
 * with module hooks that write down each module it loads. The build-and-edit cases work on a copy
 * of the project in a temp folder, so this worktree's sources and build are never touched.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOOKS = pathToFileURL(path.join(ROOT, 'test/helpers/module-log-hooks.mjs')).href;
const REGISTER_HOOKS = `data:text/javascript,import{register}from'node:module';register(${JSON.stringify(HOOKS)})`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** The modules the process loaded, as paths relative to `root` (node: built-ins left out). */
  modules: string[];
}

let logs: string;

/** `node <root>/<script> …args` with the module log; resolves once it exits. */
function run(root: string, script: string, args: string[]): Promise<Run> {
  const log = path.join(mkdtempSync(path.join(logs, 'run-')), 'modules.log');
  writeFileSync(log, '');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', REGISTER_HOOKS, path.join(root, script), ...args], {
      cwd: root,
      env: { ...process.env, HUB_TEST_MODULE_LOG: log },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const modules = [...new Set(readFileSync(log, 'utf8').split('\n'))]
        .filter((url) => url.startsWith('file:'))
        .map((url) => path.relative(root, fileURLToPath(url)).split(path.sep).join('/'));
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, modules });
    });
  });
}

const packagesIn = (modules: string[]) => modules.filter((m) => m.includes('node_modules/'));

/** What bin/hub.mjs would say of the build in `root` (bin/build-freshness.mjs), without starting it. */
async function staleReasonIn(root: string): Promise<string> {
  const probe = `const { staleReason } = await import(process.argv[1]); console.log(staleReason() ?? 'fresh');`;
  const result = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', probe, pathToFileURL(path.join(root, 'bin/build-freshness.mjs')).href]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', () => resolve(out.trim()));
  });
  return result;
}

beforeAll(() => {
  logs = mkdtempSync(path.join(tmpdir(), 'cli-start-'));
});
afterAll(() => rmSync(logs, { recursive: true, force: true }));

describe('hub --help from the build', () => {
  it('loads the build of cli.ts alone: no package, no other module of the hub', async () => {
    const result = await run(ROOT, 'bin/hub.mjs', ['--help']);
    expect(result.stderr).toBe(''); // no "running the TypeScript sources" notice: test/global-setup.ts built dist/
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: hub <command> \[options\]/);
    expect(packagesIn(result.modules)).toEqual([]);
    expect(result.modules.filter((m) => m.startsWith('dist/') || m.startsWith('src/'))).toEqual(['dist/src/cli.js']);
  });

  it('hub <command> --help loads no package either, for every command', async () => {
    const help = await run(ROOT, 'bin/hub.mjs', ['--help']);
    const commands = help.stdout
      .split('\n')
      .filter((line) => /^ {2}\S/.test(line))
      .map((line) => line.trim().split(/ {2,}/)[0]!);
    expect(commands).toEqual(expect.arrayContaining(['serve', 'migrate', 'demo', 'retailers create', 'mappings check', 'poll', 'documents retry']));
    const results = await Promise.all(commands.map((command) => run(ROOT, 'bin/hub.mjs', [...command.split(' '), '--help'])));
    for (const [i, result] of results.entries()) {
      const command = commands[i]!;
      expect(result.code, command).toBe(0);
      expect(result.stdout, command).toMatch(new RegExp(`^usage: hub ${command}`));
      expect(packagesIn(result.modules), command).toEqual([]);
    }
  });
});

describe('bin/hub.mjs and bin/build.mjs on a copy of the project', () => {
  let copy: string;
  const notice = /^hub: (.+); running the TypeScript sources through tsx \(slower to start; `npm run build` compiles them again\)\n/;
  const migrateSummary = (stdout: string) => stdout.split('\n').find((line) => line.startsWith('  migrate'));

  beforeAll(() => {
    copy = mkdtempSync(path.join(tmpdir(), 'hub-copy-'));
    for (const item of ['src', 'migrations', 'bin', 'tsconfig.json', 'package.json']) cpSync(path.join(ROOT, item), path.join(copy, item), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('with no build, runs the sources through tsx and says so in one line', async () => {
    const result = await run(copy, 'bin/hub.mjs', ['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(notice);
    expect(result.stderr.match(notice)![1]).toBe('there is no build in dist/');
    expect(result.modules).toContain('src/cli.ts');
    expect(result.stdout).toMatch(/^usage: hub <command>/);
  });

  it('builds, then runs the build: compiled cli.js, source maps beside it, nothing said', async () => {
    const built = await run(copy, 'bin/build.mjs', []);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stderr).toMatch(/^built dist\/ from \d+ TypeScript files in \d+ ms/);
    expect(existsSync(path.join(copy, 'dist/src/cli.js.map'))).toBe(true);
    expect(existsSync(path.join(copy, 'dist/migrations/2026-11-26T0001-initial.js'))).toBe(true);
    const result = await run(copy, 'bin/hub.mjs', ['--help']);
    expect(result.stderr).toBe('');
    expect(result.modules).toContain('dist/src/cli.js');
    expect(result.modules).not.toContain('src/cli.ts');
  });

  it('--if-stale does nothing while the build is fresh', async () => {
    const before = readFileSync(path.join(copy, 'dist/build.json'), 'utf8');
    const result = await run(copy, 'bin/build.mjs', ['--if-stale']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(readFileSync(path.join(copy, 'dist/build.json'), 'utf8')).toBe(before);
  });

  it('after an edit, never runs the stale build: the edited sources run, and a rebuild brings the build back', async () => {
    const cli = path.join(copy, 'src/cli.ts');
    writeFileSync(cli, readFileSync(cli, 'utf8').replace("summary: 'apply the database migrations", "summary: 'EDITED apply the database migrations"));
    const stale = await run(copy, 'bin/hub.mjs', ['--help']);
    expect(stale.code).toBe(0);
    expect(stale.stderr.match(notice)?.[1]).toBe('src/cli.ts changed since the last build');
    expect(stale.modules).toContain('src/cli.ts');
    expect(migrateSummary(stale.stdout)).toContain('EDITED');

    const rebuilt = await run(copy, 'bin/build.mjs', ['--if-stale']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stderr).toMatch(/^src\/cli\.ts changed since the last build: built dist\//);
    const fresh = await run(copy, 'bin/hub.mjs', ['--help']);
    expect(fresh.stderr).toBe('');
    expect(fresh.modules).toContain('dist/src/cli.js');
    expect(migrateSummary(fresh.stdout)).toContain('EDITED');
  });

  it('a new source file, a removed one, or a changed build input makes the build stale', async () => {
    expect(await staleReasonIn(copy)).toBe('fresh');
    const extra = path.join(copy, 'src/added-later.ts');
    writeFileSync(extra, 'export const added = 1;\n');
    expect(await staleReasonIn(copy)).toBe('src/added-later.ts is new since the last build');
    expect((await run(copy, 'bin/build.mjs', [])).code).toBe(0);
    expect(existsSync(path.join(copy, 'dist/src/added-later.js'))).toBe(true);
    expect(await staleReasonIn(copy)).toBe('fresh');

    unlinkSync(extra);
    expect(await staleReasonIn(copy)).toBe('src/added-later.ts was removed since the last build');
    expect((await run(copy, 'bin/build.mjs', [])).code).toBe(0);
    expect(existsSync(path.join(copy, 'dist/src/added-later.js'))).toBe(false); // a build replaces dist/ whole

    writeFileSync(path.join(copy, 'tsconfig.json'), `${readFileSync(path.join(copy, 'tsconfig.json'), 'utf8')}\n`);
    expect(await staleReasonIn(copy)).toBe('tsconfig.json changed since the last build');
    expect((await run(copy, 'bin/build.mjs', ['--if-stale'])).code).toBe(0);
    expect(await staleReasonIn(copy)).toBe('fresh');
  });

  it('copies files that are not TypeScript, so a file read beside its module is there in the build', async () => {
    writeFileSync(path.join(copy, 'src/formats/segment-table.json'), '{"BEG": 1}\n');
    expect((await run(copy, 'bin/build.mjs', ['--if-stale'])).code).toBe(0);
    expect(readFileSync(path.join(copy, 'dist/src/formats/segment-table.json'), 'utf8')).toBe('{"BEG": 1}\n');
    rmSync(path.join(copy, 'src/formats/segment-table.json'));
  });

  it('a source that does not compile: the build fails naming the file and line, and the last build stays', async () => {
    expect((await run(copy, 'bin/build.mjs', ['--if-stale'])).code).toBe(0);
    const before = readFileSync(path.join(copy, 'dist/build.json'), 'utf8');
    const broken = path.join(copy, 'src/progress.ts');
    const good = readFileSync(broken, 'utf8');
    writeFileSync(broken, `${good}\nexport const = ;\n`);
    const result = await run(copy, 'bin/build.mjs', []);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/src\/progress\.ts:\d+:\d+/);
    expect(result.stderr).toMatch(/build failed/);
    expect(readFileSync(path.join(copy, 'dist/build.json'), 'utf8')).toBe(before);
    expect(existsSync(path.join(copy, 'dist/src/cli.js'))).toBe(true);
    writeFileSync(broken, good);
  });
});
