import { sql, type Kysely } from 'kysely';

// Frozen: never import from src/. Routing wired to the database (issue 12): every decision kept
// with its explanation, and the lines that wait for stock (unfillable: partial).
export async function up(db: Kysely<any>): Promise<void> {
  // One row per decision taken for an order (its first routing, a backorder routed later, a
  // reroute): the outcome, the lines it decided and the explanation (the `routing` section of
  // GET /v1/orders/{id}, merged per line, latest first).
  await db.schema
    .createTable('routing_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // The order decisions were taken in (created_at comes from the hub's clock and may repeat).
    .addColumn('seq', 'bigserial', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('explanation', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('routing_decisions_order_idx').on('routing_decisions').columns(['order_id', 'seq']).execute();

  // Lines no source could fill under unfillable: partial: open while routed_at is null, routed when
  // stock arrives or a mapping changes, closed as well when the order is cancelled.
  await db.schema
    .createTable('backorders')
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('line_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('since', 'timestamptz', (c) => c.notNull())
    .addColumn('closed_at', 'timestamptz')
    .addColumn('closed_reason', 'text')
    .addPrimaryKeyConstraint('backorders_pk', ['order_id', 'line_id'])
    .execute();
  await sql`create index backorders_open_idx on backorders (since) where closed_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('backorders').execute();
  await db.schema.dropTable('routing_decisions').execute();
}
