/**
 * Back to the retailer: signed webhook events, Shopify fulfillments through the Admin GraphQL API,
 * the expected-document ledger with overdue alerts, and cancellation end to end.
 */
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkOverdue } from '../../src/pipeline/expectations.ts';
import { pollSupplier } from '../../src/pipeline/poll.ts';
import { Worker } from '../../src/pipeline/worker.ts';
import { ADMIN_TOKEN, createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';
import { startHttpPeer, type HttpPeer, type RecordedRequest } from '../helpers/http-peer.ts';
import { x12SftpSupplier } from '../helpers/mappings.ts';
import { startSftpServer, type SftpPeer } from '../helpers/sftp-server.ts';
import { functionalAck, poAck, shipNotice } from '../helpers/supplier-files.ts';
import { shopifyFake, type ShopifyFake } from '../notify/shopify-admin-fake.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const parties = (n: number) => ({ senderId: 'ACME', receiverId: 'DROPHUB', controlNumber: n });
const workerOptions = { pollIntervalMs: 60_000, overdueIntervalMs: 60_000, concurrency: 4, leaseMs: 30_000 };

let sftp: SftpPeer;
let retailerPeer: HttpPeer;
let otherPeer: HttpPeer;
let shopifyPeer: HttpPeer;
let shopify: ShopifyFake;
let t: TestHub;
let worker: Worker;
let now = new Date('2026-11-26T12:00:00Z');
const SHOPIFY_SECRET = 'shopify-webhook-secret';
let key: string;
let otherKey: string;
let webhookSecret: string;

beforeAll(async () => {
  sftp = await startSftpServer();
  mkdirSync(path.join(sftp.root, 'out'), { recursive: true });
  retailerPeer = await startHttpPeer();
  otherPeer = await startHttpPeer();
  shopify = shopifyFake();
  shopifyPeer = await startHttpPeer([], (request) => shopify.handle(request));
  t = await createTestHub({
    mappings: [await x12SftpSupplier(sftp, { expect: { ack997Hours: 1, shipHours: 48 } })],
    clock: () => now,
    env: { HUB_RETAILER_RETRY_BASE_MS: '20' },
  });
  const retailer = await t.retailer({
    id: 'toys',
    webhookUrl: `${retailerPeer.url}/hooks`,
    shopifySecret: SHOPIFY_SECRET,
    shopifyShopUrl: shopifyPeer.url,
    shopifyAccessToken: shopify.token,
  });
  key = retailer.apiKey;
  webhookSecret = retailer.webhookSecret!;
  otherKey = (await t.retailer({ id: 'other', webhookUrl: `${otherPeer.url}/hooks` })).apiKey;
  worker = new Worker(t.hub, workerOptions);
});
afterAll(async () => {
  await t.close();
  await Promise.all([sftp.close(), retailerPeer.close(), otherPeer.close(), shopifyPeer.close()]);
});
beforeEach(() => {
  retailerPeer.requests.length = 0;
  otherPeer.requests.length = 0;
});

async function placeOrder(externalId: string, quantity = 2, apiKey = key): Promise<{ id: string; poNumber: string; poId: string }> {
  const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId, orderNumber: externalId, lines: [{ lineId: '1', sku: 'ACME-TRUCK-01', quantity, unitPrice: '19.99' }] }), { authorization: `Bearer ${apiKey}` }));
  const { id } = await res.json();
  await worker.pass();
  const po = await t.hub.store.db.selectFrom('purchase_orders').select(['id', 'po_number']).where('order_id', '=', id).executeTakeFirstOrThrow();
  return { id, poNumber: po.po_number, poId: po.id };
}

/** What a retailer does with an incoming event: verify the signature over the raw body. */
function verified(request: RecordedRequest, secret: string): boolean {
  const expected = `sha256=${createHmac('sha256', secret).update(request.body).digest('hex')}`;
  return request.headers['x-hub-signature-256'] === expected;
}

const events = (peer: HttpPeer, type?: string) =>
  peer.requests.map((r) => ({ request: r, event: JSON.parse(r.body.toString()) })).filter((e) => !type || e.event.type === type);

