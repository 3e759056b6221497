/**
 * One supplier's mailbox as an SFTP tree (the `SftpFileSystem` port of src/transports/sftp-server/):
 * `from-hub/` lists the documents placed for it, `to-hub/` takes its files. Nothing here is a folder
 * on disk: names and bytes come from the database (src/store/mailbox.ts), every query is scoped to
 * this session's supplier, and a path that is not one of the places in paths.ts does not exist.
 *
 * An upload is written to a temporary file (spool.ts) and becomes something only when the client
 * closes it complete: it is then recorded in one statement (`take`), answered OK, and applied at
 * once through the inbound ledger (applier.ts; exactly once per content). One dropped, cut short or
 * over a limit is discarded unread. A file uploaded under a temporary name (`.part`, `.filepart`, a
 * dot-file) is held in the session until it is renamed to its final name, and taken then.
 */
import type { Kysely } from 'kysely';
import type { MailboxTransportConfig } from '../../config/mapping-schema.ts';
import { errorMessage } from '../../errors.ts';
import {
  findMailboxFile,
  listMailboxFiles,
  mailboxFileContent,
  pruneReceivedFiles,
  recordMailboxDownload,
  removeMailboxFile,
  type MailboxAuditEntry,
  type MailboxFolder,
} from '../../store/mailbox.ts';
import type { Database } from '../../store/schema.ts';
import type { DirEntry, OpenRequest, SftpDirectory, SftpFile, SftpFileSystem } from '../sftp-server/file-system.ts';
import {
  S_IFDIR,
  S_IFREG,
  SftpStatus,
  failure,
  noSuchFile,
  permissionDenied,
  unsupported,
  type FileAttrs,
} from '../sftp-server/protocol.ts';
import type { TransportLogger } from '../transport.ts';
import { isTemporaryName, resolveMailboxPath, type MailboxPath } from './paths.ts';
import { ByteRanges, type Spool, type SpoolFile } from './spool.ts';

/** The audit fields a session fills in (who, where and when are the server's). */
export type SessionAudit = Pick<MailboxAuditEntry, 'event' | 'path' | 'bytes' | 'documentId' | 'detail'>;

export interface MailboxSessionContext {
  supplierId: string;
  config: MailboxTransportConfig;
  db: Kysely<Database>;
  clock: () => Date;
  spool: Spool;
  /**
   * Takes a complete upload: records it durably (the inbox, its name in `to-hub/`, the audit entry)
   * and has it applied at once. Resolves once it is recorded; rejects when it could not be.
   */
  take(file: { name: string; content: Buffer }): Promise<void>;
  /** Bytes this supplier uploaded in the last 24 hours (quota.ts). */
  usedToday(): Promise<number>;
  audit(entry: SessionAudit): Promise<void>;
  logger: TransportLogger;
}

/** Uploads open at once in one session. */
const MAX_OPEN_UPLOADS = 8;
/** Separate pieces one upload may be written in (a client keeps a few writes in flight). */
const MAX_FRAGMENTS = 1_024;
/** `denied` audit entries per session (a scripted probe would otherwise fill the log); the rest are counted. */
const MAX_DENIED_AUDITS = 20;
const DAY_MS = 24 * 60 * 60 * 1000;

export class MailboxFileSystem implements SftpFileSystem {
  /** Files uploaded under a temporary name, waiting for their rename. */
  private readonly held = new Map<string, { spool: SpoolFile; at: Date }>();
  private readonly uploads = new Set<SpoolFile>();
  private pruned = false;
  private readonly startedAt: Date;
  readonly stats = { uploads: 0, downloads: 0, denied: 0 };

  constructor(private readonly ctx: MailboxSessionContext) {
    this.startedAt = ctx.clock();
  }

  private get db(): Kysely<Database> {
    return this.ctx.db;
  }

  private now(): Date {
    return this.ctx.clock();
  }

  // ---- reading the tree -----------------------------------------------------------------------

  async realpath(clientPath: string): Promise<string> {
    const target = resolveMailboxPath(clientPath);
    if (target.kind === 'nowhere' && target.climbed) await this.deny(target, 'realpath', noSuchFile());
    return target.path;
  }

