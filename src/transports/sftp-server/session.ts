/**
 * One SFTP subsystem channel, server side: frames request packets, answers them one at a time in
 * the order they came, over an `SftpFileSystem` (file-system.ts). Shared by the sandbox supplier
 * server and the hub's mailbox.
 *
 * Bounded whatever the client does: a packet over MAX_PACKET closes the channel; requests that
 * pile up unanswered (a client that floods without waiting) stop the channel being read, so that
 * SSH flow control holds the client back instead of the server's memory growing; answers the client
 * does not read hold the queue the same way; open handles are capped.
 */
import { constants as fsConstants } from 'node:fs';
import type { ServerChannel } from 'ssh2';
import type { TransportLogger } from '../transport.ts';
import type { OpenRequest, SftpDirectory, SftpFile, SftpFileSystem } from './file-system.ts';
import {
  MAX_PACKET,
  MAX_READ,
  OPEN_FLAG,
  PacketReader,
  REQUEST,
  RESPONSE,
  STATUS,
  SftpStatus,
  encodeAttrs,
  failure,
  longname,
  str,
  u32,
  unsupported,
} from './protocol.ts';

export interface SftpSessionOptions {
  logger?: TransportLogger;
  /** Extensions announced in VERSION (name → version). Default: posix-rename@openssh.com. */
  extensions?: Record<string, string>;
  /** Requests queued unanswered before the channel stops being read. Default 64. */
  maxBacklog?: number;
  /** Handles open at once. Default 64. */
  maxHandles?: number;
  /** Awaited before each request is handled (a rate limit delays here). */
  beforeRequest?: (type: number) => Promise<void> | void;
  /** Directory entries per READDIR answer. Default 100. */
  readdirBatch?: number;
  /** The owner shown in `ls -l` lines. */
  owner?: string;
}

type Handle = { kind: 'file'; file: SftpFile } | { kind: 'dir'; dir: SftpDirectory };

const POSIX_RENAME = 'posix-rename@openssh.com';

export class SftpSession {
  private pending: Buffer = Buffer.alloc(0);
  private readonly queue: Buffer[] = [];
  /** The loop answering queued requests, while it runs. */
  private draining: Promise<void> | undefined;
  private paused = false;
  private readonly handles = new Map<string, Handle>();
  private nextHandle = 1;
  private ended = false;
  private endedPromise: Promise<void> | undefined;
  private readonly logger: TransportLogger;
  private readonly maxBacklog: number;
  private readonly maxHandles: number;
  /** The most requests ever waiting at once (for tests of the flood limits). */
  peakBacklog = 0;
  /** Requests answered so far. */
  answered = 0;

  constructor(
    private readonly channel: ServerChannel,
    private readonly fs: SftpFileSystem,
    private readonly options: SftpSessionOptions = {},
  ) {
    this.logger = options.logger ?? { debug() {}, warn() {} };
    this.maxBacklog = options.maxBacklog ?? 64;
    this.maxHandles = options.maxHandles ?? 64;
    channel.on('data', (chunk: Buffer) => this.receive(chunk));
    channel.on('error', () => undefined);
    channel.on('close', () => void this.end());
    // The client is done (EOF): answer what it sent, then close our side too, as sshd does.
    channel.on('end', () => void this.finish());
  }

  private async finish(): Promise<void> {
    while (this.draining) await this.draining;
    await this.end();
    try {
      this.channel.exit(0);
      this.channel.end();
    } catch {
      // already closed
    }
  }

  /** Ends the session: open uploads are aborted, never completed. Resolves once the file system was told. */
  end(): Promise<void> {
    this.endedPromise ??= this.closeAll();
    return this.endedPromise;
  }

