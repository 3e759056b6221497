/**
 * Issue 12, "done when": two hubs, each with its own connection pool (two processes' worth of
 * routers), route 50 orders at once for a SKU with 1 unit in stock across its sources. Exactly one
 * order gets it; the others follow their retailer's policy (held in exception, or waiting as
 * backordered); nothing is oversold, by the reservations and by the purchase orders. Then stock
 * arrives and the waiting orders are routed to the source that has it, still without overselling.
 * On real PostgreSQL when DATABASE_URL is set (the second hub opens its own pool on the same schema);
 * on PGlite the two hubs share the embedded database's one connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalOrder } from '../../src/canonical/order.ts';
import type { Hub } from '../../src/hub.ts';
import { silentLogger } from '../../src/logger.ts';
import { createHub } from '../../src/main.ts';
import { routeBackorders } from '../../src/pipeline/backorders.ts';
import { routeAcceptedOrder, routeReceivedOrders } from '../../src/pipeline/route.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { DATABASE_URL } from '../helpers/db.ts';
import { createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';
import { routingFixture } from '../helpers/routing-setup.ts';

const ORDERS = 50;
let a: TestHub;
let b: Hub;
let second: Store | undefined;
const keys: Record<string, string> = {};
const NOW = new Date('2026-12-03T12:00:00Z');

beforeAll(async () => {
  const { mappings, routing } = await routingFixture(
    [
      { id: 'north', catalog: ['LAST-1,N-LAST,5.00'] },
      { id: 'south', catalog: ['LAST-1,S-LAST,6.00'] },
      { id: 'west', catalog: ['LAST-1,W-LAST,4.00'] },
    ],
    [
      'default:',
      '  rules: [in-stock, cost]',
      '  unknownStock: skip',
      'retailers:',
      '  waitshop: { unfillable: partial }',
      '',
    ].join('\n'),
  );
  a = await createTestHub({ mappings, routing, clock: () => NOW });
  const schema = (a.hub.store as Store & { schema?: string }).schema;
  second = DATABASE_URL ? await openStore({ databaseUrl: DATABASE_URL, schema: schema!, poolSize: 10 }) : undefined;
  b = await createHub({ env: a.hub.env, store: second ?? a.hub.store, mappings, routing, logger: silentLogger, clock: () => NOW });
  keys.holdshop = (await a.retailer({ id: 'holdshop' })).apiKey;
  keys.waitshop = (await a.retailer({ id: 'waitshop' })).apiKey;
  // One unit in all: north has 1; south has none; west's figure is two days old (unknown, skipped).
  await a.hub.store.db
    .insertInto('inventory')
    .values([
      { supplier_id: 'north', supplier_sku: 'N-LAST', available: 1, as_of: '2026-12-03T11:00:00Z' },
      { supplier_id: 'south', supplier_sku: 'S-LAST', available: 0, as_of: '2026-12-03T11:00:00Z' },
      { supplier_id: 'west', supplier_sku: 'W-LAST', available: 50, as_of: '2026-12-01T11:00:00Z' },
    ])
    .execute();
});
afterAll(async () => {
  await b?.transports.closeAll();
  await second?.close();
  await a?.close();
});

async function placeOrder(n: number): Promise<{ id: string; retailer: string }> {
  const retailer = n % 2 ? 'holdshop' : 'waitshop';
  const res = await a.app.request(
    '/v1/orders',
    jsonRequest(sampleOrder({ externalId: `c-${n}`, orderNumber: `#C${n}`, lines: [{ lineId: '1', sku: 'LAST-1', title: 'The last one', quantity: 1, unitPrice: '9.99' }] }), {
      authorization: `Bearer ${keys[retailer]}`,
    }),
  );
  expect(res.status).toBe(201);
  return { id: ((await res.json()) as { id: string }).id, retailer };
}

describe(`50 orders at once for the last unit, two hubs (${DATABASE_URL ? 'PostgreSQL, two pools' : 'PGlite'})`, () => {
  it('exactly one order gets it; the others are held or wait, by their policy; nothing oversold', async () => {
    const orders = await Promise.all(Array.from({ length: ORDERS }, (_, i) => placeOrder(i)));
    const rows = await a.hub.store.db.selectFrom('orders').select(['id', 'data', 'retailer_id']).execute();
    // Hub A's routers, hub B's routers and hub B's fast path (orders it just accepted), all at once.
    await Promise.all([
      routeReceivedOrders(a.hub, { parallel: 4, max: ORDERS }),
      routeReceivedOrders(b, { parallel: 4, max: ORDERS }),
      ...rows.map((r) => routeAcceptedOrder(b, { id: r.id, retailer: { id: r.retailer_id, name: r.retailer_id }, order: r.data as CanonicalOrder }, 30_000)),
    ]);
    await routeReceivedOrders(a.hub, { max: ORDERS }); // any left by a router that gave way

    const db = a.hub.store.db;
    const pos = await db.selectFrom('purchase_orders').selectAll().execute();
    expect(pos).toHaveLength(1);
    expect(pos[0]!.supplier_id).toBe('north');
    const live = await db.selectFrom('stock_reservations').selectAll().where('released_at', 'is', null).execute();
    expect(live.map((r) => [r.order_id, r.supplier_id, r.supplier_sku, r.quantity, r.po_id])).toEqual([[pos[0]!.order_id, 'north', 'N-LAST', 1, pos[0]!.id]]);

    const status = new Map((await db.selectFrom('orders').select(['id', 'status']).execute()).map((o) => [o.id, o.status]));
    const winner = orders.find((o) => o.id === pos[0]!.order_id)!;
    expect(status.get(winner.id)).toBe('routed');
    for (const o of orders.filter((o) => o !== winner)) expect(status.get(o.id)).toBe(o.retailer === 'holdshop' ? 'exception' : 'backordered');
    // Every order's decision is kept, with its explanation.
    const decisions = await db.selectFrom('routing_decisions').select(['order_id']).execute();
    expect(new Set(decisions.map((d) => d.order_id)).size).toBe(ORDERS);
    const waiting = await db.selectFrom('backorders').selectAll().where('closed_at', 'is', null).execute();
    expect(waiting).toHaveLength(orders.filter((o) => o !== winner && o.retailer === 'waitshop').length);
    expect(waiting[0]!.reason).toContain('north out of stock');
  });

  it('stock arriving routes the waiting orders to the source that has it, up to its stock', async () => {
    const db = a.hub.store.db;
    const waiting = await db.selectFrom('backorders').select('order_id').where('closed_at', 'is', null).execute();
    expect(waiting.length).toBeGreaterThan(10);
    await db.updateTable('inventory').set({ available: 10, as_of: '2026-12-03T11:55:00Z' }).where('supplier_id', '=', 'south').execute();
    // Both hubs react to the feed at once.
    const [fromA, fromB] = await Promise.all([routeBackorders(a.hub, { supplierId: 'south' }), routeBackorders(b, { supplierId: 'south' })]);
    expect(fromA.length + fromB.length).toBe(10);
    const south = await db.selectFrom('purchase_orders').selectAll().where('supplier_id', '=', 'south').execute();
    expect(south).toHaveLength(10);
    const reserved = await db.selectFrom('stock_reservations').select(['quantity']).where('supplier_id', '=', 'south').where('released_at', 'is', null).execute();
    expect(reserved.reduce((n, r) => n + r.quantity, 0)).toBe(10);
    const stillWaiting = await db.selectFrom('backorders').select('order_id').where('closed_at', 'is', null).execute();
    expect(stillWaiting).toHaveLength(waiting.length - 10);
    for (const po of south) {
      const order = await db.selectFrom('orders').select('status').where('id', '=', po.order_id).executeTakeFirstOrThrow();
      expect(order.status).toBe('routed');
    }
  });
});
