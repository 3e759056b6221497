/**
 * The whole flow against a real OpenSSH server (the sandbox server where sshd is missing): an order
 * in, its 850 in the supplier's folder, the supplier's 997 / 855 / 856 back, the order shipped.
 */
import { retailerReason } from '../../src/notify/exception-reasons.ts';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollSupplier } from '../../src/pipeline/poll.ts';
import { Worker } from '../../src/pipeline/worker.ts';
import { toBuffer } from '../../src/store/ids.ts';
import { ADMIN_TOKEN, createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';
import { x12SftpSupplier } from '../helpers/mappings.ts';
import { startSftpServer, type SftpPeer } from '../helpers/sftp-server.ts';
import { functionalAck, poAck, shipNotice } from '../helpers/supplier-files.ts';
import { check850, check997 } from '../helpers/x12-check.ts';

let peer: SftpPeer;
let t: TestHub;
let worker: Worker;
let key: string;
const parties = (n: number) => ({ senderId: 'ACME', receiverId: 'DROPHUB', controlNumber: n });

beforeAll(async () => {
  peer = await startSftpServer();
  const mapping = await x12SftpSupplier(peer);
  t = await createTestHub({ mappings: [mapping] });
  key = (await t.retailer({ id: 'toys' })).apiKey;
  worker = new Worker(t.hub, { pollIntervalMs: 60_000, overdueIntervalMs: 60_000, concurrency: 4, leaseMs: 30_000 });
  mkdirSync(path.join(peer.root, 'out'), { recursive: true });
});
afterAll(async () => {
  await t?.close();
  await peer?.close();
});

async function placeOrder(externalId: string, lines = [{ lineId: '1', sku: 'ACME-TRUCK-01', title: 'Truck', quantity: 2, unitPrice: '19.99' }]) {
  const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId, orderNumber: `#${externalId}`, lines }), { authorization: `Bearer ${key}` }));
  expect(res.status).toBe(201);
  return (await res.json()).id as string;
}

async function view(orderId: string) {
  const res = await t.app.request(`/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${key}` } });
  return res.json();
}

function dropFile(name: string, content: string): void {
  writeFileSync(path.join(peer.root, 'out', name), content);
}

