/**
 * The long fuzz run: every property of test/fuzz/properties.ts (the suite's, and those the suite
 * runs elsewhere: X12 random bytes, byte edits, truncations, delimiter swaps; arbitrary adapter
 * bodies) with many more runs. Not a benchmark (bench/run.ts only picks `*.bench.ts`).
 *
 *   npx tsx bench/fuzz-long.ts --runs 100000            all properties, 100000 runs each
 *   npx tsx bench/fuzz-long.ts --only "tracking XML"    the properties whose name contains the text
 *   npx tsx bench/fuzz-long.ts --seed 42                replay a run (the seed is printed)
 *   options: --per-run-ms 5000 (one input slower than this fails), --hang-ms 60000 (a property
 *   silent this long is stopped and reported as a hang), --jobs N (properties run in parallel)
 *
 * Each property runs in a worker thread: a parser stuck in a loop cannot be interrupted from its
 * own thread, so the main thread watches the run counter and stops a silent worker, then
 * regenerates the input it was on from the seed and prints it. Exits 1 on any failure or hang.
 * Expensive properties (huge inputs) get a share of --runs (their `longFactor`).
 */
import os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { allProperties, limits, type FuzzProperty } from '../test/fuzz/properties.ts';

interface Job {
  name: string;
  runs: number;
  seed: number;
  perRunMs: number;
  counter: SharedArrayBuffer;
}

type Message = { kind: 'done'; runs: number; ms: number } | { kind: 'failed'; runs: number; report: string };

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
}

/** Worker side: runs one property, counting runs in shared memory for the watchdog. */
function runJob(job: Job): void {
  limits.perRunMs = job.perRunMs;
  const property = allProperties.find((p) => p.name === job.name)!;
  const counter = new Int32Array(job.counter);
  const started = performance.now();
  const details = fc.check(
    fc.property(property.arbitrary, (input) => {
      Atomics.add(counter, 0, 1);
      property.check(input);
    }),
    { numRuns: job.runs, seed: job.seed },
  );
  const message: Message = details.failed
    ? { kind: 'failed', runs: details.numRuns, report: fc.defaultReportMessage(details) ?? 'failed' }
    : { kind: 'done', runs: details.numRuns, ms: performance.now() - started };
  parentPort!.postMessage(message);
}

/** The input a hung run was on: the same seed generates the same sequence. */
function inputAt(property: FuzzProperty, seed: number, index: number): string {
  const samples = fc.sample(property.arbitrary, { seed, numRuns: index + 1 });
  const value = samples[index];
  const text = typeof value === 'string' ? value : JSON.stringify(value, (_k, v) => (Buffer.isBuffer(v) ? v.toString('latin1') : v));
  return text.length > 2_000 ? `${text.slice(0, 2_000)}… (${text.length} characters)` : text;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = Number(option(args, 'runs') ?? 10_000);
  const seed = Number(option(args, 'seed') ?? Date.now() % 2 ** 31);
  const only = option(args, 'only');
  const perRunMs = Number(option(args, 'per-run-ms') ?? 5_000);
  // At least the time a worker needs to start (tsx compiles the sources first).
  const hangMs = Math.max(5_000, Number(option(args, 'hang-ms') ?? 60_000));
  const jobs = Number(option(args, 'jobs') ?? Math.max(1, os.availableParallelism()));
  const properties = allProperties.filter((p) => !only || p.name.includes(only));
  console.log(`fuzz-long: ${properties.length} properties, --runs ${runs}, seed ${seed}, ${jobs} at a time, per-run limit ${perRunMs} ms`);

  let bad = 0;
  const queue = [...properties];
  const runOne = async (property: FuzzProperty): Promise<void> => {
    const job: Job = { name: property.name, runs: Math.max(1, Math.round(runs * (property.longFactor ?? 1))), seed, perRunMs, counter: new SharedArrayBuffer(4) };
    const counter = new Int32Array(job.counter);
    // A worker does not inherit tsx's loader: register it, then load this file as the worker.
    const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const worker = new Worker(boot, { eval: true, workerData: job });
    const started = performance.now();
    const outcome = await new Promise<Message | { kind: 'hang' | 'crash'; runs: number; error?: string }>((resolve) => {
      let seen = -1;
      let quietSince = performance.now();
      const watchdog = setInterval(() => {
        const now = Atomics.load(counter, 0);
        if (now !== seen) {
          seen = now;
          quietSince = performance.now();
        } else if (performance.now() - quietSince > hangMs) {
          clearInterval(watchdog);
          void worker.terminate();
          resolve({ kind: 'hang', runs: now });
        }
      }, 250);
      worker.once('message', (m: Message) => {
        clearInterval(watchdog);
        resolve(m);
      });
      worker.once('error', (error) => {
        clearInterval(watchdog);
        resolve({ kind: 'crash', runs: Atomics.load(counter, 0), error: String(error?.stack ?? error) });
      });
    });
    await worker.terminate();
    const ms = performance.now() - started;
    const line = `${property.name}: ${outcome.runs} runs, ${(ms / 1000).toFixed(1)} s`;
    if (outcome.kind === 'done') {
      console.log(`  ok    ${line}`);
      return;
    }
    bad++;
    if (outcome.kind === 'failed') console.log(`  FAIL  ${line}\n${outcome.report.replace(/^/gm, '        ')}`);
    else if (outcome.kind === 'hang') {
      console.log(`  HANG  ${line}: no progress for ${hangMs} ms on run ${outcome.runs} (seed ${seed})`);
      if (outcome.runs > 0) console.log(`        input (regenerated from the seed): ${inputAt(property, seed, outcome.runs - 1)}`);
    } else console.log(`  CRASH ${line}: ${outcome.error}`);
  };
  await Promise.all(
    Array.from({ length: Math.min(jobs, queue.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await runOne(next);
    }),
  );
  console.log(bad ? `fuzz-long: ${bad} of ${properties.length} properties failed` : `fuzz-long: all ${properties.length} properties held`);
  process.exitCode = bad ? 1 : 0;
}

if (isMainThread) await main();
else runJob(workerData as Job);
