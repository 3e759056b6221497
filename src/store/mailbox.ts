/**
 * The mailbox's repository: what each supplier sees in `from-hub/` and `to-hub/`, downloads,
 * the audit log and failed logins. Every statement the SFTP mailbox (src/transports/mailbox/) runs
 * is here; times come from the hub's clock, never the database's, so that tests can move them.
 *
 * The files are names over documents: a PO placed for pickup is a row pointing at its outbound
 * document, whose bytes stay in `documents.content`; a file the supplier dropped points at the
 * inbound document it became. Several hub processes share these rows through the database.
 */
import { sql, type Kysely } from 'kysely';
import { toBuffer } from './ids.ts';
import { recordEvent } from './orders.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

export type MailboxFolder = 'from-hub' | 'to-hub';
export const MAILBOX_FOLDERS: readonly MailboxFolder[] = ['from-hub', 'to-hub'];

export interface MailboxFile {
  name: string;
  documentId: string;
  size: number;
  modifiedAt: Date;
  downloadedAt: Date | null;
  downloads: number;
}

/** The most names one folder listing returns (oldest files first beyond it are not shown). */
export const MAX_LISTING = 10_000;

/**
 * Puts a document in a supplier's folder under its name, replacing another document of that name
 * (as a posix-rename would). The same document placed again (a delivery retried after a crash) is
 * left as it is, downloaded or removed: a supplier never gets one document twice.
 */
export async function placeMailboxFile(
  db: Db,
  file: { supplierId: string; folder: MailboxFolder; name: string; documentId: string; size: number; at: Date },
): Promise<void> {
  await db
    .insertInto('mailbox_files')
    .values({
      supplier_id: file.supplierId,
      folder: file.folder,
      name: file.name,
      document_id: file.documentId,
      size: file.size,
      modified_at: file.at,
    })
    .onConflict((oc) =>
      oc
        .columns(['supplier_id', 'folder', 'name'])
        .doUpdateSet({
          document_id: file.documentId,
          size: file.size,
          modified_at: file.at,
          downloaded_at: null,
          downloads: 0,
          removed_at: null,
        })
        .where('mailbox_files.document_id', '<>', file.documentId),
    )
    .execute();
}

function fileOf(row: {
  name: string;
  document_id: string;
  size: number;
  modified_at: Date;
  downloaded_at: Date | null;
  downloads: number;
}): MailboxFile {
  return {
    name: row.name,
    documentId: row.document_id,
    size: row.size,
    modifiedAt: row.modified_at,
    downloadedAt: row.downloaded_at,
    downloads: row.downloads,
  };
}

/** The files a supplier sees in one folder, by name. */
export async function listMailboxFiles(db: Db, supplierId: string, folder: MailboxFolder): Promise<MailboxFile[]> {
  const rows = await db
    .selectFrom('mailbox_files')
    .select(['name', 'document_id', 'size', 'modified_at', 'downloaded_at', 'downloads'])
    .where('supplier_id', '=', supplierId)
    .where('folder', '=', folder)
    .where('removed_at', 'is', null)
    .orderBy('modified_at', 'desc')
    .limit(MAX_LISTING)
    .execute();
  return rows.map(fileOf).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function findMailboxFile(db: Db, supplierId: string, folder: MailboxFolder, name: string): Promise<MailboxFile | undefined> {
  const row = await db
    .selectFrom('mailbox_files')
    .select(['name', 'document_id', 'size', 'modified_at', 'downloaded_at', 'downloads'])
    .where('supplier_id', '=', supplierId)
    .where('folder', '=', folder)
    .where('name', '=', name)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return row && fileOf(row);
}

/**
 * The bytes of a file in a supplier's folder: a document (outbound or inbound: both are this
 * supplier's), or an upload not applied yet (`upl_…`).
 */
export async function mailboxFileContent(db: Db, supplierId: string, documentId: string): Promise<Buffer | undefined> {
  if (documentId.startsWith(UPLOAD_PREFIX)) {
    const upload = await db
      .selectFrom('mailbox_uploads')
      .select(['content', 'document_id'])
      .where('id', '=', documentId)
      .where('supplier_id', '=', supplierId)
      .executeTakeFirst();
    if (!upload) return undefined;
    if (upload.content) return toBuffer(upload.content);
    // Applied a moment ago: its bytes are the inbound document's now.
    return upload.document_id ? mailboxFileContent(db, supplierId, upload.document_id) : undefined;
  }
  const row = await db
    .selectFrom('documents')
    .select('content')
    .where('id', '=', documentId)
    .where('supplier_id', '=', supplierId)
    .executeTakeFirst();
  return row && toBuffer(row.content);
}

/**
 * A supplier read a file of `from-hub/` to its end. The first download of a document is put on its
 * order's timeline (once, whichever process sees it); `remove` takes the file out of the folder
 * (the mapping's `afterDownload: remove`). Returns whether this was the first download.
 */
export async function recordMailboxDownload(
  db: Db,
  download: { supplierId: string; name: string; documentId: string; at: Date; remove: boolean; via: string },
): Promise<{ first: boolean; orderId: string | null }> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('mailbox_files')
      .select(['downloaded_at'])
      .where('supplier_id', '=', download.supplierId)
      .where('folder', '=', 'from-hub')
      .where('name', '=', download.name)
      .where('document_id', '=', download.documentId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return { first: false, orderId: null };
    const first = row.downloaded_at === null;
    await trx
      .updateTable('mailbox_files')
      .set({
        downloads: sql`downloads + 1`,
        ...(first ? { downloaded_at: download.at } : {}),
        ...(download.remove ? { removed_at: download.at } : {}),
      })
      .where('supplier_id', '=', download.supplierId)
      .where('folder', '=', 'from-hub')
      .where('name', '=', download.name)
      .execute();
    const doc = await trx.selectFrom('documents').select(['order_id', 'kind', 'filename']).where('id', '=', download.documentId).executeTakeFirst();
    const orderId = doc?.order_id ?? null;
    if (first && orderId) {
      await recordEvent(trx, orderId, {
        type: 'document_downloaded',
        cause: `${download.supplierId} downloaded it from the hub's mailbox`,
        at: download.at,
        data: { documentId: download.documentId, kind: doc?.kind, filename: download.name, supplier: download.supplierId, via: download.via, removed: download.remove },
      });
    }
    return { first, orderId };
  });
}

