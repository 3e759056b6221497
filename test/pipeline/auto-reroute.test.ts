/**
 * Automatic reroute (issue 12 item 6), end to end against a real SFTP server (OpenSSH where
 * installed) and the test database: two X12 suppliers carry the same SKU; the preferred one rejects
 * a line on its 855, or stays silent past its 855 deadline (the injected clock moves, nothing
 * sleeps), or backorders it past the retailer's tolerance; the line is cancelled with it (an 850
 * with BEG01 01 in its folder) and goes to the other, which ships it. With no source left the order
 * goes to exception and the retailer's webhook gets `order.exception` with code `no_source_left`.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOverdue } from '../../src/pipeline/expectations.ts';
import { pollSupplier } from '../../src/pipeline/poll.ts';
import { Worker } from '../../src/pipeline/worker.ts';
import { parseRoutingPolicySource } from '../../src/routing/policy-loader.ts';
import { MappingError } from '../../src/errors.ts';
import { liveReservations } from '../../src/store/stock.ts';
import { ENGINE } from '../helpers/db.ts';
import { startHttpPeer, type HttpPeer } from '../helpers/http-peer.ts';
import { ADMIN_COOKIE, sessionValue } from '../../src/http/request.ts';
import { ADMIN_TOKEN, createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';
import { writeMapping, x12SftpMapping } from '../helpers/mappings.ts';
import { startSftpServer, type SftpPeer } from '../helpers/sftp-server.ts';
import { functionalAck, poAck, shipNotice } from '../helpers/supplier-files.ts';
import { check850 } from '../helpers/x12-check.ts';

let peer: SftpPeer;
let webhook: HttpPeer;
let t: TestHub;
let worker: Worker;
let key: string;
let now = new Date('2026-11-26T12:00:00Z');
let control = 8000;

/** Each supplier in folders of its own on the one server; acme is preferred (priority 1). */
async function supplier(id: string, priority: number, prefixes = ['TOY-']) {
  const dirs = { outboundDir: `${id}/in`, inboundDir: `${id}/out`, processedDir: `${id}/out/processed`, failedDir: `${id}/out/failed` };
  const { mapping, env } = x12SftpMapping(peer, { supplier: id, prefixes, expect: { ack855Hours: 24 }, transport: dirs });
  mkdirSync(path.join(peer.root, id, 'out'), { recursive: true });
  return writeMapping({ ...mapping, routing: { priority } }, env);
}

beforeAll(async () => {
  peer = await startSftpServer();
  webhook = await startHttpPeer();
  // TOY-TRUCK has two sources (acme, globex); TOY-STOCKED a third, initech.
  t = await createTestHub({ mappings: [await supplier('acme', 1), await supplier('globex', 2), await supplier('initech', 3, ['TOY-STOCK'])], clock: () => now });
  const policies = parseRoutingPolicySource(
    'default:\n  maxReroutes: 2\n  backorderTolerance: 3d\nretailers:\n  stocky: { rules: [in-stock, priority] }\n',
    'routing.yaml',
    {},
  );
  if (policies instanceof MappingError) throw policies;
  t.hub.routing = policies;
  key = (await t.retailer({ id: 'toys', webhookUrl: `${webhook.url}/hooks` })).apiKey;
  worker = new Worker(t.hub, { pollIntervalMs: 60_000, overdueIntervalMs: 60_000, concurrency: 4, leaseMs: 30_000 });
});
afterAll(async () => {
  await t?.close();
  await peer?.close();
  await webhook?.close();
});

const parties = (senderId: string) => ({ senderId, receiverId: 'DROPHUB', controlNumber: ++control });

async function placeOrder(externalId: string, lines = [{ lineId: '1', sku: 'TOY-TRUCK', title: 'Truck', quantity: 2, unitPrice: '19.99' }]) {
  const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId, orderNumber: `#${externalId}`, lines }), { authorization: `Bearer ${key}` }));
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  await worker.pass();
  return id;
}

interface View {
  status: string;
  statusReason: string | null;
  purchaseOrders: { id: string; supplierId: string; poNumber: string; status: string; lines: { lineId: string; sku: string; supplierSku: string; quantity: number }[] }[];
  timeline: { type: string; cause: string; data: Record<string, unknown> | null }[];
}

async function view(orderId: string): Promise<View> {
  const res = await t.app.request(`/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${key}` } });
  return (await res.json()) as View;
}

const reservations = async (orderId: string) =>
  (await liveReservations(t.hub.store.db, orderId)).map((r) => [r.line_id, r.supplier_id, r.quantity]);

