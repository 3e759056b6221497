#!/usr/bin/env node
// The `hub` command. It runs the compiled JavaScript in dist/ (`npm run build`, which `npm install`
// and `npm ci` run). When the sources have changed since that build (an edit, a checkout), it does
// not run the stale build: it runs the TypeScript sources through tsx instead, with a one-line
// notice on stderr, and `npm run build` makes the fast start come back. The check costs a stat per
// source file, a few milliseconds (bin/build-freshness.mjs; `npm run bench -- cli-start`).
import { staleReason } from './build-freshness.mjs';

const why = staleReason();
let main;
if (why === undefined) {
  // Stack traces (pino's error logs, crashes) name the TypeScript file and line, not dist/.
  process.setSourceMapsEnabled(true);
  ({ main } = await import('../dist/src/cli.js'));
} else {
  process.stderr.write(`hub: ${why}; running the TypeScript sources through tsx (slower to start; \`npm run build\` compiles them again)\n`);
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli.ts'));
}
await main(process.argv.slice(2));
