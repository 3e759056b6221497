import { type Kysely } from 'kysely';

// Frozen: never import from src/. Automatic reroute (issue 12 item 6): each time a line left a
// purchase order (rejected by the supplier's 855, backordered beyond the retailer's tolerance, or a
// 997/855 that never came) and where it went. The suppliers a line has left are the ones routing
// must not pick again (the decision's exclusions); a line leaves a given PO once (the unique key),
// however many processes notice the same missed deadline.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('line_reroutes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('line_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('from_supplier', 'text', (c) => c.notNull())
    .addColumn('from_po_id', 'text', (c) => c.notNull())
    // Null when no source was left: the order went to exception.
    .addColumn('to_supplier', 'text')
    .addColumn('to_po_id', 'text')
    // rejected | backordered | no_997 | no_855 | backorder_wait
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('line_reroutes_from_po_line_uq', ['from_po_id', 'line_id'])
    .execute();
  await db.schema.createIndex('line_reroutes_order_idx').on('line_reroutes').columns(['order_id', 'line_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('line_reroutes').execute();
}
