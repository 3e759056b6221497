#!/usr/bin/env node
// `npm run build` (and `npm install` / `npm ci`, through `prepare`): compiles src/ and migrations/
// to JavaScript in dist/, one file per source file, with source maps, so that `hub` starts without
// compiling anything. Type checking is not done here: that is `npm run typecheck`.
//
//   node bin/build.mjs              build now
//   node bin/build.mjs --if-stale   build only when the sources changed since the last build
//
// esbuild turns each .ts/.tsx file into a .js file beside the same path under dist/ (the same
// transform tsx applies when it runs the sources, so the build behaves as the sources do), with
// relative `.ts` import specifiers rewritten to `.js` and every package left to Node. Any other
// file under src/ or migrations/ is copied, so a file read beside its module keeps working.
// The new build is made in a folder of its own and put in place with a rename: a `hub` starting
// meanwhile sees the old build, the new one, or (for the instant between two renames) none and
// runs the sources instead; never half of one.
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST, MANIFEST, ROOT, listSources, manifestOf, staleReason } from './build-freshness.mjs';

const COMPILED = /\.(ts|tsx|mts)$/;

/** esbuild, per file: a relative import of a .ts/.tsx/.mts file becomes .js/.mjs; packages stay imports. */
const rewriteImports = {
  name: 'hub-rewrite-relative-imports',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const relative = args.path.startsWith('./') || args.path.startsWith('../');
      const rewritten = relative ? args.path.replace(/\.(ts|tsx)$/, '.js').replace(/\.mts$/, '.mjs') : args.path;
      return { path: rewritten, external: true };
    });
  },
};

/** Builds dist/ from the sources as they are now; resolves with a one-line summary. */
export async function build({ root = ROOT } = {}) {
  const started = performance.now();
  removeLeftovers(root);
  // The record is taken before compiling: an edit made while the build runs leaves it stale.
  const sources = listSources(root);
  const files = [...sources.keys()].filter((rel) => !rel.startsWith('bin/') && rel !== 'tsconfig.json');
  const entries = files.filter((rel) => COMPILED.test(rel) && !rel.endsWith('.d.ts'));
  const assets = files.filter((rel) => !COMPILED.test(rel));
  const next = path.join(root, `.dist-next-${process.pid}`);
  rmSync(next, { recursive: true, force: true });
  const esbuild = await import('esbuild');
  try {
    await esbuild.build({
      absWorkingDir: root,
      entryPoints: entries,
      outdir: next,
      outbase: '.',
      // Bundling with every import external is how esbuild lets a plugin rewrite import paths: each
      // entry still becomes exactly one output file.
      bundle: true,
      plugins: [rewriteImports],
      platform: 'node',
      format: 'esm',
      target: 'node20',
      tsconfig: path.join(root, 'tsconfig.json'),
      // As tsx does: function and class names kept (error names, stack traces), maps without sources.
      keepNames: true,
      sourcemap: 'linked',
      sourcesContent: false,
      logLevel: 'error',
      logOverride: { 'unsupported-dynamic-import': 'silent' },
    });
    for (const rel of assets) {
      mkdirSync(path.dirname(path.join(next, rel)), { recursive: true });
      copyFileSync(path.join(root, rel), path.join(next, rel));
    }
    writeFileSync(
      path.join(next, path.relative(DIST, MANIFEST)),
      `${JSON.stringify(manifestOf(sources, { builtAt: new Date().toISOString(), esbuild: esbuild.version }), null, 1)}\n`,
    );
    putInPlace(next, path.join(root, DIST));
  } catch (error) {
    rmSync(next, { recursive: true, force: true });
    throw error;
  }
  const ms = Math.round(performance.now() - started);
  return `built ${DIST}/ from ${entries.length} TypeScript files${assets.length ? ` and ${assets.length} copied` : ''} in ${ms} ms (esbuild ${esbuild.version})`;
}

/** Replaces dist/ with the new build by renames; another build finishing at the same time just loses or wins. */
function putInPlace(next, dist) {
  for (let attempt = 0; ; attempt++) {
    const old = `${path.dirname(dist)}/.dist-old-${process.pid}-${attempt}`;
    let moved = false;
    try {
      renameSync(dist, old);
      moved = true;
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    try {
      renameSync(next, dist);
      return;
    } catch (error) {
      // Another build put its dist/ there between our two renames: move that one aside too.
      if (!['ENOTEMPTY', 'EEXIST'].includes(error.code) || attempt >= 10) throw error;
    } finally {
      if (moved) rmSync(old, { recursive: true, force: true });
    }
  }
}

/** Folders left by a build that was killed half-way (its process is gone). */
function removeLeftovers(root) {
  for (const name of readdirSync(root)) {
    const match = /^\.dist-(?:next|old)-(\d+)/.exec(name);
    if (match && !isAlive(Number(match[1]))) rmSync(path.join(root, name), { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Builds when the sources changed since the last build; resolves with what it did, or undefined. */
export async function buildIfStale({ root = ROOT } = {}) {
  const why = staleReason(root);
  if (why === undefined) return undefined;
  return `${why}: ${await build({ root })}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ifStale = process.argv.includes('--if-stale');
  const unknown = process.argv.slice(2).filter((a) => a !== '--if-stale');
  if (unknown.length) {
    console.error(`build: unknown argument ${unknown[0]}\nusage: node bin/build.mjs [--if-stale]`);
    process.exit(2);
  }
  try {
    const done = ifStale ? await buildIfStale() : await build();
    if (done) console.error(done);
  } catch (error) {
    // esbuild has printed each error with its file and line already.
    console.error(`build failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    process.exit(1);
  }
}
