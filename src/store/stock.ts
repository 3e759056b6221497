/**
 * The stock side of routing (issue 12): what each supplier's feeds say it has (`inventory`, one row
 * per supplier and supplier SKU, stamped with the feed's own time) and what routing has promised
 * away and not shipped yet (`stock_reservations`, live while `released_at` is null).
 *
 * Two processes never take the last unit: a router locks the inventory rows of its candidates
 * (`lockStock`, in key order, so that two routers never wait on each other in a circle), reads the
 * live reservations only once it holds the locks (a statement of its own, so that it sees what the
 * router before it committed), decides, and inserts its reservations (`reserveStock`) in the same
 * transaction as its purchase orders. `lockAndReserve` does the three in order.
 *
 * @example
 *   await hub.store.db.transaction().execute(async (trx) => {
 *     const { result } = await lockAndReserve(trx, pairs, async (stock) => {
 *       const decision = decide({ lines, sources, stock, policy, now });
 *       return { result: decision, reservations: reservationsOf(decision, orderId, poIds) };
 *     });
 *   });
 *   await releaseReservations(trx, { poId }, 'cancelled');
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { stockSnapshot, type StockRow, type StockSnapshot } from '../routing/decide.ts';
import { newId } from './ids.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** One (supplier, supplier SKU) whose stock a decision may look at. */
export interface StockKey {
  supplier: string;
  supplierSku: string;
}

/** Units of one line promised to one source. */
export interface NewReservation {
  orderId: string;
  lineId: string;
  /** The purchase order that carries it, when there is one. */
  poId: string | null;
  supplier: string;
  supplierSku: string;
  quantity: number;
}

/** Which live reservations to release: a PO's, an order's, or one line's of an order (optionally at one supplier). */
export type ReservationScope = { poId: string } | { orderId: string; lineId?: string; supplier?: string };

/** Why a reservation ended (kept in `release_reason`). */
export type ReleaseReason = 'shipped' | 'cancelled' | 'rerouted' | 'rejected' | (string & {});

/** The pairs, each once, in key order (supplier, then supplier SKU, by code unit). */
function distinctSorted(keys: Iterable<StockKey>): StockKey[] {
  const seen = new Map<string, StockKey>();
  for (const key of keys) seen.set(`${key.supplier}\n${key.supplierSku}`, key);
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, key]) => key);
}

/**
 * The ledger rows of these pairs with their live reservations, in one query: the stock figure of a
 * pair without an inventory row is unknown (no row returned). `asOf` is the feed's own time, or
 * when the row was written for rows older than the ledger.
 */
export async function readStock(db: Db, keys: Iterable<StockKey>): Promise<StockRow[]> {
  const pairs = distinctSorted(keys);
  if (pairs.length === 0) return [];
  const rows = await db
    .selectFrom('inventory as i')
    .select((eb) => [
      'i.supplier_id',
      'i.supplier_sku',
      'i.available',
      sql<Date>`coalesce(i.as_of, i.updated_at)`.as('as_of'),
      eb
        .selectFrom('stock_reservations as r')
        .select(sql<string>`coalesce(sum(r.quantity), 0)`.as('reserved'))
        .whereRef('r.supplier_id', '=', 'i.supplier_id')
        .whereRef('r.supplier_sku', '=', 'i.supplier_sku')
        .where('r.released_at', 'is', null)
        .as('reserved'),
    ])
    .where(({ eb, refTuple, tuple }) =>
      eb(
        refTuple('i.supplier_id', 'i.supplier_sku'),
        'in',
        pairs.map((p) => tuple(p.supplier, p.supplierSku)),
      ),
    )
    .execute();
  return rows.map((row) => ({
    supplier: row.supplier_id,
    supplierSku: row.supplier_sku,
    available: row.available,
    reserved: Number(row.reserved ?? 0),
    asOf: new Date(row.as_of),
  }));
}

/**
 * Locks the inventory rows of these pairs `FOR UPDATE`, in key order, until the caller's transaction
 * ends, then reads them with their live reservations (`readStock`, a statement of its own: it sees
 * every reservation committed by whoever held the locks before). Pairs without a row lock nothing:
 * their stock is unknown, and nothing can be oversold of what is not counted.
 */
