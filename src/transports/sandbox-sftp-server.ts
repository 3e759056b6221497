/**
 * An in-process SFTP server over a local folder, for the demo's sandbox suppliers and for tests on
 * machines without OpenSSH. It is a real SSH server (ssh2's `Server`) with its own host key, whose
 * fingerprint clients pin exactly as they would a supplier's, and public-key or password logins.
 *
 * The SFTP protocol (version 3, as OpenSSH speaks it) is implemented here rather than with ssh2's
 * server-mode SFTP so that it can advertise `posix-rename@openssh.com`, which the hub relies on for
 * atomic delivery. Every path is resolved inside the user's root: `..` stops at `/`, and a symlink
 * pointing outside is refused.
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
import { constants as fsConstants, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
// ssh2 is CommonJS: Node's ESM loader sees only its default export.
import ssh2, { type Connection, type ParsedKey, type ServerChannel } from 'ssh2';

const { Server, utils } = ssh2;
import { sshFingerprint } from './host-key.ts';
import { generateEd25519KeyPair } from './keys.ts';
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
          new SftpSession(accept(), user.root, logger);
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

// ---- SFTP version 3 (draft-ietf-secsh-filexfer-02), server side -------------------------------

const REQUEST = {
  INIT: 1,
  OPEN: 3,
  CLOSE: 4,
  READ: 5,
  WRITE: 6,
  LSTAT: 7,
  FSTAT: 8,
  SETSTAT: 9,
  FSETSTAT: 10,
  OPENDIR: 11,
  READDIR: 12,
  REMOVE: 13,
  MKDIR: 14,
  RMDIR: 15,
  REALPATH: 16,
  STAT: 17,
  RENAME: 18,
  EXTENDED: 200,
} as const;

const RESPONSE = { VERSION: 2, STATUS: 101, HANDLE: 102, DATA: 103, NAME: 104, ATTRS: 105 } as const;

const STATUS = { OK: 0, EOF: 1, NO_SUCH_FILE: 2, PERMISSION_DENIED: 3, FAILURE: 4, BAD_MESSAGE: 5, OP_UNSUPPORTED: 8 } as const;

const OPEN_FLAG = { READ: 0x01, WRITE: 0x02, APPEND: 0x04, CREAT: 0x08, TRUNC: 0x10, EXCL: 0x20 } as const;

const ATTR = { SIZE: 0x01, UIDGID: 0x02, PERMISSIONS: 0x04, ACMODTIME: 0x08, EXTENDED: 0x80000000 } as const;

/** The largest packet accepted (OpenSSH's limit). */
const MAX_PACKET = 256 * 1024;
const MAX_READ = 64 * 1024;
const READDIR_BATCH = 100;

interface Attrs {
  size?: number;
  mode?: number;
  atime?: number;
  mtime?: number;
}

type Handle =
  | { kind: 'file'; file: fs.FileHandle }
  | { kind: 'dir'; entries: { name: string; stats: Stats }[]; next: number };

/** A request the session answers with a status rather than dropping the connection. */
class SftpStatus extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

class Reader {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}

  u8(): number {
    this.need(1);
    return this.buffer.readUInt8(this.offset++);
  }

  u32(): number {
    this.need(4);
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  u64(): number {
    this.need(8);
    const value = this.buffer.readBigUInt64BE(this.offset);
    this.offset += 8;
    return Number(value);
  }

  bytes(): Buffer {
    const length = this.u32();
    this.need(length);
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  text(): string {
    return this.bytes().toString('utf8');
  }

  attrs(): Attrs {
    const flags = this.u32();
    const attrs: Attrs = {};
    if (flags & ATTR.SIZE) attrs.size = this.u64();
    if (flags & ATTR.UIDGID) {
      this.u32();
      this.u32();
    }
    if (flags & ATTR.PERMISSIONS) attrs.mode = this.u32();
    if (flags & ATTR.ACMODTIME) {
      attrs.atime = this.u32();
      attrs.mtime = this.u32();
    }
    if (flags & ATTR.EXTENDED) {
      const count = this.u32();
      for (let i = 0; i < count; i++) {
        this.bytes();
        this.bytes();
      }
    }
    return attrs;
  }

  private need(length: number): void {
    if (this.offset + length > this.buffer.length) throw new SftpStatus(STATUS.BAD_MESSAGE, 'malformed packet');
  }
}

function u32(value: number): Buffer {
  const buffer = Buffer.allocUnsafe(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}

function u64(value: number): Buffer {
  const buffer = Buffer.allocUnsafe(8);
  buffer.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(value))));
  return buffer;
}