describe('retailer webhooks', () => {
  it('sends one signed order.shipped per shipment, each delivered once even when the first attempt answers 500', async () => {
    const order = await placeOrder('R-1');
    retailerPeer.script({ status: 500, body: 'oops' });
    writeFileSync(path.join(sftp.root, 'out', 'r1a.856'), shipNotice(parties(801), 'S1', [{ poNumber: order.poNumber, items: [{ supplierSku: 'ACME-TRUCK-01', quantity: 1 }], tracking: ['1ZR1A'] }]));
    await pollSupplier(t.hub, 'acme');
    await worker.pass();
    await sleep(60);
    await worker.pass();
    writeFileSync(path.join(sftp.root, 'out', 'r1b.856'), shipNotice(parties(802), 'S2', [{ poNumber: order.poNumber, items: [{ supplierSku: 'ACME-TRUCK-01', quantity: 1 }], tracking: ['1ZR1B'] }]));
    await pollSupplier(t.hub, 'acme');
    await worker.pass();

    const shipped = events(retailerPeer, 'order.shipped');
    expect(shipped.every((e) => verified(e.request, webhookSecret))).toBe(true);
    expect(shipped.every((e) => e.request.headers['x-hub-event-id'] === e.event.id)).toBe(true);
    const ids = [...new Set(shipped.map((e) => e.event.id))];
    expect(ids).toHaveLength(2);
    // The first event was tried twice (500, then 200); the second once.
    expect(shipped.filter((e) => e.event.id === ids[0])).toHaveLength(2);
    expect(shipped.filter((e) => e.event.id === ids[1])).toHaveLength(1);
    expect(shipped.map((e) => e.event.data.shipment.trackingNumbers[0])).toEqual(['1ZR1A', '1ZR1A', '1ZR1B']);
    expect(shipped[0]!.event.data.shipment).toMatchObject({ carrier: { code: 'UPSN', name: 'UPS' }, lines: [{ sku: 'ACME-TRUCK-01', quantity: 1 }] });
    expect(shipped[0]!.event.data.shipment.trackingUrls[0]).toMatch(/^https:\/\/.*1ZR1A/);
    expect(shipped[2]!.event.order.status).toBe('shipped');
    // A tampered body no longer verifies.
    const tampered = { ...shipped[2]!.request, body: Buffer.from(shipped[2]!.request.body.toString().replace('1ZR1B', '1ZEVIL')) };
    expect(verified(tampered, webhookSecret)).toBe(false);
  });

  it("never sends a retailer events about another retailer's orders", async () => {
    const mine = await placeOrder('R-2', 1, key);
    const theirs = await placeOrder('R-3', 1, otherKey);
    writeFileSync(path.join(sftp.root, 'out', 'r23.856'), shipNotice(parties(803), 'S3', [
      { poNumber: mine.poNumber, items: [{ supplierSku: 'ACME-TRUCK-01', quantity: 1 }], tracking: ['1ZMINE'] },
      { poNumber: theirs.poNumber, items: [{ supplierSku: 'ACME-TRUCK-01', quantity: 1 }], tracking: ['1ZTHEIRS'] },
    ]));
    await pollSupplier(t.hub, 'acme');
    await worker.pass();
    expect(events(retailerPeer).map((e) => e.event.order.externalId)).toEqual(['R-2']);
    expect(events(otherPeer).map((e) => e.event.order.externalId)).toEqual(['R-3']);
    expect(JSON.stringify(events(retailerPeer).map((e) => e.event))).not.toContain('1ZTHEIRS');
  });
});

