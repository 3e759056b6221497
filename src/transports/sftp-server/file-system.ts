/**
 * The port an SFTP session serves: what one logged-in user may see and do. Two adapters implement
 * it: a folder on disk (the sandbox supplier server, src/transports/sandbox-sftp-server.ts) and the
 * hub's own mailbox, a virtual tree backed by the database (src/transports/mailbox/).
 *
 * Paths arrive exactly as the client sent them; resolving them (and refusing to leave the root) is
 * the adapter's job. Every method rejects with an `SftpStatus` (protocol.ts) for an answer the
 * client should see; anything else is answered as a plain "Failure".
 *
 * @example
 * ```ts
 * const fs: SftpFileSystem = {
 *   async realpath(path) { return posix.resolve('/', path); },
 *   async stat(path) { if (path === '/') return { mode: S_IFDIR | 0o555 }; throw noSuchFile(); },
 *   async opendir() { return { read: async () => undefined, close: async () => {} }; },
 *   ... // open, remove, rename...: throw permissionDenied() for a read-only tree
 * };
 * new SftpSession(channel, fs, { logger });
 * ```
 */
import type { FileAttrs } from './protocol.ts';

/** What a client asked for in OPEN, decoded from SSH_FXF_* flags. */
export interface OpenRequest {
  read: boolean;
  write: boolean;
  append: boolean;
  create: boolean;
  truncate: boolean;
  exclusive: boolean;
  attrs: FileAttrs;
}

/** One open file. */
export interface SftpFile {
  /** Up to `length` bytes at `offset`; undefined at the end of the file. */
  read(offset: number, length: number): Promise<Buffer | undefined>;
  write(offset: number, data: Buffer): Promise<void>;
  stat(): Promise<FileAttrs>;
  setstat(attrs: FileAttrs): Promise<void>;
  /** The client closed the handle: for an upload, the file is complete. */
  close(): Promise<void>;
  /** The session ended with the handle still open (a dropped connection): an upload is incomplete. */
  abort(): Promise<void>;
}

export interface DirEntry {
  name: string;
  attrs: FileAttrs;
  /** The `ls -l` line; default: made from the attributes. */
  longname?: string;
}

/** One open directory listing. */
export interface SftpDirectory {
  /** The next entries (at most `max`); undefined once every entry was returned. */
  read(max: number): Promise<DirEntry[] | undefined>;
  close(): Promise<void>;
}

export interface SftpFileSystem {
  /** The canonical absolute path the client should use for `path` (REALPATH). */
  realpath(path: string): Promise<string>;
  /** `follow`: STAT (through a symlink) rather than LSTAT. */
  stat(path: string, follow: boolean): Promise<FileAttrs>;
  setstat(path: string, attrs: FileAttrs): Promise<void>;
  open(path: string, request: OpenRequest): Promise<SftpFile>;
  opendir(path: string): Promise<SftpDirectory>;
  remove(path: string): Promise<void>;
  mkdir(path: string, attrs: FileAttrs): Promise<void>;
  rmdir(path: string): Promise<void>;
  /** `replace`: posix-rename (onto an existing file); plain RENAME refuses an existing target. */
  rename(from: string, to: string, replace: boolean): Promise<void>;
  readlink(path: string): Promise<string>;
  symlink(target: string, link: string): Promise<void>;
  /** The session is over (open handles were aborted first). */
  end?(): Promise<void>;
}
