import { sql, type Kysely } from 'kysely';

// Frozen: never import from src/. The inventory ledger (issue 12): what each supplier's feeds say
// it has, stamped with the feed's own time, and what routing has promised away and not shipped.
export async function up(db: Kysely<any>): Promise<void> {
  // The feed's own timestamp (846 BIA/DTM, the JSON document's asOf, a CSV/XML feed's date), so that
  // stale stock counts as unknown; the document that last set the row, for the operator.
  await db.schema.alterTable('inventory').addColumn('as_of', 'timestamptz').execute();
  await db.schema.alterTable('inventory').addColumn('document_id', 'text').execute();
  await sql`update inventory set as_of = updated_at`.execute(db);

  // Quantities routed to a supplier and not shipped yet. A row is live while released_at is null;
  // shipment, cancellation or a reroute release it (release_reason says which). Routing locks the
  // inventory rows of its candidates, reads the live sum here, and inserts its own in the same
  // transaction, so that two processes never both take the last unit.
  await db.schema
    .createTable('stock_reservations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('line_id', 'text', (c) => c.notNull())
    .addColumn('po_id', 'text')
    .addColumn('supplier_id', 'text', (c) => c.notNull())
    .addColumn('supplier_sku', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('released_at', 'timestamptz')
    .addColumn('release_reason', 'text')
    .execute();
  await sql`create index stock_reservations_live_idx on stock_reservations (supplier_id, supplier_sku) where released_at is null`.execute(db);
  await db.schema.createIndex('stock_reservations_order_idx').on('stock_reservations').column('order_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('stock_reservations').execute();
  await db.schema.alterTable('inventory').dropColumn('document_id').execute();
  await db.schema.alterTable('inventory').dropColumn('as_of').execute();
}
