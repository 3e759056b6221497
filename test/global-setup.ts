/**
 * vitest's global setup: before any test file runs, compile src/ to dist/ if the sources changed
 * since the last build (`node bin/build.mjs --if-stale`: a stat per source file when nothing
 * changed, about a second when something did). The tests that spawn `hub` processes (test/cli,
 * test/process, test/demo, test/chaos) then run the code under test, compiled as users run it.
 * A stale build could not make them pass or fail wrongly anyway: bin/hub.mjs never runs one (it
 * runs the sources through tsx instead, with a notice); this keeps those starts fast. In watch mode
 * the check runs again before every rerun. Tests that import src/ are unaffected: vitest compiles
 * the TypeScript itself.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const BUILD = fileURLToPath(new URL('../bin/build.mjs', import.meta.url));

function buildIfStale(): void {
  execFileSync(process.execPath, [BUILD, '--if-stale'], { stdio: 'inherit' });
}

export default function setup(project: TestProject): void {
  buildIfStale();
  project.onTestsRerun(async () => buildIfStale());
}
