import { sql, type Transaction } from 'kysely';
import type { Mapping } from '../config/mapping-schema.ts';
import { expectsReceipt } from '../formats/outbound.ts';
import type { Hub } from '../hub.ts';
import { recordEvent } from '../store/orders.ts';
import type { Database } from '../store/schema.ts';
import { rerouteBackorderedLines, rerouteSilentPurchaseOrder } from './auto-reroute.ts';
import { enqueueRetailerEvent } from './notify.ts';

/** `backorder`: a backordered line shipped within the retailer's backorderTolerance (automatic reroute). */
export type ExpectedKind = '997' | '855' | '856' | 'backorder';

const HOUR = 3_600_000;

/**
 * The expected-document ledger: a sent PO expects a 997 (formats whose receipt the hub reads: X12), an 855 (suppliers that send
 * them) and a ship notice or tracking by a ship-by time. Opened when the PO is delivered.
 */
export async function openExpectations(
  trx: Transaction<Database>,
  hub: Hub,
  mapping: Mapping,
  poId: string,
  orderId: string,
): Promise<void> {
  const now = hub.clock().getTime();
  const rows: { kind: ExpectedKind; due: number }[] = [];
  if (expectsReceipt(mapping)) rows.push({ kind: '997', due: now + mapping.expect.ack997Hours * HOUR });
  if (mapping.expect.ack855Hours !== undefined) rows.push({ kind: '855', due: now + mapping.expect.ack855Hours * HOUR });
  rows.push({ kind: '856', due: now + mapping.expect.shipHours * HOUR });
  for (const row of rows) {
    await trx
      .insertInto('expectations')
      .values({ po_id: poId, order_id: orderId, kind: row.kind, due_at: new Date(row.due), status: 'open' })
      .onConflict((oc) => oc.columns(['po_id', 'kind']).doNothing())
      .execute();
  }
}

/**
 * A document arrived: its expectation is met (and leaves the overdue list). A supplier can answer
 * before the hub has recorded the PO as sent (the upload landed, the commit came later): the met
 * row is then written now, and opening the expectation afterwards finds it met.
 */
export async function meetExpectation(trx: Transaction<Database>, poId: string, kind: ExpectedKind): Promise<void> {
  await sql`
    insert into expectations (po_id, order_id, kind, due_at, status, met_at)
    select id, order_id, ${kind}, now(), 'met', now() from purchase_orders where id = ${poId}
    on conflict (po_id, kind) do update set status = 'met', met_at = now()
      where expectations.status in ('open', 'overdue')`.execute(trx);
}

/**
 * A backordered line must ship within the retailer's `backorderTolerance` (automatic reroute): the
 * ledger holds that deadline per PO, as kind `backorder`, opened by the 855 that backordered it.
 */
export async function expectBackorderShipped(trx: Transaction<Database>, poId: string, orderId: string, dueAt: Date): Promise<void> {
  await trx
    .insertInto('expectations')
    .values({ po_id: poId, order_id: orderId, kind: 'backorder', due_at: dueAt, status: 'open' })
    .onConflict((oc) => oc.columns(['po_id', 'kind']).doNothing())
    .execute();
}

/**
 * Marks expectations past due as overdue, once each: the row moves from `open` to `overdue` in the
 * same statement that claims it, so `order.overdue` fires once however many processes check. Each
 * row is handled in a transaction of its own that locks its order first (the hub's lock order): a
 * missed 997 or 855 moves the PO's lines to their next source where the retailer's policy reroutes
 * (auto-reroute.ts), in that same transaction, and the retailer is told `order.overdue` only when
 * nothing moved; a backorder deadline moves the lines still backordered and is then closed.
 */
export async function checkOverdue(hub: Hub): Promise<number> {
  const now = hub.clock();
  const due = await hub.store.db
    .selectFrom('expectations')
    .select(['id', 'order_id'])
    .where('status', '=', 'open')
    .where('due_at', '<=', now)
    .orderBy('due_at')
    .execute();
  let count = 0;
  for (const candidate of due) {
    const claimed = await hub.store.db.transaction().execute(async (trx) => {
      await trx.selectFrom('orders').select('id').where('id', '=', candidate.order_id).forUpdate().execute();
      const row = await trx
        .updateTable('expectations')
        .set({ status: 'overdue', overdue_at: now })
        .where('id', '=', candidate.id)
        .where('status', '=', 'open')
        .returning(['id', 'po_id', 'order_id', 'kind', 'due_at'])
        .executeTakeFirst();
      if (!row) return false;
      if (row.kind === 'backorder') {
        await rerouteBackorderedLines(trx, hub, row.po_id);
        await trx.updateTable('expectations').set({ status: 'cancelled' }).where('id', '=', row.id).execute();
        return false;
      }
      const po = await trx.selectFrom('purchase_orders').select(['po_number', 'supplier_id', 'status']).where('id', '=', row.po_id).executeTakeFirst();
      const dueAt = new Date(row.due_at).toISOString();
      const data = { poId: row.po_id, poNumber: po?.po_number, supplier: po?.supplier_id, expected: row.kind, dueAt };
      await recordEvent(trx, row.order_id, { type: 'document_overdue', cause: 'expected-document ledger', data });
      const moved = po ? await rerouteSilentPurchaseOrder(trx, hub, row.po_id, row.kind as ExpectedKind, po.status) : false;
      if (po && !moved) {
        await enqueueRetailerEvent(trx, hub, row.order_id, {
          type: 'order.overdue',
          data: { poNumber: po.po_number, supplierId: po.supplier_id, awaiting: row.kind === '856' ? 'shipment' : 'acknowledgment', dueAt },
        });
      }
      return true;
    });
    if (claimed) count++;
  }
  if (count) hub.logger.warn({ count }, 'expected documents overdue');
  return count;
}
