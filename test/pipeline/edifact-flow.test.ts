/**
 * EDIFACT end to end against a real OpenSSH server (the sandbox server where sshd is missing): an
 * order in, its ORDERS D.96A in the supplier's folder (numbered from the partner's counter), the
 * supplier's ORDRSP, DESADV, INVRPT and INVOIC back through the pipeline, a CONTRL for each
 * interchange that asked and for each file refused, the retailer told. Every interchange the hub
 * writes is judged by the independent D.96A structure checker.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollSupplier } from '../../src/pipeline/poll.ts';
import { Worker } from '../../src/pipeline/worker.ts';
import { toBuffer } from '../../src/store/ids.ts';
import { checkEdifact } from '../helpers/edifact-d96a-check.ts';
import { desadv, edifactInterchange, invoic, invrpt, ordrsp } from '../helpers/edifact-files.ts';
import { createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';
import { startHttpPeer, type HttpPeer } from '../helpers/http-peer.ts';
import { sftpPeerTransport, writeMapping } from '../helpers/mappings.ts';
import { startSftpServer, type SftpPeer } from '../helpers/sftp-server.ts';

let peer: SftpPeer;
let retailerPeer: HttpPeer;
let t: TestHub;
let worker: Worker;
let key: string;
const SKU = 'EURO-TRAIN-01';
const from = (reference: number, ackRequested = false) => ({ senderId: 'EUROTOYS', recipientId: 'DROPHUB', reference, ackRequested });

beforeAll(async () => {
  peer = await startSftpServer();
  retailerPeer = await startHttpPeer();
  const mapping = await writeMapping(
    {
      supplier: 'euro',
      name: 'Euro Toys (test)',
      skus: { prefixes: ['EURO-'] },
      transport: sftpPeerTransport(),
      outbound: {
        format: 'edifact-orders',
        filename: 'ORDERS_{poNumber}.edi',
        edifact: { syntax: 'UNOC', senderId: 'DROPHUB', senderQualifier: 'ZZ', receiverId: 'EUROTOYS', receiverQualifier: 'ZZ', acknowledgmentRequest: true },
      },
      inbound: { files: [{ match: '*.edi', format: 'edifact' }] },
      expect: { ack855Hours: 24, shipHours: 48 },
    },
    { SFTP_HOST: peer.host, SFTP_PORT: String(peer.port), SFTP_USER: peer.username, SFTP_KEY: peer.privateKeyPath, SFTP_HOST_KEY: peer.hostKeyFingerprint },
  );
  t = await createTestHub({ mappings: [mapping] });
  key = (await t.retailer({ id: 'toys', webhookUrl: `${retailerPeer.url}/hooks` })).apiKey;
  worker = new Worker(t.hub, { pollIntervalMs: 60_000, overdueIntervalMs: 60_000, concurrency: 4, leaseMs: 30_000 });
  mkdirSync(path.join(peer.root, 'out'), { recursive: true });
});
afterAll(async () => {
  await t?.close();
  await Promise.all([peer?.close(), retailerPeer?.close()]);
});

async function placeOrder(orderNumber: string, quantity = 2): Promise<{ id: string; poNumber: string }> {
  const lines = [{ lineId: '1', sku: SKU, title: 'Holzeisenbahn „Münchner“', quantity, unitPrice: '24.50' }];
  const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: orderNumber, orderNumber, currency: 'EUR', lines }), { authorization: `Bearer ${key}` }));
  expect(res.status).toBe(201);
  const { id } = await res.json();
  await worker.pass();
  const po = await t.hub.store.db.selectFrom('purchase_orders').select(['po_number']).where('order_id', '=', id).executeTakeFirstOrThrow();
  return { id, poNumber: po.po_number };
}

async function view(orderId: string) {
  const res = await t.app.request(`/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${key}` } });
  return res.json();
}

const drop = (name: string, content: string) => writeFileSync(path.join(peer.root, 'out', name), content, 'latin1');
const sentFiles = (prefix: string) => readdirSync(path.join(peer.root, 'in')).filter((f) => f.startsWith(prefix)).sort();
const sent = (name: string) => readFileSync(path.join(peer.root, 'in', name));
/** UNB 0020 of an interchange. */
const controlReference = (edi: Buffer | string) => /UNB\+UNO[A-C]:3\+[^+]+\+[^+]+\+\d{6}:\d{4}\+(\d+)/.exec(edi.toString('latin1'))?.[1];