function str(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([u32(bytes.length), bytes]);
}

function encodeAttrs(stats: Stats | undefined): Buffer {
  if (!stats) return u32(0);
  return Buffer.concat([
    u32(ATTR.SIZE | ATTR.UIDGID | ATTR.PERMISSIONS | ATTR.ACMODTIME),
    u64(stats.size),
    u32(stats.uid),
    u32(stats.gid),
    u32(stats.mode),
    u32(Math.floor(stats.atimeMs / 1000)),
    u32(Math.floor(stats.mtimeMs / 1000)),
  ]);
}

function longname(name: string, stats: Stats): string {
  const type = stats.isDirectory() ? 'd' : stats.isSymbolicLink() ? 'l' : '-';
  const bits = 'rwxrwxrwx'
    .split('')
    .map((c, i) => (stats.mode & (1 << (8 - i)) ? c : '-'))
    .join('');
  const date = new Date(stats.mtimeMs).toUTCString().slice(5, 22); // "01 Jan 2026 10:00"
  return `${type}${bits}    1 ${String(stats.uid).padEnd(8)} ${String(stats.gid).padEnd(8)} ${String(stats.size).padStart(8)} ${date} ${name}`;
}

function statusFromError(error: unknown): SftpStatus {
  if (error instanceof SftpStatus) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new SftpStatus(STATUS.NO_SUCH_FILE, 'No such file');
    case 'EACCES':
    case 'EPERM':
      return new SftpStatus(STATUS.PERMISSION_DENIED, 'Permission denied');
    default:
      return new SftpStatus(STATUS.FAILURE, 'Failure');
  }
}

/** One SFTP subsystem channel: reads framed requests, answers them one at a time, in order. */
class SftpSession {
  private pending: Buffer = Buffer.alloc(0);
  private queue: Promise<void> = Promise.resolve();
  private readonly handles = new Map<string, Handle>();
  private nextHandle = 1;
  private ended = false;

  constructor(
    private readonly channel: ServerChannel,
    private readonly root: string,
    private readonly logger: TransportLogger,
  ) {
    channel.on('data', (chunk: Buffer) => this.receive(chunk));
    channel.on('error', () => undefined);
    channel.on('close', () => void this.closeAll());
  }

