import type { Transaction } from 'kysely';
import { orderStatusFromPurchaseOrders, type OrderStatus, type PoStatus } from '../canonical/states.ts';
import type { Hub } from '../hub.ts';
import type { ExceptionCode } from '../notify/exception-reasons.ts';
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
  exception?: { reason: string; code: ExceptionCode; poNumber: string | null },
): Promise<OrderStatus> {
  const order = await trx
    .selectFrom('orders')
    .select(['status'])
    .where('id', '=', orderId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const pos = await trx.selectFrom('purchase_orders').select(['status', 'status_reason', 'po_number']).where('order_id', '=', orderId).execute();
  const current = order.status as OrderStatus;
  if (pos.length === 0 || current === 'cancelled' || current === 'awaiting_payment') return current;
  const next = orderStatusFromPurchaseOrders(pos.map((p) => p.status as PoStatus));
  if (next === current) return current;
  if (next === 'exception') {
    const failing = pos.find((p) => p.status === 'rejected' || p.status === 'failed');
    const why = exception ?? {
      reason: failing?.status_reason ?? 'a purchase order failed',
      code: failing?.status === 'failed' ? ('delivery_failed' as const) : ('supplier_rejected' as const),
      poNumber: failing?.po_number ?? null,
    };
    await setOrderStatus(trx, orderId, next, cause, { reason: why.reason, data: { code: why.code } });
    await enqueueRetailerEvent(trx, hub, orderId, { type: 'order.exception', data: why });
    return next;
  }
  await setOrderStatus(trx, orderId, next, cause);
  if (next === 'cancelled') await enqueueRetailerEvent(trx, hub, orderId, { type: 'order.cancelled', data: { reason: cause, by: 'supplier' } });
  return next;
}
