/**
 * A mapping with `format: edifact-orders` works over every transport: ORDERS D.96A delivered over
 * HTTP (and a DESADV pushed back to the hub's supplier endpoint, recognised by its content), over
 * AS2 to an independent OpenSSL partner, and through the hub's SFTP mailbox. (SFTP: edifact-flow.)
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from '../../src/pipeline/worker.ts';
import { toBuffer } from '../../src/store/ids.ts';
import { OPENSSL, makeAs2Certificates, startAs2Peer, type As2Peer } from '../helpers/as2-peer.ts';
import { checkEdifact } from '../helpers/edifact-d96a-check.ts';
import { desadv, edifactInterchange } from '../helpers/edifact-files.ts';
import { createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';
import { startHttpPeer, type HttpPeer } from '../helpers/http-peer.ts';
import { startTestMailbox } from '../helpers/mailbox.ts';
import { writeMapping } from '../helpers/mappings.ts';

const HAS_OPENSSL = existsSync(OPENSSL);
const PUSH_TOKEN = 'push-token-0123456789abcdef';
const edifact = (receiverId: string) => ({
  format: 'edifact-orders',
  filename: 'ORDERS_{poNumber}.edi',
  edifact: { syntax: 'UNOC', senderId: 'DROPHUB', receiverId, receiverQualifier: '14' },
});

let httpPeer: HttpPeer;
let as2Peer: As2Peer | undefined;
let t: TestHub;
let worker: Worker;
let key: string;

beforeAll(async () => {
  httpPeer = await startHttpPeer();
  const mappings = [
    await writeMapping({
      supplier: 'eu-http',
      name: 'EU over HTTP (test)',
      skus: { prefixes: ['EUH-'] },
      transport: { type: 'http', url: `${httpPeer.url}/orders`, inboundToken: PUSH_TOKEN, retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 200 } },
      outbound: edifact('4012345000009'),
      inbound: { files: [{ match: 'DESADV*', format: 'edifact' }] },
    }),
  ];
  if (HAS_OPENSSL) {
    const certs = await makeAs2Certificates();
    as2Peer = await startAs2Peer({ certs, as2Id: 'EU AS2', hubId: 'DROPHUB AS2' });
    mappings.push(
      await writeMapping(
        {
          supplier: 'eu-as2',
          name: 'EU over AS2 (test)',
          skus: { prefixes: ['EUA-'] },
          transport: {
            type: 'as2',
            url: '${PARTNER_AS2_URL}',
            as2From: 'DROPHUB AS2',
            as2To: 'EU AS2',
            partnerCertificate: '${PARTNER_AS2_CERT}',
            certificate: '${HUB_AS2_CERT}',
            privateKey: '${HUB_AS2_KEY}',
            timeoutMs: 10_000,
            retry: { maxAttempts: 3, baseDelayMs: 60_000, maxDelayMs: 120_000 },
          },
          outbound: edifact('4012345000016'),
        },
        { PARTNER_AS2_URL: as2Peer.url, PARTNER_AS2_CERT: certs.partner.cert, HUB_AS2_CERT: certs.hub.cert, HUB_AS2_KEY: certs.hub.key },
      ),
    );
  }
  t = await createTestHub({ mappings });
  key = (await t.retailer({ id: 'toys' })).apiKey;
  worker = new Worker(t.hub, { pollIntervalMs: 60_000, overdueIntervalMs: 60_000, concurrency: 4, leaseMs: 30_000 });
});
afterAll(async () => {
  await t?.close();
  await Promise.all([httpPeer?.close(), as2Peer?.close()]);
});

async function placeOrder(externalId: string, skus: string[]): Promise<string> {
  const lines = skus.map((sku, i) => ({ lineId: String(i + 1), sku, title: sku, quantity: 1, unitPrice: '10.00' }));
  const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId, orderNumber: externalId, currency: 'EUR', lines }), { authorization: `Bearer ${key}` }));
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe('ORDERS over every transport', () => {
  it('posts ORDERS over HTTP and reads a DESADV pushed back without a file name', async () => {
    const orderId = await placeOrder('EU-1', ['EUH-BALL']);
    await worker.pass();
    const [request] = await httpPeer.waitForRequests(1);
    expect(request!.headers['content-type']).toMatch(/^application\/EDIFACT/);
    expect(checkEdifact(request!.body)).toEqual([]);
    const doc = await t.hub.store.db.selectFrom('documents').selectAll().where('order_id', '=', orderId).where('kind', '=', 'po').executeTakeFirstOrThrow();
    expect(request!.body.equals(toBuffer(doc.content))).toBe(true);
    const po = await t.hub.store.db.selectFrom('purchase_orders').select('po_number').where('order_id', '=', orderId).executeTakeFirstOrThrow();

    // No X-Filename: "push.edi" matches no rule, and the content (UNA) says EDIFACT.
    const file = edifactInterchange({ senderId: '4012345000009', recipientId: 'DROPHUB', reference: 77 }, [desadv(po.po_number, 'D-1', [{ supplierSku: 'EUH-BALL', quantity: 1 }], ['JJD0001'])]);
    const pushed = await t.app.request('/v1/suppliers/eu-http/documents', { method: 'POST', body: file, headers: { authorization: `Bearer ${PUSH_TOKEN}`, 'content-type': 'application/EDIFACT' } });
    expect(pushed.status).toBe(200);
    expect(await pushed.json()).toMatchObject({ status: 'applied', items: 1 });
    const shipment = await t.hub.store.db.selectFrom('shipments').select('tracking_numbers').where('order_id', '=', orderId).executeTakeFirstOrThrow();
    expect(shipment.tracking_numbers).toEqual(['JJD0001']);
  });

  it.skipIf(!HAS_OPENSSL)('sends ORDERS over AS2, signed and encrypted, read back by the partner', async () => {
    await placeOrder('EU-2', ['EUA-KITE']);
    await worker.pass();
    await as2Peer!.waitFor('messages', 1);
    const message = as2Peer!.received[0]!;
    expect(message.error).toBeUndefined();
    expect(message.contentType).toMatch(/^application\/EDIFACT/i);
    expect(message.filename).toBe('ORDERS_EU-2.edi');
    expect(checkEdifact(message.content)).toEqual([]);
    expect(message.content.toString('latin1')).toContain("BGM+220+EU-2+9'");
  });
});

describe('ORDERS through the mailbox', () => {
  let box: Awaited<ReturnType<typeof startTestMailbox>> | undefined;
  afterAll(async () => box?.close());

  it('places ORDERS in from-hub/ for the supplier to download', async () => {
    box = await startTestMailbox({ suppliers: [{ supplier: 'eu-box', prefixes: ['EUB-'], outbound: edifact('4012345000023'), inboundFiles: [{ match: '*.edi', format: 'edifact' }] }] });
    const orderId = await box.placeOrder('EU3', 'EUB-DOLL');
    const order = await box.order(orderId);
    expect(order.status).toBe('sent');
    const client = await box.client('eu-box');
    const listed = (await client.list('from-hub')).map((f) => f.name);
    const name = listed.find((n) => n.startsWith('ORDERS_'));
    expect(name).toBeDefined();
    const content = (await client.get(`from-hub/${name}`)) as Buffer;
    expect(checkEdifact(content)).toEqual([]);
    expect(content.toString('latin1')).toContain('+4012345000023:14+');
    await box.endClients();
  });
});
