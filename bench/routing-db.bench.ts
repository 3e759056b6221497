/**
 * Routing end to end through the database (issue 12): 10,000 orders of 3 lines, each SKU carried by
 * 5 suppliers with live stock in the ledger, routed by the hub's router (`routeReceivedOrders`: the
 * order locked, its candidates' stock locked and read in one query, the decision, the purchase
 * orders rendered and inserted, the reservations and the explanation kept, one transaction per
 * order), beside the peer: the same router on the same orders with one source per SKU and the
 * built-in policy (stock not in the decision), in a database of its own. Batches of 500 orders
 * alternate between the two, wall time (the database works too); PostgreSQL when DATABASE_URL is
 * set, else PGlite in memory. BENCH_ROUTING_DB_ORDERS sets the number of orders.
 */
import { performance } from 'node:perf_hooks';
import { loadEnv } from '../src/config/env.ts';
import type { Hub } from '../src/hub.ts';
import { silentLogger } from '../src/logger.ts';
import { createHub } from '../src/main.ts';
import { routeReceivedOrders } from '../src/pipeline/route.ts';
import { createRetailer } from '../src/store/retailers.ts';
import { openTestStore } from '../test/helpers/db.ts';
import { routingFixture } from '../test/helpers/routing-setup.ts';
import type { Benchmark, Figure } from './run.ts';

const ORDERS = Number(process.env.BENCH_ROUTING_DB_ORDERS ?? 10_000);
const SKUS = 3_000;
const SUPPLIERS = ['north', 'east', 'south', 'west', 'central'];
const BATCH = 500;
const NOW = new Date('2026-11-26T12:00:00Z');

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const sku = (i: number) => `SKU-${String(i).padStart(5, '0')}`;
const supplierSku = (s: string, i: number) => `${s.slice(0, 2).toUpperCase()}-${i}`;

async function hubWith(multi: boolean): Promise<Hub> {
  const rand = random(12);
  const fixture = await routingFixture(
    SUPPLIERS.map((s, n) => ({
      id: s,
      catalog: Array.from({ length: SKUS }, (_, i) => i)
        .filter((i) => multi || i % SUPPLIERS.length === n)
        .map((i) => `${sku(i)},${supplierSku(s, i)},${(5 + rand() * 20).toFixed(2)}`),
      routing: `{ priority: ${n + 1}, shippingFee: "${((n + 1) * 1.25).toFixed(2)}", stockBuffer: 1 }`,
    })),
    multi ? 'default:\n  rules: [in-stock, priority, cost, fewest-shipments]\n  splitLines: true\n  unfillable: partial\n' : 'default: {}\n',
  );
  const store = await openTestStore();
  const env = loadEnv({ HUB_DATA_DIR: 'memory://', HUB_ADMIN_TOKEN: 'bench-admin-token-0123456789-abcdefghij' });
  const hub = await createHub({ env, store, mappings: fixture.mappings, routing: fixture.routing, logger: silentLogger, clock: () => NOW });
  await createRetailer(store.db, { id: 'toyshop' });
  if (multi) {
    // Live stock for every source, as feeds leave it: plenty, so that orders route whole.
    const stock = random(3);
    for (const s of SUPPLIERS) {
      const rows = Array.from({ length: SKUS }, (_, i) => ({ supplier_id: s, supplier_sku: supplierSku(s, i), available: 50 + Math.floor(stock() * 500), as_of: new Date(NOW.getTime() - 3_600_000) }));
      for (let i = 0; i < rows.length; i += 1000) await store.db.insertInto('inventory').values(rows.slice(i, i + 1000)).execute();
    }
  }
  // The same orders in both, received and paid.
  const rand2 = random(7);
  const orders = Array.from({ length: ORDERS }, (_, n) => ({
    id: `ord_${String(n).padStart(6, '0')}`,
    retailer_id: 'toyshop',
    external_id: String(100_000 + n),
    order_number: `#${100_000 + n}`,
    source: 'api',
    body_hash: String(n),
    status: 'received',
    created_at: new Date(NOW.getTime() + n),
    data: JSON.stringify({
      externalId: String(100_000 + n),
      orderNumber: `#${100_000 + n}`,
      placedAt: '2026-11-26T10:00:00Z',
      currency: 'USD',
      payment: { status: 'paid', reference: `ch_${n}` },
      customer: { name: `Customer ${n}`, email: `c${n}@example.com`, phone: null },
      shipTo: { name: `Customer ${n}`, company: null, address1: `${n} Main St`, address2: null, city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US', phone: null },
      shipping: { method: 'Standard', carrier: null, serviceLevel: 'GROUND' },
      lines: Array.from({ length: 3 }, (_, j) => ({ lineId: String(j + 1), sku: sku(Math.floor(rand2() * SKUS)), title: `Item ${j + 1}`, quantity: 1 + Math.floor(rand2() * 4), unitPrice: `${10 + j}.99` })),
      notes: null,
    }),
  }));
  for (let i = 0; i < orders.length; i += 500) await store.db.insertInto('orders').values(orders.slice(i, i + 500)).execute();
  return hub;
}

async function timeBatch(hub: Hub): Promise<number> {
  const start = performance.now();
  const routed = await routeReceivedOrders(hub, { max: BATCH });
  const seconds = (performance.now() - start) / 1000;
  if (routed === 0) throw new Error('nothing routed');
  return seconds;
}

const bench: Benchmark = {
  name: 'routing-db',
  async run(): Promise<Figure[]> {
    const multi = await hubWith(true);
    const single = await hubWith(false);
    try {
      let multiSeconds = 0;
      let singleSeconds = 0;
      for (let from = 0; from < ORDERS; from += BATCH) {
        multiSeconds += await timeBatch(multi);
        singleSeconds += await timeBatch(single);
      }
      const pos = Number((await multi.store.db.selectFrom('purchase_orders').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const reserved = Number((await multi.store.db.selectFrom('stock_reservations').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      return [
        {
          bench: 'routing-db',
          metric: `router, ${ORDERS / 1000}k × 3 lines, 5 sources, live stock, ${multi.store.engine}`,
          value: Math.round(ORDERS / multiSeconds),
          unit: 'orders/s',
          peer: { name: 'same router, one source per SKU, built-in policy', value: Math.round(ORDERS / singleSeconds) },
        },
        { bench: 'routing-db', metric: '  purchase orders made (5 sources)', value: pos, unit: 'POs' },
        { bench: 'routing-db', metric: '  reservations kept (5 sources)', value: reserved, unit: 'rows' },
      ];
    } finally {
      await Promise.all([multi.store.close(), single.store.close()]);
    }
  },
};

export default bench;
