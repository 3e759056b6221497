import { ConflictError, NotFoundError } from '../errors.ts';
import type { Hub } from '../hub.ts';
import { recordEvent, setOrderStatus } from '../store/orders.ts';

/**
 * Routes again an order that could not be routed (a SKU no supplier claimed, data a format refused),
 * once the mapping is fixed: the order goes back to `received` and the router takes it. An order
 * that has purchase orders is past routing: its failed documents are retried instead.
 */
export async function rerouteOrder(hub: Hub, orderId: string, cause = 'operator re-route'): Promise<void> {
  await hub.store.db.transaction().execute(async (trx) => {
    const order = await trx.selectFrom('orders').select(['status']).where('id', '=', orderId).forUpdate().executeTakeFirst();
    if (!order) throw new NotFoundError(`order ${orderId}`);
    if (order.status !== 'exception') throw new ConflictError(`order ${orderId} is ${order.status}, not in exception`);
    const po = await trx.selectFrom('purchase_orders').select('po_number').where('order_id', '=', orderId).executeTakeFirst();
    if (po) throw new ConflictError(`order ${orderId} has purchase orders already (${po.po_number}); retry its failed documents instead`);
    await recordEvent(trx, orderId, { type: 'reroute_requested', cause });
    await setOrderStatus(trx, orderId, 'received', cause);
  });
  await hub.store.wakeOutbox();
}
