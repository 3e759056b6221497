/**
 * Hub processes for the chaos run: `node bin/hub.mjs serve` children (the build in dist/), API-only
 * (HUB_WORKERS=0) or workers, each on its own free port (PORT=0; the URL is read from
 * "hub listening on …" on stderr).
 * Their logs (pino JSON on stdout, stderr) go to one file per process and incarnation.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

export type Role = 'api' | 'worker';

export interface HubProcess {
  name: string;
  role: Role;
  child: ChildProcess | undefined;
  url: string | undefined;
  /** False from the moment it is killed until its replacement is listening. */
  up: boolean;
  incarnation: number;
  logFiles: string[];
  /** Set before we kill or stop it: any other exit is a crash. */
  expectExit: boolean;
}

export interface Crash {
  name: string;
  incarnation: number;
  exit: string;
  stderr: string;
  logFile: string;
}

export interface HubProcessOptions {
  repoRoot: string;
  logDir: string;
  env: Record<string, string>;
  startTimeoutMs?: number;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // gone
    }
  }
});

/** The environment a child gets: ours without the test runner's own markers, plus `env`. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VITEST') || k === 'NODE_ENV' || k === 'TEST') continue;
    base[k] = v;
  }
  return { ...base, ...env };
}

/**
 * Compiles the hub's sources to dist/ when they changed since its last build, so that its processes
 * start from the build (bin/hub.mjs would otherwise run the sources through tsx: correct, but each
 * start slower). A checkout from before the build step has no bin/build.mjs and nothing to build.
 */
export function buildHub(repoRoot: string): void {
  const script = path.join(repoRoot, 'bin/build.mjs');
  if (!existsSync(script)) return;
  const result = spawnSync(process.execPath, [script, '--if-stale'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`the build of the hub in ${repoRoot} failed (node bin/build.mjs)`);
}

/** `hub <args>` to completion (e.g. `retailers create`): stdout, stderr and the exit code. */
export function runHubCommand(options: HubProcessOptions, args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [path.join(options.repoRoot, 'bin/hub.mjs'), ...args], {
    cwd: options.repoRoot,
    env: childEnv(options.env),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status ?? 1, stdout: result.stdout ?? '', stderr: result.stderr ?? String(result.error ?? '') };
}

export class HubProcesses {
  readonly all: HubProcess[] = [];
  /** Processes that exited without being asked to (a hub bug: it must survive its dependencies' outages). */
  readonly crashes: Crash[] = [];
  /** Called after a crash is recorded (the run restarts the process). */
  onCrash: ((proc: HubProcess) => void) | undefined;

  constructor(private readonly options: HubProcessOptions) {}

  add(name: string, role: Role): HubProcess {
    const proc: HubProcess = { name, role, child: undefined, url: undefined, up: false, incarnation: 0, logFiles: [], expectExit: false };
    this.all.push(proc);
    return proc;
  }

  apis(): HubProcess[] {
    return this.all.filter((p) => p.role === 'api' && p.up && p.url);
  }

  /** Every process that is up and listening: worker processes serve the API too. */
  servers(): HubProcess[] {
    return this.all.filter((p) => p.up && p.url);
  }

  /** Starts (or restarts) a process and resolves with its URL once it listens. */
  async start(proc: HubProcess): Promise<string> {
    proc.incarnation++;
    proc.expectExit = false;
    const logFile = path.join(this.options.logDir, `${proc.name}.${proc.incarnation}.log`);
    proc.logFiles.push(logFile);
    const fd = openSync(logFile, 'a');
    const child = spawn(process.execPath, [path.join(this.options.repoRoot, 'bin/hub.mjs'), 'serve'], {
      cwd: this.options.repoRoot,
      env: childEnv({ ...this.options.env, PORT: '0', HUB_WORKERS: proc.role === 'api' ? '0' : '1' }),
      stdio: ['ignore', fd, 'pipe'],
    });
    closeSync(fd);
    live.add(child);
    proc.child = child;
    const errFd = openSync(logFile, 'a');
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${proc.name} did not start within ${this.options.startTimeoutMs ?? 60_000} ms:\n${stderr.slice(-2_000)}`)), this.options.startTimeoutMs ?? 60_000);
      child.stderr!.on('data', (text: string) => {
        try {
          writeSync(errFd, text);
        } catch {
          // the log file is best effort
        }
        stderr = (stderr + text).slice(-20_000);
        const m = /hub listening on (http:\/\/\S+)/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('exit', (code, signal) => {
        live.delete(child);
        try {
          closeSync(errFd);
        } catch {
          // already closed
        }
        if (proc.child === child) proc.up = false;
        clearTimeout(timer);
        if (!proc.expectExit && proc.child === child) {
          this.crashes.push({ name: proc.name, incarnation: proc.incarnation, exit: String(code ?? signal), stderr: stderr.slice(-3_000), logFile });
          this.onCrash?.(proc);
        }
        reject(new Error(`${proc.name} exited (${code ?? signal}) before listening:\n${stderr.slice(-2_000)}`));
      });
    });
    proc.url = url;
    proc.up = true;
    return url;
  }

  /** SIGKILL: no shutdown hooks, leases left to run out, connections cut. */
  async kill(proc: HubProcess): Promise<void> {
    proc.up = false;
    proc.expectExit = true;
    const child = proc.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM (the hub's graceful stop), SIGKILL after `graceMs`. */
  async stopAll(graceMs = 10_000): Promise<void> {
    await Promise.all(
      this.all.map(async (proc) => {
        proc.up = false;
        proc.expectExit = true;
        const child = proc.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
