import { sql } from 'kysely';
import type { PurchaseOrder } from '../canonical/purchase-order.ts';
import type { OrderStatus } from '../canonical/states.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Hub } from '../hub.ts';
import { toCancellation } from '../routing/index.ts';
import { loadOrderView, recordEvent, setOrderStatus, type OrderView } from '../store/orders.ts';
import { enqueueRetailerEvent } from './notify.ts';
import { enqueuePurchaseOrder } from './route.ts';

const TOO_LATE: OrderStatus[] = ['shipped', 'partially_shipped'];

/** The lines of a PO with something shipped, as `SKU (n shipped)`. */
function shippedSkus(po: PurchaseOrder, shipped: Record<string, number>): string[] {
  return po.lines.filter((l) => (shipped[l.lineNumber] ?? 0) > 0).map((l) => `${l.sku} (${shipped[l.lineNumber]} shipped)`);
}

/**
 * Cancels an order: purchase orders still in the outbox are withdrawn; those already sent get the
 * supplier's cancellation (850 with BEG01 `01`, or the format's own) through the outbox. A shipped
 * order, or one with any line shipped, cannot be cancelled (409). Cancelling twice is a no-op.
 */
export async function cancelOrder(
  hub: Hub,
  orderId: string,
  cause: string,
  by: 'retailer' | 'operator' = 'retailer',
): Promise<OrderView> {
  await hub.store.db.transaction().execute(async (trx) => {
    const order = await trx.selectFrom('orders').select(['status']).where('id', '=', orderId).forUpdate().executeTakeFirst();
    if (!order) throw new NotFoundError('order');
    const status = order.status as OrderStatus;
    if (status === 'cancelled') return;
    if (TOO_LATE.includes(status)) throw new ConflictError(`order is ${status} and can no longer be cancelled`);
    const pos = await trx.selectFrom('purchase_orders').selectAll().where('order_id', '=', orderId).forUpdate().execute();
    for (const po of pos) {
      if (po.status === 'cancelled') continue;
      if (po.status === 'shipped' || po.status === 'partially_shipped') {
        throw new ConflictError(`purchase order ${po.po_number} is ${po.status} and can no longer be cancelled`);
      }
      // Whatever the statuses say (an order in exception, say), goods shipped cannot be called back.
      const shippedLines = shippedSkus(po.data as PurchaseOrder, po.shipped);
      if (shippedLines.length) {
        throw new ConflictError(`purchase order ${po.po_number} has shipped ${shippedLines.join(', ')}; shipped lines can no longer be cancelled`);
      }
      // Not yet handed to a worker: withdraw it. A document in flight counts as sent.
      const withdrawn = await trx
        .updateTable('documents')
        .set({ status: 'cancelled', done_at: sql`now()`, updated_at: sql`now()` })
        .where('po_id', '=', po.id)
        .where('kind', '=', 'po')
        .where('status', 'in', ['pending', 'failed'])
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', sql<Date>`now()`)]))
        .returning('id')
        .execute();
      const inFlight = await trx
        .selectFrom('documents')
        .select('id')
        .where('po_id', '=', po.id)
        .where('kind', '=', 'po')
        .where('status', 'in', ['pending', 'sent'])
        .executeTakeFirst();
      if (withdrawn.length > 0 && !inFlight) {
        await trx.updateTable('purchase_orders').set({ status: 'cancelled', updated_at: sql`now()` }).where('id', '=', po.id).execute();
        await recordEvent(trx, orderId, { type: 'po_withdrawn', cause, data: { poId: po.id, poNumber: po.po_number } });
        continue;
      }
      const loaded = hub.mappings.get(po.supplier_id);
      if (!loaded) throw new ConflictError(`supplier ${po.supplier_id} has no mapping loaded; cannot send its cancellation`);
      const cancellation = toCancellation(po.data as PurchaseOrder, hub.clock().toISOString());
      const documentId = (await enqueuePurchaseOrder(trx, loaded, cancellation, po.id)).id;
      await recordEvent(trx, orderId, { type: 'po_cancel_queued', cause, data: { poId: po.id, poNumber: po.po_number, documentId } });
    }
    await setOrderStatus(trx, orderId, 'cancelled', cause);
    await enqueueRetailerEvent(trx, hub, orderId, { type: 'order.cancelled', data: { reason: cause, by } });
  });
  await hub.store.wakeOutbox();
  return (await loadOrderView(hub.store.db, orderId))!;
}
