import { sql, type Kysely, type Transaction } from 'kysely';
import type { CanonicalOrder } from '../canonical/order.ts';
import { checkTransition, type OrderStatus } from '../canonical/states.ts';
import { NotFoundError } from '../errors.ts';
import type { LineExplanation } from '../routing/explain.ts';
import { orderRouting } from './routing-decisions.ts';
import { redactUrlsIn } from '../logger.ts';
import type { Database, OrderRow } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface TimelineEvent {
  type: string;
  cause: string;
  status?: OrderStatus | null;
  data?: unknown;
  at?: Date;
}

export function eventRow(orderId: string, event: TimelineEvent) {
  return {
    order_id: orderId,
    type: event.type,
    cause: event.cause,
    status: event.status ?? null,
    data: event.data === undefined ? null : JSON.stringify(event.data),
    ...(event.at ? { at: event.at } : {}),
  };
}

/** Adds one entry to an order's timeline. */
export async function recordEvent(db: Db, orderId: string, event: TimelineEvent): Promise<void> {
  await db.insertInto('order_events').values(eventRow(orderId, event)).execute();
}

/**
 * Moves an order to `to` (checked against the transitions table) and records why. Takes the row
 * lock, so concurrent changes to one order serialise. Returns the previous status.
 */
export async function setOrderStatus(
  trx: Transaction<Database>,
  orderId: string,
  to: OrderStatus,
  cause: string,
  options: { reason?: string | null; data?: unknown } = {},
): Promise<OrderStatus> {
  const row = await trx
    .selectFrom('orders')
    .select(['status', 'status_reason'])
    .where('id', '=', orderId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`order ${orderId}`);
  const from = row.status as OrderStatus;
  const reason = to === 'exception' ? (options.reason ?? row.status_reason) : null;
  if (from === to && reason === row.status_reason) return from;
  await transitionOrder(trx, orderId, from, to, cause, { ...options, reason });
  return from;
}

/**
 * The status change itself, for a caller that holds the order's row lock and knows its status: the
 * update and its timeline entries (`events` first, then the status change) in one statement.
 */
export async function transitionOrder(
  trx: Transaction<Database>,
  orderId: string,
  from: OrderStatus,
  to: OrderStatus,
  cause: string,
  options: { reason?: string | null; data?: unknown; events?: TimelineEvent[] } = {},
): Promise<void> {
  const { reason, events } = statusChange(from, to, cause, options);
  await trx
    .with('changed', (db) =>
      db.updateTable('orders').set({ status: to, status_reason: reason, updated_at: sql`now()` }).where('id', '=', orderId).returning('id'),
    )
    .insertInto('order_events')
    .values(events.map((event) => eventRow(orderId, event)))
    .execute();
}

/**
 * A status change, checked against the transitions table: the reason to keep on the order and its
 * timeline entries (`events` first, then the change itself).
 */
export function statusChange(
  from: OrderStatus,
  to: OrderStatus,
  cause: string,
  options: { reason?: string | null; data?: unknown; events?: TimelineEvent[] } = {},
): { reason: string | null; events: TimelineEvent[] } {
  checkTransition(from, to);
  const reason = to === 'exception' ? (options.reason ?? null) : null;
  const change: TimelineEvent = {
    type: 'status_changed',
    cause,
    status: to,
    data: { from, to, ...(reason ? { reason } : {}), ...(options.data === undefined ? {} : { detail: options.data }) },
  };
  return { reason, events: [...(options.events ?? []), change] };
}

export interface OrderView {
  id: string;
  retailerId: string;
  externalId: string;
  orderNumber: string;
  source: string;
  status: OrderStatus;
  statusReason: string | null;
  createdAt: string;
  updatedAt: string;
  order: CanonicalOrder;
  purchaseOrders: {
    id: string;
    supplierId: string;
    poNumber: string;
    status: string;
    statusReason: string | null;
    shipped: Record<string, number>;
    lines: unknown;
  }[];
  documents: {
    id: string;
    direction: string;
    kind: string;
    format: string;
    supplierId: string | null;
    poId: string | null;
    filename: string;
    status: string;
    attempts: number;
    lastError: string | null;
    controlNumber: number | null;
    createdAt: string;
  }[];
  shipments: {
    id: string;
    poId: string;
    carrier: string | null;
    carrierName: string | null;
    service: string | null;
    trackingNumbers: string[];
    trackingUrls: string[];
    lines: unknown;
    shippedAt: string | null;
    createdAt: string;
  }[];
  timeline: { at: string; type: string; status: string | null; cause: string; data: unknown }[];
  /** Per line, why it went where it went: its latest routing decision (docs/routing.md). */
  routing: LineExplanation[];
  /** Older timeline entries not shown (only the newest ORDER_VIEW_TIMELINE are); absent when none. */
  timelineOmitted?: number;
  /** Older documents not shown (only the newest ORDER_VIEW_DOCUMENTS are); absent when none. */
  documentsOmitted?: number;
}

