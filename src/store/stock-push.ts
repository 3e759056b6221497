/**
 * Stock back to the stores: which suppliers' stock changed (marked in the feed's own transaction, so
 * that a committed feed is always pushed, whatever process applied it), the stock levels a push
 * needs, and per retailer and SKU what the store should show and what it was last told.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The supplier's stock changed: its retailer SKUs are computed and pushed by the next pass. */
export async function markStockDirty(db: Db, supplier: string): Promise<void> {
  await db
    .insertInto('stock_push_dirty')
    .values({ supplier_id: supplier, since: sql`now()` })
    .onConflict((oc) => oc.column('supplier_id').doUpdateSet({ since: sql`greatest(stock_push_dirty.since, excluded.since)` }))
    .execute();
}

export async function dirtySuppliers(db: Db): Promise<{ supplier: string; since: Date }[]> {
  const rows = await db.selectFrom('stock_push_dirty').select(['supplier_id', 'since']).orderBy('supplier_id').execute();
  return rows.map((r) => ({ supplier: r.supplier_id, since: new Date(r.since as unknown as string) }));
}

/** Done with a supplier's change, unless a feed marked it again meanwhile (a later `since`: it stays). */
export async function clearDirty(db: Db, supplier: string, since: Date): Promise<void> {
  await db.deleteFrom('stock_push_dirty').where('supplier_id', '=', supplier).where('since', '<=', since).execute();
}

/** One page of a supplier's SKUs in the ledger, after `after` (keyset, in SKU order). */
export async function ledgerSkuPage(db: Db, supplier: string, after: string | null, limit: number): Promise<string[]> {
  let query = db.selectFrom('inventory').select('supplier_sku').where('supplier_id', '=', supplier);
  if (after !== null) query = query.where('supplier_sku', '>', after);
  return (await query.orderBy('supplier_sku').limit(limit).execute()).map((r) => r.supplier_sku);
}

export interface StockLevelRow {
  supplier: string;
  supplierSku: string;
  available: number;
  reserved: number;
}

/** The figures and live reservations of these (supplier, supplier SKU) pairs, in one query. */
export async function stockLevels(db: Db, pairs: readonly { supplier: string; supplierSku: string }[]): Promise<StockLevelRow[]> {
  if (pairs.length === 0) return [];
  const result = await sql<{ supplier_id: string; supplier_sku: string; available: number; reserved: string | number | null }>`
    select i.supplier_id, i.supplier_sku, i.available,
      (select coalesce(sum(r.quantity), 0) from stock_reservations r
        where r.supplier_id = i.supplier_id and r.supplier_sku = i.supplier_sku and r.released_at is null) as reserved
    from inventory i
    join unnest(${pairs.map((p) => p.supplier)}::text[], ${pairs.map((p) => p.supplierSku)}::text[]) as p(supplier_id, supplier_sku)
      on i.supplier_id = p.supplier_id and i.supplier_sku = p.supplier_sku`.execute(db);
  return result.rows.map((r) => ({ supplier: r.supplier_id, supplierSku: r.supplier_sku, available: r.available, reserved: Number(r.reserved ?? 0) }));
}

/** What the retailer's store should show for these SKUs. */
export async function setStoreStock(db: Db, retailer: string, quantities: ReadonlyMap<string, number>): Promise<void> {
  const skus = [...quantities.keys()];
  if (skus.length === 0) return;
  await sql`insert into store_stock (retailer_id, sku, quantity)
    select ${retailer}, q.sku, q.quantity from unnest(${skus}::text[], ${skus.map((s) => quantities.get(s)!)}::int[]) as q(sku, quantity)
    on conflict (retailer_id, sku) do update set quantity = excluded.quantity`.execute(db);
}

export interface DuePush {
  sku: string;
  quantity: number;
  storeRef: string | null;
  attempts: number;
}

/** SKUs whose store shows (or was told) something else than it should, and not waiting for a retry. */
export async function duePushes(db: Db, retailer: string, now: Date, limit: number): Promise<DuePush[]> {
  const rows = await db
    .selectFrom('store_stock')
    .select(['sku', 'quantity', 'store_ref', 'attempts'])
    .where('retailer_id', '=', retailer)
    .where((eb) => eb.or([eb('pushed_quantity', 'is', null), eb('pushed_quantity', '!=', eb.ref('quantity'))]))
    .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
    .orderBy('sku')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ sku: r.sku, quantity: r.quantity, storeRef: r.store_ref, attempts: r.attempts }));
}

/** The store's ids for SKUs, as looked up (the look-up cache). */
export async function recordStoreRefs(db: Db, retailer: string, refs: ReadonlyMap<string, string>): Promise<void> {
  for (const [sku, ref] of refs) {
    await db.updateTable('store_stock').set({ store_ref: ref }).where('retailer_id', '=', retailer).where('sku', '=', sku).execute();
  }
}

/** Told the store: what was sent is what it shows now. */
export async function markPushed(db: Db, retailer: string, items: readonly { sku: string; quantity: number }[], now: Date): Promise<void> {
  for (const item of items) {
    await db
      .updateTable('store_stock')
      .set({ pushed_quantity: item.quantity, pushed_at: now, attempts: 0, next_attempt_at: null, last_error: null })
      .where('retailer_id', '=', retailer)
      .where('sku', '=', item.sku)
      .execute();
  }
}

/** Not pushed: tried again at `next` (a SKU the store lacks is looked up again then). */
export async function markNotPushed(db: Db, retailer: string, skus: readonly string[], error: string, next: Date, countAttempt: boolean): Promise<void> {
  if (skus.length === 0) return;
  await db
    .updateTable('store_stock')
    .set((eb) => ({ attempts: countAttempt ? eb('attempts', '+', 1) : eb.ref('attempts'), next_attempt_at: next, last_error: error }))
    .where('retailer_id', '=', retailer)
    .where('sku', 'in', skus)
    .execute();
}

export interface StoreStockRow {
  sku: string;
  quantity: number;
  pushedQuantity: number | null;
  storeRef: string | null;
  attempts: number;
  lastError: string | null;
}

/** A retailer's store stock rows (tests, the operator). */
export async function storeStock(db: Db, retailer: string): Promise<StoreStockRow[]> {
  const rows = await db.selectFrom('store_stock').selectAll().where('retailer_id', '=', retailer).orderBy('sku').execute();
  return rows.map((r) => ({ sku: r.sku, quantity: r.quantity, pushedQuantity: r.pushed_quantity, storeRef: r.store_ref, attempts: r.attempts, lastError: r.last_error }));
}
