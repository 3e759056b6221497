#!/usr/bin/env node
// `npm run bench [-- --json] [name…]`: runs the benchmarks in bench/ and prints their figures.
// The benchmarks that start `hub` processes measure the build in dist/, so it is brought up to date
// first (nothing is done when the sources have not changed). bench/ itself runs through tsx.
import { register } from 'tsx/esm/api';
import { buildIfStale } from './build.mjs';

const built = await buildIfStale();
if (built) console.error(built);
register();
const { runBenchmarks } = await import('../bench/run.ts');
await runBenchmarks(process.argv.slice(2));