const poOf = (order: View, supplierId: string) => order.purchaseOrders.find((p) => p.supplierId === supplierId)!;
const drop = (supplierId: string, name: string, content: string) => writeFileSync(path.join(peer.root, supplierId, 'out', name), content);
/** The files the hub put in a supplier's inbound folder for a PO number, by purpose (BEG01 00 original, 01 cancellation). */
function sentTo(supplierId: string, poNumber: string): { name: string; purpose: string; text: string }[] {
  const dir = path.join(peer.root, supplierId, 'in');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => ({ name, text: readFileSync(path.join(dir, name), 'utf8') }))
    .filter((f) => f.text.includes(`BEG*`) && new RegExp(`BEG\\*\\d\\d\\*[A-Z]{2}\\*${poNumber}\\*`).test(f.text))
    .map((f) => ({ ...f, purpose: /BEG\*(\d\d)\*/.exec(f.text)![1]! }));
}

async function shipFromGlobex(orderId: string) {
  const globex = poOf(await view(orderId), 'globex');
  drop('globex', `ship_${globex.poNumber}.856`, shipNotice(parties('GLOBEX'), `S-${globex.poNumber}`, [{ poNumber: globex.poNumber, items: globex.lines.map((l) => ({ supplierSku: l.supplierSku, quantity: l.quantity })), tracking: [`1ZG${globex.poNumber}`] }]));
  expect((await pollSupplier(t.hub, 'globex')).applied).toBe(1);
}

