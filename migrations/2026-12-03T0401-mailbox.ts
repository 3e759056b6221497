import { sql, type Kysely } from 'kysely';

// Frozen: never import from src/. The hub's SFTP mailbox: what each supplier sees in its two
// folders, who logged in and moved what, and failed logins (lockouts hold across processes).
export async function up(db: Kysely<any>): Promise<void> {
  // One row per file a supplier sees: `from-hub` holds documents placed for pickup, `to-hub` the
  // files it dropped (already applied). The bytes stay in `documents`; a row is the file's name.
  // A removed file keeps its row (removed_at), so that delivering the same document again after a
  // crash does not put it back.
  await db.schema
    .createTable('mailbox_files')
    .addColumn('supplier_id', 'text', (c) => c.notNull())
    .addColumn('folder', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('document_id', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('modified_at', 'timestamptz', (c) => c.notNull())
    .addColumn('downloaded_at', 'timestamptz')
    .addColumn('downloads', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('removed_at', 'timestamptz')
    .addPrimaryKeyConstraint('mailbox_files_pk', ['supplier_id', 'folder', 'name'])
    .execute();
  await db.schema.createIndex('mailbox_files_document_idx').on('mailbox_files').column('document_id').execute();

  // The mailbox's inbox: a complete upload is recorded here (one statement, before its CLOSE is
  // answered) and applied at once through the inbound ledger by the process that took it; one that
  // process could not apply (it stopped) is taken by any process once its lease runs out.
  await db.schema
    .createTable('mailbox_uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('supplier_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // null once applied (the bytes are then the inbound document's)
    .addColumn('content', 'bytea')
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    // who sent it, for the audit entry of its apply
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'timestamptz')
    .addColumn('document_id', 'text')
    .addColumn('applied_at', 'timestamptz')
    .execute();
  await sql`create index mailbox_uploads_waiting_idx on mailbox_uploads (received_at) where status = 'received'`.execute(db);

  await db.schema
    .createTable('mailbox_audit')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    // null when the user name is no mailbox supplier
    .addColumn('supplier_id', 'text')
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text')
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('path', 'text')
    .addColumn('bytes', 'bigint')
    .addColumn('document_id', 'text')
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('mailbox_audit_supplier_idx').on('mailbox_audit').columns(['supplier_id', 'at']).execute();
  await sql`create index mailbox_audit_uploads_idx on mailbox_audit (supplier_id, at) where event = 'upload'`.execute(db);

  // Failed logins per key (`user:<name>@<address>`, `address:<address>`) in the current window.
  await db.schema
    .createTable('mailbox_login_failures')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('locked_until', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mailbox_login_failures').execute();
  await db.schema.dropTable('mailbox_audit').execute();
  await db.schema.dropTable('mailbox_uploads').execute();
  await db.schema.dropTable('mailbox_files').execute();
}
