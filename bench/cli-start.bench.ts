/**
 * How fast `hub` starts. `hub --help` runs the build in dist/ (bin/hub.mjs: a freshness check, then
 * dist/src/cli.js alone, each command's modules being imported only when it runs); its peer is a
 * bare `node -e ""`, spawned the same way in the same rounds (interleaved, after the same warm-up),
 * medians of BENCH_CLI_RUNS runs (default 21). For reference, fewer runs (BENCH_CLI_TSX_RUNS,
 * default 5): the same `hub --help` when the sources are newer than the build (the sources through
 * tsx), the start before the build step (tsx, and cli.ts importing the whole hub), and the whole
 * hub loaded as every command but --help loads it, compiled beside the same through tsx. Last, the
 * cost of the freshness check itself, timed inside the process.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark, Figure } from './run.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 21);
const TSX_RUNS = Number(process.env.BENCH_CLI_TSX_RUNS ?? 5);
const WARM_UP = 3;
const url = (rel: string) => pathToFileURL(path.join(ROOT, rel)).href;

/** A command line after `node`, and the text its stdout must start with (so a failure is not timed as a start). */
interface Start {
  name: string;
  args: string[];
  expect?: string;
}

const BARE: Start = { name: 'node -e ""', args: ['-e', ''] };
const HELP: Start = { name: 'hub --help (build)', args: [path.join(ROOT, 'bin/hub.mjs'), '--help'], expect: 'usage: hub' };
/** What bin/hub.mjs does when the sources are newer than the build. */
const HELP_TSX: Start = {
  name: 'hub --help (sources through tsx)',
  args: ['--input-type=module', '-e', `const { register } = await import('tsx/esm/api'); register(); const { main } = await import(${JSON.stringify(url('src/cli.ts'))}); await main(['--help']);`],
  expect: 'usage: hub',
};
/** Before the build step: tsx, and a cli.ts that imported main.ts (the whole hub) before reading its arguments. */
const HELP_BEFORE: Start = {
  name: 'hub --help before the build step (tsx, whole hub imported)',
  args: ['--input-type=module', '-e', `const { register } = await import('tsx/esm/api'); register(); await import(${JSON.stringify(url('src/main.ts'))}); const { main } = await import(${JSON.stringify(url('src/cli.ts'))}); await main(['--help']);`],
  expect: 'usage: hub',
};
const LOAD_BUILD: Start = {
  name: 'whole hub loaded (build)',
  args: ['--input-type=module', '-e', `process.setSourceMapsEnabled(true); await import(${JSON.stringify(url('dist/src/main.js'))}); console.log('loaded');`],
  expect: 'loaded',
};
const LOAD_TSX: Start = {
  name: 'whole hub loaded (tsx)',
  args: ['--input-type=module', '-e', `const { register } = await import('tsx/esm/api'); register(); await import(${JSON.stringify(url('src/main.ts'))}); console.log('loaded');`],
  expect: 'loaded',
};

/** Spawns `node …args` and resolves with the milliseconds from spawn to exit. */
function timeStart(start: Start): Promise<number> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = spawn(process.execPath, start.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - began;
      if (code !== 0 || (start.expect && !stdout.startsWith(start.expect)) || (start === HELP && stderr !== '')) {
        reject(new Error(`${start.name}: exit ${code}\n${stdout.slice(0, 500)}${stderr.slice(0, 2_000)}`));
      } else resolve(ms);
    });
  });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Warm-up rounds, then `runs` rounds; each round starts every command once, one after another. */
async function measure(starts: Start[], runs: number, warmUp: number): Promise<Map<Start, number>> {
  const times = new Map<Start, number[]>(starts.map((s) => [s, []]));
  for (let round = 0; round < warmUp + runs; round++) {
    for (const start of starts) {
      const ms = await timeStart(start);
      if (round >= warmUp) times.get(start)!.push(ms);
    }
  }
  return new Map([...times].map(([start, ms]) => [start, median(ms)]));
}

/**
 * The freshness check bin/hub.mjs runs once per start, timed inside a process: its first call (what
 * a start pays) and then the median of 200 more; each figure the median over `processes` processes.
 */
async function freshnessCheck(processes: number): Promise<{ first: number; median: number; files: number }> {
  const probe = `
    const { staleReason, listSources } = await import(${JSON.stringify(url('bin/build-freshness.mjs'))});
    let t = performance.now(); staleReason(); const first = performance.now() - t;
    const runs = [];
    for (let i = 0; i < 200; i++) { t = performance.now(); staleReason(); runs.push(performance.now() - t); }
    runs.sort((a, b) => a - b);
    console.log(JSON.stringify({ first, median: runs[100], files: listSources().size }));`;
  const once = () =>
    new Promise<{ first: number; median: number; files: number }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', probe], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`freshness probe exited ${code}`))));
    });
  const results = [];
  for (let i = 0; i < processes; i++) results.push(await once());
  return { first: median(results.map((r) => r.first)), median: median(results.map((r) => r.median)), files: results[0]!.files };
}

const NAME = 'cli-start';

const bench: Benchmark = {
  name: NAME,
  async run() {
    const main = await measure([BARE, HELP], RUNS, WARM_UP);
    const node = main.get(BARE)!;
    const reference = await measure([BARE, HELP_TSX, HELP_BEFORE, LOAD_BUILD, LOAD_TSX], TSX_RUNS, 1);
    const nodeRef = reference.get(BARE)!;
    const check = await freshnessCheck(7);
    const figures: Figure[] = [
      { bench: NAME, metric: `hub --help, median of ${RUNS}`, value: main.get(HELP)!, unit: 'ms', peer: { name: 'node -e ""', value: node } },
      { bench: NAME, metric: 'hub --help, sources through tsx (stale build)', value: reference.get(HELP_TSX)!, unit: 'ms', peer: { name: 'node -e ""', value: nodeRef } },
      { bench: NAME, metric: 'hub --help before the build step (tsx)', value: reference.get(HELP_BEFORE)!, unit: 'ms', peer: { name: 'node -e ""', value: nodeRef } },
      { bench: NAME, metric: 'whole hub loaded, build', value: reference.get(LOAD_BUILD)!, unit: 'ms', peer: { name: 'through tsx', value: reference.get(LOAD_TSX)! } },
      { bench: NAME, metric: `freshness check, ${check.files} files (first call in a process)`, value: check.first, unit: 'ms' },
      { bench: NAME, metric: `freshness check, ${check.files} files (later calls)`, value: check.median, unit: 'ms' },
    ];
    return figures;
  },
};

export default bench;
