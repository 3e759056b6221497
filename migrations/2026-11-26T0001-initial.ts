import { sql, type Kysely } from 'kysely';

// Frozen: never import from src/. The first schema of the hub.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('retailers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('api_key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('webhook_url', 'text')
    .addColumn('webhook_secret', 'text')
    .addColumn('shopify_secret', 'text')
    .addColumn('woocommerce_secret', 'text')
    .addColumn('shopify_shop_url', 'text')
    .addColumn('shopify_access_token', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('order_number', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('body_hash', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('orders_retailer_external_uq', ['retailer_id', 'external_id'])
    .execute();
  await db.schema.createIndex('orders_status_idx').on('orders').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('orders_order_number_idx').on('orders').column('order_number').execute();

  await db.schema
    .createTable('order_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text')
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb')
    .execute();
  await db.schema.createIndex('order_events_order_idx').on('order_events').columns(['order_id', 'id']).execute();

  await db.schema
    .createTable('webhook_receipts')
    .addColumn('retailer_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('webhook_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('webhook_receipts_pk', ['retailer_id', 'source', 'webhook_id'])
    .execute();

  await db.schema
    .createTable('purchase_orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('supplier_id', 'text', (c) => c.notNull())
    .addColumn('po_number', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('shipped', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('purchase_orders_supplier_po_uq', ['supplier_id', 'po_number'])
    .execute();
  await db.schema.createIndex('purchase_orders_order_idx').on('purchase_orders').column('order_id').execute();

  await db.schema
    .createTable('documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('supplier_id', 'text')
    .addColumn('retailer_id', 'text')
    .addColumn('order_id', 'text')
    .addColumn('po_id', 'text')
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(8))
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('locked_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('error_code', 'text')
    .addColumn('isa13', 'bigint')
    .addColumn('gs06', 'bigint')
    .addColumn('st02', 'integer')
    .addColumn('partner', 'text')
    .addColumn('receipt', 'jsonb')
    .addColumn('parsed', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('done_at', 'timestamptz')
    .execute();
  await sql`create index documents_due_idx on documents (next_attempt_at) where status = 'pending'`.execute(db);
  await db.schema.createIndex('documents_order_idx').on('documents').column('order_id').execute();
  await db.schema.createIndex('documents_status_idx').on('documents').columns(['status', 'direction']).execute();
  await sql`create unique index documents_partner_isa13_uq on documents (partner, isa13) where isa13 is not null`.execute(db);
  await sql`create index documents_gs06_idx on documents (partner, gs06) where gs06 is not null`.execute(db);

  await db.schema
    .createTable('control_counters')
    .addColumn('partner', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('inbound_ledger')
    .addColumn('supplier_id', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('document_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('inbound_ledger_pk', ['supplier_id', 'content_hash'])
    .execute();

  await db.schema
    .createTable('shipments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('po_id', 'text', (c) => c.notNull().references('purchase_orders.id'))
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('document_id', 'text')
    .addColumn('carrier', 'text')
    .addColumn('carrier_name', 'text')
    .addColumn('service', 'text')
    .addColumn('tracking_numbers', 'jsonb', (c) => c.notNull())
    .addColumn('tracking_urls', 'jsonb', (c) => c.notNull())
    .addColumn('lines', 'jsonb', (c) => c.notNull())
    .addColumn('shipped_at', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('shipments_order_idx').on('shipments').column('order_id').execute();
  await sql`create index shipments_tracking_idx on shipments using gin (tracking_numbers)`.execute(db);

  await db.schema
    .createTable('invoices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('po_id', 'text', (c) => c.notNull().references('purchase_orders.id'))
    .addColumn('supplier_id', 'text', (c) => c.notNull())
    .addColumn('invoice_number', 'text', (c) => c.notNull())
    .addColumn('total', 'text')
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('document_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('inventory')
    .addColumn('supplier_id', 'text', (c) => c.notNull())
    .addColumn('supplier_sku', 'text', (c) => c.notNull())
    .addColumn('sku', 'text')
    .addColumn('available', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('inventory_pk', ['supplier_id', 'supplier_sku'])
    .execute();

  await db.schema
    .createTable('expectations')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('po_id', 'text', (c) => c.notNull().references('purchase_orders.id'))
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('met_at', 'timestamptz')
    .addColumn('overdue_at', 'timestamptz')
    .addUniqueConstraint('expectations_po_kind_uq', ['po_id', 'kind'])
    .execute();
  await sql`create index expectations_open_idx on expectations (due_at) where status = 'open'`.execute(db);

  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('supplier_activity')
    .addColumn('supplier_id', 'text', (c) => c.primaryKey())
    .addColumn('last_poll_at', 'timestamptz')
    .addColumn('last_poll_ok_at', 'timestamptz')
    .addColumn('last_poll_error', 'text')
    .addColumn('last_delivery_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'supplier_activity', 'leases', 'expectations', 'inventory', 'invoices', 'shipments', 'inbound_ledger',
    'control_counters', 'documents', 'purchase_orders', 'webhook_receipts', 'order_events', 'orders', 'retailers',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
