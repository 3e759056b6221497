/**
 * An order number the retailer has used before, under another external id. With the retailer's
 * policy `warn` (the default) the order is accepted and the answer carries a warning (and the
 * dashboard marks both orders); with `refuse` it is a 409 naming the earlier order.
 *
 * @example
 *   const warning = await checkOrderNumber(db, 'toys', order);
 *   // { code: 'duplicate_order_number', message: 'order number "5001" is already used by ord_… (externalId "1001")', orderId: 'ord_…', externalId: '1001' }
 */
import type { Kysely } from 'kysely';
import type { CanonicalOrder } from '../canonical/order.ts';
import { ConflictError } from '../errors.ts';
import { earlierOrderWithNumber, retailerDuplicatePolicy } from '../store/duplicate-orders.ts';
import type { Database } from '../store/schema.ts';

export interface OrderWarning {
  code: 'duplicate_order_number';
  message: string;
  /** The earlier order with the same number. */
  orderId: string;
  externalId: string;
}

/** Undefined when the number is new for this retailer; throws ConflictError when its policy refuses a reused one. */
export async function checkOrderNumber(db: Kysely<Database>, retailerId: string, order: Pick<CanonicalOrder, 'orderNumber' | 'externalId'>): Promise<OrderWarning | undefined> {
  const earlier = await earlierOrderWithNumber(db, retailerId, order.orderNumber, order.externalId);
  if (!earlier) return undefined;
  const message = `order number "${order.orderNumber}" is already used by order ${earlier.id} (externalId "${earlier.externalId}")`;
  if ((await retailerDuplicatePolicy(db, retailerId)) === 'refuse') {
    throw new ConflictError(`${message}; this retailer refuses duplicate order numbers`, { orderId: earlier.id, externalId: earlier.externalId });
  }
  return { code: 'duplicate_order_number', message, orderId: earlier.id, externalId: earlier.externalId };
}