  async stat(clientPath: string): Promise<FileAttrs> {
    const target = resolveMailboxPath(clientPath);
    switch (target.kind) {
      case 'root':
        return this.dirAttrs(0o555);
      case 'folder':
        return this.dirAttrs(0o755);
      case 'file': {
        const held = target.folder === 'to-hub' ? this.held.get(target.name) : undefined;
        if (held) return fileAttrs(held.spool.size, held.at, 0o644);
        const file = await findMailboxFile(this.db, this.ctx.supplierId, target.folder, target.name);
        if (!file) throw noSuchFile();
        return fileAttrs(file.size, file.modifiedAt, modeOf(target.folder));
      }
      case 'nowhere':
        throw await this.deny(target, 'stat', noSuchFile());
    }
  }

  async opendir(clientPath: string): Promise<SftpDirectory> {
    const target = resolveMailboxPath(clientPath);
    let entries: DirEntry[];
    switch (target.kind) {
      case 'root':
        entries = [
          { name: '.', attrs: this.dirAttrs(0o555) },
          { name: '..', attrs: this.dirAttrs(0o555) },
          { name: 'from-hub', attrs: this.dirAttrs(0o755) },
          { name: 'to-hub', attrs: this.dirAttrs(0o755) },
        ];
        break;
      case 'folder': {
        if (target.folder === 'to-hub' && !this.pruned) {
          this.pruned = true;
          const before = new Date(this.now().getTime() - this.ctx.config.keepReceivedDays * DAY_MS);
          await pruneReceivedFiles(this.db, this.ctx.supplierId, before);
        }
        const files = await listMailboxFiles(this.db, this.ctx.supplierId, target.folder);
        const listed: DirEntry[] = files.map((f) => ({ name: f.name, attrs: fileAttrs(f.size, f.modifiedAt, modeOf(target.folder)) }));
        if (target.folder === 'to-hub') {
          for (const [name, held] of this.held) {
            if (!files.some((f) => f.name === name)) listed.push({ name, attrs: fileAttrs(held.spool.size, held.at, 0o644) });
          }
        }
        entries = [{ name: '.', attrs: this.dirAttrs(0o755) }, { name: '..', attrs: this.dirAttrs(0o555) }, ...listed];
        break;
      }
      case 'file':
        throw noSuchFile(`${target.path} is a file, not a folder`);
      case 'nowhere':
        throw await this.deny(target, 'list', noSuchFile());
    }
    let next = 0;
    return {
      async read(max) {
        const batch = entries.slice(next, next + max);
        next += batch.length;
        return batch.length ? batch : undefined;
      },
      async close() {},
    };
  }

  async readlink(): Promise<string> {
    throw noSuchFile('there are no links in the mailbox');
  }

  // ---- files ------------------------------------------------------------------------------------

  async open(clientPath: string, request: OpenRequest): Promise<SftpFile> {
    const target = resolveMailboxPath(clientPath);
    if (target.kind === 'nowhere') throw await this.deny(target, request.write ? 'upload' : 'download', request.write ? permissionDenied() : noSuchFile());
    if (target.kind !== 'file') throw failure(`${target.path} is a folder`);
    if (request.read && request.write) throw unsupported('open a file either to read it or to write it, not both');
    return request.write ? this.openUpload(target, request) : this.openDownload(target);
  }

  private async openUpload(target: Extract<MailboxPath, { kind: 'file' }>, request: OpenRequest): Promise<SftpFile> {
    if (target.folder !== 'to-hub') {
      throw await this.deny(target, 'upload', permissionDenied('from-hub/ holds what the hub sends you: drop your files in to-hub/'));
    }
    if (request.append) throw failure('appending to a file (resuming an upload) is not supported: upload the whole file again');
    if (!request.create || request.exclusive) {
      const exists = this.held.has(target.name) || (await findMailboxFile(this.db, this.ctx.supplierId, 'to-hub', target.name)) !== undefined;
      if (!exists && !request.create) throw noSuchFile();
      if (exists && request.exclusive) throw failure(`${target.path} exists`);
    }
    if (this.uploads.size >= MAX_OPEN_UPLOADS) throw failure(`at most ${MAX_OPEN_UPLOADS} uploads at once in one session`);
    const limits = this.ctx.config.limits;
    const usedToday = await this.ctx.usedToday();
    if (usedToday >= limits.bytesPerDay) {
      const reason = `the daily upload quota of ${limits.bytesPerDay} bytes is used up: try again later`;
      await this.ctx.audit({ event: 'upload_refused', path: target.path, bytes: 0, detail: reason });
      throw failure(reason);
    }
    const spool = await this.ctx.spool.create();
    this.uploads.add(spool);
    return new Upload(this, target, spool, usedToday);
  }

