/**
 * Order numbers used again by one retailer under a new external id (a store re-importing an order,
 * a test order replayed): flagged, or refused where the retailer's policy says so
 * (`hub retailers create|update --duplicate-order-numbers refuse|warn`).
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export type DuplicateOrderNumberPolicy = 'warn' | 'refuse';
export const DUPLICATE_ORDER_NUMBER_POLICIES: readonly DuplicateOrderNumberPolicy[] = ['warn', 'refuse'];

/** The oldest other order of this retailer with this order number (another external id). */
export async function earlierOrderWithNumber(
  db: Kysely<Database>,
  retailerId: string,
  orderNumber: string,
  externalId: string,
): Promise<{ id: string; externalId: string } | undefined> {
  const row = await db
    .selectFrom('orders')
    .select(['id', 'external_id'])
    .where('retailer_id', '=', retailerId)
    .where('order_number', '=', orderNumber)
    .where('external_id', '<>', externalId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row ? { id: row.id, externalId: row.external_id } : undefined;
}

/** Of these orders, the ones whose number another order of the same retailer also has. */
export async function ordersWithSharedNumbers(db: Kysely<Database>, orderIds: readonly string[]): Promise<Set<string>> {
  if (orderIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('orders as o')
    .select('o.id')
    .where('o.id', 'in', orderIds)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('orders as other')
          .select('other.id')
          .whereRef('other.retailer_id', '=', 'o.retailer_id')
          .whereRef('other.order_number', '=', 'o.order_number')
          .whereRef('other.id', '<>', 'o.id'),
      ),
    )
    .execute();
  return new Set(rows.map((r) => r.id));
}

export async function retailerDuplicatePolicy(db: Kysely<Database>, retailerId: string): Promise<DuplicateOrderNumberPolicy> {
  const row = await db.selectFrom('retailers').select('duplicate_order_numbers').where('id', '=', retailerId).executeTakeFirst();
  return row?.duplicate_order_numbers ?? 'warn';
}

/** Sets a retailer's policy; false when there is no such retailer. */
export async function setRetailerDuplicatePolicy(db: Kysely<Database>, retailerId: string, policy: DuplicateOrderNumberPolicy): Promise<boolean> {
  const updated = await db.updateTable('retailers').set({ duplicate_order_numbers: policy }).where('id', '=', retailerId).returning('id').executeTakeFirst();
  return updated !== undefined;
}
