/**
 * A real SFTP server for tests: Debian's OpenSSH `sshd` on a free loopback port, with its own
 * config, host key and client key in a temp folder; the in-process sandbox server when
 * /usr/sbin/sshd is not installed (or when asked for by `kind`).
 *
 * Remote paths in tests are relative (`in/PO.edi`): both servers start the session in the served
 * folder (`internal-sftp -d <root>`; the sandbox's `/`), so that the same test runs against both.
 *
 * @example
 * ```ts
 * let peer: SftpPeer;
 * beforeAll(async () => { peer = await startSftpServer(); });
 * afterAll(() => peer.close());
 * const transport = new SftpTransport('acme', peer.transportConfig({ outboundDir: 'in' }));
 * ```
 */
import { generateEd25519KeyPair } from '../../src/transports/keys.ts';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SftpTransport as SftpTransportSchema, type SftpTransportConfig } from '../../src/config/mapping-schema.ts';
import { startSandboxSftpServer, type SandboxSftpServer } from '../../src/transports/sandbox-sftp-server.ts';

export const SSHD_PATH = '/usr/sbin/sshd';
export const hasOpenSsh = existsSync(SSHD_PATH);

export type SftpPeerKind = 'openssh' | 'sandbox';

export interface SftpPeer {
  kind: SftpPeerKind;
  host: string;
  port: number;
  username: string;
  /** The client key authorised on this server. */
  privateKeyPath: string;
  hostKeyFingerprint: string;
  /** The local path of the served folder. */
  root: string;
  /** A transport config for this server (relative folders `in`, `out` unless overridden). */
  transportConfig(overrides?: Partial<SftpTransportConfig>): SftpTransportConfig;
  /** Logins accepted since the server was first started (to see connection reuse). */
  logins(): number;
  /** Stops the server and its sessions (SIGTERM); `start()` brings it back on the same port. */
  stop(): Promise<void>;
  /** SIGKILLs the server and every session: a crash mid-transfer. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOPs the server and its sessions: connections stay open but nothing answers. */
  freeze(): void;
  thaw(): void;
  /** Stops the server and removes the temp folder. */
  close(): Promise<void>;
}

/** Live peers, killed when the test process exits whatever happened. */
const live = new Set<{ killNow(): void }>();
process.once('exit', () => {
  for (const peer of live) peer.killNow();
});

/** The kinds to parametrise SFTP tests with: both when OpenSSH is installed. */
export function sftpPeerKinds(): SftpPeerKind[] {
  return hasOpenSsh ? ['openssh', 'sandbox'] : ['sandbox'];
}

export async function startSftpServer(options: { kind?: SftpPeerKind } = {}): Promise<SftpPeer> {
  let kind = options.kind ?? 'openssh';
  if (kind === 'openssh' && !hasOpenSsh) {
    console.warn(`sftp tests: ${SSHD_PATH} not found, using the in-process sandbox SFTP server instead`);
    kind = 'sandbox';
  }
  await reapOrphans();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), TEMP_PREFIX));
  await fs.writeFile(path.join(dir, 'owner.pid'), String(process.pid));
  const root = path.join(dir, 'served');
  await fs.mkdir(root);
  try {
    return kind === 'openssh' ? await startOpenSsh(dir, root) : await startSandbox(dir, root);
  } catch (error) {
    await fs.rm(dir, { recursive: true, force: true });
    throw error;
  }
}

const TEMP_PREFIX = 'hub-sftp-';

/**
 * A test process that died hard (out of memory, SIGKILL) cannot stop its sshd: the next run stops
 * any sshd whose owning test process is gone, and removes its folder.
 */
