import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DATABASE_URL } from './db.ts';

/**
 * The `hub` command as users run it: the build in dist/, which test/global-setup.ts brings up to
 * date before the tests; should the sources change during the run, bin/hub.mjs runs them through
 * tsx rather than the stale build, so a process here always runs the code under test.
 */
const HUB_BIN = fileURLToPath(new URL('../../bin/hub.mjs', import.meta.url));

export interface HubProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGKILL, and wait until the process is gone. */
  kill(): Promise<void>;
  /** Resolves with the exit code (or signal) once the process ends. */
  exited: Promise<number | string>;
}

/** The database a set of hub processes share: a fresh PostgreSQL schema, or a PGlite folder. */
export function processDatabaseEnv(dataDir: string): { env: Record<string, string>; drop(): Promise<void> } {
  if (!DATABASE_URL) return { env: { HUB_DATA_DIR: dataDir }, drop: async () => {} };
  const schema = `p_${randomBytes(6).toString('hex')}`;
  return {
    env: { DATABASE_URL, HUB_DB_SCHEMA: schema },
    async drop() {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

/** Runs a `hub` command to completion; returns its exit code and output. */
export function runHub(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HUB_BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

/** Starts `hub serve` on a free port and waits until it listens. */
export async function startHubProcess(env: Record<string, string>): Promise<HubProcess> {
  const child = spawn(process.execPath, [HUB_BIN, 'serve'], {
    env: { ...process.env, LOG_LEVEL: 'warn', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start:\n${output}`)), 30_000);
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = output.match(/hub listening on (http:\/\/[^\s]+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited (${code}) before listening:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
