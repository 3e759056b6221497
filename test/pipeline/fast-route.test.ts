/**
 * The router's fast path: an order this process has just accepted is routed from memory
 * (`routeAcceptedOrder`) by a worker of the same process. It must record exactly what the router
 * records, never route an order twice, never burn a control number when it gives up, and leave
 * every order it cannot route to the router.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanonicalOrder } from '../../src/canonical/order.ts';
import { routeAcceptedOrder, routeReceivedOrders } from '../../src/pipeline/route.ts';
import { Worker } from '../../src/pipeline/worker.ts';
import type { OrderOffer } from '../../src/store/database.ts';
import { DATABASE_URL } from '../helpers/db.ts';
import { createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';
import { startHttpPeer, type HttpPeer } from '../helpers/http-peer.ts';
import { writeMapping, x12SftpSupplier } from '../helpers/mappings.ts';
import { startSftpServer } from '../helpers/sftp-server.ts';
import { sleep, until } from '../helpers/wait.ts';

let t: TestHub;
let peer: HttpPeer;
const retailers: Record<string, { id: string; name: string; key: string }> = {};
const LEASE_MS = 60_000;

/** An X12 850 supplier reached over HTTP (a real server on loopback). */
const x12Supplier = (id: string, prefix: string) =>
  writeMapping({
    supplier: id,
    name: id,
    skus: { prefixes: [prefix] },
    transport: { type: 'http', url: `${peer.url}/${id}` },
    outbound: {
      format: 'x12-850',
      filename: 'PO_{poNumber}.edi',
      x12: { version: '004010', senderQualifier: 'ZZ', senderId: 'DROPHUB', receiverQualifier: 'ZZ', receiverId: id.toUpperCase() },
    },
  });

beforeAll(async () => {
  peer = await startHttpPeer();
  t = await createTestHub({ mappings: [await x12Supplier('acme', 'ACME-'), await x12Supplier('initech', 'INI-')] });
  for (const name of ['toys', 'games']) {
    const r = await t.retailer({ id: name, name: `${name} inc` });
    retailers[name] = { id: r.id, name: `${name} inc`, key: r.apiKey };
  }
});
afterAll(async () => {
  await t?.close();
  await peer?.close();
});

/** Places an order through the API; returns the offer the intake makes to a local worker. */
async function place(externalId: string, options: { sku?: string; orderNumber?: string; retailer?: string } = {}): Promise<OrderOffer> {
  const retailer = retailers[options.retailer ?? 'toys']!;
  const body = sampleOrder({
    externalId,
    orderNumber: options.orderNumber ?? externalId,
    lines: [{ lineId: '1', sku: options.sku ?? 'ACME-TRUCK-01', quantity: 2, unitPrice: '19.99' }],
  });
  const res = await t.app.request('/v1/orders', jsonRequest(body, { authorization: `Bearer ${retailer.key}` }));
  expect(res.status).toBe(201);
  const view = (await res.json()) as { id: string; order: CanonicalOrder };
  return { id: view.id, retailer: { id: retailer.id, name: retailer.name }, order: view.order };
}

const order = (id: string) => t.hub.store.db.selectFrom('orders').select(['status', 'status_reason']).where('id', '=', id).executeTakeFirstOrThrow();
const timeline = (id: string) =>
  t.hub.store.db.selectFrom('order_events').select(['type', 'status', 'data']).where('order_id', '=', id).orderBy('id').execute();
const purchaseOrders = (id: string) => t.hub.store.db.selectFrom('purchase_orders').selectAll().where('order_id', '=', id).execute();
const documents = (id: string) => t.hub.store.db.selectFrom('documents').selectAll().where('order_id', '=', id).where('kind', '=', 'po').execute();
const counter = async (partner: string) =>
  Number((await t.hub.store.db.selectFrom('control_counters').select('value').where('partner', '=', partner).executeTakeFirst())?.value ?? 0);