describe(`order → 850 → 997/855/856 → shipped (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('delivers the 850 under its final name, byte-identical to the recorded document', async () => {
    const orderId = await placeOrder('5001');
    await worker.pass();
    const order = await view(orderId);
    expect(order.status).toBe('sent');
    expect(order.purchaseOrders).toHaveLength(1);
    const doc = await t.hub.store.db.selectFrom('documents').selectAll().where('order_id', '=', orderId).where('kind', '=', 'po').executeTakeFirstOrThrow();
    const remote = path.join(peer.root, 'in', doc.filename);
    expect(existsSync(remote)).toBe(true);
    expect(readFileSync(remote).equals(toBuffer(doc.content))).toBe(true);
    expect(check850(readFileSync(remote, 'utf8'))).toEqual([]);
    expect(readdirSync(path.join(peer.root, 'in')).filter((f) => f.endsWith('.part') || f.startsWith('.'))).toEqual([]);
    expect(order.timeline.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['order_received', 'po_created', 'document_sent']));
  });

  it('applies a 997, an 855 and an 856 in one poll; answers with a 997; moves the files', async () => {
    const orderId = await placeOrder('5002');
    await worker.pass();
    const order = await view(orderId);
    const po = order.purchaseOrders[0];
    const sent = await t.hub.store.db.selectFrom('documents').select(['gs06']).where('po_id', '=', po.id).where('kind', '=', 'po').executeTakeFirstOrThrow();

    dropFile('a_5002.997', functionalAck(parties(7001), Number(sent.gs06), 'A'));
    await pollSupplier(t.hub, 'acme');
    const acknowledged = await view(orderId);
    expect(acknowledged.status).toBe('acknowledged');
    // The 997 is listed with the order it acknowledges.
    expect(acknowledged.documents.map((d: { filename: string }) => d.filename)).toContain('a_5002.997');

    dropFile('b_5002.856', shipNotice(parties(7002), 'SHP-5002', [{ poNumber: po.poNumber, items: [{ supplierSku: 'ACME-TRUCK-01', quantity: 2 }], tracking: ['1Z999AA10123456784'] }]));
    const result = await pollSupplier(t.hub, 'acme');
    expect(result.applied).toBe(1);
    const shipped = await view(orderId);
    expect(shipped.status).toBe('shipped');
    expect(shipped.shipments).toHaveLength(1);
    expect(shipped.shipments[0]).toMatchObject({ carrier: 'UPSN', carrierName: 'UPS', trackingNumbers: ['1Z999AA10123456784'] });
    expect(shipped.shipments[0].trackingUrls[0]).toContain('1Z999AA10123456784');
    expect(existsSync(path.join(peer.root, 'out', 'processed', 'b_5002.856'))).toBe(true);
    expect(existsSync(path.join(peer.root, 'out', 'b_5002.856'))).toBe(false);

    await worker.pass(); // sends the 997s we owe
    const acks = readdirSync(path.join(peer.root, 'in')).filter((f) => f.startsWith('997_'));
    expect(acks.length).toBeGreaterThanOrEqual(1);
    const ack = acks.map((f) => readFileSync(path.join(peer.root, 'in', f), 'utf8')).find((c) => c.includes('AK1*SH*7002'));
    expect(ack).toBeDefined();
    for (const sent of acks) expect(check997(readFileSync(path.join(peer.root, 'in', sent), 'utf8'))).toEqual([]);
    expect(ack).toMatch(/^ISA\*00\*.{10}\*00\*.{10}\*ZZ\*DROPHUB {8}\*ZZ\*ACME {11}\*/);
  });

  it('adds up partial shipments across two 856s', async () => {
    const orderId = await placeOrder('5003', [
      { lineId: '1', sku: 'ACME-TRUCK-01', title: 'Truck', quantity: 2, unitPrice: '19.99' },
      { lineId: '2', sku: 'ACME-BLOCKS-02', title: 'Blocks', quantity: 1, unitPrice: '9.50' },
    ]);
    await worker.pass();
    const po = (await view(orderId)).purchaseOrders[0];
    dropFile('c1.856', shipNotice(parties(7003), 'SHP-A', [{ poNumber: po.poNumber, items: [{ supplierSku: 'ACME-TRUCK-01', quantity: 1 }], tracking: ['1ZAAA'] }]));
    await pollSupplier(t.hub, 'acme');
    expect((await view(orderId)).status).toBe('partially_shipped');
    dropFile('c2.856', shipNotice(parties(7004), 'SHP-B', [{ poNumber: po.poNumber, items: [{ supplierSku: 'ACME-TRUCK-01', quantity: 1 }, { supplierSku: 'ACME-BLOCKS-02', quantity: 1 }], tracking: ['1ZBBB'] }]));
    await pollSupplier(t.hub, 'acme');
    const done = await view(orderId);
    expect(done.status).toBe('shipped');
    expect(done.shipments.map((s: { trackingNumbers: string[] }) => s.trackingNumbers[0])).toEqual(['1ZAAA', '1ZBBB']);
    expect(done.purchaseOrders[0].shipped).toEqual({ 1: 2, 2: 1 });
  });

  it('puts the order in exception when the 855 rejects a line, with the reason', async () => {
    const orderId = await placeOrder('5004');
    await worker.pass();
    const po = (await view(orderId)).purchaseOrders[0];
    dropFile('d.855', poAck(parties(7005), po.poNumber, 'AC', [{ supplierSku: 'ACME-TRUCK-01', quantity: 2, ack: 'IR' }]));
    await pollSupplier(t.hub, 'acme');
    const order = await view(orderId);
    expect(order.status).toBe('exception');
    // The retailer reads a sentence for it (issue 14 item 8); the supplier's words stay with the operator.
    expect(order.statusReason).toBe(retailerReason('supplier_rejected'));
  });

  it('keeps a backordered PO acknowledged and records the backorder', async () => {
    const orderId = await placeOrder('5005');
    await worker.pass();
    const po = (await view(orderId)).purchaseOrders[0];
    dropFile('e.855', poAck(parties(7006), po.poNumber, 'AC', [{ supplierSku: 'ACME-TRUCK-01', quantity: 2, ack: 'IB' }]));
    await pollSupplier(t.hub, 'acme');
    const order = await view(orderId);
    expect(order.status).toBe('acknowledged');
    expect(order.purchaseOrders[0].status).toBe('backordered');
  });

  it('a 997 rejection puts the order in exception', async () => {
    const orderId = await placeOrder('5006');
    await worker.pass();
    const po = (await view(orderId)).purchaseOrders[0];
    const sent = await t.hub.store.db.selectFrom('documents').select(['gs06']).where('po_id', '=', po.id).where('kind', '=', 'po').executeTakeFirstOrThrow();
    dropFile('f.997', functionalAck(parties(7007), Number(sent.gs06), 'R'));
    await pollSupplier(t.hub, 'acme');
    expect((await view(orderId)).status).toBe('exception');
  });

  it('applies a tracking CSV with a BOM and CRLF', async () => {
    const orderId = await placeOrder('5007');
    await worker.pass();
    const po = (await view(orderId)).purchaseOrders[0];
    dropFile('tracking_5007.csv', `\uFEFFPO,SKU,Qty,Carrier,Tracking,Ship Date\r\n${po.poNumber},ACME-TRUCK-01,2,FedEx,7712345,2026-11-27\r\n`);
    await pollSupplier(t.hub, 'acme');
    const order = await view(orderId);
    expect(order.status).toBe('shipped');
    expect(order.shipments[0].trackingNumbers).toEqual(['7712345']);
  });

  it('applies a file once: the same content again under another name is a duplicate', async () => {
    const orderId = await placeOrder('5008', [{ lineId: '1', sku: 'ACME-TRUCK-01', title: 'Truck', quantity: 4, unitPrice: '19.99' }]);
    await worker.pass();
    const po = (await view(orderId)).purchaseOrders[0];
    const content = shipNotice(parties(7008), 'SHP-DUP', [{ poNumber: po.poNumber, items: [{ supplierSku: 'ACME-TRUCK-01', quantity: 1 }], tracking: ['1ZDUP'] }]);
    dropFile('g1.856', content);
    await pollSupplier(t.hub, 'acme');
    dropFile('g2.856', content);
    const second = await pollSupplier(t.hub, 'acme');
    expect(second.duplicate).toBe(1);
    const order = await view(orderId);
    expect(order.shipments).toHaveLength(1);
    expect(order.purchaseOrders[0].shipped).toEqual({ 1: 1 });
  });

  it('quarantines a file for an unknown PO without blocking the next file', async () => {
    const orderId = await placeOrder('5009');
    await worker.pass();
    const po = (await view(orderId)).purchaseOrders[0];
    dropFile('h1.856', shipNotice(parties(7009), 'SHP-X', [{ poNumber: 'NOPE-1', items: [{ supplierSku: 'ACME-TRUCK-01', quantity: 1 }], tracking: ['1ZX'] }]));
    dropFile('h2.856', shipNotice(parties(7010), 'SHP-Y', [{ poNumber: po.poNumber, items: [{ supplierSku: 'ACME-TRUCK-01', quantity: 2 }], tracking: ['1ZY'] }]));
    const result = await pollSupplier(t.hub, 'acme');
    expect(result.files.find((f) => f.name === 'h1.856')).toMatchObject({ status: 'failed' });
    expect(result.failed).toBe(1);
    expect(result.applied).toBe(1);
    expect((await view(orderId)).status).toBe('shipped');
    expect(existsSync(path.join(peer.root, 'out', 'failed', 'h1.856'))).toBe(true);
    const res = await t.app.request('/v1/admin/documents?status=failed&direction=in', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const failed = (await res.json()).documents;
    expect(failed.some((d: { filename: string; lastError: string }) => d.filename === 'h1.856' && /NOPE-1/.test(d.lastError))).toBe(true);
  });
});
