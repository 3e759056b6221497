/**
 * An in-process SFTP server over a local folder, for the demo's sandbox suppliers and for tests on
 * machines without OpenSSH. It is a real SSH server (ssh2's `Server`) with its own host key, whose
 * fingerprint clients pin exactly as they would a supplier's, and public-key or password logins.
 *
 * The SFTP protocol (version 3, as OpenSSH speaks it) is the hub's own (src/transports/sftp-server/,
 * shared with the mailbox) rather than ssh2's server-mode SFTP, so that it can advertise
 * `posix-rename@openssh.com`, which the hub relies on for atomic delivery. Here it serves a folder on
 * disk: every path is resolved inside the user's root, `..` stops at `/`, and a symlink pointing
 * outside is refused.
 *
 * @example
 * ```ts
 * const server = await startSandboxSftpServer({
 *   root: './.hub/sandbox/acme', users: [{ username: 'hub', password: 'secret' }],
 * });
 * // transport config: { host: server.host, port: server.port, hostKey: server.hostKeyFingerprint, ... }
 * await server.close();
 * ```
 */
import { timingSafeEqual } from 'node:crypto';
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
// ssh2 is CommonJS: Node's ESM loader sees only its default export.
import ssh2, { type Connection, type ParsedKey } from 'ssh2';

const { Server, utils } = ssh2;
import { sshFingerprint } from './host-key.ts';
import { generateEd25519KeyPair } from './keys.ts';
import type { DirEntry, OpenRequest, SftpFile, SftpFileSystem } from './sftp-server/file-system.ts';
import { type FileAttrs, permissionDenied, unsupported, failure, noSuchFile } from './sftp-server/protocol.ts';
import { SftpSession, openFlags } from './sftp-server/session.ts';
import type { TransportLogger } from './transport.ts';

export interface SandboxUser {
  username: string;
  /** An OpenSSH public key line (`ssh-ed25519 AAAA… comment`) allowed to log in as this user. */
  publicKey?: string | Buffer;
  password?: string;
  /** This user's root folder; default: the server's `root`. */
  root?: string;
}

export interface SandboxSftpServerOptions {
  /** The local folder served as `/`. Created if missing. */
  root: string;
  users: SandboxUser[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** A private host key (OpenSSH or PEM). Default: a new ed25519 key. Pass the previous one to restart "the same" server. */
  hostKey?: string;
  logger?: TransportLogger;
}

export interface SandboxSftpServer {
  host: string;
  port: number;
  /** `SHA256:…`, as `ssh-keyscan -p PORT host | ssh-keygen -lf -` would print it. */
  hostKeyFingerprint: string;
  /** The private host key, to restart a server with the same identity. */
  hostKey: string;
  /** Logins accepted so far. */
  logins(): number;
  /** Stops answering: open connections stop being read and new ones wait (like a SIGSTOPped sshd). */
  freeze(): void;
  thaw(): void;
  /** Drops every open connection at once (like a crashed server). The listener stays up. */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startSandboxSftpServer(options: SandboxSftpServerOptions): Promise<SandboxSftpServer> {
  const logger = options.logger ?? { debug() {}, warn() {} };
  const hostKey = options.hostKey ?? generateEd25519KeyPair().private;
  const parsedHostKey = parseOne(hostKey, 'hostKey');
  const hostKeyFingerprint = sshFingerprint(parsedHostKey.getPublicSSH());
  await fs.mkdir(options.root, { recursive: true });

  const users = await Promise.all(
    options.users.map(async (user) => {
      const root = path.resolve(user.root ?? options.root);
      await fs.mkdir(root, { recursive: true });
      return {
        ...user,
        root: await fs.realpath(root),
        key: user.publicKey === undefined ? undefined : parseOne(user.publicKey, `publicKey of ${user.username}`),
      };
    }),
  );

  const sockets = new Set<net.Socket>();
  const held: net.Socket[] = [];
  let frozen = false;
  let logins = 0;

  const ssh = new Server({ hostKeys: [hostKey] }, (client: Connection) => {
    let user: (typeof users)[number] | undefined;
    client.on('error', (error) => logger.debug({ error: error.message }, 'sandbox sftp: client error'));
    client.on('authentication', (ctx) => {
      const candidate = users.find((u) => u.username === ctx.username);
      if (ctx.method === 'password' && candidate?.password !== undefined && sameSecret(ctx.password, candidate.password)) {
        user = candidate;
        ctx.accept();
        return;
      }
      if (ctx.method === 'publickey' && candidate?.key && ctx.key.data.equals(candidate.key.getPublicSSH())) {
        // Without a signature the client only asks whether this key would do.
        if (!ctx.signature || (ctx.blob && candidate.key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true)) {
          user = candidate;
          ctx.accept();
          return;
        }
      }
      ctx.reject(['publickey', 'password']);
    });
    client.on('ready', () => {
      logins++;
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('subsystem', (accept, reject, info) => {
          if (info.name !== 'sftp' || !user) {
            reject();
            return;
          }
          new SftpSession(accept(), new FolderFileSystem(user.root), { logger });
        });
      });
    });
  });

  const listener = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (frozen) held.push(socket);
    else ssh.injectSocket(socket);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options.port ?? 0, host, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  const address = listener.address() as net.AddressInfo;