  private receive(chunk: Buffer): void {
    if (this.ended) return;
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 4) {
      const length = this.pending.readUInt32BE(0);
      if (length === 0 || length > MAX_PACKET + 1024) {
        this.logger.debug({ length }, 'sftp: oversized packet, closing the channel');
        this.pending = Buffer.alloc(0);
        this.channel.close();
        return;
      }
      if (this.pending.length < 4 + length) break;
      // A copy: the chunk's buffer may be reused by the stream, and the packet may wait in the queue.
      this.queue.push(Buffer.from(this.pending.subarray(4, 4 + length)));
      this.pending = this.pending.subarray(4 + length);
    }
    this.peakBacklog = Math.max(this.peakBacklog, this.queue.length);
    if (this.queue.length >= this.maxBacklog && !this.paused) {
      this.paused = true;
      this.channel.pause();
    }
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length && !this.ended) {
      if (this.channel.writableNeedDrain) await this.writable();
      if (this.ended) break;
      const packet = this.queue.shift()!;
      await this.handle(packet);
      this.answered++;
      if (this.paused && this.queue.length <= this.maxBacklog / 2) {
        this.paused = false;
        this.channel.resume();
      }
    }
  }

  /** Resolves once the client has read our answers (or the channel is gone). */
  private writable(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.channel.off('drain', done);
        this.channel.off('close', done);
        resolve();
      };
      this.channel.once('drain', done);
      this.channel.once('close', done);
    });
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
    const reader = new PacketReader(packet);
    let id = 0;
    try {
      const type = reader.u8();
      if (type === REQUEST.INIT) {
        const extensions = this.options.extensions ?? { [POSIX_RENAME]: '1' };
        this.send(RESPONSE.VERSION, u32(3), ...Object.entries(extensions).flatMap(([name, version]) => [str(name), str(version)]));
        return;
      }
      id = reader.u32();
      await this.options.beforeRequest?.(type);
      await this.dispatch(type, id, reader);
    } catch (error) {
      const status = statusFromError(error);
      if (!(error instanceof SftpStatus)) this.logger.debug({ error: (error as Error)?.message }, 'sftp: request failed');
      this.status(id, status.status, status.message);
    }
  }

  private async dispatch(type: number, id: number, r: PacketReader): Promise<void> {
    const fs = this.fs;
    switch (type) {
      case REQUEST.OPEN: {
        const path = r.text();
        const request = openRequest(r.u32(), r.attrs());
        if (this.handles.size >= this.maxHandles) throw failure(`too many open handles (at most ${this.maxHandles})`);
        const file = await fs.open(path, request);
        this.send(RESPONSE.HANDLE, u32(id), str(this.addHandle({ kind: 'file', file })));
        return;
      }
      case REQUEST.CLOSE: {
        const key = r.bytes().toString('latin1');
        const handle = this.handles.get(key);
        if (!handle) throw failure('invalid handle');
        this.handles.delete(key);
        if (handle.kind === 'file') await handle.file.close();
        else await handle.dir.close();
        this.status(id, STATUS.OK, 'OK');
        return;
      }
      case REQUEST.READ: {
        const file = this.file(r.bytes());
        const offset = r.u64();
        const length = Math.min(r.u32(), MAX_READ);
        const data = await file.read(offset, length);
        if (!data || data.length === 0) this.status(id, STATUS.EOF, 'EOF');
        else this.send(RESPONSE.DATA, u32(id), str(data));
        return;
      }
      case REQUEST.WRITE: {
        const file = this.file(r.bytes());
        const offset = r.u64();
        await file.write(offset, r.bytes());
        this.status(id, STATUS.OK, 'OK');
        return;
      }
      case REQUEST.LSTAT:
      case REQUEST.STAT: {
        const attrs = await fs.stat(r.text(), type === REQUEST.STAT);
        this.send(RESPONSE.ATTRS, u32(id), encodeAttrs(attrs));
        return;
      }
      case REQUEST.FSTAT: {
        this.send(RESPONSE.ATTRS, u32(id), encodeAttrs(await this.file(r.bytes()).stat()));
        return;
      }
      case REQUEST.SETSTAT: {
        const path = r.text();
        await fs.setstat(path, r.attrs());
        this.status(id, STATUS.OK, 'OK');
        return;
      }
      case REQUEST.FSETSTAT: {
        const file = this.file(r.bytes());
        await file.setstat(r.attrs());
        this.status(id, STATUS.OK, 'OK');
        return;
      }
      case REQUEST.OPENDIR: {
        const path = r.text();
        if (this.handles.size >= this.maxHandles) throw failure(`too many open handles (at most ${this.maxHandles})`);
        const dir = await fs.opendir(path);
        this.send(RESPONSE.HANDLE, u32(id), str(this.addHandle({ kind: 'dir', dir })));
        return;
      }
      case REQUEST.READDIR: {
        const handle = this.handles.get(r.bytes().toString('latin1'));
        if (handle?.kind !== 'dir') throw failure('invalid handle');
        const batch = await handle.dir.read(this.options.readdirBatch ?? 100);
        if (!batch || batch.length === 0) {
          this.status(id, STATUS.EOF, 'EOF');
          return;
        }
        const names = batch.map((e) =>
          Buffer.concat([str(e.name), str(e.longname ?? longname(e.name, e.attrs, this.options.owner)), encodeAttrs(e.attrs)]),
        );
        this.send(RESPONSE.NAME, u32(id), u32(batch.length), ...names);
        return;
      }
      case REQUEST.REMOVE: {
        await fs.remove(r.text());
        this.status(id, STATUS.OK, 'OK');
        return;
      }
      case REQUEST.MKDIR: {
        const path = r.text();
        await fs.mkdir(path, r.attrs());
        this.status(id, STATUS.OK, 'OK');
        return;
      }
      case REQUEST.RMDIR: {
        await fs.rmdir(r.text());
        this.status(id, STATUS.OK, 'OK');
        return;
      }
      case REQUEST.REALPATH: {
        const resolved = await fs.realpath(r.text());
        this.send(RESPONSE.NAME, u32(id), u32(1), str(resolved), str(resolved), u32(0));
        return;
      }
      case REQUEST.RENAME: {
        const from = r.text();
        await fs.rename(from, r.text(), false);
        this.status(id, STATUS.OK, 'OK');
        return;
      }
      case REQUEST.READLINK: {
        const target = await fs.readlink(r.text());
        this.send(RESPONSE.NAME, u32(id), u32(1), str(target), str(target), u32(0));
        return;
      }
      case REQUEST.SYMLINK: {
        // OpenSSH sends (link path, target) where the draft says (target, link path): read both, refuse or pass on as given.
        const first = r.text();
        await fs.symlink(first, r.text());
        this.status(id, STATUS.OK, 'OK');
        return;
      }
      case REQUEST.EXTENDED: {
        const name = r.text();
        if (name !== POSIX_RENAME || !(this.options.extensions ?? { [POSIX_RENAME]: '1' })[POSIX_RENAME]) throw unsupported();
        const from = r.text();
        await fs.rename(from, r.text(), true);
        this.status(id, STATUS.OK, 'OK');
        return;
      }
      default:
        throw unsupported();
    }
  }

  private addHandle(handle: Handle): string {
    const key = String(this.nextHandle++);
    this.handles.set(key, handle);
    return key;
  }

  private file(key: Buffer): SftpFile {
    const handle = this.handles.get(key.toString('latin1'));
    if (handle?.kind !== 'file') throw failure('invalid handle');
    return handle.file;
  }

  private async closeAll(): Promise<void> {
    this.ended = true;
    this.queue.length = 0;
    // The request being handled finishes first (its handle may be one of those aborted below).
    while (this.draining) await this.draining;
    const handles = [...this.handles.values()];
    this.handles.clear();
    for (const handle of handles) {
      try {
        if (handle.kind === 'file') await handle.file.abort();
        else await handle.dir.close();
      } catch (error) {
        this.logger.debug({ error: (error as Error)?.message }, 'sftp: closing a handle at the end of the session failed');
      }
    }
    await this.fs.end?.().catch((error: unknown) => this.logger.debug({ error: (error as Error)?.message }, 'sftp: ending the session failed'));
  }
}