describe('Shopify write-back', () => {
  it('creates a fulfillment for just the shipped quantities, then the rest; honours a 429', async () => {
    const body = JSON.parse(readFileSync(new URL('../fixtures/shopify/order-create.json', import.meta.url), 'utf8'));
    body.line_items = body.line_items.filter((l: { sku: string | null }) => l.sku?.startsWith('ACME-'));
    const raw = JSON.stringify(body);
    const res = await t.app.request('/v1/webhooks/shopify/toys', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-topic': 'orders/create', 'x-shopify-hmac-sha256': createHmac('sha256', SHOPIFY_SECRET).update(raw).digest('base64') },
      body: raw,
    });
    expect(res.status).toBe(201);
    const order = await res.json();
    const line = body.line_items[0];
    shopify.orders.set(`gid://shopify/Order/${body.id}`, [
      { id: 'gid://shopify/FulfillmentOrder/1', status: 'OPEN', location: 'gid://shopify/Location/1', lineItems: [{ id: 'gid://shopify/FulfillmentOrderLineItem/11', remainingQuantity: line.quantity, lineItem: { id: `gid://shopify/LineItem/${line.id}`, sku: line.sku } }] },
    ]);
    await worker.pass();
    const po = await t.hub.store.db.selectFrom('purchase_orders').select('po_number').where('order_id', '=', order.id).executeTakeFirstOrThrow();

    writeFileSync(path.join(sftp.root, 'out', 'shop1.856'), shipNotice(parties(804), 'SH1', [{ poNumber: po.po_number, items: [{ supplierSku: 'ACME-TRUCK-01', quantity: 1 }], tracking: ['1ZSHOP1'] }]));
    await pollSupplier(t.hub, 'acme');
    shopifyPeer.script({ status: 429, headers: { 'retry-after': '0.05' }, body: { errors: 'Throttled' } });
    await worker.pass();
    await sleep(120);
    await worker.pass();
    expect(shopify.fulfillments).toHaveLength(1);
    expect(shopify.fulfillments[0]).toMatchObject({
      lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: 'gid://shopify/FulfillmentOrder/1', fulfillmentOrderLineItems: [{ id: 'gid://shopify/FulfillmentOrderLineItem/11', quantity: 1 }] }],
      trackingInfo: { company: 'UPS', numbers: ['1ZSHOP1'] },
      notifyCustomer: true,
    });
    expect(shopifyPeer.requests.some((r) => r.headers['x-shopify-access-token'] === shopify.token)).toBe(true);

    writeFileSync(path.join(sftp.root, 'out', 'shop2.856'), shipNotice(parties(805), 'SH2', [{ poNumber: po.po_number, items: [{ supplierSku: 'ACME-TRUCK-01', quantity: line.quantity - 1 }], tracking: ['1ZSHOP2'] }]));
    await pollSupplier(t.hub, 'acme');
    await worker.pass();
    expect(shopify.fulfillments).toHaveLength(2);
    expect(shopify.fulfillments[1]).toMatchObject({ lineItemsByFulfillmentOrder: [{ fulfillmentOrderLineItems: [{ quantity: line.quantity - 1 }] }], trackingInfo: { numbers: ['1ZSHOP2'] } });
    const docs = await t.hub.store.db.selectFrom('documents').select(['status', 'attempts']).where('kind', '=', 'shopify_fulfillment').where('order_id', '=', order.id).orderBy('created_at').execute();
    expect(docs.map((d) => d.status)).toEqual(['sent', 'sent']);
    expect(docs[0]!.attempts).toBe(2);
  });
});