/** Takes a file out of a supplier's folder (the document itself stays). False when there was none. */
export async function removeMailboxFile(db: Db, supplierId: string, folder: MailboxFolder, name: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('mailbox_files')
    .set({ removed_at: at })
    .where('supplier_id', '=', supplierId)
    .where('folder', '=', folder)
    .where('name', '=', name)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Forgets the files a supplier dropped before `before` (and those it removed): `keepReceivedDays`. */
export async function pruneReceivedFiles(db: Db, supplierId: string, before: Date): Promise<void> {
  await db
    .deleteFrom('mailbox_files')
    .where('supplier_id', '=', supplierId)
    .where('folder', '=', 'to-hub')
    .where((eb) => eb.or([eb('modified_at', '<', before), eb('removed_at', 'is not', null)]))
    .where('document_id', 'not like', `${UPLOAD_PREFIX}%`)
    .execute();
  await db.deleteFrom('mailbox_uploads').where('supplier_id', '=', supplierId).where('status', '=', 'applied').where('applied_at', '<', before).execute();
}

// ---- the inbox: uploads recorded, then applied -------------------------------------------------

export const UPLOAD_PREFIX = 'upl_';

export interface RecordedUpload {
  id: string;
  supplierId: string;
  name: string;
  content: Buffer;
  address: string;
  sessionId: string | null;
}

/**
 * Records a complete upload, in one statement: the upload itself (leased to this process until
 * `leaseUntil`, to be applied by it), its name in `to-hub/` (replacing a file of that name) and its
 * audit entry. Once this returns, the file is the hub's: it will be applied, here or elsewhere.
 */
export async function recordUpload(
  db: Db,
  upload: RecordedUpload & { username: string; at: Date; leaseUntil: Date },
): Promise<void> {
  const size = upload.content.length;
  await sql`
    with upload as (
      insert into mailbox_uploads (id, supplier_id, name, content, size, received_at, address, session_id, status, locked_until)
      values (${upload.id}, ${upload.supplierId}, ${upload.name}, ${upload.content}, ${size}, ${upload.at}, ${upload.address}, ${upload.sessionId}, 'received', ${upload.leaseUntil})
    ), listed as (
      insert into mailbox_files (supplier_id, folder, name, document_id, size, modified_at)
      values (${upload.supplierId}, 'to-hub', ${upload.name}, ${upload.id}, ${size}, ${upload.at})
      on conflict (supplier_id, folder, name) do update
        set document_id = excluded.document_id, size = excluded.size, modified_at = excluded.modified_at,
            downloaded_at = null, downloads = 0, removed_at = null
    )
    insert into mailbox_audit (at, supplier_id, username, address, session_id, event, path, bytes, document_id, detail)
    values (${upload.at}, ${upload.supplierId}, ${cut(upload.username) ?? ''}, ${upload.address}, ${upload.sessionId}, 'upload',
            ${cut(`/to-hub/${upload.name}`)}, ${size}, ${upload.id}, 'received: applied next')`.execute(db);
}

/**
 * An upload was applied (the inbound ledger's answer: applied, duplicate, seen, failed): it points
 * at its inbound document from now on, in the inbox and in `to-hub/`, its bytes are dropped from the
 * inbox, and the outcome is audited. Only the first call for an upload does anything (another
 * process may have applied it too; the ledger made that harmless). Returns whether this one did.
 */
export async function markUploadApplied(
  db: Db,
  applied: { uploadId: string; documentId: string; outcome: string; at: Date; username: string },
): Promise<boolean> {
  const result = await sql`
    with done as (
      update mailbox_uploads
         set status = 'applied', document_id = ${applied.documentId}, applied_at = ${applied.at}, content = null, locked_until = null
       where id = ${applied.uploadId} and status = 'received'
      returning supplier_id, name, size, address, session_id
    ), renamed as (
      update mailbox_files set document_id = ${applied.documentId}
       where document_id = ${applied.uploadId} and supplier_id in (select supplier_id from done)
    )
    insert into mailbox_audit (at, supplier_id, username, address, session_id, event, path, bytes, document_id, detail)
    select ${applied.at}::timestamptz, supplier_id, ${cut(applied.username) ?? ''}::text, address, session_id, 'upload_applied', '/to-hub/' || name,
           size, ${applied.documentId}::text, ${cut(applied.outcome)}::text
      from done`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/**
 * Takes uploads nobody is applying (their process stopped before it could, or gave them back) for
 * this process until `leaseUntil`, oldest first, for the suppliers it serves.
 */
export async function claimWaitingUploads(
  db: Db,
  claim: { at: Date; leaseUntil: Date; supplierIds: string[]; limit: number },
): Promise<(RecordedUpload & { receivedAt: Date })[]> {
  if (claim.supplierIds.length === 0) return [];
  const rows = await sql<{ id: string; supplier_id: string; name: string; content: Uint8Array | null; address: string; session_id: string | null; received_at: Date }>`
    update mailbox_uploads set locked_until = ${claim.leaseUntil}
     where id in (
       select id from mailbox_uploads
        where status = 'received' and (locked_until is null or locked_until < ${claim.at})
          and supplier_id in (${sql.join(claim.supplierIds)})
        order by received_at
        limit ${claim.limit}
        for update skip locked)
    returning id, supplier_id, name, content, address, session_id, received_at`.execute(db);
  return rows.rows
    .map((r) => ({
      id: r.id,
      supplierId: r.supplier_id,
      name: r.name,
      content: toBuffer(r.content ?? new Uint8Array()),
      address: r.address,
      sessionId: r.session_id,
      receivedAt: new Date(r.received_at),
    }))
    .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
}

/** Gives uploads back (a process stopping with some not applied yet): any process takes them next. */
export async function releaseUploads(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('mailbox_uploads').set({ locked_until: null }).where('id', 'in', ids).where('status', '=', 'received').execute();
}

// ---- audit --------------------------------------------------------------------------------------

export type MailboxAuditEvent =
  | 'login'
  | 'login_failed'
  | 'login_locked'
  | 'connection_refused'
  | 'logout'
  | 'download'
  | 'upload'
  | 'upload_applied'
  | 'upload_refused'
  | 'upload_aborted'
  | 'remove'
  | 'rename'
  | 'denied';

export interface MailboxAuditEntry {
  at: Date;
  supplierId: string | null;
  username: string;
  address: string;
  sessionId?: string | null;
  event: MailboxAuditEvent;
  path?: string | null;
  bytes?: number | null;
  documentId?: string | null;
  detail?: string | null;
}

export interface MailboxAuditRow extends Required<MailboxAuditEntry> {
  id: number;
}

/** Longest text kept in the audit log per field (a hostile client chooses paths and user names). */
const MAX_AUDIT_TEXT = 512;
const cut = (text: string | null | undefined): string | null => (text == null ? null : text.length > MAX_AUDIT_TEXT ? `${text.slice(0, MAX_AUDIT_TEXT)}…` : text);

export async function recordMailboxAudit(db: Db, entry: MailboxAuditEntry): Promise<void> {
  await db
    .insertInto('mailbox_audit')
    .values({
      at: entry.at,
      supplier_id: entry.supplierId,
      username: cut(entry.username) ?? '',
      address: entry.address,
      session_id: entry.sessionId ?? null,
      event: entry.event,
      path: cut(entry.path),
      bytes: entry.bytes ?? null,
      document_id: entry.documentId ?? null,
      detail: cut(entry.detail),
    })
    .execute();
}

/** The audit log, newest first: `hub mailbox audit`, `GET /v1/admin/mailbox/audit`. */
export async function listMailboxAudit(
  db: Db,
  filter: { supplierId?: string; event?: string; limit: number; beforeId?: number },
): Promise<MailboxAuditRow[]> {
  let query = db.selectFrom('mailbox_audit').selectAll();
  if (filter.supplierId) query = query.where('supplier_id', '=', filter.supplierId);
  if (filter.event) query = query.where('event', '=', filter.event);
  if (filter.beforeId !== undefined) query = query.where('id', '<', String(filter.beforeId));
  const rows = await query.orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    supplierId: r.supplier_id,
    username: r.username,
    address: r.address,
    sessionId: r.session_id,
    event: r.event as MailboxAuditEvent,
    path: r.path,
    bytes: r.bytes === null ? null : Number(r.bytes),
    documentId: r.document_id,
    detail: r.detail,
  }));
}

