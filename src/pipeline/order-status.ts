import type { Transaction } from 'kysely';
import { orderStatusFromPurchaseOrders, type OrderStatus, type PoStatus } from '../canonical/states.ts';
import type { Hub } from '../hub.ts';
import { setOrderStatus } from '../store/orders.ts';
import type { Database } from '../store/schema.ts';
import { enqueueRetailerEvent } from './notify.ts';

/**
 * Brings the order's status in line with its purchase orders (see orderStatusFromPurchaseOrders)
 * and tells the retailer about the changes it cares for. `reason` is kept on an exception.
 */
export async function syncOrderStatus(
  trx: Transaction<Database>,
  hub: Hub,
  orderId: string,
  cause: string,
  reason?: string,
): Promise<OrderStatus> {
  const order = await trx
    .selectFrom('orders')
    .select(['status'])
    .where('id', '=', orderId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const pos = await trx.selectFrom('purchase_orders').select(['status', 'status_reason']).where('order_id', '=', orderId).execute();
  const current = order.status as OrderStatus;
  if (pos.length === 0 || current === 'cancelled' || current === 'awaiting_payment') return current;
  const next = orderStatusFromPurchaseOrders(pos.map((p) => p.status as PoStatus));
  if (next === current) return current;
  const why = next === 'exception' ? (reason ?? pos.find((p) => p.status_reason)?.status_reason ?? 'a purchase order failed') : undefined;
  await setOrderStatus(trx, orderId, next, cause, { reason: why ?? null });
  if (next === 'acknowledged') await enqueueRetailerEvent(trx, hub, orderId, 'order.acknowledged', {});
  if (next === 'exception') await enqueueRetailerEvent(trx, hub, orderId, 'order.exception', { reason: why });
  if (next === 'cancelled') await enqueueRetailerEvent(trx, hub, orderId, 'order.cancelled', {});
  return next;
}
