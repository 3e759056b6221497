/**
 * The short chaos run (bench/chaos/run.ts, docs/chaos.md) as a test: the hub as separate processes
 * on real PostgreSQL and a real OpenSSH server, with hub processes SIGKILLed and sshd restarted
 * while orders flow; the run checks its invariants itself and exits non-zero on any violation.
 *
 * PostgreSQL is NOT restarted here (`--no-pg-restart`): the other test files of the same vitest run
 * use that server at the same time and would fail. `npm run chaos` restarts it by default.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SSHD = '/usr/sbin/sshd';
const missing = !process.env.DATABASE_URL
  ? 'DATABASE_URL is not set (the chaos run needs a real PostgreSQL)'
  : !existsSync(SSHD)
    ? `${SSHD} is not installed (the chaos run needs a real OpenSSH server: apt-get install openssh-server)`
    : undefined;
if (missing) console.warn(`chaos test skipped: ${missing}`);

function runChaos(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/chaos/run.ts'), ...args], {
      cwd: ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (output += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (output += t));
    // The runner cleans up (children, sshd, schema) on SIGTERM.
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe.skipIf(missing !== undefined)('chaos run (short)', () => {
  it(
    'loses, duplicates and re-sends nothing while hub processes are killed and sshd restarts',
    async () => {
      const { code, output } = await runChaos(
        ['--orders', '60', '--kills', '2', '--sshd-restarts', '1', '--no-pg-restart', '--rate', '10', '--timeout', '120'],
        165_000,
      );
      if (code !== 0) console.error(output);
      expect(output).toContain('=== chaos run summary ===');
      expect(output).toMatch(/violations:\s+0/);
      expect(code).toBe(0);
    },
    175_000,
  );
});
