/**
 * Automatic reroute's records (issue 12 item 6): the lines moved away from a purchase order, the
 * suppliers a line has already been tried at, and the few reads and writes a reroute makes on the
 * purchase orders of one order. Every function runs in the caller's transaction; the reroute itself
 * is `src/pipeline/auto-reroute.ts`.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { CanonicalOrder } from '../canonical/order.ts';
import type { PurchaseOrder } from '../canonical/purchase-order.ts';
import type { Database, LineRerouteRow, PurchaseOrderRow } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** What moved a line: its 855 rejected it or backordered it too long, or a document never came. */
export type RerouteTrigger = 'rejected' | 'backordered' | 'no_997' | 'no_855' | 'backorder_wait';

export interface LineReroute {
  orderId: string;
  lineId: string;
  sku: string;
  quantity: number;
  fromSupplier: string;
  fromPoId: string;
  /** Null: no source was left. */
  toSupplier: string | null;
  toPoId: string | null;
  trigger: RerouteTrigger;
  reason: string;
  at: Date;
}

/** An order with its retailer, locked (the first lock the hub takes on an order), with one of its purchase orders, locked next. */
export interface LockedOrderAndPo {
  order: { id: string; status: string; data: CanonicalOrder; retailerId: string; retailerName: string };
  po: PurchaseOrderRow;
}

/** Locks the order, then the purchase order (the hub's one lock order); undefined when either is gone. */
export async function lockOrderAndPurchaseOrder(trx: Transaction<Database>, poId: string): Promise<LockedOrderAndPo | undefined> {
  const owner = await trx.selectFrom('purchase_orders').select('order_id').where('id', '=', poId).executeTakeFirst();
  if (!owner) return undefined;
  const order = await trx
    .selectFrom('orders')
    .innerJoin('retailers', 'retailers.id', 'orders.retailer_id')
    .select(['orders.id', 'orders.status', 'orders.data', 'orders.retailer_id', 'retailers.name as retailer_name'])
    .where('orders.id', '=', owner.order_id)
    .forUpdate('orders')
    .executeTakeFirst();
  if (!order) return undefined;
  const po = await trx.selectFrom('purchase_orders').selectAll().where('id', '=', poId).forUpdate().executeTakeFirstOrThrow();
  return {
    order: { id: order.id, status: order.status, data: order.data as CanonicalOrder, retailerId: order.retailer_id, retailerName: order.retailer_name },
    po,
  };
}

/** The suppliers each of these lines of the order has left, with why: a reroute must not pick them again. */
export async function triedSuppliers(db: Db, orderId: string, lineIds: readonly string[]): Promise<{ lineId: string; supplier: string; reason: string }[]> {
  if (lineIds.length === 0) return [];
  const rows = await db
    .selectFrom('line_reroutes')
    .select(['line_id', 'from_supplier', 'reason'])
    .where('order_id', '=', orderId)
    .where('line_id', 'in', [...lineIds])
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ lineId: r.line_id, supplier: r.from_supplier, reason: r.reason }));
}

/** The lines that have already left this purchase order (by line id). */
export async function linesMovedFrom(db: Db, poId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('line_reroutes').select('line_id').where('from_po_id', '=', poId).execute();
  return new Set(rows.map((r) => r.line_id));
}

/**
 * Records lines leaving a purchase order. A line leaves a given PO once: a row already there (another
 * process noticed the same missed deadline first) is left alone, and the line is not in the result.
 */
export async function recordLineReroutes(trx: Transaction<Database>, reroutes: readonly LineReroute[]): Promise<Set<string>> {
  if (reroutes.length === 0) return new Set();
  const inserted = await trx
    .insertInto('line_reroutes')
    .values(
      reroutes.map((r) => ({
        id: `rrt_${randomUUID().replace(/-/g, '')}`,
        order_id: r.orderId,
        line_id: r.lineId,
        sku: r.sku,
        quantity: r.quantity,
        from_supplier: r.fromSupplier,
        from_po_id: r.fromPoId,
        to_supplier: r.toSupplier,
        to_po_id: r.toPoId,
        trigger: r.trigger,
        reason: r.reason,
        at: r.at,
      })),
    )
    .onConflict((oc) => oc.columns(['from_po_id', 'line_id']).doNothing())
    .returning('line_id')
    .execute();
  return new Set(inserted.map((r) => r.line_id));
}

/** Every reroute of an order, oldest first (the API, the dashboard). */
export async function reroutesOfOrder(db: Db, orderId: string): Promise<LineReroute[]> {
  const rows = await db.selectFrom('line_reroutes').selectAll().where('order_id', '=', orderId).orderBy('at').orderBy('id').execute();
  return rows.map(fromRow);
}

