import { createHash } from 'node:crypto';
import { z } from 'zod';
import { EXCEPTION_CODES } from './exception-reasons.ts';

/**
 * The events a retailer's webhook receives. Every event has the same envelope:
 *
 * ```json
 * { "id": "evt_…", "type": "order.shipped", "createdAt": "2026-11-27T15:04:05.000Z",
 *   "retailerId": "toys-example",
 *   "order": { "id": "ord_…", "externalId": "5843391627431", "orderNumber": "#1001", "status": "partially_shipped" },
 *   "data": { … per type … } }
 * ```
 *
 * `id` is derived from what the event is about (the order, the type and a per-type key such as the
 * shipment), never from the time or a counter: the same fact always yields the same id, so that a
 * retailer de-duplicates redeliveries by `id` (or the `X-Hub-Event-Id` header), and a builder run twice
 * for the same shipment cannot produce two different events.
 *
 * The schemas are the contract; the builders are the only way the hub makes events.
 */

export const EVENT_TYPES = [
  'order.acknowledged',
  'order.shipped',
  'order.exception',
  'order.cancelled',
  'order.overdue',
] as const;
export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

export const EventOrder = z.strictObject({
  /** The hub's order id. */
  id: z.string().min(1),
  /** The retailer's own id (Shopify/WooCommerce order id, or what was posted). */
  externalId: z.string().min(1),
  orderNumber: z.string().min(1),
  /** The order's state after the change this event reports. */
  status: z.string().min(1),
});
export type EventOrder = z.infer<typeof EventOrder>;

export const ShipmentLine = z.strictObject({
  /** The retailer's line id, where the shipment could be matched to an order line. */
  lineId: z.string().nullable(),
  sku: z.string().min(1),
  quantity: z.number().int().positive(),
});

export const ShippedData = z.strictObject({
  shipment: z.strictObject({
    /** The hub's shipment id: one `order.shipped` event per shipment. */
    id: z.string().min(1),
    poNumber: z.string().nullable(),
    carrier: z.strictObject({ code: z.string().min(1), name: z.string().min(1) }),
    service: z.string().nullable(),
    shippedAt: z.string().nullable(),
    trackingNumbers: z.array(z.string().min(1)),
    /** One per tracking number, in the same order; empty when the carrier is not known to the hub. */
    trackingUrls: z.array(z.url()),
    lines: z.array(ShipmentLine).min(1),
  }),
});

export const AcknowledgedData = z.strictObject({
  poNumber: z.string().min(1),
  supplierId: z.string().min(1),
  /** `accepted`, or `accepted_with_changes` (see the lines). A rejection is an `order.exception`. */
  status: z.enum(['accepted', 'accepted_with_changes']),
  lines: z.array(
    z.strictObject({
      sku: z.string().min(1),
      status: z.enum(['accepted', 'backordered', 'rejected', 'quantity_changed', 'deleted', 'substituted', 'other']),
      quantity: z.number().int().nonnegative().nullable(),
    }),
  ),
});

export const ExceptionData = z.strictObject({
  /** Why, in a sentence written for the retailer (src/notify/exception-reasons.ts), never the operator's detail. */
  reason: z.string().min(1),
  /** The stable reason code: `unroutable_sku`, `render_failed`, `supplier_rejected`, `delivery_failed`… (docs/retailers.md). */
  code: z.enum(EXCEPTION_CODES),
  poNumber: z.string().nullable(),
});

export const CancelledData = z.strictObject({
  reason: z.string().nullable(),
  /** Who asked: the retailer (API or store webhook), a supplier (855 rejection), or an operator. */
  by: z.enum(['retailer', 'supplier', 'operator']),
});

export const OverdueData = z.strictObject({
  poNumber: z.string().min(1),
  supplierId: z.string().min(1),
  /** What has not arrived in time from the supplier. */
  awaiting: z.enum(['acknowledgment', 'shipment']),
  /** When it was due (ISO timestamp). */
  dueAt: z.iso.datetime({ offset: true }),
});

const envelope = {
  id: z.string().regex(/^evt_[0-9a-f]{32}$/),
  createdAt: z.iso.datetime({ offset: true }),
  retailerId: z.string().min(1),
  order: EventOrder,
};