describe('routing an accepted order from memory', () => {
  it('records what the router records: the PO, its 850 claimed for delivery, the timeline', async () => {
    const fast = await place('F-1');
    const slow = await place('F-2');
    const before = await counter('acme');

    const handed = await routeAcceptedOrder(t.hub, fast, LEASE_MS);
    expect(await routeReceivedOrders(t.hub)).toBe(1); // only F-2 was left for the router

    expect(handed).toHaveLength(1);
    const [doc] = handed!;
    expect(doc).toMatchObject({ kind: 'po', status: 'pending', supplier_id: 'acme', order_id: fast.id, filename: 'PO_F-1.edi' });
    expect(doc!.locked_until!.getTime()).toBeGreaterThan(Date.now() + LEASE_MS / 2); // claimed for its caller
    expect(Number(doc!.isa13)).toBe(before + 1);
    expect(Number((await documents(slow.id))[0]!.isa13)).toBe(before + 2);

    for (const id of [fast.id, slow.id]) {
      expect((await order(id)).status).toBe('routed');
      expect(await purchaseOrders(id)).toHaveLength(1);
    }
    const [fastEvents, slowEvents] = [await timeline(fast.id), await timeline(slow.id)];
    expect(fastEvents.map((e) => e.type)).toEqual(['order_received', 'po_created', 'status_changed']);
    expect(fastEvents.map((e) => [e.type, e.status])).toEqual(slowEvents.map((e) => [e.type, e.status]));
    expect(fastEvents[2]!.data).toEqual(slowEvents[2]!.data);
    expect(fastEvents[1]!.data).toMatchObject({ poNumber: 'F-1', supplier: 'acme', documentId: doc!.id, lines: 1 });

    // The same transaction set as the router's, but for the envelopes (control numbers) and the BEG (PO number).
    const body = (content: Buffer) =>
      content.toString('latin1').split(/~\s*/).filter((segment) => segment && !/^(ISA|GS|GE|IEA|BEG)\*/.test(segment));
    const fastBody = body(Buffer.from(doc!.content));
    expect(fastBody.length).toBeGreaterThan(5);
    expect(fastBody).toEqual(body(Buffer.from((await documents(slow.id))[0]!.content)));
  });

  it('gives up on an order that is not received any more, without taking a control number', async () => {
    const offer = await place('F-3');
    await t.hub.store.db.updateTable('orders').set({ status: 'cancelled' }).where('id', '=', offer.id).execute();
    const before = await counter('acme');
    expect(await routeAcceptedOrder(t.hub, offer, LEASE_MS)).toBeUndefined();
    expect(await counter('acme')).toBe(before);
    expect(await purchaseOrders(offer.id)).toHaveLength(0);
    expect((await order(offer.id)).status).toBe('cancelled');
  });

  it('gives up on a PO number in use, without a gap: the router then routes it with a suffix', async () => {
    const first = await place('F-4', { orderNumber: '#7001', retailer: 'toys' });
    expect(await routeAcceptedOrder(t.hub, first, LEASE_MS)).toHaveLength(1);
    const numberOfFirst = await counter('acme');

    // Another retailer's order #7001: the same PO number for the same supplier.
    const clash = await place('F-4', { orderNumber: '#7001', retailer: 'games' });
    expect(await routeAcceptedOrder(t.hub, clash, LEASE_MS)).toBeUndefined();
    expect(await counter('acme')).toBe(numberOfFirst); // the number went back with the rollback
    expect((await order(clash.id)).status).toBe('received');

    await routeReceivedOrders(t.hub);
    const [po] = await purchaseOrders(clash.id);
    expect(po!.po_number).toBe('7001-2');
    expect(Number((await documents(clash.id))[0]!.isa13)).toBe(numberOfFirst + 1);
  });

  it('leaves an order it cannot route or render to the router, which parks it with the reason', async () => {
    const before = await counter('acme');
    const unroutable = await place('F-5', { sku: 'NOBODY-1' });
    const unrenderable = await place('F-6', { orderNumber: 'A'.repeat(30) }); // BEG03 holds 22 characters
    expect(await routeAcceptedOrder(t.hub, unroutable, LEASE_MS)).toBeUndefined();
    expect(await routeAcceptedOrder(t.hub, unrenderable, LEASE_MS)).toBeUndefined();
    expect(await counter('acme')).toBe(before);

    await routeReceivedOrders(t.hub);
    expect(await order(unroutable.id)).toMatchObject({ status: 'exception', status_reason: expect.stringMatching(/NOBODY-1/) });
    expect(await order(unrenderable.id)).toMatchObject({ status: 'exception', status_reason: expect.stringMatching(/BEG03/) });
    expect(await counter('acme')).toBe(before);
  });

  it.skipIf(!DATABASE_URL)('does not wait for an order another router holds, and takes no number for it', async () => {
    const offer = await place('F-7');
    const before = await counter('acme');
    let result: unknown = 'not run';
    await t.hub.store.db.transaction().execute(async (trx) => {
      await trx.selectFrom('orders').select('id').where('id', '=', offer.id).forUpdate().execute();
      result = await routeAcceptedOrder(t.hub, offer, LEASE_MS); // SKIP LOCKED: returns at once
    });
    expect(result).toBeUndefined();
    expect(await counter('acme')).toBe(before);
    expect(await routeReceivedOrders(t.hub)).toBe(1);
    expect(Number((await documents(offer.id))[0]!.isa13)).toBe(before + 1);
  });

  it.skipIf(!DATABASE_URL)('does not park an order whose PO number another router committed meanwhile: it takes the next', async () => {
    const other = await place('RC-0');
    await t.hub.store.db.updateTable('orders').set({ status: 'cancelled' }).where('id', '=', other.id).execute();
    const offer = await place('RC-1');
    let routing: Promise<number> | undefined;
    await t.hub.store.db.transaction().execute(async (trx) => {
      // Another router's PO with the same number, not committed yet: the router does not see it,
      // and its insert waits for this transaction, then fails on the unique key.
      await trx.insertInto('purchase_orders').values({ id: 'po_race', order_id: other.id, supplier_id: 'acme', po_number: 'RC-1', status: 'pending', data: '{}' }).execute();
      routing = routeReceivedOrders(t.hub);
      await sleep(300);
    });
    await routing;
    expect((await order(offer.id)).status).toBe('routed');
    expect((await purchaseOrders(offer.id)).map((po) => po.po_number)).toEqual(['RC-1-2']);
  });

  it('routes each order once when the fast path and four routers race over the same 40 orders; control numbers 1..40', async () => {
    const offers: OrderOffer[] = [];
    for (let i = 0; i < 40; i++) offers.push(await place(`RACE-${i}`, { sku: 'INI-1' }));
    const [fast] = await Promise.all([
      Promise.all(offers.map((offer) => routeAcceptedOrder(t.hub, offer, LEASE_MS))),
      routeReceivedOrders(t.hub, { parallel: 4, max: 1_000 }),
    ]);
    await routeReceivedOrders(t.hub); // what the fast path gave up on, if anything
    const docs = await t.hub.store.db.selectFrom('documents').select(['order_id', 'isa13']).where('partner', '=', 'initech').execute();
    expect(docs).toHaveLength(40);
    expect(new Set(docs.map((d) => d.order_id))).toEqual(new Set(offers.map((o) => o.id)));
    expect(docs.map((d) => Number(d.isa13)).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const pos = await t.hub.store.db
      .selectFrom('purchase_orders')
      .select((eb) => ['order_id', eb.fn.countAll<number>().as('n')])
      .where('supplier_id', '=', 'initech')
      .groupBy('order_id')
      .execute();
    expect(pos.map((p) => Number(p.n))).toEqual(Array(40).fill(1));
    // Whoever routed an order, its timeline says so once.
    const routedTwice = await sql<{ order_id: string }>`
      select order_id from order_events where type = 'status_changed' and data->>'to' = 'routed'
      group by order_id having count(*) > 1`.execute(t.hub.store.db);
    expect(routedTwice.rows).toEqual([]);
    expect(fast.filter((d) => d !== undefined).length).toBeGreaterThan(0);
  });
});

describe('a running worker takes the orders its process accepts', () => {
  it('routes and delivers them without waking the outbox; takes none when stopped', async () => {
    const worker = new Worker(t.hub, { pollIntervalMs: 60_000, overdueIntervalMs: 60_000, concurrency: 2, leaseMs: LEASE_MS });
    let wakes = 0;
    const unsubscribe = t.hub.store.onOutboxWake(() => wakes++);
    worker.start();
    await worker.settled();
    try {
      wakes = 0;
      const offer = await place('W-1');
      expect(wakes).toBe(0); // taken by the worker: no outbox wake-up, no NOTIFY to other processes
      await until('the 850 delivered', async () => peer.requests.find((r) => r.url === '/acme' && r.body.toString('latin1').includes('BEG*00*DS*W-1*')));
      await worker.settled();
      expect((await order(offer.id)).status).toBe('sent');
      expect((await documents(offer.id))[0]).toMatchObject({ status: 'sent', attempts: 1 });
    } finally {
      await worker.stop();
    }
    wakes = 0;
    const later = await place('W-2');
    expect(wakes).toBe(1); // nobody took it: the outbox is woken, a router will find it
    expect((await order(later.id)).status).toBe('received');
    unsubscribe();
  });

  it('takes no more than its concurrency at once', async () => {
    const worker = new Worker(t.hub, { pollIntervalMs: 60_000, overdueIntervalMs: 60_000, concurrency: 1, leaseMs: LEASE_MS });
    worker.start();
    await worker.settled();
    try {
      // Offered by hand in one tick (orders that are not in the database: the worker gives them up).
      const offer = (id: string): OrderOffer => ({
        id,
        retailer: { id: retailers.toys!.id, name: retailers.toys!.name },
        order: CanonicalOrder.parse(sampleOrder({ externalId: id })),
      });
      expect(t.hub.store.offerOrder(offer('ord_absent_1'))).toBe(true);
      expect(t.hub.store.offerOrder(offer('ord_absent_2'))).toBe(false); // busy: the intake wakes the outbox instead
      await worker.settled();
      expect(t.hub.store.offerOrder(offer('ord_absent_3'))).toBe(true);
      await worker.settled();
    } finally {
      await worker.stop();
    }
    expect(t.hub.store.offerOrder({ id: 'ord_absent_4', retailer: { id: 'toys', name: 'toys inc' }, order: CanonicalOrder.parse(sampleOrder()) })).toBe(false);
  });
});

describe('a running worker stages SFTP files while the routing commits', () => {
  it('delivers by renaming the staged file; a routing that gives up leaves no staged file behind', async () => {
    const sftp = await startSftpServer();
    // Staging is only tried after a quick upload and must finish within its limit: a generous limit
    // makes it happen on a busy machine too (the default 200 ms is for production servers).
    const hub = await createTestHub({ mappings: [await x12SftpSupplier(sftp, { inbound: false })], env: { HUB_STAGING_LIMIT_MS: '60000' } });
    const worker = new Worker(hub.hub, { pollIntervalMs: 60_000, overdueIntervalMs: 60_000, concurrency: 4, leaseMs: LEASE_MS });
    try {
      const keys = [(await hub.retailer({ id: 'shop-a' })).apiKey, (await hub.retailer({ id: 'shop-b' })).apiKey];
      worker.start();
      const post = async (key: string, number = '8001') => {
        const body = sampleOrder({ externalId: number, orderNumber: `#${number}`, lines: [{ lineId: '1', sku: 'ACME-1', quantity: 1, unitPrice: '5.00' }] });
        const res = await hub.app.request('/v1/orders', jsonRequest(body, { authorization: `Bearer ${key}` }));
        expect(res.status).toBe(201);
        return ((await res.json()) as { id: string }).id;
      };
      const sent = (orderId: string) =>
        until(`the PO of ${orderId} sent`, async () =>
          hub.hub.store.db.selectFrom('documents').selectAll().where('order_id', '=', orderId).where('kind', '=', 'po').where('status', '=', 'sent').executeTakeFirst(),
        );

      // The first delivery opens the SSH connection (staging only uses one that is open and idle).
      expect(JSON.parse(JSON.stringify((await sent(await post(keys[0]!, '8000'))).receipt))).toEqual({ remotePath: 'in/PO_8000.edi' });
      const first = await sent(await post(keys[0]!));
      expect(JSON.parse(JSON.stringify(first.receipt))).toEqual({ remotePath: 'in/PO_8001.edi', staged: true });
      expect(readFileSync(path.join(sftp.root, 'in', 'PO_8001.edi'))).toEqual(Buffer.from(first.content));

      // The other shop's #8001: the PO number is taken, so the routing from memory rolls back after
      // staging its file; the router then sends it as 8001-2.
      const second = await sent(await post(keys[1]!));
      expect(second.filename).toBe('PO_8001-2.edi');
      await worker.settled();
      expect(readdirSync(path.join(sftp.root, 'in')).sort()).toEqual(['PO_8000.edi', 'PO_8001-2.edi', 'PO_8001.edi']);
    } finally {
      await worker.stop();
      await hub.close();
      await sftp.close();
    }
  });
});