/** Bytes a supplier uploaded since `since` (its daily quota counts these). */
export async function uploadedBytesSince(db: Db, supplierId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('mailbox_audit')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string | number>('bytes'), sql<number>`0`).as('total'))
    .where('supplier_id', '=', supplierId)
    .where('event', '=', 'upload')
    .where('at', '>', since)
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}

// ---- failed logins --------------------------------------------------------------------------------

export interface LockoutPolicy {
  /** Failures within `windowMs` that lock the key. */
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

/** The latest time until which any of `keys` is locked out, if one is locked at `at`. */
export async function lockedUntil(db: Db, keys: string[], at: Date): Promise<Date | undefined> {
  const rows = await db
    .selectFrom('mailbox_login_failures')
    .select('locked_until')
    .where('key', 'in', keys)
    .where('locked_until', '>', at)
    .execute();
  const times = rows.map((r) => r.locked_until!.getTime());
  return times.length ? new Date(Math.max(...times)) : undefined;
}

/**
 * Counts one failed login against each key (a failure older than the window starts the count
 * again); a key reaching `maxFailures` is locked for `lockMs`. One statement per key, so that
 * processes counting at the same time add up. Returns the lock's end when one is now in force.
 */
export async function recordLoginFailure(db: Db, keys: string[], at: Date, policy: LockoutPolicy): Promise<Date | undefined> {
  const windowStart = new Date(at.getTime() - policy.windowMs);
  const lockEnd = new Date(at.getTime() + policy.lockMs);
  let locked: Date | undefined;
  for (const key of keys) {
    const failures = sql<number>`case when mailbox_login_failures.window_started_at < ${windowStart} then 1 else mailbox_login_failures.failures + 1 end`;
    const row = await db
      .insertInto('mailbox_login_failures')
      .values({ key, failures: 1, window_started_at: at, locked_until: policy.maxFailures <= 1 ? lockEnd : null })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures,
          window_started_at: sql`case when mailbox_login_failures.window_started_at < ${windowStart} then ${at} else mailbox_login_failures.window_started_at end`,
          locked_until: sql`case when ${failures} >= ${policy.maxFailures} then ${lockEnd} else mailbox_login_failures.locked_until end`,
        }),
      )
      .returning('locked_until')
      .executeTakeFirst();
    const until = row?.locked_until;
    if (until && until.getTime() > at.getTime() && (!locked || until > locked)) locked = until;
  }
  return locked;
}

