import type { Transaction } from 'kysely';
import type { Hub } from '../hub.ts';
import { newId } from '../store/ids.ts';
import type { Database } from '../store/schema.ts';
import { enqueueOutbound } from './documents.ts';

export type RetailerEventType =
  | 'order.acknowledged'
  | 'order.shipped'
  | 'order.exception'
  | 'order.cancelled'
  | 'order.overdue';

/** Attempts for a retailer webhook before it is dead-lettered (it can be replayed from the admin API). */
const WEBHOOK_MAX_ATTEMPTS = 12;

/**
 * Queues a signed event for the order's retailer (when it has a webhook URL), in the caller's
 * transaction: the event exists exactly when the change it reports was committed. The body is
 * fixed here, with its event id, so every retry sends the same bytes and the retailer can
 * de-duplicate by `id`.
 */
export async function enqueueRetailerEvent(
  trx: Transaction<Database>,
  hub: Hub,
  orderId: string,
  type: RetailerEventType,
  data: Record<string, unknown>,
): Promise<string | undefined> {
  const row = await trx
    .selectFrom('orders')
    .innerJoin('retailers', 'retailers.id', 'orders.retailer_id')
    .select([
      'orders.id', 'orders.external_id', 'orders.order_number', 'orders.status', 'orders.retailer_id',
      'retailers.webhook_url',
    ])
    .where('orders.id', '=', orderId)
    .executeTakeFirstOrThrow();
  if (!row.webhook_url) return undefined;
  const id = newId('evt');
  const event = {
    id,
    type,
    createdAt: hub.clock().toISOString(),
    retailerId: row.retailer_id,
    order: { id: row.id, externalId: row.external_id, orderNumber: row.order_number, status: row.status },
    data,
  };
  await enqueueOutbound(trx, {
    kind: 'event',
    format: 'webhook',
    filename: `${type}.${id}.json`,
    content: Buffer.from(JSON.stringify(event)),
    contentType: 'application/json',
    retailerId: row.retailer_id,
    orderId,
    maxAttempts: WEBHOOK_MAX_ATTEMPTS,
    parsed: { eventId: id, type },
  });
  return id;
}

/**
 * For a Shopify store with Admin API credentials: queues a fulfillment with tracking for exactly the
 * lines and quantities shipped; Shopify then emails the customer (step 6 of the flow).
 */
export async function enqueueShopifyFulfillment(
  trx: Transaction<Database>,
  hub: Hub,
  orderId: string,
  shipment: {
    shipmentId: string;
    carrier: { name: string; shopifyCompany?: string };
    trackingNumbers: string[];
    trackingUrls: string[];
    lines: { lineId: string; sku: string; quantity: number }[];
  },
): Promise<string | undefined> {
  const row = await trx
    .selectFrom('orders')
    .innerJoin('retailers', 'retailers.id', 'orders.retailer_id')
    .select(['orders.external_id', 'orders.source', 'orders.retailer_id', 'retailers.shopify_access_token', 'retailers.shopify_shop_url'])
    .where('orders.id', '=', orderId)
    .executeTakeFirstOrThrow();
  if (row.source !== 'shopify' || !row.shopify_access_token || !row.shopify_shop_url) return undefined;
  const request = {
    orderId: row.external_id,
    shipmentId: shipment.shipmentId,
    lines: shipment.lines.map((l) => ({ lineItemId: l.lineId, sku: l.sku, quantity: l.quantity })),
    tracking: {
      company: shipment.carrier.shopifyCompany ?? shipment.carrier.name,
      numbers: shipment.trackingNumbers,
      urls: shipment.trackingUrls,
    },
    notifyCustomer: true,
  };
  return enqueueOutbound(trx, {
    kind: 'shopify_fulfillment',
    format: 'shopify',
    filename: `fulfillment.${shipment.shipmentId}.json`,
    content: Buffer.from(JSON.stringify(request)),
    contentType: 'application/json',
    retailerId: row.retailer_id,
    orderId,
    maxAttempts: 12,
    parsed: { shipmentId: shipment.shipmentId },
  });
}