  private async openDownload(target: Extract<MailboxPath, { kind: 'file' }>): Promise<SftpFile> {
    const held = target.folder === 'to-hub' ? this.held.get(target.name) : undefined;
    if (held) {
      const at = held.at;
      return readOnly(
        (offset, length) => held.spool.read(offset, length),
        () => fileAttrs(held.spool.size, at, 0o644),
        async () => {},
      );
    }
    const file = await findMailboxFile(this.db, this.ctx.supplierId, target.folder, target.name);
    const content = file && (await mailboxFileContent(this.db, this.ctx.supplierId, file.documentId));
    if (!file || !content) throw noSuchFile();
    const sent = new ByteRanges();
    let finished = false;
    const finish = async (): Promise<void> => {
      if (finished || !sent.covers(content.length)) return;
      finished = true;
      this.stats.downloads++;
      let first = false;
      if (target.folder === 'from-hub') {
        const remove = this.ctx.config.afterDownload === 'remove';
        first = (await recordMailboxDownload(this.db, { supplierId: this.ctx.supplierId, name: target.name, documentId: file.documentId, at: this.now(), remove, via: 'mailbox' })).first;
      }
      await this.ctx.audit({
        event: 'download',
        path: target.path,
        bytes: content.length,
        documentId: file.documentId,
        detail: target.folder === 'from-hub' ? (first ? 'first download' : 'downloaded again') : 'read back',
      });
    };
    return readOnly(
      async (offset, length) => {
        if (offset >= content.length) return undefined;
        const end = Math.min(content.length, offset + length);
        sent.add(offset, end);
        return content.subarray(offset, end);
      },
      () => fileAttrs(content.length, file.modifiedAt, modeOf(target.folder)),
      finish,
    );
  }

  async setstat(clientPath: string, attrs: FileAttrs): Promise<void> {
    await this.stat(clientPath);
    // Times and permissions mean nothing here and are accepted (clients set them after an upload).
    if (attrs.size !== undefined) throw unsupported('files in the mailbox cannot be truncated');
  }

  async remove(clientPath: string): Promise<void> {
    const target = resolveMailboxPath(clientPath);
    if (target.kind === 'nowhere') throw await this.deny(target, 'remove', noSuchFile());
    if (target.kind !== 'file') throw await this.deny(target, 'remove', permissionDenied('the mailbox has only from-hub/ and to-hub/; they cannot be removed'));
    const held = target.folder === 'to-hub' ? this.held.get(target.name) : undefined;
    if (held) {
      this.held.delete(target.name);
      await held.spool.discard();
      await this.ctx.audit({ event: 'remove', path: target.path, bytes: held.spool.size, detail: 'held under a temporary name; never applied' });
      return;
    }
    if (!(await removeMailboxFile(this.db, this.ctx.supplierId, target.folder, target.name, this.now()))) throw noSuchFile();
    await this.ctx.audit({
      event: 'remove',
      path: target.path,
      detail: target.folder === 'to-hub' ? 'taken out of the listing (it was applied when it was uploaded)' : 'taken out of from-hub/',
    });
  }