  return {
    host,
    port: address.port,
    hostKeyFingerprint,
    hostKey,
    logins: () => logins,
    freeze() {
      frozen = true;
      for (const socket of sockets) socket.pause();
    },
    thaw() {
      frozen = false;
      for (const socket of sockets) if (!held.includes(socket)) socket.resume();
      for (const socket of held.splice(0)) ssh.injectSocket(socket);
    },
    dropConnections() {
      for (const socket of sockets) socket.destroy();
    },
    async close() {
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function parseOne(key: string | Buffer, what: string): ParsedKey {
  const parsed = utils.parseKey(key);
  const first = Array.isArray(parsed) ? (parsed[0] as ParsedKey | undefined) : parsed;
  if (!first || first instanceof Error) {
    throw new Error(`sandbox sftp: cannot read ${what}${first instanceof Error ? `: ${first.message}` : ''}`);
  }
  return first;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

// ---- the served folder ------------------------------------------------------------------------

function attrsOf(stats: Stats): FileAttrs {
  return {
    size: stats.size,
    uid: stats.uid,
    gid: stats.gid,
    mode: stats.mode,
    atime: Math.floor(stats.atimeMs / 1000),
    mtime: Math.floor(stats.mtimeMs / 1000),
  };
}

/** A folder on disk as an SFTP tree: the user's root is `/`, and nothing outside it is reachable. */
class FolderFileSystem implements SftpFileSystem {
  constructor(private readonly root: string) {}

  async realpath(clientPath: string): Promise<string> {
    return (await this.resolve(clientPath)).virtual;
  }

  async stat(clientPath: string, follow: boolean): Promise<FileAttrs> {
    const target = await this.resolve(clientPath);
    return attrsOf(follow ? await fs.stat(target.real) : await fs.lstat(target.real));
  }

  async setstat(clientPath: string, attrs: FileAttrs): Promise<void> {
    const target = await this.resolve(clientPath);
    await applyAttrs(attrs, {
      chmod: (mode) => fs.chmod(target.real, mode),
      truncate: (size) => fs.truncate(target.real, size),
      utimes: (a, m) => fs.utimes(target.real, a, m),
    });
  }

  async open(clientPath: string, request: OpenRequest): Promise<SftpFile> {
    const target = await this.resolve(clientPath);
    const file = await fs.open(target.real, openFlags(request), request.attrs.mode === undefined ? 0o644 : request.attrs.mode & 0o777);
    return {
      async read(offset, length) {
        const buffer = Buffer.allocUnsafe(length);
        const { bytesRead } = await file.read(buffer, 0, length, offset);
        return bytesRead === 0 ? undefined : buffer.subarray(0, bytesRead);
      },
      async write(offset, data) {
        let written = 0;
        while (written < data.length) {
          const { bytesWritten } = await file.write(data, written, data.length - written, offset + written);
          written += bytesWritten;
        }
      },
      stat: async () => attrsOf(await file.stat()),
      setstat: (attrs) =>
        applyAttrs(attrs, {
          chmod: (mode) => file.chmod(mode),
          truncate: (size) => file.truncate(size),
          utimes: (a, m) => file.utimes(a, m),
        }),
      close: () => file.close(),
      abort: () => file.close(),
    };
  }

  async opendir(clientPath: string) {
    const target = await this.resolve(clientPath);
    const names = await fs.readdir(target.real);
    const entries: DirEntry[] = [];
    for (const name of ['.', '..', ...names]) {
      const stats = await fs.lstat(path.join(target.real, name)).catch(() => undefined);
      if (stats) entries.push({ name, attrs: attrsOf(stats) });
    }
    let next = 0;
    return {
      async read(max: number) {
        const batch = entries.slice(next, next + max);
        next += batch.length;
        return batch.length ? batch : undefined;
      },
      async close() {},
    };
  }

  async remove(clientPath: string): Promise<void> {
    await fs.unlink((await this.resolve(clientPath)).real);
  }

  async mkdir(clientPath: string, attrs: FileAttrs): Promise<void> {
    const target = await this.resolve(clientPath);
    await fs.mkdir(target.real, { mode: attrs.mode === undefined ? 0o755 : attrs.mode & 0o777 });
  }

  async rmdir(clientPath: string): Promise<void> {
    await fs.rmdir((await this.resolve(clientPath)).real);
  }

  async rename(fromPath: string, toPath: string, replace: boolean): Promise<void> {
    const from = await this.resolve(fromPath);
    const to = await this.resolve(toPath);
    // Plain SFTP rename does not replace an existing file (OpenSSH behaves the same).
    if (!replace && (await exists(to.real))) throw failure();
    await fs.rename(from.real, to.real);
  }

  async readlink(): Promise<string> {
    throw unsupported();
  }

  async symlink(): Promise<void> {
    throw unsupported();
  }

  /**
   * A client path as a path inside the root. `..` cannot climb above `/`; a path that resolves
   * (through a symlink) outside the root is refused.
   */
  private async resolve(clientPath: string): Promise<{ virtual: string; real: string }> {
    if (clientPath.includes('\0')) throw noSuchFile();
    const virtual = path.posix.resolve('/', clientPath);
    const real = path.join(this.root, ...virtual.split('/').filter(Boolean));
    const resolved =
      (await fs.realpath(real).catch(() => undefined)) ??
      (await fs.realpath(path.dirname(real)).catch(() => undefined));
    if (resolved !== undefined && resolved !== this.root && !resolved.startsWith(this.root + path.sep)) {
      throw permissionDenied();
    }
    return { virtual, real };
  }
}

async function applyAttrs(
  attrs: FileAttrs,
  apply: {
    chmod(mode: number): Promise<void>;
    truncate(size: number): Promise<void>;
    utimes(atime: number, mtime: number): Promise<void>;
  },
): Promise<void> {
  if (attrs.mode !== undefined) await apply.chmod(attrs.mode & 0o7777);
  if (attrs.size !== undefined) await apply.truncate(attrs.size);
  if (attrs.atime !== undefined && attrs.mtime !== undefined) await apply.utimes(attrs.atime, attrs.mtime);
}

async function exists(real: string): Promise<boolean> {
  return fs.lstat(real).then(
    () => true,
    () => false,
  );
}
