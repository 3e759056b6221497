/** Shipments: what the supplier's ship notices and tracking files recorded, per purchase order. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** How many shipments a purchase order has received so far (in the caller's transaction; found through its order's index). */
export async function countShipmentsOfPo(db: Kysely<Database> | Transaction<Database>, po: { id: string; order_id: string }): Promise<number> {
  const row = await db
    .selectFrom('shipments')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('order_id', '=', po.order_id)
    .where('po_id', '=', po.id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