describe('expected-document ledger', () => {
  it('lists a PO whose 997 is late, fires order.overdue once, and clears it when the 997 arrives', async () => {
    const order = await placeOrder('R-4');
    const admin = async () => (await t.app.request('/v1/admin/overdue', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
    expect((await admin()).overdue.filter((o: { poId: string }) => o.poId === order.poId)).toEqual([]);

    now = new Date(now.getTime() + 2 * 3_600_000); // past the one-hour 997 window
    expect(await checkOverdue(t.hub)).toBeGreaterThanOrEqual(1);
    await checkOverdue(t.hub);
    await worker.pass();
    const listed = (await admin()).overdue.filter((o: { poId: string }) => o.poId === order.poId);
    expect(listed).toMatchObject([{ expected: '997', poNumber: order.poNumber, supplierId: 'acme' }]);
    const overdue = events(retailerPeer, 'order.overdue').filter((e) => e.event.order.id === order.id);
    expect(overdue).toHaveLength(1);
    expect(overdue[0]!.event.data).toMatchObject({ poNumber: order.poNumber, awaiting: 'acknowledgment' });

    const sent = await t.hub.store.db.selectFrom('documents').select('gs06').where('po_id', '=', order.poId).where('kind', '=', 'po').executeTakeFirstOrThrow();
    writeFileSync(path.join(sftp.root, 'out', 'late.997'), functionalAck(parties(806), Number(sent.gs06), 'A'));
    await pollSupplier(t.hub, 'acme');
    expect((await admin()).overdue.filter((o: { poId: string }) => o.poId === order.poId)).toEqual([]);
  });
});

describe('cancellation', () => {
  const cancel = (id: string) => t.app.request(`/v1/orders/${id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });

  it('withdraws a PO not yet sent: nothing reaches the supplier', async () => {
    const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: 'R-5', orderNumber: 'R-5' }), { authorization: `Bearer ${key}` }));
    const { id } = await res.json();
    const { routeReceivedOrders } = await import('../../src/pipeline/route.ts');
    await routeReceivedOrders(t.hub);
    const cancelled = await cancel(id);
    expect(cancelled.status).toBe(200);
    expect((await cancelled.json()).status).toBe('cancelled');
    await worker.pass();
    expect(readdirSync(path.join(sftp.root, 'in')).filter((f) => f.includes('R-5'))).toEqual([]);
    expect(events(retailerPeer, 'order.cancelled').map((e) => e.event.order.id)).toEqual([id]);
  });

  it("sends the supplier an 850 with BEG01 01 for a PO already sent", async () => {
    const order = await placeOrder('R-6');
    expect((await cancel(order.id)).status).toBe(200);
    await worker.pass();
    const docs = await t.hub.store.db.selectFrom('documents').select(['kind', 'filename', 'status', 'isa13']).where('po_id', '=', order.poId).orderBy('created_at').execute();
    expect(docs.map((d) => [d.kind, d.status])).toEqual([['po', 'sent'], ['po_cancel', 'sent']]);
    expect(Number(docs[1]!.isa13)).not.toBe(Number(docs[0]!.isa13));
    const files = readdirSync(path.join(sftp.root, 'in')).filter((f) => f.includes('R-6'));
    const contents = files.map((f) => readFileSync(path.join(sftp.root, 'in', f), 'utf8'));
    expect(contents.some((c) => /BEG\*01\*DS\*R-6\*/.test(c))).toBe(true);
    expect(contents.some((c) => /BEG\*00\*DS\*R-6\*/.test(c))).toBe(true);
    const po = await t.hub.store.db.selectFrom('purchase_orders').select('status').where('id', '=', order.poId).executeTakeFirstOrThrow();
    expect(po.status).toBe('cancelled');
  });

  it('answers 409 for a shipped order', async () => {
    const order = await placeOrder('R-7', 1);
    writeFileSync(path.join(sftp.root, 'out', 'r7.856'), shipNotice(parties(807), 'S7', [{ poNumber: order.poNumber, items: [{ supplierSku: 'ACME-TRUCK-01', quantity: 1 }], tracking: ['1ZR7'] }]));
    await pollSupplier(t.hub, 'acme');
    const res = await cancel(order.id);
    expect(res.status).toBe(409);
    expect(existsSync(path.join(sftp.root, 'in'))).toBe(true);
  });
});

describe('over-shipment', () => {
  it('flags an extra 856 as a discrepancy: the order stays shipped, no second order.shipped, and a cancel is refused', async () => {
    const order = await placeOrder('R-9', 1);
    writeFileSync(path.join(sftp.root, 'out', 'r9a.856'), shipNotice(parties(809), 'S9A', [{ poNumber: order.poNumber, items: [{ supplierSku: 'ACME-TRUCK-01', quantity: 1 }], tracking: ['1ZR9A'] }]));
    await pollSupplier(t.hub, 'acme');
    await worker.pass();
    writeFileSync(path.join(sftp.root, 'out', 'r9b.856'), shipNotice(parties(810), 'S9B', [{ poNumber: order.poNumber, items: [{ supplierSku: 'ACME-TRUCK-01', quantity: 1 }], tracking: ['1ZR9B'] }]));
    const polled = await pollSupplier(t.hub, 'acme');
    expect(polled.files.find((f) => f.name === 'r9b.856')?.status).toBe('applied');
    await worker.pass();

    const db = t.hub.store.db;
    expect((await db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow()).status).toBe('shipped');
    const po = await db.selectFrom('purchase_orders').select(['status', 'status_reason', 'shipped']).where('id', '=', order.poId).executeTakeFirstOrThrow();
    expect(po).toMatchObject({ status: 'shipped', status_reason: null, shipped: { 1: 2 } });
    const timeline = await db.selectFrom('order_events').select(['type', 'cause', 'data']).where('order_id', '=', order.id).execute();
    const flagged = timeline.filter((e) => e.type === 'shipment_discrepancy');
    expect(flagged).toHaveLength(1);
    expect(flagged[0]!.cause).toContain('ACME-TRUCK-01: 2 shipped of 1 ordered');
    expect(timeline.filter((e) => e.type === 'shipment_received')).toHaveLength(2);
    const mine = (type: string) => events(retailerPeer, type).filter((e) => e.event.order.id === order.id);
    expect(mine('order.shipped').map((e) => e.event.data.shipment.trackingNumbers)).toEqual([['1ZR9A']]);
    expect(mine('order.exception')).toEqual([]);

    const res = await t.app.request(`/v1/orders/${order.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toMatch(/shipped/);
    const cancels = await db.selectFrom('documents').select('id').where('po_id', '=', order.poId).where('kind', '=', 'po_cancel').execute();
    expect(cancels).toEqual([]);
  });

  it('refuses to cancel an order in exception whose PO has a shipped line, and queues no cancellation', async () => {
    const order = await placeOrder('R-10', 2);
    writeFileSync(path.join(sftp.root, 'out', 'r10.856'), shipNotice(parties(811), 'S10', [{ poNumber: order.poNumber, items: [{ supplierSku: 'ACME-TRUCK-01', quantity: 1 }], tracking: ['1ZR10'] }]));
    await pollSupplier(t.hub, 'acme');
    // The supplier then rejects the rest: the order is in exception, one unit already on its way.
    writeFileSync(path.join(sftp.root, 'out', 'r10.855'), poAck(parties(812), order.poNumber, 'RJ', [{ supplierSku: 'ACME-TRUCK-01', quantity: 1, ack: 'IR' }]));
    await pollSupplier(t.hub, 'acme');
    const db = t.hub.store.db;
    expect((await db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow()).status).toBe('exception');
    const res = await t.app.request(`/v1/orders/${order.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toContain('ACME-TRUCK-01 (1 shipped)');
    expect(await db.selectFrom('documents').select('id').where('po_id', '=', order.poId).where('kind', '=', 'po_cancel').execute()).toEqual([]);
    expect((await db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow()).status).toBe('exception');
  });
});

describe('event payloads', () => {
  it('order.acknowledged carries the order state after the change (855 and 997)', async () => {
    const by855 = await placeOrder('R-11', 1);
    writeFileSync(path.join(sftp.root, 'out', 'r11.855'), poAck(parties(813), by855.poNumber, 'AD', [{ supplierSku: 'ACME-TRUCK-01', quantity: 1, ack: 'IA' }]));
    const by997 = await placeOrder('R-12', 1);
    const sent = await t.hub.store.db.selectFrom('documents').select('gs06').where('po_id', '=', by997.poId).where('kind', '=', 'po').executeTakeFirstOrThrow();
    writeFileSync(path.join(sftp.root, 'out', 'r12.997'), functionalAck(parties(814), Number(sent.gs06), 'A'));
    await pollSupplier(t.hub, 'acme');
    await worker.pass();
    const acknowledged = events(retailerPeer, 'order.acknowledged');
    expect(acknowledged.map((e) => [e.event.order.externalId, e.event.order.status]).sort()).toEqual([['R-11', 'acknowledged'], ['R-12', 'acknowledged']]);
  });
});

describe('event de-duplication', () => {
  it('queues the same fact once, however often it is reported', async () => {
    const { enqueueRetailerEvent } = await import('../../src/pipeline/notify.ts');
    const order = await placeOrder('R-8', 1);
    const input = { type: 'order.exception', data: { reason: 'test', code: 'delivery_failed', poNumber: order.poNumber } } as const;
    const first = await t.hub.store.db.transaction().execute((trx) => enqueueRetailerEvent(trx, t.hub, order.id, input));
    const second = await t.hub.store.db.transaction().execute((trx) => enqueueRetailerEvent(trx, t.hub, order.id, input));
    expect(first).toMatch(/^evt_/);
    expect(second).toBeUndefined();
    const queued = await t.hub.store.db.selectFrom('documents').select('id').where('kind', '=', 'event').where('filename', 'like', `%${first}%`).execute();
    expect(queued).toHaveLength(1);
  });
});