  async rename(fromPath: string, toPath: string, replace: boolean): Promise<void> {
    const from = resolveMailboxPath(fromPath);
    const to = resolveMailboxPath(toPath);
    for (const target of [from, to]) {
      if (target.kind === 'nowhere') throw await this.deny(target, 'rename', permissionDenied());
    }
    if (from.kind !== 'file' || to.kind !== 'file' || from.folder !== 'to-hub' || to.folder !== 'to-hub') {
      throw await this.deny(
        to.kind === 'file' && to.folder === 'to-hub' ? from : to,
        'rename',
        permissionDenied('only a file you uploaded under a temporary name can be renamed, within to-hub/'),
      );
    }
    const held = this.held.get(from.name);
    if (!held) {
      const listed = await findMailboxFile(this.db, this.ctx.supplierId, 'to-hub', from.name);
      if (listed) throw permissionDenied(`${from.path} was applied when it was uploaded and cannot be renamed`);
      throw noSuchFile();
    }
    if (from.name === to.name) return;
    if (!replace) {
      const exists = this.held.has(to.name) || (await findMailboxFile(this.db, this.ctx.supplierId, 'to-hub', to.name)) !== undefined;
      if (exists) throw failure(`${to.path} exists`);
    }
    this.held.delete(from.name);
    if (isTemporaryName(to.name)) {
      await this.held.get(to.name)?.spool.discard();
      this.held.set(to.name, held);
      return;
    }
    await this.ctx.audit({ event: 'rename', path: to.path, bytes: held.spool.size, detail: `from ${from.path}` });
    await this.commit(to, held.spool);
  }

  async mkdir(clientPath: string): Promise<void> {
    throw await this.deny(resolveMailboxPath(clientPath), 'mkdir', permissionDenied('the mailbox has only from-hub/ and to-hub/: no folders can be made'));
  }

  async rmdir(clientPath: string): Promise<void> {
    throw await this.deny(resolveMailboxPath(clientPath), 'rmdir', permissionDenied('the mailbox has only from-hub/ and to-hub/; they cannot be removed'));
  }

  async symlink(first: string, second: string): Promise<void> {
    throw await this.deny({ kind: 'nowhere', path: `${first} -> ${second}`, climbed: false, reason: 'no links' }, 'symlink', permissionDenied('links cannot be made in the mailbox'));
  }

  async end(): Promise<void> {
    for (const [name, held] of this.held) {
      await held.spool.discard();
      await this.ctx.audit({
        event: 'upload_aborted',
        path: `/to-hub/${name}`,
        bytes: held.spool.size,
        detail: 'uploaded under a temporary name and never renamed to its final name: not applied',
      });
    }
    this.held.clear();
  }

  // ---- uploads (called by Upload) -----------------------------------------------------------------

  /** A complete upload: applied now, answered only once it is recorded. */
  async complete(target: Extract<MailboxPath, { kind: 'file' }>, spool: SpoolFile): Promise<void> {
    this.uploads.delete(spool);
    if (!spool.complete) {
      await spool.discard();
      const reason = `the file has gaps: not every byte up to ${spool.size} was written, so it was not taken`;
      await this.ctx.audit({ event: 'upload_refused', path: target.path, bytes: spool.ranges.covered, detail: reason });
      throw failure(reason);
    }
    if (isTemporaryName(target.name)) {
      await this.held.get(target.name)?.spool.discard();
      this.held.set(target.name, { spool, at: this.now() });
      return;
    }
    await this.commit(target, spool);
  }

  async aborted(target: MailboxPath, spool: SpoolFile, reason: string): Promise<void> {
    this.uploads.delete(spool);
    await spool.discard();
    await this.ctx.audit({ event: 'upload_aborted', path: target.path, bytes: spool.ranges.covered, detail: reason });
  }

  async refused(target: MailboxPath, spool: SpoolFile, reason: string): Promise<void> {
    this.uploads.delete(spool);
    await spool.discard();
    await this.ctx.audit({ event: 'upload_refused', path: target.path, bytes: spool.ranges.covered, detail: reason });
  }

  get limits(): MailboxTransportConfig['limits'] {
    return this.ctx.config.limits;
  }

  /** A complete upload is the hub's once recorded; the CLOSE (or rename) is answered then, and it is applied right after. */
  private async commit(target: Extract<MailboxPath, { kind: 'file' }>, spool: SpoolFile): Promise<void> {
    let content: Buffer;
    try {
      content = await spool.content();
    } finally {
      await spool.discard();
    }
    try {
      await this.ctx.take({ name: target.name, content });
    } catch (error) {
      // Not recorded: nothing of it will be applied, and the client may send it again.
      this.ctx.logger.warn({ supplier: this.ctx.supplierId, file: target.name, error: errorMessage(error) }, 'mailbox: an upload could not be recorded');
      await this.ctx.audit({ event: 'upload_refused', path: target.path, bytes: content.length, detail: `the hub could not take it just now: ${errorMessage(error)}` });
      throw failure('the hub could not take the file just now (nothing of it was kept): upload it again');
    }
    this.stats.uploads++;
  }

