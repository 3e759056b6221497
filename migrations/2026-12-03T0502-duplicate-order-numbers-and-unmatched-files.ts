import { sql, type Kysely } from 'kysely';

// Frozen: never import from src/. Issue 14: a retailer's policy for an order number used again under a
// new external id, and the supplier files that match no inbound rule.
export async function up(db: Kysely<any>): Promise<void> {
  // `warn` accepts the order and flags it; `refuse` answers 409.
  await db.schema
    .alterTable('retailers')
    .addColumn('duplicate_order_numbers', 'text', (c) => c.notNull().defaultTo('warn'))
    .execute();
  // Finding an earlier order with the same number is a lookup per intake.
  await db.schema.createIndex('orders_retailer_order_number_idx').on('orders').columns(['retailer_id', 'order_number']).execute();

  // Files seen in a supplier's inbound folder that no `inbound.files` rule matches: never read, moved or
  // deleted; listed for the operator, and alerted once each (alerted_at).
  await db.schema
    .createTable('unmatched_files')
    .addColumn('supplier_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint')
    .addColumn('modified_at', 'timestamptz')
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('alerted_at', 'timestamptz')
    // Set when a pass no longer finds the file (renamed, removed by the supplier); cleared if it returns.
    .addColumn('gone_at', 'timestamptz')
    .addPrimaryKeyConstraint('unmatched_files_pk', ['supplier_id', 'name'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('unmatched_files').execute();
  await db.schema.dropIndex('orders_retailer_order_number_idx').execute();
  await db.schema.alterTable('retailers').dropColumn('duplicate_order_numbers').execute();
}
