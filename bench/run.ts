/**
 * The benchmark runner behind `npm run bench`. Each `bench/*.bench.ts` default-exports a Benchmark;
 * figures are printed, never judged. `--json` prints one JSON object a line:
 * {"bench","metric","value","unit","peer":{"name","value"}}. Extra arguments pick benchmarks by name.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export interface Figure {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  /** A baseline measured in the same run, where the figure has one. */
  peer?: { name: string; value: number };
}

export interface Benchmark {
  name: string;
  /** What the benchmark needs; it is skipped with a message when absent (e.g. DATABASE_URL). */
  requires?: () => string | undefined;
  run(): Promise<Figure[]>;
}

function format(figure: Figure): string {
  const value = Number.isInteger(figure.value) ? String(figure.value) : figure.value.toFixed(2);
  const peer = figure.peer
    ? `   (${figure.peer.name}: ${Number.isInteger(figure.peer.value) ? figure.peer.value : figure.peer.value.toFixed(2)} ${figure.unit}; ratio ${(figure.value / (figure.peer.value || Number.NaN)).toFixed(2)})`
    : '';
  return `  ${figure.metric.padEnd(48)} ${value.padStart(12)} ${figure.unit}${peer}`;
}

export async function runBenchmarks(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const wanted = args.filter((a) => !a.startsWith('--'));
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const files = (await readdir(dir)).filter((f) => f.endsWith('.bench.ts')).sort();
  for (const file of files) {
    const bench = (await import(path.join(dir, file))).default as Benchmark;
    if (wanted.length && !wanted.some((w) => bench.name.includes(w))) continue;
    const missing = bench.requires?.();
    if (missing) {
      if (!json) console.log(`${bench.name}: skipped (${missing})`);
      continue;
    }
    if (!json) console.log(`${bench.name}`);
    const figures = await bench.run();
    for (const figure of figures) console.log(json ? JSON.stringify(figure) : format(figure));
  }
}