async function reapOrphans(): Promise<void> {
  const tmp = os.tmpdir();
  for (const entry of await fs.readdir(tmp)) {
    if (!entry.startsWith(TEMP_PREFIX)) continue;
    const dir = path.join(tmp, entry);
    const owner = Number(await fs.readFile(path.join(dir, 'owner.pid'), 'utf8').catch(() => 'NaN'));
    if (!Number.isInteger(owner) || isAlive(owner)) continue;
    const sshd = Number(await fs.readFile(path.join(dir, 'sshd.pid'), 'utf8').catch(() => 'NaN'));
    const cmdline = Number.isInteger(sshd) ? await fs.readFile(`/proc/${sshd}/cmdline`, 'utf8').catch(() => '') : '';
    if (cmdline.includes(dir)) {
      for (const pid of [...descendants(sshd), sshd]) signal(pid, 'SIGKILL');
    }
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function baseConfig(peer: Pick<SftpPeer, 'host' | 'port' | 'username' | 'privateKeyPath' | 'hostKeyFingerprint'>) {
  return (overrides: Partial<SftpTransportConfig> = {}): SftpTransportConfig =>
    SftpTransportSchema.parse({
      type: 'sftp',
      host: peer.host,
      port: peer.port,
      username: peer.username,
      privateKey: peer.privateKeyPath,
      hostKey: peer.hostKeyFingerprint,
      outboundDir: 'in',
      inboundDir: 'out',
      processedDir: 'out/processed',
      failedDir: 'out/failed',
      timeoutMs: 5_000,
      ...overrides,
    });
}

// ---- OpenSSH ----------------------------------------------------------------------------------

async function startOpenSsh(dir: string, root: string): Promise<SftpPeer> {
  const hostKeyPath = path.join(dir, 'host_key');
  const privateKeyPath = path.join(dir, 'client_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hub-test-host', '-f', hostKeyPath]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hub-test-client', '-f', privateKeyPath]);
  await fs.copyFile(`${privateKeyPath}.pub`, path.join(dir, 'authorized_keys'));
  const hostKeyFingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${hostKeyPath}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
  const username = os.userInfo().username;
  const isRoot = process.getuid?.() === 0;
  // Privilege separation needs this folder when sshd runs as root.
  if (isRoot) await fs.mkdir('/run/sshd', { recursive: true, mode: 0o755 });

  const port = await freePort();
  const configPath = path.join(dir, 'sshd_config');
  await fs.writeFile(
    configPath,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKeyPath}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'UseDNS no',
      isRoot ? 'PermitRootLogin prohibit-password' : '',
      'Subsystem sftp internal-sftp',
      // Start every session in the served folder (ChrootDirectory would need a root-owned path
      // without world-writable parents, which /tmp is not).
      `ForceCommand internal-sftp -d ${root}`,
      'MaxStartups 100:30:200',
      'MaxSessions 20',
      'LogLevel INFO',
      '',
    ].join('\n'),
  );

  let child: ChildProcess | undefined;
  let stderr = '';
  let loginCount = 0;

  const killTree = (name: NodeJS.Signals): void => {
    const pid = child?.pid;
    if (pid === undefined || child?.exitCode !== null) return;
    for (const p of [...descendants(pid), pid]) signal(p, name);
  };
  const handle = { killNow: () => killTree('SIGKILL') };

  const waitForExit = async (timeoutMs: number): Promise<boolean> => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      current.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  };

  const start = async (): Promise<void> => {
    const proc = spawn(SSHD_PATH, ['-D', '-e', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    live.add(handle);
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (text: string) => {
      loginCount += text.match(/Accepted publickey/g)?.length ?? 0;
      stderr = (stderr + text).slice(-4_000);
    });
    proc.once('exit', () => live.delete(handle));
    await waitForBanner(port, proc, () => stderr);
  };

  const stop = async (): Promise<void> => {
    killTree('SIGCONT');
    killTree('SIGTERM');
    if (!(await waitForExit(5_000))) {
      killTree('SIGKILL');
      await waitForExit(5_000);
    }
  };

  await start();
  const peer: SftpPeer = {
    kind: 'openssh',
    host: '127.0.0.1',
    port,
    username,
    privateKeyPath,
    hostKeyFingerprint,
    root,
    transportConfig: baseConfig({ host: '127.0.0.1', port, username, privateKeyPath, hostKeyFingerprint }),
    logins: () => loginCount,
    stop,
    async kill() {
      killTree('SIGKILL');
      await waitForExit(5_000);
    },
    start,
    freeze: () => killTree('SIGSTOP'),
    thaw: () => killTree('SIGCONT'),
    async close() {
      await stop();
      live.delete(handle);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
  return peer;
}

/** Every process below `pid` (sshd forks a child per connection, which forks the session). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may contain spaces, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  const stack = [pid];
  while (stack.length) {
    for (const child of children.get(stack.pop()!) ?? []) {
      found.push(child);
      stack.push(child);
    }
  }
  return found;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once the port answers with an SSH banner; rejects if sshd exits or 10 s pass. */
async function waitForBanner(port: number, proc: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`sshd exited (${proc.exitCode ?? proc.signalCode}) while starting:\n${stderr()}`);
    }
    const banner = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      const done = (ok: boolean): void => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(1_000, () => done(false));
      socket.once('data', (data) => done(data.toString('latin1').startsWith('SSH-')));
      socket.once('error', () => done(false));
    });
    if (banner) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`sshd did not answer on port ${port} within 10 s:\n${stderr()}`);
}

// ---- sandbox ----------------------------------------------------------------------------------

async function startSandbox(dir: string, root: string): Promise<SftpPeer> {
  const keys = generateEd25519KeyPair();
  const privateKeyPath = path.join(dir, 'client_key');
  await fs.writeFile(privateKeyPath, keys.private, { mode: 0o600 });
  const username = 'hub';
  let server: SandboxSftpServer | undefined;
  let hostKey: string | undefined;
  let port = 0;
  let loginBase = 0;

  const start = async (): Promise<void> => {
    server = await startSandboxSftpServer({
      root,
      users: [{ username, publicKey: keys.public }],
      port,
      ...(hostKey ? { hostKey } : {}),
    });
    hostKey = server.hostKey;
    port = server.port;
  };
  const stop = async (): Promise<void> => {
    if (!server) return;
    loginBase += server.logins();
    await server.close();
    server = undefined;
  };

  await start();
  const first = server!;
  return {
    kind: 'sandbox',
    host: first.host,
    port: first.port,
    username,
    privateKeyPath,
    hostKeyFingerprint: first.hostKeyFingerprint,
    root,
    transportConfig: baseConfig({
      host: first.host,
      port: first.port,
      username,
      privateKeyPath,
      hostKeyFingerprint: first.hostKeyFingerprint,
    }),
    logins: () => loginBase + (server?.logins() ?? 0),
    stop,
    async kill() {
      server?.dropConnections();
      await stop();
    },
    start,
    freeze: () => server?.freeze(),
    thaw: () => server?.thaw(),
    async close() {
      await stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