/** The most timeline entries and documents an order's view shows (the newest), so that no response or page grows without bound. */
export const ORDER_VIEW_TIMELINE = 500;
export const ORDER_VIEW_DOCUMENTS = 200;

export function orderSummary(row: OrderRow) {
  return {
    id: row.id,
    retailerId: row.retailer_id,
    externalId: row.external_id,
    orderNumber: row.order_number,
    status: row.status as OrderStatus,
    statusReason: row.status_reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The whole order as the API shows it: POs, documents (without content), shipments, timeline. */
export async function loadOrderView(db: Db, orderId: string, retailerId?: string): Promise<OrderView | undefined> {
  let query = db.selectFrom('orders').selectAll().where('id', '=', orderId);
  if (retailerId !== undefined) query = query.where('retailer_id', '=', retailerId);
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  const [pos, docs, shipments, events, routing] = await Promise.all([
    db.selectFrom('purchase_orders').selectAll().where('order_id', '=', orderId).orderBy('po_number').execute(),
    db
      .selectFrom('documents')
      .select([
        'id', 'direction', 'kind', 'format', 'supplier_id', 'po_id', 'filename', 'status', 'attempts', 'last_error',
        'isa13', 'created_at',
      ])
      .where('order_id', '=', orderId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(ORDER_VIEW_DOCUMENTS + 1)
      .execute()
      .then((rows) => rows.reverse()),
    db.selectFrom('shipments').selectAll().where('order_id', '=', orderId).orderBy('created_at').orderBy('id').execute(),
    db.selectFrom('order_events').selectAll().where('order_id', '=', orderId).orderBy('id', 'desc').limit(ORDER_VIEW_TIMELINE + 1).execute().then((rows) => rows.reverse()),
    orderRouting(db, orderId),
  ]);
  // One more than shown was read: when it is there, count what is left out (a rare, indexed count).
  const omitted = async (table: 'documents' | 'order_events', shown: number) =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<string | number>().as('n')).where('order_id', '=', orderId).executeTakeFirstOrThrow()).n) - shown;
  const timelineOmitted = events.length > ORDER_VIEW_TIMELINE ? await omitted('order_events', ORDER_VIEW_TIMELINE) : 0;
  const documentsOmitted = docs.length > ORDER_VIEW_DOCUMENTS ? await omitted('documents', ORDER_VIEW_DOCUMENTS) : 0;
  if (timelineOmitted) events.shift();
  if (documentsOmitted) docs.shift();
  return {
    ...orderSummary(row),
    source: row.source,
    order: row.data as CanonicalOrder,
    purchaseOrders: pos.map((po) => ({
      id: po.id,
      supplierId: po.supplier_id,
      poNumber: po.po_number,
      status: po.status,
      statusReason: po.status_reason,
      shipped: po.shipped,
      lines: (po.data as { lines?: unknown }).lines ?? [],
    })),
    documents: docs.map((d) => ({
      id: d.id,
      direction: d.direction,
      kind: d.kind,
      format: d.format,
      supplierId: d.supplier_id,
      poId: d.po_id,
      filename: d.filename,
      status: d.status,
      attempts: d.attempts,
      // URLs in an error are shown without their credentials (issue 18 item 6).
      lastError: d.last_error === null ? null : redactUrlsIn(d.last_error),
      controlNumber: d.isa13 === null ? null : Number(d.isa13),
      createdAt: d.created_at.toISOString(),
    })),
    shipments: shipments.map((s) => ({
      id: s.id,
      poId: s.po_id,
      carrier: s.carrier,
      carrierName: s.carrier_name,
      service: s.service,
      trackingNumbers: s.tracking_numbers,
      trackingUrls: s.tracking_urls,
      lines: s.lines,
      shippedAt: s.shipped_at,
      createdAt: s.created_at.toISOString(),
    })),
    timeline: events.map((e) => ({
      at: e.at.toISOString(),
      type: e.type,
      status: e.status,
      cause: e.cause,
      data: e.data,
    })),
    routing,
    ...(timelineOmitted ? { timelineOmitted } : {}),
    ...(documentsOmitted ? { documentsOmitted } : {}),
  };
}

