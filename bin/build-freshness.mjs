// Is the build in dist/ the build of the sources as they are now? Shared by `bin/hub.mjs` (which
// asks on every start, so this stays small: no dependencies, a readdir per folder and a stat per
// file, 1-6 ms for 120 files; `npm run bench -- cli-start` measures it) and `bin/build.mjs` (which
// records what a build was made from).
//
// A build records, in dist/build.json, the size and modification time of every source file it was
// made from. The build is fresh when the same files exist now with the same size and time: an
// edit, a new file, a deleted or renamed one, or a checkout of another branch all make it stale
// (git writes the files it changes, so they get a new time). Not seen: a change that keeps both the
// size and the time of a file, which only happens on purpose (touch -d, tar/cp -p of old copies).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder (this file is bin/build-freshness.mjs). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where the build goes, and its record of the sources it was made from. */
export const DIST = 'dist';
export const MANIFEST = path.join(DIST, 'build.json');

/** Folders compiled to dist/<folder>: TypeScript becomes JavaScript, every other file is copied. */
export const SOURCE_DIRS = ['src', 'migrations'];
/** Files that change the output without being compiled: the compiler options and the build itself. */
export const BUILD_INPUTS = ['tsconfig.json', 'bin/build.mjs', 'bin/build-freshness.mjs'];

/**
 * Calls `visit(rel, stat)` for every source file (rel: relative to root, with forward slashes) until
 * it returns something other than undefined, and returns that. Dot files (editor swap and lock
 * files) are left out. Plain string paths and no intermediate lists: this runs on every start.
 */
function eachSource(root, visit) {
  const file = (rel) => {
    const stat = statSync(`${root}/${rel}`, { throwIfNoEntry: false });
    return stat?.isFile() ? visit(rel, stat) : undefined;
  };
  const walk = (rel) => {
    let entries;
    try {
      entries = readdirSync(`${root}/${rel}`, { withFileTypes: true });
    } catch (error) {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const child = `${rel}/${entry.name}`;
      const found = entry.isDirectory() ? walk(child) : entry.isFile() ? file(child) : undefined;
      if (found !== undefined) return found;
    }
    return undefined;
  };
  for (const dir of SOURCE_DIRS) {
    const found = walk(dir);
    if (found !== undefined) return found;
  }
  for (const rel of BUILD_INPUTS) {
    const found = file(rel);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Every source file, relative to root with forward slashes, mapped to [size, mtimeMs]. */
export function listSources(root = ROOT) {
  const sources = new Map();
  eachSource(root, (rel, stat) => void sources.set(rel, [stat.size, stat.mtimeMs]));
  return sources;
}

/** The record a build writes into dist/build.json. */
export function manifestOf(sources, extra = {}) {
  return { ...extra, sources: Object.fromEntries([...sources].sort(([a], [b]) => (a < b ? -1 : 1))) };
}

/**
 * Why the build cannot be run as it is, in a few plain words ("src/cli.ts changed since the last
 * build"), or undefined when it is fresh. With no src/ folder at all (a package shipped with its
 * build only) the build is taken as it is.
 */
export function staleReason(root = ROOT) {
  if (!statSync(path.join(root, 'src'), { throwIfNoEntry: false })?.isDirectory()) return undefined;
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(path.join(root, MANIFEST), 'utf8')).sources;
  } catch {
    return 'there is no build in dist/';
  }
  if (!recorded || typeof recorded !== 'object') return 'dist/build.json is not a build record';
  let seen = 0;
  const changed = eachSource(root, (rel, stat) => {
    const was = recorded[rel];
    if (!Array.isArray(was)) return `${rel} is new since the last build`;
    seen++;
    if (was[0] !== stat.size || was[1] !== stat.mtimeMs) return `${rel} changed since the last build`;
    return undefined;
  });
  if (changed !== undefined) return changed;
  if (seen !== Object.keys(recorded).length) {
    const now = listSources(root);
    const removed = Object.keys(recorded).find((rel) => !now.has(rel));
    return `${removed ?? 'a source file'} was removed since the last build`;
  }
  return undefined;
}
