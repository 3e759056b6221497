import { type Kysely } from 'kysely';

// Frozen: never import from src/. Stock back to the store (issue 12, item 7): the WooCommerce
// credentials of a retailer, the suppliers whose stock changed since the last push, and per retailer
// and SKU what the store should show, what was pushed last, and the store's id for the SKU.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('retailers').addColumn('woocommerce_url', 'text').execute();
  await db.schema.alterTable('retailers').addColumn('woocommerce_key', 'text').execute();
  await db.schema.alterTable('retailers').addColumn('woocommerce_secret_key', 'text').execute();

  // A stock feed of the supplier was applied since this time (written in the feed's transaction).
  await db.schema
    .createTable('stock_push_dirty')
    .addColumn('supplier_id', 'text', (c) => c.primaryKey())
    .addColumn('since', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('store_stock')
    .addColumn('retailer_id', 'text', (c) => c.notNull().references('retailers.id'))
    .addColumn('sku', 'text', (c) => c.notNull())
    // What the store should show now (sum over the SKU's sources of available − reserved − buffer).
    .addColumn('quantity', 'integer', (c) => c.notNull())
    // What the store was last told (null: never).
    .addColumn('pushed_quantity', 'integer')
    .addColumn('pushed_at', 'timestamptz')
    // The store's id for the SKU (Shopify inventory item gid, WooCommerce product id); '' when the
    // store has no such SKU; null when not looked up yet.
    .addColumn('store_ref', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addPrimaryKeyConstraint('store_stock_pk', ['retailer_id', 'sku'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('store_stock').execute();
  await db.schema.dropTable('stock_push_dirty').execute();
  await db.schema.alterTable('retailers').dropColumn('woocommerce_secret_key').execute();
  await db.schema.alterTable('retailers').dropColumn('woocommerce_key').execute();
  await db.schema.alterTable('retailers').dropColumn('woocommerce_url').execute();
}