/** Lockouts in force at `at` (all, or one user's from any address, or one address's): `hub mailbox unlock`, the probe. */
export async function activeLockouts(db: Db, at: Date, filter: { username?: string; address?: string } = {}): Promise<{ key: string; until: Date }[]> {
  const rows = await db
    .selectFrom('mailbox_login_failures')
    .select(['key', 'locked_until'])
    .where('locked_until', '>', at)
    .where((eb) => eb.and(lockoutKeys(filter).map((pattern) => eb.or(pattern.map((p) => eb('key', p.op, p.value))))))
    .orderBy('key')
    .execute();
  return rows.map((r) => ({ key: r.key, until: r.locked_until! }));
}

/** Lifts lockouts (an operator's `hub mailbox unlock`); returns how many keys were cleared. */
export async function clearLockouts(db: Db, filter: { username?: string; address?: string }): Promise<number> {
  const result = await db
    .deleteFrom('mailbox_login_failures')
    .where((eb) => eb.and(lockoutKeys(filter).map((pattern) => eb.or(pattern.map((p) => eb('key', p.op, p.value))))))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The key conditions for a filter: all of the groups, any within a group. */
function lockoutKeys(filter: { username?: string; address?: string }): { op: '=' | 'like'; value: string }[][] {
  const groups: { op: '=' | 'like'; value: string }[][] = [];
  if (filter.username !== undefined) groups.push([{ op: 'like', value: `user:${escapeLike(filter.username)}@%` }]);
  if (filter.address !== undefined) {
    groups.push([
      { op: '=', value: `address:${filter.address}` },
      { op: 'like', value: `user:%@${escapeLike(filter.address)}` },
    ]);
  }
  return groups;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A successful login clears its own count (not its address's: one good account does not unlock a scan). */
export async function clearLoginFailures(db: Db, key: string): Promise<void> {
  await db.deleteFrom('mailbox_login_failures').where('key', '=', key).execute();
}