export async function lockStock(trx: Transaction<Database>, keys: Iterable<StockKey>): Promise<StockRow[]> {
  const pairs = distinctSorted(keys);
  if (pairs.length === 0) return [];
  await trx
    .selectFrom('inventory')
    .select('supplier_id')
    .where(({ eb, refTuple, tuple }) =>
      eb(
        refTuple('supplier_id', 'supplier_sku'),
        'in',
        pairs.map((p) => tuple(p.supplier, p.supplierSku)),
      ),
    )
    .orderBy(sql`supplier_id collate "C"`)
    .orderBy(sql`supplier_sku collate "C"`)
    .forUpdate()
    .execute();
  return readStock(trx, pairs);
}

/** Inserts reservations (one statement), in the caller's transaction. Quantities of 0 are left out. */
export async function reserveStock(trx: Db, reservations: readonly NewReservation[], at: Date): Promise<void> {
  const rows = reservations
    .filter((r) => r.quantity > 0)
    .map((r) => ({
      id: newId('rsv'),
      order_id: r.orderId,
      line_id: r.lineId,
      po_id: r.poId,
      supplier_id: r.supplier,
      supplier_sku: r.supplierSku,
      quantity: r.quantity,
      created_at: at,
    }));
  if (rows.length) await trx.insertInto('stock_reservations').values(rows).execute();
}

/**
 * Locks the stock of `keys`, hands the snapshot to `choose`, and reserves what it returns, all in
 * the caller's transaction: the way to take stock without ever taking the same unit twice.
 */
export async function lockAndReserve<T>(
  trx: Transaction<Database>,
  keys: Iterable<StockKey>,
  choose: (stock: StockSnapshot, rows: StockRow[]) => Promise<{ result: T; reservations: readonly NewReservation[] }> | { result: T; reservations: readonly NewReservation[] },
  at: Date,
): Promise<{ result: T; stock: StockRow[] }> {
  const rows = await lockStock(trx, keys);
  const { result, reservations } = await choose(stockSnapshot(rows), rows);
  await reserveStock(trx, reservations, at);
  return { result, stock: rows };
}

/**
 * Releases the live reservations in `scope` (shipment, cancellation, reroute), in the caller's
 * transaction. Returns how many were released.
 */
export async function releaseReservations(trx: Db, scope: ReservationScope, reason: ReleaseReason, at: Date = new Date()): Promise<number> {
  const result = await trx
    .updateTable('stock_reservations')
    .set({ released_at: at, release_reason: reason })
    .where('released_at', 'is', null)
    .$if('poId' in scope, (q) => q.where('po_id', '=', (scope as { poId: string }).poId))
    .$if('orderId' in scope, (q) => q.where('order_id', '=', (scope as { orderId: string }).orderId))
    .$if('lineId' in scope && (scope as { lineId?: string }).lineId !== undefined, (q) => q.where('line_id', '=', (scope as { lineId: string }).lineId))
    .$if('supplier' in scope && (scope as { supplier?: string }).supplier !== undefined, (q) => q.where('supplier_id', '=', (scope as { supplier: string }).supplier))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * A shipment of a PO's lines (`lineId` → units shipped now): each live reservation of those lines is
 * released as `shipped`; what is still to ship of a line is reserved again in a new row (the
 * history stays readable). Returns how many units were released.
 */
export async function releaseShipped(trx: Db, poId: string, shipped: ReadonlyMap<string, number>, at: Date = new Date()): Promise<number> {
  if (shipped.size === 0) return 0;
  const live = await trx
    .updateTable('stock_reservations')
    .set({ released_at: at, release_reason: 'shipped' })
    .where('po_id', '=', poId)
    .where('line_id', 'in', [...shipped.keys()])
    .where('released_at', 'is', null)
    .returningAll()
    .execute();
  let released = 0;
  const again: NewReservation[] = [];
  const left = new Map(shipped);
  for (const row of live.sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const take = Math.min(row.quantity, left.get(row.line_id) ?? 0);
    left.set(row.line_id, (left.get(row.line_id) ?? 0) - take);
    released += take;
    if (row.quantity > take) {
      again.push({ orderId: row.order_id, lineId: row.line_id, poId: row.po_id, supplier: row.supplier_id, supplierSku: row.supplier_sku, quantity: row.quantity - take });
    }
  }
  await reserveStock(trx, again, at);
  return released;
}

/** The live reservations of an order (for the explanation and the operator). */
export async function liveReservations(db: Db, orderId: string) {
  return db.selectFrom('stock_reservations').selectAll().where('order_id', '=', orderId).where('released_at', 'is', null).orderBy('created_at').orderBy('id').execute();
}