  private receive(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 4) {
      const length = this.pending.readUInt32BE(0);
      if (length === 0 || length > MAX_PACKET + 1024) {
        this.logger.debug({ length }, 'sandbox sftp: oversized packet, closing the channel');
        this.channel.close();
        return;
      }
      if (this.pending.length < 4 + length) return;
      const packet = this.pending.subarray(4, 4 + length);
      this.pending = this.pending.subarray(4 + length);
      this.queue = this.queue.then(() => this.handle(packet));
    }
  }

  private send(type: number, ...parts: Buffer[]): void {
    if (this.ended) return;
    const body = Buffer.concat([Buffer.from([type]), ...parts]);
    this.channel.write(Buffer.concat([u32(body.length), body]));
  }

  private status(id: number, status: number, message: string): void {
    this.send(RESPONSE.STATUS, u32(id), u32(status), str(message), str('en'));
  }

  private async handle(packet: Buffer): Promise<void> {
    const reader = new Reader(packet);
    const type = reader.u8();
    if (type === REQUEST.INIT) {
      // Version 3, plus the one extension the hub needs.
      this.send(RESPONSE.VERSION, u32(3), str('posix-rename@openssh.com'), str('1'));
      return;
    }
    let id = 0;
    try {
      id = reader.u32();
      await this.dispatch(type, id, reader);
    } catch (error) {
      const status = statusFromError(error);
      this.status(id, status.status, status.message);
    }
  }

  private async dispatch(type: number, id: number, r: Reader): Promise<void> {
    switch (type) {
      case REQUEST.OPEN: {
        const target = await this.resolve(r.text());
        const pflags = r.u32();
        const attrs = r.attrs();
        const file = await fs.open(target.real, openFlags(pflags), attrs.mode === undefined ? 0o644 : attrs.mode & 0o777);
        this.send(RESPONSE.HANDLE, u32(id), str(this.addHandle({ kind: 'file', file })));
        return;
      }
      case REQUEST.CLOSE: {
        const key = r.bytes().toString('latin1');
        const handle = this.handles.get(key);
        if (!handle) throw new SftpStatus(STATUS.FAILURE, 'invalid handle');
        this.handles.delete(key);
        if (handle.kind === 'file') await handle.file.close();
        this.status(id, STATUS.OK, 'OK');
        return;
      }
      case REQUEST.READ: {
        const file = this.file(r.bytes());
        const offset = r.u64();
        const length = Math.min(r.u32(), MAX_READ);
        const buffer = Buffer.allocUnsafe(length);
        const { bytesRead } = await file.read(buffer, 0, length, offset);
        if (bytesRead === 0) this.status(id, STATUS.EOF, 'EOF');
        else this.send(RESPONSE.DATA, u32(id), str(buffer.subarray(0, bytesRead)));
        return;
      }
      case REQUEST.WRITE: {
        const file = this.file(r.bytes());
        const offset = r.u64();
        const data = r.bytes();
        let written = 0;
        while (written < data.length) {
          const { bytesWritten } = await file.write(data, written, data.length - written, offset + written);
          written += bytesWritten;
        }
        this.status(id, STATUS.OK, 'OK');
        return;
      }
      case REQUEST.LSTAT:
      case REQUEST.STAT: {
        const target = await this.resolve(r.text());
        const stats = type === REQUEST.LSTAT ? await fs.lstat(target.real) : await fs.stat(target.real);
        this.send(RESPONSE.ATTRS, u32(id), encodeAttrs(stats));
        return;
      }
      case REQUEST.FSTAT: {
        const stats = await this.file(r.bytes()).stat();
        this.send(RESPONSE.ATTRS, u32(id), encodeAttrs(stats));
        return;
      }
      case REQUEST.SETSTAT:
      case REQUEST.FSETSTAT: {
        if (type === REQUEST.SETSTAT) {
          const target = await this.resolve(r.text());
          await applyAttrs(r.attrs(), {
            chmod: (mode) => fs.chmod(target.real, mode),
            truncate: (size) => fs.truncate(target.real, size),
            utimes: (a, m) => fs.utimes(target.real, a, m),
          });
        } else {
          const file = this.file(r.bytes());
          await applyAttrs(r.attrs(), {
            chmod: (mode) => file.chmod(mode),
            truncate: (size) => file.truncate(size),
            utimes: (a, m) => file.utimes(a, m),
          });
        }
        this.status(id, STATUS.OK, 'OK');
        return;
      }
      case REQUEST.OPENDIR: {
        const target = await this.resolve(r.text());
        const names = await fs.readdir(target.real);
        const entries: { name: string; stats: Stats }[] = [];
        for (const name of ['.', '..', ...names]) {
          const stats = await fs.lstat(path.join(target.real, name)).catch(() => undefined);
          if (stats) entries.push({ name, stats });
        }
        this.send(RESPONSE.HANDLE, u32(id), str(this.addHandle({ kind: 'dir', entries, next: 0 })));
        return;
      }
      case REQUEST.READDIR: {
        const handle = this.handles.get(r.bytes().toString('latin1'));
        if (handle?.kind !== 'dir') throw new SftpStatus(STATUS.FAILURE, 'invalid handle');
        const batch = handle.entries.slice(handle.next, handle.next + READDIR_BATCH);
        handle.next += batch.length;
        if (batch.length === 0) {
          this.status(id, STATUS.EOF, 'EOF');
          return;
        }
        const names = batch.map((e) => Buffer.concat([str(e.name), str(longname(e.name, e.stats)), encodeAttrs(e.stats)]));
        this.send(RESPONSE.NAME, u32(id), u32(batch.length), ...names);
        return;
      }
      case REQUEST.REMOVE: {
        await fs.unlink((await this.resolve(r.text())).real);
        this.status(id, STATUS.OK, 'OK');
        return;
      }
      case REQUEST.MKDIR: {
        const target = await this.resolve(r.text());
        const attrs = r.attrs();
        await fs.mkdir(target.real, { mode: attrs.mode === undefined ? 0o755 : attrs.mode & 0o777 });
        this.status(id, STATUS.OK, 'OK');
        return;
      }
      case REQUEST.RMDIR: {
        await fs.rmdir((await this.resolve(r.text())).real);
        this.status(id, STATUS.OK, 'OK');
        return;
      }
      case REQUEST.REALPATH: {
        const target = await this.resolve(r.text());
        this.send(RESPONSE.NAME, u32(id), u32(1), str(target.virtual), str(target.virtual), u32(0));
        return;
      }
      case REQUEST.RENAME: {
        // Plain SFTP rename does not replace an existing file (OpenSSH behaves the same).
        const from = await this.resolve(r.text());
        const to = await this.resolve(r.text());
        if (await exists(to.real)) throw new SftpStatus(STATUS.FAILURE, 'Failure');
        await fs.rename(from.real, to.real);
        this.status(id, STATUS.OK, 'OK');
        return;
      }
      case REQUEST.EXTENDED: {
        const name = r.text();
        if (name !== 'posix-rename@openssh.com') throw new SftpStatus(STATUS.OP_UNSUPPORTED, 'Operation unsupported');
        const from = await this.resolve(r.text());
        const to = await this.resolve(r.text());
        await fs.rename(from.real, to.real);
        this.status(id, STATUS.OK, 'OK');
        return;
      }
      default:
        throw new SftpStatus(STATUS.OP_UNSUPPORTED, 'Operation unsupported');
    }
  }

  /**
   * A client path as a path inside the root. `..` cannot climb above `/`; a path that resolves
   * (through a symlink) outside the root is refused.
   */
  private async resolve(clientPath: string): Promise<{ virtual: string; real: string }> {
    if (clientPath.includes('\0')) throw new SftpStatus(STATUS.NO_SUCH_FILE, 'No such file');
    const virtual = path.posix.resolve('/', clientPath);
    const real = path.join(this.root, ...virtual.split('/').filter(Boolean));
    const resolved =
      (await fs.realpath(real).catch(() => undefined)) ??
      (await fs.realpath(path.dirname(real)).catch(() => undefined));
    if (resolved !== undefined && resolved !== this.root && !resolved.startsWith(this.root + path.sep)) {
      throw new SftpStatus(STATUS.PERMISSION_DENIED, 'Permission denied');
    }
    return { virtual, real };
  }

  private addHandle(handle: Handle): string {
    const key = String(this.nextHandle++);
    this.handles.set(key, handle);
    return key;
  }

  private file(key: Buffer): fs.FileHandle {
    const handle = this.handles.get(key.toString('latin1'));
    if (handle?.kind !== 'file') throw new SftpStatus(STATUS.FAILURE, 'invalid handle');
    return handle.file;
  }

  private async closeAll(): Promise<void> {
    this.ended = true;
    await this.queue.catch(() => undefined);
    for (const handle of this.handles.values()) {
      if (handle.kind === 'file') await handle.file.close().catch(() => undefined);
    }
    this.handles.clear();
  }
}

function openFlags(pflags: number): number {
  const read = (pflags & OPEN_FLAG.READ) !== 0;
  const write = (pflags & (OPEN_FLAG.WRITE | OPEN_FLAG.APPEND)) !== 0;
  let flags = read && write ? fsConstants.O_RDWR : write ? fsConstants.O_WRONLY : fsConstants.O_RDONLY;
  if (pflags & OPEN_FLAG.APPEND) flags |= fsConstants.O_APPEND;
  if (pflags & OPEN_FLAG.CREAT) flags |= fsConstants.O_CREAT;
  if (pflags & OPEN_FLAG.TRUNC) flags |= fsConstants.O_TRUNC;
  if (pflags & OPEN_FLAG.EXCL) flags |= fsConstants.O_EXCL;
  return flags;
}

async function applyAttrs(
  attrs: Attrs,
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