describe(`order → ORDERS → ORDRSP/DESADV/INVRPT/INVOIC → CONTRL, shipped (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('delivers ORDERS D.96A numbered from the partner counter, byte-identical to the recorded document', async () => {
    const first = await placeOrder('E-1001');
    const second = await placeOrder('E-1002');
    const docs = await t.hub.store.db.selectFrom('documents').selectAll().where('kind', '=', 'po').where('supplier_id', '=', 'euro').orderBy('isa13').execute();
    expect(docs.map((d) => d.filename)).toEqual([`ORDERS_${first.poNumber}.edi`, `ORDERS_${second.poNumber}.edi`]);
    expect(docs.map((d) => d.format)).toEqual(['edifact-orders', 'edifact-orders']);
    for (const doc of docs) {
      const file = sent(doc.filename);
      expect(file.equals(toBuffer(doc.content))).toBe(true);
      expect(checkEdifact(file)).toEqual([]);
      // UNB 0020 is the partner's control number the document records (a resend reuses it).
      expect(controlReference(file)).toBe(String(doc.isa13));
      expect(file.toString('latin1')).toContain("UNH+1+ORDERS:D:96A:UN'");
      // UNOC is ISO 8859-1, one byte a character: the title's "ü" is 0xFC, its quotes made plain.
      expect(file.includes(Buffer.from('Holzeisenbahn "M\xfcnchner"', 'latin1'))).toBe(true);
    }
    expect(Number(docs[1]!.isa13)).toBe(Number(docs[0]!.isa13) + 1);
    expect(sentFiles('ORDERS_').filter((f) => f.endsWith('.part'))).toEqual([]);
    expect((await view(first.id)).status).toBe('sent');
  });

  it('applies an ORDRSP, answers the interchange that asked with a CONTRL, applies the DESADV and tells the retailer', async () => {
    const order = await placeOrder('E-2001');
    drop('ORDRSP_2001.edi', edifactInterchange(from(9001, true), [ordrsp(order.poNumber, 'accepted', [{ supplierSku: SKU, quantity: 2, accepted: true }])]));
    const acked = await pollSupplier(t.hub, 'euro');
    expect(acked).toMatchObject({ applied: 1, failed: 0 });
    expect((await view(order.id)).status).toBe('acknowledged');

    await worker.pass(); // sends the CONTRL owed
    const contrls = sentFiles('CONTRL_');
    expect(contrls).toHaveLength(1);
    const contrl = sent(contrls[0]!);
    expect(checkEdifact(contrl)).toEqual([]);
    expect(contrl.toString('latin1')).toContain("UCI+9001+EUROTOYS:ZZ+DROPHUB:ZZ+7'");
    expect(contrl.toString('latin1')).toContain("UCM+M1+ORDRSP:D:96A:UN+7'");
    // Numbered from the same counter as the ORDERS.
    const orders = await t.hub.store.db.selectFrom('documents').select('isa13').where('kind', '=', 'po').where('supplier_id', '=', 'euro').execute();
    expect(Number(controlReference(contrl))).toBeGreaterThan(Math.max(...orders.map((o) => Number(o.isa13))));

    drop('DESADV_2001.edi', edifactInterchange(from(9002), [desadv(order.poNumber, 'DES-2001', [{ supplierSku: SKU, quantity: 2 }], ['JJD000390007788'])]));
    expect(await pollSupplier(t.hub, 'euro')).toMatchObject({ applied: 1, failed: 0 });
    const shipped = await view(order.id);
    expect(shipped.status).toBe('shipped');
    expect(shipped.shipments).toHaveLength(1);
    expect(shipped.shipments[0]).toMatchObject({ trackingNumbers: ['JJD000390007788'] });
    expect(existsSync(path.join(peer.root, 'out', 'processed', 'DESADV_2001.edi'))).toBe(true);
    // The DESADV did not ask for a CONTRL (UNB 0031 absent): none sent for it.
    await worker.pass();
    expect(sentFiles('CONTRL_')).toHaveLength(1);

    const told = retailerPeer.requests.map((r) => JSON.parse(r.body.toString())).filter((e) => e.type === 'order.shipped');
    expect(told).toHaveLength(1);
    expect(told[0].data.shipment.trackingNumbers).toEqual(['JJD000390007788']);
    expect(told[0].order.status).toBe('shipped');
  });

  it('quarantines a broken file, applies nothing from it, and rejects it with a CONTRL naming the segment', async () => {
    const order = await placeOrder('E-3001');
    const good = edifactInterchange(from(9003), [desadv(order.poNumber, 'DES-3001', [{ supplierSku: SKU, quantity: 2 }], ['JJD000390009999'])]);
    drop('DESADV_3001.edi', good.replace(/UNT\+(\d+)\+M1/, 'UNT+99+M1'));
    const result = await pollSupplier(t.hub, 'euro');
    expect(result).toMatchObject({ applied: 0, failed: 1 });
    expect(result.files[0]!.error).toMatch(/^edifact: UNT: 0074 says "99" segments, counted \d+ in message "M1".*\(DESADV_3001\.edi, segment \d+, line \d+, byte \d+\)/);
    expect((await view(order.id)).status).toBe('sent');
    expect(existsSync(path.join(peer.root, 'out', 'failed', 'DESADV_3001.edi'))).toBe(true);

    await worker.pass();
    const rejection = sentFiles('CONTRL_').map(sent).find((c) => c.toString('latin1').includes('UCI+9003+'));
    expect(rejection).toBeDefined();
    expect(checkEdifact(rejection!)).toEqual([]);
    // Rejected whole (action 4), the message's UNT named with ISO 9735 code 29 (control count does not match).
    expect(rejection!.toString('latin1')).toContain("UCI+9003+EUROTOYS:ZZ+DROPHUB:ZZ+4'UCM+M1+DESADV:D:96A:UN+4+29+UNT+1'");
  });

  it('applies an INVRPT to the stock levels and an INVOIC to its PO', async () => {
    const order = await placeOrder('E-4001', 1);
    drop('INVRPT_1.edi', edifactInterchange(from(9004), [invrpt([{ supplierSku: SKU, available: 40 }, { supplierSku: 'EURO-KITE-9', available: 3 }])]));
    drop('INVOIC_4001.edi', edifactInterchange(from(9005), [invoic(order.poNumber, 'INV-4001', [{ supplierSku: SKU, quantity: 1, price: '24.50' }], '24.50')]));
    expect(await pollSupplier(t.hub, 'euro')).toMatchObject({ applied: 2, failed: 0 });
    const stock = await t.hub.store.db.selectFrom('inventory').select(['supplier_sku', 'available']).where('supplier_id', '=', 'euro').orderBy('supplier_sku').execute();
    expect(stock).toEqual([
      { supplier_sku: 'EURO-KITE-9', available: 3 },
      { supplier_sku: SKU, available: 40 },
    ]);
    const invoices = await t.hub.store.db.selectFrom('invoices').selectAll().execute();
    expect(invoices).toEqual([expect.objectContaining({ invoice_number: 'INV-4001' })]);
  });
});