function fromRow(r: LineRerouteRow): LineReroute {
  return {
    orderId: r.order_id,
    lineId: r.line_id,
    sku: r.sku,
    quantity: r.quantity,
    fromSupplier: r.from_supplier,
    fromPoId: r.from_po_id,
    toSupplier: r.to_supplier,
    toPoId: r.to_po_id,
    trigger: r.trigger as RerouteTrigger,
    reason: r.reason,
    at: r.at,
  };
}

/** A new purchase order for rerouted lines, pending (its document goes in the outbox beside it). */
export async function insertReroutedPurchaseOrder(trx: Transaction<Database>, poId: string, po: PurchaseOrder): Promise<void> {
  await trx
    .insertInto('purchase_orders')
    .values({ id: poId, order_id: po.orderId, supplier_id: po.supplierId, po_number: po.poNumber, status: 'pending', data: JSON.stringify(po) })
    .execute();
}

/** The purchase order keeps only these lines (the others have moved to another supplier). */
export async function keepPurchaseOrderLines(trx: Transaction<Database>, poId: string, po: PurchaseOrder): Promise<void> {
  await trx.updateTable('purchase_orders').set({ data: JSON.stringify(po), updated_at: sql`now()` }).where('id', '=', poId).execute();
}

/** Sets a purchase order's status and reason. */
export async function setPurchaseOrderStatus(trx: Transaction<Database>, poId: string, status: string, reason: string | null = null): Promise<void> {
  await trx.updateTable('purchase_orders').set({ status, status_reason: reason, updated_at: sql`now()` }).where('id', '=', poId).execute();
}

/** Closes what the ledger still expects of a purchase order whose lines have all moved away. */
export async function cancelExpectations(trx: Transaction<Database>, poId: string): Promise<void> {
  await trx.updateTable('expectations').set({ status: 'cancelled' }).where('po_id', '=', poId).where('status', 'in', ['open', 'overdue']).execute();
}

/**
 * Takes a purchase order's document back from the outbox while no worker holds it (never sent): the
 * supplier never saw it, so no cancellation is owed. False when it is out, or being delivered.
 */
export async function withdrawUnsentPurchaseOrder(trx: Transaction<Database>, poId: string): Promise<boolean> {
  const withdrawn = await trx
    .updateTable('documents')
    .set({ status: 'cancelled', done_at: sql`now()`, updated_at: sql`now()` })
    .where('po_id', '=', poId)
    .where('kind', '=', 'po')
    .where('status', 'in', ['pending', 'failed'])
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', sql<Date>`now()`)]))
    .returning('id')
    .execute();
  if (withdrawn.length === 0) return false;
  const inFlight = await trx
    .selectFrom('documents')
    .select('id')
    .where('po_id', '=', poId)
    .where('kind', '=', 'po')
    .where('status', 'in', ['pending', 'sent'])
    .executeTakeFirst();
  return !inFlight;
}

/** The PO numbers a supplier already uses that start like `poNumber` (for a unique one). */
export async function poNumbersLike(db: Db, supplierId: string, poNumber: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('purchase_orders')
    .select('po_number')
    .where('supplier_id', '=', supplierId)
    .where((eb) => eb.or([eb('po_number', '=', poNumber), eb('po_number', 'like', `${poNumber.replace(/[\\%_]/g, '\\$&')}-%`)]))
    .execute();
  return new Set(rows.map((r) => r.po_number));
}

/** The lines of the last 855 applied to a purchase order (from its timeline), for a backorder that ran out of time. */
export async function lastAcknowledgmentLines(db: Db, orderId: string, poId: string): Promise<unknown[] | undefined> {
  const rows = await db
    .selectFrom('order_events')
    .select(['data'])
    .where('order_id', '=', orderId)
    .where('type', '=', 'acknowledgment_received')
    .orderBy('id', 'desc')
    .execute();
  for (const row of rows) {
    const data = row.data as { poId?: string; lines?: unknown[] } | null;
    if (data?.poId === poId) return data.lines ?? [];
  }
  return undefined;
}

/** A purchase order's status now (after a reroute in the same transaction changed it, say). */
export async function purchaseOrderStatus(db: Db, poId: string): Promise<string | undefined> {
  return (await db.selectFrom('purchase_orders').select('status').where('id', '=', poId).executeTakeFirst())?.status;
}

/** The line ids a purchase order still holds (a reroute may have moved some away). */
export async function purchaseOrderLineIds(db: Db, poId: string): Promise<string[]> {
  const po = await db.selectFrom('purchase_orders').select('data').where('id', '=', poId).executeTakeFirst();
  return ((po?.data as { lines?: { lineId: string }[] } | undefined)?.lines ?? []).map((l) => l.lineId);
}