  /** Audits an attempt to reach something outside the tree (a few per session) and returns the answer to give. */
  private async deny(target: MailboxPath, action: string, answer: SftpStatus): Promise<SftpStatus> {
    this.stats.denied++;
    if (this.stats.denied <= MAX_DENIED_AUDITS) {
      const reason = target.kind === 'nowhere' ? `${target.climbed ? 'climbs above the mailbox root; ' : ''}${target.reason}` : answer.message;
      await this.ctx.audit({ event: 'denied', path: target.path, detail: `${action}: ${reason}` });
    }
    return answer;
  }

  private dirAttrs(permissions: number): FileAttrs {
    const time = Math.floor(this.startedAt.getTime() / 1000);
    return { size: 0, uid: 0, gid: 0, mode: S_IFDIR | permissions, atime: time, mtime: time };
  }
}

/** One upload in progress: bounded as it is written, applied when closed complete. */
class Upload implements SftpFile {
  private refusal: string | undefined;
  private done = false;

  constructor(
    private readonly mailbox: MailboxFileSystem,
    private readonly target: Extract<MailboxPath, { kind: 'file' }>,
    private readonly spool: SpoolFile,
    private readonly usedToday: number,
  ) {}

  async read(): Promise<Buffer | undefined> {
    throw unsupported('this file is open for writing');
  }

  async write(offset: number, data: Buffer): Promise<void> {
    if (this.refusal) throw failure(this.refusal);
    const limits = this.mailbox.limits;
    const end = offset + data.length;
    if (end > limits.maxFileBytes) return this.refuse(`the file is over the size limit of ${limits.maxFileBytes} bytes for one file, so it was not taken`);
    if (this.usedToday + end > limits.bytesPerDay) return this.refuse(`the file would go over the daily upload quota of ${limits.bytesPerDay} bytes, so it was not taken`);
    await this.spool.write(offset, data);
    if (this.spool.ranges.count > MAX_FRAGMENTS) return this.refuse(`the file was written in more than ${MAX_FRAGMENTS} separate pieces, so it was not taken`);
  }

  async stat(): Promise<FileAttrs> {
    return fileAttrs(this.spool.size, new Date(), 0o644);
  }

  async setstat(attrs: FileAttrs): Promise<void> {
    if (attrs.size !== undefined && attrs.size !== this.spool.size) throw unsupported('an upload cannot be truncated: upload the file again');
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    if (this.refusal) throw failure(this.refusal);
    await this.mailbox.complete(this.target, this.spool);
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    if (this.refusal) return;
    await this.mailbox.aborted(this.target, this.spool, 'the connection ended before the file was closed: nothing of it was read');
  }

  private async refuse(reason: string): Promise<never> {
    this.refusal = reason;
    await this.mailbox.refused(this.target, this.spool, reason);
    throw failure(reason);
  }
}

function readOnly(
  read: (offset: number, length: number) => Promise<Buffer | undefined>,
  attrs: () => FileAttrs,
  finish: () => Promise<void>,
): SftpFile {
  return {
    read,
    write: async () => {
      throw permissionDenied('this file is open for reading');
    },
    stat: async () => attrs(),
    setstat: async (changes) => {
      if (changes.size !== undefined) throw unsupported('files in the mailbox cannot be truncated');
    },
    close: finish,
    abort: finish,
  };
}

function modeOf(folder: MailboxFolder): number {
  return folder === 'from-hub' ? 0o444 : 0o644;
}

function fileAttrs(size: number, at: Date, permissions: number): FileAttrs {
  const time = Math.floor(at.getTime() / 1000);
  return { size, uid: 0, gid: 0, mode: S_IFREG | permissions, atime: time, mtime: time };
}