describe(`automatic reroute (${ENGINE}, SFTP ${process.env.DATABASE_URL ? 'and PostgreSQL' : ''})`, () => {
  it('an 855 line rejection: cancelled with acme, sent to globex, shipped by globex, the timeline says why', async () => {
    const orderId = await placeOrder('6101');
    const first = poOf(await view(orderId), 'acme');
    expect(first.status).toBe('sent');

    drop('acme', 'ack_6101.855', poAck(parties('ACME'), first.poNumber, 'AC', [{ supplierSku: 'TOY-TRUCK', quantity: 2, ack: 'IR' }]));
    expect((await pollSupplier(t.hub, 'acme')).applied).toBe(1);
    const moved = await view(orderId);
    expect(moved.status).toBe('routed');
    expect(poOf(moved, 'acme')).toMatchObject({ status: 'cancelled' });
    expect(poOf(moved, 'globex')).toMatchObject({ status: 'pending', lines: [{ lineId: '1', sku: 'TOY-TRUCK', quantity: 2 }] });
    const rerouted = moved.timeline.find((e) => e.type === 'line_rerouted')!;
    expect(rerouted.data).toMatchObject({
      lineId: '1', sku: 'TOY-TRUCK', from: 'acme', fromPoNumber: first.poNumber, trigger: 'rejected', reason: 'rejected by its 855',
      to: [{ supplier: 'globex', poNumber: poOf(moved, 'globex').poNumber }], reroute: 1, maxReroutes: 2,
    });
    expect(rerouted.cause).toBe('supplier file ack_6101.855');
    expect(await reservations(orderId)).toEqual([['1', 'globex', 2]]);

    await worker.pass();
    const cancels = sentTo('acme', first.poNumber);
    expect(cancels.map((f) => f.purpose).sort()).toEqual(['00', '01']);
    expect(check850(cancels.find((f) => f.purpose === '01')!.text)).toEqual([]);
    const toGlobex = sentTo('globex', poOf(moved, 'globex').poNumber);
    expect(toGlobex.map((f) => f.purpose)).toEqual(['00']);
    expect(toGlobex[0]!.text).toContain('PO1*1*2*EA*');

    await shipFromGlobex(orderId);
    const shipped = await view(orderId);
    expect(shipped.status).toBe('shipped');
    expect(shipped.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['acknowledgment_received', 'line_rerouted', 'po_cancel_queued', 'shipment_received']));

    // The dashboard's order page lists the reroute: the line, from whom, to whom, why.
    const page = await (await t.app.request(`/orders/${orderId}`, { headers: { cookie: `${ADMIN_COOKIE}=${sessionValue(ADMIN_TOKEN)}` } })).text();
    const card = page.slice(page.indexOf('id="reroutes"'), page.indexOf('id="shipments"'));
    expect(card).toMatch(/<td>1 · TOY-TRUCK × 2<\/td>\s*<td>acme<\/td>\s*<td>globex<\/td>\s*<td class="reason">rejected by its 855<\/td>/);
  });

  it('a missed 855 deadline (the clock moves on): the line moves once, however many checks run at once', async () => {
    const orderId = await placeOrder('6102');
    const first = poOf(await view(orderId), 'acme');
    const sent = await t.hub.store.db.selectFrom('documents').select('gs06').where('po_id', '=', first.id).where('kind', '=', 'po').executeTakeFirstOrThrow();
    drop('acme', 'fa_6102.997', functionalAck(parties('ACME'), Number(sent.gs06), 'A'));
    await pollSupplier(t.hub, 'acme');
    expect(poOf(await view(orderId), 'acme').status).toBe('acknowledged');

    now = new Date(now.getTime() + 23 * 3_600_000);
    await checkOverdue(t.hub);
    expect((await view(orderId)).purchaseOrders).toHaveLength(1);

    now = new Date(now.getTime() + 2 * 3_600_000);
    await Promise.all([checkOverdue(t.hub), checkOverdue(t.hub)]);
    const moved = await view(orderId);
    expect(moved.purchaseOrders.map((p) => [p.supplierId, p.status]).sort()).toEqual([['acme', 'cancelled'], ['globex', 'pending']]);
    const events = moved.timeline.filter((e) => e.type === 'line_rerouted');
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ from: 'acme', trigger: 'no_855', reason: 'no 855 within 24 h of the purchase order' });
    expect(moved.timeline.filter((e) => e.type === 'document_overdue').map((e) => e.data?.expected)).toEqual(['855']);
    // Rerouted, not overdue: the retailer is not told to wait.
    await worker.pass();
    expect(webhook.requests.map((r) => JSON.parse(r.body.toString()) as { type: string; order: { id: string } }).filter((e) => e.order.id === orderId && e.type === 'order.overdue')).toEqual([]);

    expect(sentTo('acme', first.poNumber).map((f) => f.purpose).sort()).toEqual(['00', '01']);
    expect(sentTo('globex', poOf(moved, 'globex').poNumber).map((f) => f.purpose)).toEqual(['00']);
    // acme's 855 comes at last, too late: its cancelled PO stays cancelled, the order is not in exception.
    drop('acme', 'late_6102.855', poAck(parties('ACME'), first.poNumber, 'RJ', [{ supplierSku: 'TOY-TRUCK', quantity: 2, ack: 'IR' }]));
    await pollSupplier(t.hub, 'acme');
    expect(poOf(await view(orderId), 'acme').status).toBe('cancelled');
    expect((await view(orderId)).status).toBe('sent');
    await shipFromGlobex(orderId);
    expect((await view(orderId)).status).toBe('shipped');
  });

  it('moves only the rejected line of a two-line PO: acme keeps and ships the other', async () => {
    const orderId = await placeOrder('6103', [
      { lineId: 'a', sku: 'TOY-TRUCK', title: 'Truck', quantity: 1, unitPrice: '19.99' },
      { lineId: 'b', sku: 'TOY-BLOCKS', title: 'Blocks', quantity: 3, unitPrice: '9.50' },
    ]);
    const first = poOf(await view(orderId), 'acme');
    drop('acme', 'ack_6103.855', poAck(parties('ACME'), first.poNumber, 'AC', [
      { supplierSku: 'TOY-TRUCK', quantity: 1, ack: 'IA' },
      { supplierSku: 'TOY-BLOCKS', quantity: 3, ack: 'IR' },
    ]));
    await pollSupplier(t.hub, 'acme');
    const moved = await view(orderId);
    expect(poOf(moved, 'acme')).toMatchObject({ status: 'acknowledged', lines: [{ lineId: 'a', sku: 'TOY-TRUCK' }] });
    expect(poOf(moved, 'globex')).toMatchObject({ status: 'pending', lines: [{ lineId: 'b', sku: 'TOY-BLOCKS', quantity: 3 }] });

    await worker.pass();
    // The cancellation names the moved line only, and delivering it leaves acme's PO open.
    const cancel = sentTo('acme', first.poNumber).find((f) => f.purpose === '01')!;
    expect(cancel.text).toContain('TOY-BLOCKS');
    expect(cancel.text).not.toContain('TOY-TRUCK');
    expect(poOf(await view(orderId), 'acme').status).toBe('acknowledged');
    // The same 855 again (a supplier resending) changes nothing: the line it rejects has moved already.
    drop('acme', 'again_6103.855', poAck(parties('ACME'), first.poNumber, 'AC', [
      { supplierSku: 'TOY-TRUCK', quantity: 1, ack: 'IA' },
      { supplierSku: 'TOY-BLOCKS', quantity: 3, ack: 'IR' },
    ]));
    await pollSupplier(t.hub, 'acme');
    const again = await view(orderId);
    expect(poOf(again, 'acme').status).toBe('acknowledged');
    expect(again.timeline.filter((e) => e.type === 'line_rerouted')).toHaveLength(1);

    drop('acme', 'ship_6103.856', shipNotice(parties('ACME'), 'S-6103', [{ poNumber: first.poNumber, items: [{ supplierSku: 'TOY-TRUCK', quantity: 1 }], tracking: ['1ZA6103'] }]));
    await pollSupplier(t.hub, 'acme');
    expect((await view(orderId)).status).toBe('partially_shipped');
    await shipFromGlobex(orderId);
    expect((await view(orderId)).status).toBe('shipped');
  });

  it('a backorder past the tolerance (3d) moves the line', async () => {
    const orderId = await placeOrder('6104');
    const first = poOf(await view(orderId), 'acme');
    drop('acme', 'ack_6104.855', poAck(parties('ACME'), first.poNumber, 'AC', [{ supplierSku: 'TOY-TRUCK', quantity: 2, ack: 'IB' }]));
    await pollSupplier(t.hub, 'acme');
    expect(poOf(await view(orderId), 'acme').status).toBe('backordered');

    now = new Date(now.getTime() + 2 * 86_400_000);
    await checkOverdue(t.hub);
    expect((await view(orderId)).purchaseOrders).toHaveLength(1);
    now = new Date(now.getTime() + 86_400_000 + 60_000);
    await checkOverdue(t.hub);
    const moved = await view(orderId);
    expect(poOf(moved, 'globex')).toMatchObject({ status: 'pending' });
    expect(moved.timeline.find((e) => e.type === 'line_rerouted')!.data).toMatchObject({ trigger: 'backorder_wait', reason: 'backordered by its 855 and not shipped within 3d' });
    await worker.pass();
    await shipFromGlobex(orderId);
    expect((await view(orderId)).status).toBe('shipped');
  });

  it('with the in-stock rule, the line skips a next source that has nothing and goes to one that has', async () => {
    const stockyKey = (await t.retailer({ id: 'stocky' })).apiKey;
    for (const [supplierId, available] of [['acme', 5], ['globex', 0], ['initech', 10]] as const) {
      await t.hub.store.db.insertInto('inventory').values({ supplier_id: supplierId, supplier_sku: 'TOY-STOCKED', sku: 'TOY-STOCKED', available, as_of: now }).execute();
    }
    const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: '6106', orderNumber: '#6106', lines: [{ lineId: '1', sku: 'TOY-STOCKED', quantity: 2, unitPrice: '3.00' }] }), { authorization: `Bearer ${stockyKey}` }));
    const { id: orderId } = (await res.json()) as { id: string };
    await worker.pass();
    const first = (await t.hub.store.db.selectFrom('purchase_orders').select(['supplier_id', 'po_number']).where('order_id', '=', orderId).executeTakeFirstOrThrow());
    expect(first.supplier_id).toBe('acme');
    drop('acme', 'ack_6106.855', poAck(parties('ACME'), first.po_number, 'AC', [{ supplierSku: 'TOY-STOCKED', quantity: 2, ack: 'IR' }]));
    await pollSupplier(t.hub, 'acme');
    const events = await t.hub.store.db.selectFrom('order_events').select(['type', 'data']).where('order_id', '=', orderId).where('type', '=', 'line_rerouted').execute();
    expect(events.map((e) => e.data)).toEqual([
      expect.objectContaining({ from: 'acme', to: [{ supplier: 'initech', poNumber: '6106' }], choice: 'only source left' }),
    ]);
    expect(await reservations(orderId)).toEqual([['1', 'initech', 2]]);
  });

  it('with no source left: exception, and the retailer gets order.exception with code no_source_left', async () => {
    const orderId = await placeOrder('6105');
    const first = poOf(await view(orderId), 'acme');
    drop('acme', 'ack_6105.855', poAck(parties('ACME'), first.poNumber, 'RJ', [{ supplierSku: 'TOY-TRUCK', quantity: 2, ack: 'IR' }]));
    await pollSupplier(t.hub, 'acme');
    await worker.pass();
    const second = poOf(await view(orderId), 'globex');
    drop('globex', 'ack_6105.855', poAck(parties('GLOBEX'), second.poNumber, 'AC', [{ supplierSku: 'TOY-TRUCK', quantity: 2, ack: 'IR' }]));
    await pollSupplier(t.hub, 'globex');
    const order = await view(orderId);
    expect(order.status).toBe('exception');
    expect(order.statusReason).toBe('line 1 (SKU TOY-TRUCK): the supplier cannot fill it, and no other supplier can ship it now');
    expect(order.purchaseOrders.map((p) => [p.supplierId, p.status]).sort()).toEqual([['acme', 'cancelled'], ['globex', 'rejected']]);
    expect(order.timeline.find((e) => e.type === 'line_reroute_failed')!.data).toMatchObject({ from: 'globex', trigger: 'rejected', reroute: 2 });

    await worker.pass();
    const events = webhook.requests.map((r) => JSON.parse(r.body.toString()) as { type: string; order: { id: string }; data: Record<string, unknown> });
    const exception = events.filter((e) => e.order.id === orderId && e.type === 'order.exception');
    expect(exception).toHaveLength(1);
    expect(exception[0]!.data).toMatchObject({ code: 'no_source_left', reason: order.statusReason, poNumber: second.poNumber });
    expect(JSON.stringify(exception[0])).not.toMatch(/acme|globex/i);
  });
});
