import { sql } from 'kysely';
import { isPaid, type CanonicalOrder } from '../canonical/order.ts';
import type { OrderStatus } from '../canonical/states.ts';
import { ConflictError, HubError } from '../errors.ts';
import type { Store } from '../store/database.ts';
import { newId, sha256Hex, stableStringify } from '../store/ids.ts';
import { loadOrderView, recordEvent, setOrderStatus, type OrderView } from '../store/orders.ts';

export type OrderSource = 'api' | 'shopify' | 'woocommerce';

export interface AcceptedOrder {
  /** true when this call stored the order; false for an idempotent repeat. */
  created: boolean;
  order: OrderView;
}

/**
 * Stores a validated canonical order, once. The unique (retailer, externalId) constraint, not a
 * read-then-write, decides who wins under concurrent duplicates; a Shopify redelivery is recognised
 * by its webhook id. A paid order is `received` (the router picks it up); an unpaid one is held in
 * `awaiting_payment`.
 */
export async function acceptOrder(
  store: Store,
  input: { retailerId: string; source: OrderSource; order: CanonicalOrder; webhookId?: string },
): Promise<AcceptedOrder> {
  const bodyHash = sha256Hex(stableStringify(input.order));
  const result = await store.db.transaction().execute(async (trx) => {
    if (input.webhookId !== undefined) {
      const receipt = await trx
        .insertInto('webhook_receipts')
        .values({ retailer_id: input.retailerId, source: input.source, webhook_id: input.webhookId })
        .onConflict((oc) => oc.columns(['retailer_id', 'source', 'webhook_id']).doNothing())
        .returning('webhook_id')
        .executeTakeFirst();
      if (!receipt) return { kind: 'redelivery' as const };
    }
    const id = newId('ord');
    const status: OrderStatus = isPaid(input.order.payment.status) ? 'received' : 'awaiting_payment';
    const inserted = await trx
      .insertInto('orders')
      .values({
        id,
        retailer_id: input.retailerId,
        external_id: input.order.externalId,
        order_number: input.order.orderNumber,
        source: input.source,
        body_hash: bodyHash,
        data: JSON.stringify(input.order),
        status,
      })
      .onConflict((oc) => oc.columns(['retailer_id', 'external_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return { kind: 'exists' as const };
    await recordEvent(trx, id, {
      type: 'order_received',
      cause: `${input.source} intake`,
      status,
      data: { externalId: input.order.externalId, payment: input.order.payment.status },
    });
    if (input.webhookId !== undefined) {
      await trx
        .updateTable('webhook_receipts')
        .set({ order_id: id })
        .where('retailer_id', '=', input.retailerId)
        .where('source', '=', input.source)
        .where('webhook_id', '=', input.webhookId)
        .execute();
    }
    return { kind: 'created' as const, id };
  });

  if (result.kind === 'created') {
    await store.wakeOutbox();
    return { created: true, order: (await loadOrderView(store.db, result.id))! };
  }
  const existing = await store.db
    .selectFrom('orders')
    .select(['id', 'body_hash'])
    .where('retailer_id', '=', input.retailerId)
    .where('external_id', '=', input.order.externalId)
    .executeTakeFirst();
  if (!existing) {
    // A redelivered webhook whose first delivery did not create an order (it was refused then).
    throw new ConflictError('webhook already received', { webhookId: input.webhookId });
  }
  if (result.kind === 'exists' && existing.body_hash !== bodyHash) {
    throw new ConflictError(
      `an order with externalId "${input.order.externalId}" exists already with a different body`,
      { orderId: existing.id },
    );
  }
  return { created: false, order: (await loadOrderView(store.db, existing.id))! };
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

export function assertOrderBelongs(order: { retailerId: string } | undefined, retailerId: string): void {
  if (!order || order.retailerId !== retailerId) throw new HubError('not_found', 'order not found');
}
