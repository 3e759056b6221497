import { sql, type Kysely } from 'kysely';

// Frozen: never import from src/. Lookups on hot paths of the inbound apply.
export async function up(db: Kysely<any>): Promise<void> {
  // A retailer event is queued once per fact (its file name carries the event id): unique, and indexed.
  await sql`create unique index documents_event_uq on documents (retailer_id, filename) where kind = 'event'`.execute(db);
  await db.schema.createIndex('documents_po_idx').on('documents').column('po_id').execute();
  await db.schema.createIndex('order_events_order_at_idx').on('order_events').columns(['order_id', 'at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('order_events_order_at_idx').execute();
  await db.schema.dropIndex('documents_po_idx').execute();
  await db.schema.dropIndex('documents_event_uq').execute();
}
