/**
 * The stock ledger's repository: one query reads levels with their live reservations; reservations
 * taken under the row locks are seen by the next locker; releases by PO, order and line; a partial
 * shipment releases what shipped and keeps the rest reserved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/database.ts';
import { createRetailer } from '../../src/store/retailers.ts';
import { liveReservations, lockAndReserve, readStock, releaseReservations, releaseShipped, reserveStock } from '../../src/store/stock.ts';
import { openTestStore } from '../helpers/db.ts';

let store: Store;
const AT = new Date('2026-12-03T10:00:00Z');

async function order(id: string): Promise<string> {
  await store.db
    .insertInto('orders')
    .values({ id, retailer_id: 'shop', external_id: id, order_number: id, source: 'api', body_hash: id, data: '{}', status: 'routed' })
    .execute();
  return id;
}

beforeAll(async () => {
  store = await openTestStore();
  await createRetailer(store.db, { id: 'shop' });
  await store.db
    .insertInto('inventory')
    .values([
      { supplier_id: 'acme', supplier_sku: 'A-1', available: 5, as_of: '2026-12-03T09:00:00Z' },
      { supplier_id: 'globex', supplier_sku: 'G-1', available: 1, as_of: '2026-12-02T09:00:00Z' },
    ])
    .execute();
});
afterAll(() => store?.close());

describe('stock repository', () => {
  it('reads levels, their feed time and live reservations of the pairs asked, in one query', async () => {
    const o = await order('o-read');
    await reserveStock(store.db, [{ orderId: o, lineId: '1', poId: null, supplier: 'acme', supplierSku: 'A-1', quantity: 2 }], AT);
    const rows = await readStock(store.db, [
      { supplier: 'acme', supplierSku: 'A-1' },
      { supplier: 'globex', supplierSku: 'G-1' },
      { supplier: 'nobody', supplierSku: 'X' },
      { supplier: 'acme', supplierSku: 'A-1' },
    ]);
    expect(rows.sort((a, b) => a.supplier.localeCompare(b.supplier))).toEqual([
      { supplier: 'acme', supplierSku: 'A-1', available: 5, reserved: 2, asOf: new Date('2026-12-03T09:00:00Z') },
      { supplier: 'globex', supplierSku: 'G-1', available: 1, reserved: 0, asOf: new Date('2026-12-02T09:00:00Z') },
    ]);
    expect(await releaseReservations(store.db, { orderId: o }, 'cancelled', AT)).toBe(1);
    expect((await readStock(store.db, [{ supplier: 'acme', supplierSku: 'A-1' }]))[0]!.reserved).toBe(0);
  });

  it('a reservation taken under the locks is seen by the next transaction that locks', async () => {
    const [o1, o2] = [await order('o-lock-1'), await order('o-lock-2')];
    const take = (orderId: string) =>
      store.db.transaction().execute((trx) =>
        lockAndReserve(
          trx,
          [{ supplier: 'globex', supplierSku: 'G-1' }],
          (stock) => {
            const level = stock.get('globex', 'G-1')!;
            const free = level.available - level.reserved;
            return { result: free, reservations: free > 0 ? [{ orderId, lineId: '1', poId: null, supplier: 'globex', supplierSku: 'G-1', quantity: 1 }] : [] };
          },
          AT,
        ),
      );
    const results = await Promise.all([take(o1), take(o2)]);
    expect(results.map((r) => r.result).sort()).toEqual([0, 1]);
    const live = await store.db.selectFrom('stock_reservations').selectAll().where('supplier_id', '=', 'globex').where('released_at', 'is', null).execute();
    expect(live).toHaveLength(1);
  });

  it('releases by PO, by line, and what a partial shipment shipped', async () => {
    const o = await order('o-release');
    await reserveStock(
      store.db,
      [
        { orderId: o, lineId: '1', poId: 'po-a', supplier: 'acme', supplierSku: 'A-1', quantity: 3 },
        { orderId: o, lineId: '2', poId: 'po-a', supplier: 'acme', supplierSku: 'A-2', quantity: 1 },
        { orderId: o, lineId: '3', poId: 'po-b', supplier: 'globex', supplierSku: 'G-1', quantity: 1 },
        { orderId: o, lineId: '4', poId: null, supplier: 'globex', supplierSku: 'G-1', quantity: 0 },
      ],
      AT,
    );
    expect(await releaseShipped(store.db, 'po-a', new Map([['1', 2]]), AT)).toBe(2);
    let live = await liveReservations(store.db, o);
    expect(live.map((r) => [r.line_id, r.quantity]).sort()).toEqual([['1', 1], ['2', 1], ['3', 1]]);
    expect(await releaseReservations(store.db, { orderId: o, lineId: '3' }, 'rerouted', AT)).toBe(1);
    expect(await releaseReservations(store.db, { poId: 'po-a' }, 'cancelled', AT)).toBe(2);
    live = await liveReservations(store.db, o);
    expect(live).toEqual([]);
    const reasons = await store.db.selectFrom('stock_reservations').select(['line_id', 'release_reason', 'quantity']).where('order_id', '=', o).orderBy('line_id').orderBy('quantity').execute();
    expect(reasons).toEqual([
      { line_id: '1', release_reason: 'cancelled', quantity: 1 },
      { line_id: '1', release_reason: 'shipped', quantity: 3 },
      { line_id: '2', release_reason: 'cancelled', quantity: 1 },
      { line_id: '3', release_reason: 'rerouted', quantity: 1 },
    ]);
  });
});
