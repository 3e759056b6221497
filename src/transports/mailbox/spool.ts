/**
 * Uploads in progress. Each is kept in memory while it is small (most supplier files are a few
 * kilobytes) and written to its own temporary file in this process's spool folder once it grows
 * past SPOOL_MEMORY_BYTES; either way it is read only once the client has closed it complete. A
 * dropped connection leaves nothing that anyone reads: its bytes are dropped with the session, and
 * a folder left by a process that died is deleted when the next mailbox starts on the same machine.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const OWNER_FILE = 'owner.pid';

/** An upload stays in memory up to this size, then goes to a temporary file. */
export const SPOOL_MEMORY_BYTES = 256 * 1024;

export class Spool {
  private constructor(readonly dir: string) {}

  /** A fresh spool folder for this process under `root` (default: the system's temp folder). */
  static async open(root: string | undefined): Promise<Spool> {
    const base = root ?? path.join(os.tmpdir(), 'hub-mailbox-spool');
    await mkdir(base, { recursive: true, mode: 0o700 });
    await sweep(base);
    const dir = await mkdtemp(path.join(base, `${process.pid}-`));
    await writeFile(path.join(dir, OWNER_FILE), String(process.pid));
    return new Spool(dir);
  }

  /** A new, empty upload (in memory until it grows). */
  async create(): Promise<SpoolFile> {
    return new SpoolFile(() => this.file());
  }

  /** A new temporary file, for an upload outgrowing memory. */
  private async file(): Promise<{ file: string; handle: FileHandle }> {
    const file = path.join(this.dir, `${randomBytes(9).toString('hex')}.upload`);
    return { file, handle: await open(file, 'wx+', 0o600) };
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Removes the spool folders of processes that no longer run (their uploads never completed). */
async function sweep(base: string): Promise<void> {
  for (const entry of await readdir(base).catch(() => [] as string[])) {
    const dir = path.join(base, entry);
    const owner = Number(await readFile(path.join(dir, OWNER_FILE), 'utf8').catch(() => 'NaN'));
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) continue;
    await rm(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Byte ranges seen (written, or sent), merged and sorted: [start, end). */
export class ByteRanges {
  private ranges: [number, number][] = [];

  /** The end of the furthest range. */
  get end(): number {
    return this.ranges.length ? this.ranges[this.ranges.length - 1]![1] : 0;
  }

  /** Bytes covered (without overlaps). */
  get covered(): number {
    return this.ranges.reduce((sum, [start, end]) => sum + end - start, 0);
  }

  /** Separate ranges: a client keeps a few requests in flight, so a handful at most. */
  get count(): number {
    return this.ranges.length;
  }

  /** True when every byte from 0 to `length` (default: the end) is covered. */
  covers(length = this.end): boolean {
    if (length === 0) return true;
    const first = this.ranges[0];
    return first !== undefined && first[0] === 0 && first[1] >= length;
  }

  add(start: number, end: number): void {
    if (end <= start) return;
    const merged: [number, number][] = [];
    let placed = false;
    for (const [s, e] of this.ranges) {
      if (e < start) merged.push([s, e]);
      else if (s > end) {
        if (!placed) {
          merged.push([start, end]);
          placed = true;
        }
        merged.push([s, e]);
      } else {
        start = Math.min(start, s);
        end = Math.max(end, e);
      }
    }
    if (!placed) merged.push([start, end]);
    this.ranges = merged;
  }
}

/**
 * One upload's bytes. Writes may come at any offset and out of order (clients keep several in
 * flight); the file is complete only when what was written covers every byte from 0 to its end.
 */
export class SpoolFile {
  readonly ranges = new ByteRanges();
  /** In memory: the bytes so far (its length is the capacity). */
  private memory: Buffer | undefined = Buffer.alloc(0);
  private disk: { file: string; handle: FileHandle } | undefined;
  private closed = false;

  constructor(private readonly makeFile: () => Promise<{ file: string; handle: FileHandle }>) {}

  /** The upload's length so far: the end of the furthest write. */
  get size(): number {
    return this.ranges.end;
  }

  /** True when every byte from 0 to `size` was written. */
  get complete(): boolean {
    return this.ranges.covers();
  }

  /** The temporary file, once the upload outgrew memory. */
  get file(): string | undefined {
    return this.disk?.file;
  }

  async write(offset: number, data: Buffer): Promise<void> {
    if (this.closed) throw new Error('the upload was discarded');
    const end = offset + data.length;
    if (this.memory && end > SPOOL_MEMORY_BYTES) await this.spill();
    if (this.memory) {
      if (end > this.memory.length) {
        const grown = Buffer.alloc(Math.min(SPOOL_MEMORY_BYTES, Math.max(end, this.memory.length * 2, 4096)));
        this.memory.copy(grown, 0, 0, this.size);
        this.memory = grown;
      }
      data.copy(this.memory, offset);
    } else {
      const { handle } = this.disk!;
      let done = 0;
      while (done < data.length) {
        const { bytesWritten } = await handle.write(data, done, data.length - done, offset + done);
        done += bytesWritten;
      }
    }
    this.ranges.add(offset, end);
  }

  async read(offset: number, length: number): Promise<Buffer | undefined> {
    const count = Math.max(0, Math.min(length, this.size - offset));
    if (count === 0) return undefined;
    if (this.memory) return Buffer.from(this.memory.subarray(offset, offset + count));
    const buffer = Buffer.allocUnsafe(count);
    const { bytesRead } = await this.disk!.handle.read(buffer, 0, count, offset);
    return bytesRead === 0 ? undefined : buffer.subarray(0, bytesRead);
  }

  /** The whole content (call once complete). */
  async content(): Promise<Buffer> {
    if (this.memory) return Buffer.from(this.memory.subarray(0, this.size));
    const buffer = Buffer.alloc(this.size);
    let done = 0;
    while (done < buffer.length) {
      const { bytesRead } = await this.disk!.handle.read(buffer, done, buffer.length - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buffer;
  }

  /** Drops the bytes (and deletes the temporary file). Idempotent. */
  async discard(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.memory = undefined;
    if (this.disk) {
      await this.disk.handle.close().catch(() => undefined);
      await rm(this.disk.file, { force: true });
    }
  }

  private async spill(): Promise<void> {
    const memory = this.memory!;
    this.disk = await this.makeFile();
    let done = 0;
    const size = this.size;
    while (done < size) {
      const { bytesWritten } = await this.disk.handle.write(memory, done, size - done, done);
      done += bytesWritten;
    }
    this.memory = undefined;
  }
}
