import { sql, type Kysely } from 'kysely';

// Frozen: never import from src/. AS2 (RFC 4130): what partners sent the hub, by Message-ID.
export async function up(db: Kysely<any>): Promise<void> {
  // One row per AS2 message or asynchronous MDN a partner sent that the hub accepted: a replayed
  // Message-ID is found here and answered as a duplicate instead of being applied again.
  await db.schema
    .createTable('as2_messages')
    .addColumn('supplier_id', 'text', (c) => c.notNull())
    // 'message': a partner's AS2 message (its payload went to the inbound ledger);
    // 'mdn': a partner's asynchronous MDN for one of the hub's messages.
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    // message: the inbound document its payload became; mdn: the outbound document it confirms.
    .addColumn('document_id', 'text')
    // sha-256 (hex) of the HTTP body as received.
    .addColumn('content_hash', 'text', (c) => c.notNull())
    // message: the MIC the hub computed ("<base64>, sha-256").
    .addColumn('mic', 'text')
    // message: the disposition of the hub's MDN; mdn: the disposition the partner reported.
    .addColumn('disposition', 'text', (c) => c.notNull())
    // message: how the hub's MDN went: 'sync' | 'async' | 'none'.
    .addColumn('mdn_mode', 'text')
    // message: the hub's signed MDN as sent; mdn: the partner's MDN as received.
    .addColumn('mdn', 'bytea')
    // message with an asynchronous MDN: the outbox document that carries it.
    .addColumn('mdn_document_id', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('as2_messages_pk', ['supplier_id', 'kind', 'message_id'])
    .execute();
  // Outbound documents waiting for an asynchronous MDN, by when they are sent again.
  await sql`create index documents_awaiting_mdn_idx on documents (next_attempt_at) where status = 'awaiting_mdn'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('documents_awaiting_mdn_idx').execute();
  await db.schema.dropTable('as2_messages').execute();
}
