import type { Transaction } from 'kysely';
import type { Hub } from '../hub.ts';
import type { Carrier } from '../notify/carriers.ts';
import { buildEvent, orderShippedEvent, type EventData, type EventType, type HubEvent, type ShipmentForEvent } from '../notify/events.ts';
import { retailerException } from '../notify/exception-reasons.ts';
import { serializeEvent } from '../notify/webhook.ts';
import type { Database } from '../store/schema.ts';
import { enqueueEventOnce, enqueueOutbound } from './documents.ts';

export type RetailerEventInput = { [T in EventType]: { type: T; data: EventData<T> } }[EventType];

/** Attempts for a retailer webhook before it is dead-lettered (it can be replayed from the admin API). */
const RETAILER_MAX_ATTEMPTS = 12;

async function orderContext(trx: Transaction<Database>, hub: Hub, orderId: string) {
  const row = await trx
    .selectFrom('orders')
    .innerJoin('retailers', 'retailers.id', 'orders.retailer_id')
    .select([
      'orders.id', 'orders.external_id', 'orders.order_number', 'orders.status', 'orders.retailer_id', 'orders.source',
      'retailers.webhook_url', 'retailers.shopify_access_token', 'retailers.shopify_shop_url',
    ])
    .where('orders.id', '=', orderId)
    .executeTakeFirstOrThrow();
  return {
    row,
    context: {
      retailerId: row.retailer_id,
      order: { id: row.id, externalId: row.external_id, orderNumber: row.order_number, status: row.status },
      createdAt: hub.clock(),
    },
  };
}

async function enqueueEvent(trx: Transaction<Database>, retailerId: string, orderId: string, event: HubEvent): Promise<string | undefined> {
  const filename = `${event.type}.${event.id}.json`;
  // The id says what the event is about: the same fact is never queued twice.
  const queued = await enqueueEventOnce(trx, {
    kind: 'event',
    format: 'webhook',
    filename,
    content: Buffer.from(serializeEvent(event)),
    contentType: 'application/json',
    retailerId,
    orderId,
    maxAttempts: RETAILER_MAX_ATTEMPTS,
    parsed: { eventId: event.id, type: event.type },
  });
  return queued ? event.id : undefined;
}

/**
 * Queues a signed event for the order's retailer (when it has a webhook URL), in the caller's
 * transaction: the event exists exactly when the change it reports was committed. The body is fixed
 * here, so every retry sends the same bytes, and its id is derived from the fact it reports, so a
 * retailer can de-duplicate by `id`.
 */
export async function enqueueRetailerEvent(
  trx: Transaction<Database>,
  hub: Hub,
  orderId: string,
  input: RetailerEventInput,
): Promise<string | undefined> {
  const { row, context } = await orderContext(trx, hub, orderId);
  if (!row.webhook_url) return undefined;
  // An exception reaches the retailer as its code and the sentence for it; the detail the caller
  // gives (hosts, fingerprints, parser messages) stays on the order for operators.
  const data = input.type === 'order.exception' ? retailerException(input.data.code, input.data.poNumber) : input.data;
  return enqueueEvent(trx, row.retailer_id, orderId, buildEvent(input.type, context, data as never));
}

export interface ShipmentNotice extends Omit<ShipmentForEvent, 'carrier'> {
  carrier: Carrier;
}

/**
 * A shipment arrived: `order.shipped` to the retailer's webhook and, for a Shopify store with Admin
 * API credentials, a fulfillment with tracking for exactly the lines and quantities shipped (Shopify
 * then emails the customer: step 6 of the flow).
 */
export async function notifyShipment(trx: Transaction<Database>, hub: Hub, orderId: string, shipment: ShipmentNotice): Promise<void> {
  const { row, context } = await orderContext(trx, hub, orderId);
  if (row.webhook_url) await enqueueEvent(trx, row.retailer_id, orderId, orderShippedEvent(context, shipment));
  if (row.source !== 'shopify' || !row.shopify_access_token || !row.shopify_shop_url) return;
  const numbers = shipment.trackingNumbers;
  const request = {
    orderId: row.external_id,
    lines: shipment.lines.map((l) => ({ lineItemId: l.lineId ?? null, sku: l.sku, quantity: l.quantity })),
    tracking: {
      company: shipment.carrier.shopifyCompany,
      numbers,
      urls: numbers.map((n) => shipment.carrier.trackingUrl(n)).filter((u): u is string => u !== null),
    },
    notifyCustomer: true,
  };
  await enqueueOutbound(trx, {
    kind: 'shopify_fulfillment',
    format: 'shopify',
    filename: `fulfillment.${shipment.id}.json`,
    content: Buffer.from(JSON.stringify(request)),
    contentType: 'application/json',
    retailerId: row.retailer_id,
    orderId,
    maxAttempts: RETAILER_MAX_ATTEMPTS,
    parsed: { shipmentId: shipment.id },
  });
}
