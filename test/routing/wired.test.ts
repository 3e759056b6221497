/**
 * Routing wired to the database (issue 12): the retailer's policy and the live stock decide; the
 * explanation is kept and served in GET /v1/orders/{id}; `unfillable: partial` routes what it can,
 * the rest waits (backorders, timeline, order.backordered) and goes when stock arrives; reservations
 * are released by a shipment (in part for a partial one) and by a cancellation; the preview reads
 * stock and writes nothing; routing.yaml is loaded at boot and a bad one refused with its line.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/config/env.ts';
import { MappingError } from '../../src/errors.ts';
import { silentLogger } from '../../src/logger.ts';
import { createHub } from '../../src/main.ts';
import { receiveInboundFile } from '../../src/pipeline/apply.ts';
import { routeBackorders } from '../../src/pipeline/backorders.ts';
import { cancelOrder } from '../../src/pipeline/cancel.ts';
import { routeReceivedOrders } from '../../src/pipeline/route.ts';
import { explainOrder, previewRouting } from '../../src/pipeline/routing-preview.ts';
import { policyFor } from '../../src/routing/policy.ts';
import { createTestHub, jsonRequest, sampleOrder, signInCookie, type TestHub } from '../helpers/hub.ts';
import { routingFixture } from '../helpers/routing-setup.ts';

let t: TestHub;
let key: string;
let dir: string;
const NOW = new Date('2026-12-03T12:00:00Z');
const POLICY = ['default:', '  rules: [in-stock, cost]', '  unfillable: partial', '  unknownStock: skip', ''].join('\n');

beforeAll(async () => {
  const fixture = await routingFixture(
    [
      { id: 'north', catalog: ['CAR,N-CAR,5.00'] },
      { id: 'south', catalog: ['CAR,S-CAR,4.00', 'BIKE,S-BIKE,30.00'], routing: '{ shippingFee: "2.50" }' },
    ],
    POLICY,
  );
  dir = fixture.dir;
  t = await createTestHub({ mappings: fixture.mappings, routing: fixture.routing, clock: () => NOW });
  key = (await t.retailer({ id: 'shop', webhookUrl: 'http://127.0.0.1:9/hook' })).apiKey;
  await t.hub.store.db
    .insertInto('inventory')
    .values([
      { supplier_id: 'north', supplier_sku: 'N-CAR', available: 3, as_of: '2026-12-03T10:00:00Z' },
      { supplier_id: 'south', supplier_sku: 'S-CAR', available: 0, as_of: '2026-12-03T10:00:00Z' },
      { supplier_id: 'south', supplier_sku: 'S-BIKE', available: 0, as_of: '2026-12-03T10:00:00Z' },
    ])
    .execute();
});
afterAll(() => t?.close());

const lines = [
  { lineId: '1', sku: 'CAR', title: 'Car', quantity: 2, unitPrice: '19.99' },
  { lineId: '2', sku: 'BIKE', title: 'Bike', quantity: 1, unitPrice: '99.00' },
];

async function placeOrder(externalId: string): Promise<string> {
  const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId, orderNumber: `#${externalId}`, lines }), { authorization: `Bearer ${key}` }));
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function view(orderId: string) {
  const res = await t.app.request(`/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(200);
  return res.json();
}

const live = (orderId: string) =>
  t.hub.store.db.selectFrom('stock_reservations').select(['line_id', 'supplier_id', 'quantity', 'release_reason']).where('order_id', '=', orderId).where('released_at', 'is', null).orderBy('line_id').execute();

describe('routing with the policy and live stock', () => {
  let orderId: string;

  it('routes what stock allows, explains every line in GET /v1/orders/{id}, and lets the rest wait', async () => {
    orderId = await placeOrder('W-1');
    expect(await routeReceivedOrders(t.hub)).toBe(1);
    const order = await view(orderId);
    expect(order.status).toBe('routed');
    expect(order.purchaseOrders.map((p: { supplierId: string }) => p.supplierId)).toEqual(['north']);
    expect(order.routing).toHaveLength(2);
    const [car, bike] = order.routing;
    expect(car).toMatchObject({ lineId: '1', sku: 'CAR', supplier: 'north', status: 'allocated', reason: 'only source with stock' });
    expect(car.candidates).toEqual([
      expect.objectContaining({ supplier: 'north', available: 3, reserved: 0, usable: 3, stockAt: '2026-12-03T10:00:00.000Z', cost: '5.00', landedCost: '10.00', quantity: 2, skipped: null }),
      expect.objectContaining({ supplier: 'south', available: 0, cost: '4.00', landedCost: '10.50', quantity: 0, skipped: 'out of stock' }),
    ]);
    expect(bike).toMatchObject({ lineId: '2', sku: 'BIKE', supplier: null, status: 'unfillable' });
    expect(bike.reason).toMatch(/^waits \(unfillable is partial\)/);
    expect(order.timeline.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['po_created', 'lines_backordered']));
    expect(await live(orderId)).toEqual([{ line_id: '1', supplier_id: 'north', quantity: 2, release_reason: null }]);
    const events = await t.hub.store.db.selectFrom('documents').select(['kind', 'content']).where('order_id', '=', orderId).where('kind', '=', 'event').execute();
    const backordered = events.map((e) => JSON.parse(Buffer.from(e.content).toString())).find((e) => e.type === 'order.backordered');
    expect(backordered.data).toEqual({ lines: [{ lineId: '2', sku: 'BIKE', quantity: 1, reason: expect.stringContaining('south out of stock') }] });
  });

  it('a second order sees the first one\'s reservation', async () => {
    const preview = await previewRouting(t.hub, sampleOrder({ externalId: 'P-1', lines: [{ lineId: '1', sku: 'CAR', title: 'Car', quantity: 2, unitPrice: '19.99' }] }), 'shop');
    expect(preview.outcome).toBe('waiting');
    expect(preview.routing[0]!.candidates[0]).toMatchObject({ supplier: 'north', available: 3, reserved: 2, usable: 1, skipped: 'only 1 in stock, 2 needed (3 available, 2 reserved)' });
  });

  it('a partial shipment releases what shipped; stock arriving routes the waiting line', async () => {
    const po = (await view(orderId)).purchaseOrders[0];
    const shipment = { type: 'shipment', poNumber: po.poNumber, shipmentId: 'SH-1', carrier: 'UPSN', trackingNumbers: ['1Z999AA10123456784'], lines: [{ sku: 'CAR', supplierSku: 'N-CAR', lineNumber: 1, quantity: 1 }] };
    const applied = await receiveInboundFile(t.hub, t.hub.mappings.get('north')!, { name: 'ship.json', content: Buffer.from(JSON.stringify(shipment)), via: 'http' });
    expect(applied.status).toBe('applied');
    expect(await live(orderId)).toEqual([{ line_id: '1', supplier_id: 'north', quantity: 1, release_reason: null }]);

    expect(await routeBackorders(t.hub, { supplierId: 'south' })).toEqual([]); // no stock yet: nothing changes
    await t.hub.store.db.updateTable('inventory').set({ available: 4, as_of: '2026-12-03T11:30:00Z' }).where('supplier_sku', '=', 'S-BIKE').execute();
    expect(await routeBackorders(t.hub, { supplierId: 'south' })).toEqual([orderId]);
    const order = await view(orderId);
    expect(order.purchaseOrders.map((p: { supplierId: string }) => p.supplierId).sort()).toEqual(['north', 'south']);
    expect(order.routing[1]).toMatchObject({ lineId: '2', supplier: 'south', status: 'allocated' });
    expect(await live(orderId)).toEqual([
      { line_id: '1', supplier_id: 'north', quantity: 1, release_reason: null },
      { line_id: '2', supplier_id: 'south', quantity: 1, release_reason: null },
    ]);
    const explained = await explainOrder(t.hub, orderId);
    expect(explained.decisions.map((d) => [d.cause, d.outcome])).toEqual([['route', 'partial'], ['backorder', 'routed']]);
    expect(explained.backordered).toEqual([]);
    // The dashboard's order page shows the same, line by line.
    const page = await t.app.request(`/orders/${orderId}`, { headers: { cookie: await signInCookie(t.app) } });
    const html = await page.text();
    expect(html).toContain('id="routing"');
    expect(html).toContain('data-routing-line="2"');
    expect(html).toContain('south (S-BIKE) × 1');
    expect(html).toContain('only source with stock');
  });

  it('a shipment takes its units off the figure; cancelling an order releases its stock and closes its wait', async () => {
    // north: 3 available − 1 shipped = 2, 1 still reserved: 1 usable for 2 cars; south has no car; 4 bikes, 1 reserved.
    const other = await placeOrder('W-2');
    await routeReceivedOrders(t.hub);
    const before = await view(other);
    expect(before.status).toBe('routed'); // the bike went to south, the cars wait
    expect(before.routing[0].status).toBe('unfillable');
    expect(before.routing[0].candidates[0]).toMatchObject({ supplier: 'north', available: 2, reserved: 1, usable: 1 });
    expect(await live(other)).toEqual([{ line_id: '2', supplier_id: 'south', quantity: 1, release_reason: null }]);
    await cancelOrder(t.hub, other, 'customer changed their mind');
    expect(await live(other)).toEqual([]);
    const open = await t.hub.store.db.selectFrom('backorders').select('line_id').where('order_id', '=', other).where('closed_at', 'is', null).execute();
    expect(open).toEqual([]);
  });

  it('previews write nothing', async () => {
    const count = async () => Number((await t.hub.store.db.selectFrom('stock_reservations').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const preview = await previewRouting(t.hub, sampleOrder({ lines: [{ lineId: '1', sku: 'BIKE', title: 'Bike', quantity: 1, unitPrice: '99.00' }] }), 'shop');
    expect(preview.purchaseOrders).toEqual([{ supplier: 'south', poNumber: expect.any(String), lines: [{ lineId: '1', sku: 'BIKE', supplierSku: 'S-BIKE', quantity: 1 }] }]);
    expect(await count()).toBe(before);
  });
});

describe('routing.yaml at boot', () => {
  it('is read from HUB_MAPPINGS_DIR beside the mappings; a bad one is refused with its key path and line', async () => {
    const env = loadEnv({ HUB_DATA_DIR: 'memory://', HUB_MAPPINGS_DIR: dir, HUB_ADMIN_TOKEN: 'x'.repeat(32) });
    const hub = await createHub({ env, store: t.hub.store, logger: silentLogger });
    expect(policyFor(hub.routing, 'shop')).toMatchObject({ rules: ['in-stock', 'cost'], unfillable: 'partial' });
    writeFileSync(path.join(dir, 'routing.yaml'), 'default:\n  rules: [in-stock, cheapest]\n');
    const error = await createHub({ env, store: t.hub.store, logger: silentLogger }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MappingError);
    expect(String((error as Error).message) + JSON.stringify((error as MappingError).issues ?? '')).toMatch(/cheapest/);
    writeFileSync(path.join(dir, 'routing.yaml'), POLICY);
  });
});
