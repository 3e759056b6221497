import { sql, type Kysely } from 'kysely';
import { isPaid, type CanonicalOrder } from '../canonical/order.ts';
import type { OrderStatus } from '../canonical/states.ts';
import { ConflictError } from '../errors.ts';
import type { Store } from '../store/database.ts';
import { checkOrderNumber, type OrderWarning } from './duplicate-order-number.ts';
import type { Database } from '../store/schema.ts';
import { newId, sha256Hex, stableStringify } from '../store/ids.ts';
import { loadOrderView, recordEvent, setOrderStatus, type OrderView } from '../store/orders.ts';

export type OrderSource = 'api' | 'shopify' | 'woocommerce';

export interface AcceptedOrder {
  /** true when this call stored the order; false for an idempotent repeat. */
  created: boolean;
  order: OrderView;
  /** The order number is used by another order of this retailer (src/pipeline/duplicate-order-number.ts). */
  warnings?: OrderWarning[];
}

/**
 * Stores a validated canonical order, once. The unique (retailer, externalId) constraint, not a
 * read-then-write, decides who wins under concurrent duplicates; a Shopify redelivery is recognised
 * by its webhook id. A paid order is `received` (the router picks it up); an unpaid one is held in
 * `awaiting_payment`.
 */
export async function acceptOrder(
  store: Store,
  input: { retailer: { id: string; name: string }; source: OrderSource; order: CanonicalOrder; webhookId?: string },
): Promise<AcceptedOrder> {
  const retailerId = input.retailer.id;
  const duplicate = await checkOrderNumber(store.db, retailerId, input.order);
  const warnings = duplicate ? { warnings: [duplicate] } : {};
  const bodyHash = sha256Hex(stableStringify(input.order));
  const status: OrderStatus = isPaid(input.order.payment.status) ? 'received' : 'awaiting_payment';
  const row = {
    id: newId('ord'),
    retailerId,
    externalId: input.order.externalId,
    orderNumber: input.order.orderNumber,
    source: input.source,
    bodyHash,
    data: JSON.stringify(input.order),
    status,
    cause: `${input.source} intake`,
    event: JSON.stringify({ externalId: input.order.externalId, payment: input.order.payment.status }),
  };
  const result =
    input.webhookId === undefined
      ? await insertOrder(store.db, row)
      : await store.db.transaction().execute(async (trx) => {
          const receipt = await trx
            .insertInto('webhook_receipts')
            .values({ retailer_id: retailerId, source: input.source, webhook_id: input.webhookId! })
            .onConflict((oc) => oc.columns(['retailer_id', 'source', 'webhook_id']).doNothing())
            .returning('webhook_id')
            .executeTakeFirst();
          if (!receipt) return 'redelivery' as const;
          const inserted = await insertOrder(trx, row);
          if (inserted) {
            await trx
              .updateTable('webhook_receipts')
              .set({ order_id: row.id })
              .where('retailer_id', '=', retailerId)
              .where('source', '=', input.source)
              .where('webhook_id', '=', input.webhookId!)
              .execute();
          }
          return inserted;
        });

  if (result !== undefined && result !== 'redelivery') {
    // A worker of this process routes it from memory at once; failing that, any router finds it.
    const offered = status === 'received' && store.offerOrder({ id: row.id, retailer: input.retailer, order: input.order });
    if (!offered) await store.wakeOutbox();
    const at = result.toISOString();
    // A new order has nothing else yet: its view is known without reading it back.
    const view: OrderView = {
      id: row.id,
      retailerId,
      externalId: input.order.externalId,
      orderNumber: input.order.orderNumber,
      status,
      statusReason: null,
      createdAt: at,
      updatedAt: at,
      source: input.source,
      order: input.order,
      purchaseOrders: [],
      documents: [],
      shipments: [],
      timeline: [{ at, type: 'order_received', status, cause: row.cause, data: JSON.parse(row.event) }],
    };
    return { created: true, order: view, ...warnings };
  }

  const existing = await store.db
    .selectFrom('orders')
    .select(['id', 'body_hash'])
    .where('retailer_id', '=', retailerId)
    .where('external_id', '=', input.order.externalId)
    .executeTakeFirst();
  if (!existing) {
    // A redelivered webhook whose first delivery did not create an order (it was refused then).
    throw new ConflictError('webhook already received', { webhookId: input.webhookId });
  }
  if (result === undefined && existing.body_hash !== bodyHash) {
    throw new ConflictError(
      `an order with externalId "${input.order.externalId}" exists already with a different body`,
      { orderId: existing.id },
    );
  }
  return { created: false, order: (await loadOrderView(store.db, existing.id))!, ...warnings };
}

/** Payment captured: a held order moves on to routing. A no-op for an order already past it. */
export async function markPaid(
  store: Store,
  retailerId: string,
  externalId: string,
  cause: string,
  reference?: string | null,
): Promise<OrderView | undefined> {
  const orderId = await store.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('orders')
      .select(['id', 'status', 'data'])
      .where('retailer_id', '=', retailerId)
      .where('external_id', '=', externalId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.status !== 'awaiting_payment') return row.id;
    const data = row.data as CanonicalOrder;
    const updated: CanonicalOrder = {
      ...data,
      payment: { status: 'paid', reference: reference ?? data.payment.reference ?? null },
    };
    await trx
      .updateTable('orders')
      .set({ data: JSON.stringify(updated), updated_at: sql`now()` })
      .where('id', '=', row.id)
      .execute();
    await recordEvent(trx, row.id, { type: 'payment_captured', cause, data: { reference: reference ?? null } });
    await setOrderStatus(trx, row.id, 'received', cause);
    return row.id;
  });
  if (!orderId) return undefined;
  await store.wakeOutbox();
  return loadOrderView(store.db, orderId);
}

/**
 * The order and the first entry of its timeline in one statement: atomic without a transaction, and
 * one round trip. Returns the creation time, or undefined when (retailer, externalId) exists already.
 */
async function insertOrder(
  db: Kysely<Database>,
  row: { id: string; retailerId: string; externalId: string; orderNumber: string; source: string; bodyHash: string; data: string; status: string; cause: string; event: string },
): Promise<Date | undefined> {
  const result = await sql<{ created_at: Date }>`
    with o as (
      insert into orders (id, retailer_id, external_id, order_number, source, body_hash, data, status)
      values (${row.id}, ${row.retailerId}, ${row.externalId}, ${row.orderNumber}, ${row.source}, ${row.bodyHash}, ${row.data}::jsonb, ${row.status})
      on conflict (retailer_id, external_id) do nothing
      returning id, created_at
    ), e as (
      insert into order_events (order_id, at, type, cause, status, data)
      select id, created_at, 'order_received', ${row.cause}, ${row.status}, ${row.event}::jsonb from o
      returning order_id
    )
    select o.created_at from o left join e on e.order_id = o.id`.execute(db);
  const created = result.rows[0]?.created_at;
  return created === undefined ? undefined : new Date(created);
}