export const HubEvent = z.discriminatedUnion('type', [
  z.strictObject({ ...envelope, type: z.literal('order.acknowledged'), data: AcknowledgedData }),
  z.strictObject({ ...envelope, type: z.literal('order.shipped'), data: ShippedData }),
  z.strictObject({ ...envelope, type: z.literal('order.exception'), data: ExceptionData }),
  z.strictObject({ ...envelope, type: z.literal('order.cancelled'), data: CancelledData }),
  z.strictObject({ ...envelope, type: z.literal('order.overdue'), data: OverdueData }),
]);
export type HubEvent = z.infer<typeof HubEvent>;
export type EventData<T extends EventType> = Extract<HubEvent, { type: T }>['data'];

/**
 * The stable id of an event: what it is about, hashed. Same inputs, same id.
 *
 * @example eventId('order.shipped', 'ord_123', 'shp_9') // "evt_3f…" (32 hex digits)
 */
export function eventId(type: EventType, orderId: string, key: string): string {
  const digest = createHash('sha256').update([type, orderId, key].join('\u001f')).digest('hex');
  return `evt_${digest.slice(0, 32)}`;
}

export interface EventContext {
  retailerId: string;
  order: EventOrder;
  /** The injected clock's time. */
  createdAt: Date | string;
}

type EventInput = { [T in EventType]: { type: T; data: EventData<T> } }[EventType];

/** Which part of `data` makes an event unique within its order and type. */
function dedupeKey(input: EventInput): string {
  switch (input.type) {
    case 'order.shipped':
      return input.data.shipment.id;
    case 'order.acknowledged':
      return input.data.poNumber;
    case 'order.exception':
      return [input.data.code, input.data.poNumber ?? '', input.data.reason].join('\u001f');
    case 'order.cancelled':
      return ''; // an order is cancelled once
    case 'order.overdue':
      return [input.data.poNumber, input.data.awaiting, input.data.dueAt].join('\u001f');
    default: {
      const unreachable: never = input;
      return unreachable;
    }
  }
}

/**
 * Builds and validates one event. Throws a zod error only on a programming mistake (the inputs come
 * from the hub's own state), which the caller lets surface as an internal error.
 *
 * @example
 *   buildEvent('order.cancelled', { retailerId, order, createdAt: clock.now() }, { reason: null, by: 'retailer' })
 */
export function buildEvent<T extends EventType>(type: T, context: EventContext, data: EventData<T>): Extract<HubEvent, { type: T }> {
  const createdAt = typeof context.createdAt === 'string' ? context.createdAt : context.createdAt.toISOString();
  const event = {
    id: eventId(type, context.order.id, dedupeKey({ type, data } as EventInput)),
    type,
    createdAt,
    retailerId: context.retailerId,
    order: context.order,
    data,
  };
  return HubEvent.parse(event) as Extract<HubEvent, { type: T }>;
}

/** A supplier shipment as the pipeline knows it, before the carrier is resolved. */
export interface ShipmentForEvent {
  id: string;
  poNumber?: string | null;
  carrier: { code: string; name: string; trackingUrl(trackingNumber: string): string | null };
  service?: string | null;
  shippedAt?: string | null;
  trackingNumbers: string[];
  lines: { lineId?: string | null; sku: string; quantity: number }[];
}

/** `order.shipped` for one shipment, with tracking URLs from the resolved carrier. */
export function orderShippedEvent(
  context: EventContext,
  shipment: ShipmentForEvent,
): Extract<HubEvent, { type: 'order.shipped' }> {
  const urls = shipment.trackingNumbers.map((n) => shipment.carrier.trackingUrl(n));
  return buildEvent('order.shipped', context, {
    shipment: {
      id: shipment.id,
      poNumber: shipment.poNumber ?? null,
      carrier: { code: shipment.carrier.code, name: shipment.carrier.name },
      service: shipment.service ?? null,
      shippedAt: shipment.shippedAt ?? null,
      trackingNumbers: shipment.trackingNumbers,
      trackingUrls: urls.every((url) => url !== null) ? urls : [],
      lines: shipment.lines.map((line) => ({ lineId: line.lineId ?? null, sku: line.sku, quantity: line.quantity })),
    },
  });
}
