#!/usr/bin/env node
// `npm run bench [-- --json] [name…]`: runs the benchmarks in bench/ and prints their figures.
import { register } from 'tsx/esm/api';

register();
const { runBenchmarks } = await import('../bench/run.ts');
await runBenchmarks(process.argv.slice(2));