function openRequest(pflags: number, attrs: OpenRequest['attrs']): OpenRequest {
  return {
    read: (pflags & OPEN_FLAG.READ) !== 0,
    write: (pflags & (OPEN_FLAG.WRITE | OPEN_FLAG.APPEND)) !== 0,
    append: (pflags & OPEN_FLAG.APPEND) !== 0,
    create: (pflags & OPEN_FLAG.CREAT) !== 0,
    truncate: (pflags & OPEN_FLAG.TRUNC) !== 0,
    exclusive: (pflags & OPEN_FLAG.EXCL) !== 0,
    attrs,
  };
}

/** The `open(2)` flags for an OpenRequest (for adapters over a real file system). */
export function openFlags(request: OpenRequest): number {
  let flags = request.read && request.write ? fsConstants.O_RDWR : request.write ? fsConstants.O_WRONLY : fsConstants.O_RDONLY;
  if (request.append) flags |= fsConstants.O_APPEND;
  if (request.create) flags |= fsConstants.O_CREAT;
  if (request.truncate) flags |= fsConstants.O_TRUNC;
  if (request.exclusive) flags |= fsConstants.O_EXCL;
  return flags;
}

/** An error from a file system adapter as the status the client sees. */
export function statusFromError(error: unknown): SftpStatus {
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
