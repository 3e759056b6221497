/**
 * SFTP version 3 (draft-ietf-secsh-filexfer-02) as OpenSSH speaks it, server side: packet types,
 * status codes, a bounds-checked packet reader and the encoders for answers. No I/O here; the
 * session (session.ts) frames packets and the file system port (file-system.ts) does the work.
 */

export const REQUEST = {
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
  READLINK: 19,
  SYMLINK: 20,
  EXTENDED: 200,
} as const;

export const RESPONSE = { VERSION: 2, STATUS: 101, HANDLE: 102, DATA: 103, NAME: 104, ATTRS: 105 } as const;

export const STATUS = {
  OK: 0,
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  BAD_MESSAGE: 5,
  OP_UNSUPPORTED: 8,
} as const;

export const OPEN_FLAG = { READ: 0x01, WRITE: 0x02, APPEND: 0x04, CREAT: 0x08, TRUNC: 0x10, EXCL: 0x20 } as const;

const ATTR = { SIZE: 0x01, UIDGID: 0x02, PERMISSIONS: 0x04, ACMODTIME: 0x08, EXTENDED: 0x80000000 } as const;

/** The largest packet accepted (OpenSSH's limit). */
export const MAX_PACKET = 256 * 1024;
/** The most bytes one READ answers with. */
export const MAX_READ = 64 * 1024;

export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;

/** File attributes as SFTP v3 carries them (times in seconds). Absent fields are not sent. */
export interface FileAttrs {
  size?: number;
  uid?: number;
  gid?: number;
  /** File type and permission bits, as in `stat(2)`'s st_mode. */
  mode?: number;
  atime?: number;
  mtime?: number;
}

/**
 * An answer with a status rather than a dropped connection: what a file system throws for "no
 * such file", "permission denied" and the like. `message` reaches the client: plain words, never a
 * local path or a secret.
 */
export class SftpStatus extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The answers, each beginning with OpenSSH's words for its status, then (optionally) why. */
const answer = (status: number, words: string) => (why?: string): SftpStatus => new SftpStatus(status, why ? `${words}: ${why}` : words);
export const noSuchFile = answer(STATUS.NO_SUCH_FILE, 'No such file');
export const permissionDenied = answer(STATUS.PERMISSION_DENIED, 'Permission denied');
export const failure = answer(STATUS.FAILURE, 'Failure');
export const unsupported = answer(STATUS.OP_UNSUPPORTED, 'Operation unsupported');

/** Reads one request packet; a field running past the packet's end is a BAD_MESSAGE status. */
export class PacketReader {
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
    // Offsets and sizes past 2^53 are not files anyone uploads; they clamp and fail the size checks.
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
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

  attrs(): FileAttrs {
    const flags = this.u32();
    const attrs: FileAttrs = {};
    if (flags & ATTR.SIZE) attrs.size = this.u64();
    if (flags & ATTR.UIDGID) {
      attrs.uid = this.u32();
      attrs.gid = this.u32();
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

export function u32(value: number): Buffer {
  const buffer = Buffer.allocUnsafe(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}

export function u64(value: number): Buffer {
  const buffer = Buffer.allocUnsafe(8);
  buffer.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(value))));
  return buffer;
}

export function str(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([u32(bytes.length), bytes]);
}

export function encodeAttrs(attrs: FileAttrs | undefined): Buffer {
  if (!attrs) return u32(0);
  let flags = 0;
  const parts: Buffer[] = [];
  if (attrs.size !== undefined) {
    flags |= ATTR.SIZE;
    parts.push(u64(attrs.size));
  }
  if (attrs.uid !== undefined || attrs.gid !== undefined) {
    flags |= ATTR.UIDGID;
    parts.push(u32(attrs.uid ?? 0), u32(attrs.gid ?? 0));
  }
  if (attrs.mode !== undefined) {
    flags |= ATTR.PERMISSIONS;
    parts.push(u32(attrs.mode));
  }
  if (attrs.atime !== undefined || attrs.mtime !== undefined) {
    flags |= ATTR.ACMODTIME;
    parts.push(u32(attrs.atime ?? attrs.mtime ?? 0), u32(attrs.mtime ?? attrs.atime ?? 0));
  }
  return Buffer.concat([u32(flags), ...parts]);
}

/** The `ls -l` line OpenSSH's server sends beside each name (clients print it as is). */
export function longname(name: string, attrs: FileAttrs, owner?: string): string {
  const mode = attrs.mode ?? 0;
  const kind = mode & 0o170000;
  const type = kind === S_IFDIR ? 'd' : kind === S_IFLNK ? 'l' : '-';
  const bits = 'rwxrwxrwx'
    .split('')
    .map((c, i) => (mode & (1 << (8 - i)) ? c : '-'))
    .join('');
  const date = new Date((attrs.mtime ?? 0) * 1000).toUTCString().slice(5, 22); // "01 Jan 2026 10:00"
  const user = owner ?? String(attrs.uid ?? 0);
  const group = owner ?? String(attrs.gid ?? 0);
  return `${type}${bits}    1 ${user.padEnd(8)} ${group.padEnd(8)} ${String(attrs.size ?? 0).padStart(8)} ${date} ${name}`;
}
