/**
 * AS2 end to end, the hub against an independent partner (test/helpers/as2-peer.ts: OpenSSL's cms
 * command and plain node:http): purchase orders out with synchronous and asynchronous MDNs, ship
 * notices in with synchronous and asynchronous MDNs, and every refusal (tampered signature, tampered
 * content, wrong certificate, replayed Message-ID, truncated body, unknown partner, unencrypted).
 */
import { serve, type ServerType } from '@hono/node-server';
import { connect, type AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requeueUnconfirmedDeliveries } from '../../../src/pipeline/dispatch.ts';
import { Worker } from '../../../src/pipeline/worker.ts';
import { toBuffer } from '../../../src/store/ids.ts';
import { messageIdFor } from '../../../src/transports/as2/client.ts';
import { OPENSSL, makeAs2Certificates, startAs2Peer, type As2Certificates, type As2Peer } from '../../helpers/as2-peer.ts';
import { createTestHub, jsonRequest, sampleOrder, type TestHub } from '../../helpers/hub.ts';
import { writeMapping } from '../../helpers/mappings.ts';
import { shipNotice } from '../../helpers/supplier-files.ts';

const HUB_ID = 'DROPHUB AS2';

/** An X12 supplier over AS2, as an integrator writes it: certificates and keys through ${…}. */
function as2Supplier(supplier: string, prefix: string, as2To: string, transport: Record<string, unknown>) {
  return {
    supplier,
    name: `${supplier} (AS2 test)`,
    skus: { prefixes: [prefix] },
    transport: {
      type: 'as2',
      url: '${PARTNER_AS2_URL}',
      as2From: HUB_ID,
      as2To,
      partnerCertificate: '${PARTNER_AS2_CERT}',
      certificate: '${HUB_AS2_CERT}',
      privateKey: '${HUB_AS2_KEY}',
      timeoutMs: 10_000,
      retry: { maxAttempts: 3, baseDelayMs: 60_000, maxDelayMs: 120_000 },
      ...transport,
    },
    outbound: {
      format: 'x12-850',
      filename: 'PO_{poNumber}.edi',
      x12: { version: '004010', senderQualifier: 'ZZ', senderId: 'DROPHUB', receiverQualifier: 'ZZ', receiverId: supplier.toUpperCase() },
    },
    inbound: { files: [{ match: '*.856', format: 'x12' }] },
  };
}

/** The peer needs OpenSSL's command (Debian's `openssl`; CI installs it). */
const HAS_OPENSSL = existsSync(OPENSSL);

let certs: As2Certificates;
let acmePeer: As2Peer; // synchronous MDNs
let boltPeer: As2Peer; // asynchronous MDNs
let t: TestHub;
let server: ServerType;
let hubUrl: string;
let worker: Worker;
let key: string;

beforeAll(async () => {
  if (!HAS_OPENSSL) return;
  certs = await makeAs2Certificates();
  acmePeer = await startAs2Peer({ certs, as2Id: 'ACME AS2', hubId: HUB_ID });
  boltPeer = await startAs2Peer({ certs, as2Id: 'BOLT', hubId: HUB_ID });
  // The hub listens first: its URL goes into bolt's mapping (Receipt-Delivery-Option).
  server = serve({ fetch: (request, env) => app.fetch(request, env), port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  hubUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const env = { HUB_AS2_CERT: certs.hub.cert, HUB_AS2_KEY: certs.hub.key, PARTNER_AS2_CERT: certs.partner.cert };
  const acme = await writeMapping(as2Supplier('acme', 'ACME-', 'ACME AS2', {}), { ...env, PARTNER_AS2_URL: acmePeer.url });
  const bolt = await writeMapping(
    as2Supplier('bolt', 'BOLT-', 'BOLT', { mdn: 'async', asyncMdnUrl: `${hubUrl}/v1/as2`, asyncMdnTimeoutMs: 60_000 }),
    { ...env, PARTNER_AS2_URL: boltPeer.url },
  );
  t = await createTestHub({ mappings: [acme, bolt] });
  key = (await t.retailer({ id: 'toys' })).apiKey;
  worker = new Worker(t.hub, { pollIntervalMs: 60_000, overdueIntervalMs: 60_000, concurrency: 4, leaseMs: 30_000 });
});
afterAll(async () => {
  server?.close();
  await t?.close();
  await acmePeer?.close();
  await boltPeer?.close();
  certs?.remove();
});

/** The app is built after the hub; the server (started before) calls it through this. */
const app = { fetch: (request: Request, env: unknown) => t.app.fetch(request, env as never) };

async function placeOrder(externalId: string, sku: string): Promise<string> {
  const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId, orderNumber: `#${externalId}`, lines: [{ lineId: '1', sku, title: 'Truck', quantity: 2, unitPrice: '19.99' }] }), { authorization: `Bearer ${key}` }));
  expect(res.status).toBe(201);
  return (await res.json()).id as string;
}

async function poDocument(orderId: string) {
  return t.hub.store.db.selectFrom('documents').selectAll().where('order_id', '=', orderId).where('kind', '=', 'po').executeTakeFirstOrThrow();
}

async function orderView(orderId: string) {
  return (await t.app.request(`/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${key}` } })).json();
}

async function inboundCount(): Promise<number> {
  const row = await t.hub.store.db.selectFrom('documents').select((eb) => eb.fn.countAll<string>().as('n')).where('direction', '=', 'in').executeTakeFirstOrThrow();
  return Number(row.n);
}

describe.skipIf(!HAS_OPENSSL)('hub → partner: purchase orders over AS2', () => {
  it('synchronous MDN: the PO is delivered once the signed MDN is verified; the partner read exactly the document', async () => {
    const orderId = await placeOrder('7001', 'ACME-TRUCK-01');
    await worker.pass();
    const doc = await poDocument(orderId);
    expect(doc.status).toBe('sent');
    expect(doc.receipt).toMatchObject({ as2: { messageId: messageIdFor(doc.id), mdn: 'sync', disposition: expect.stringMatching(/processed$/) } });
    const got = acmePeer.received.find((m) => m.messageId === messageIdFor(doc.id))!;
    expect(got.error).toBeUndefined();
    expect(got.content.equals(toBuffer(doc.content))).toBe(true);
    expect(got.filename).toBe(doc.filename);
    expect(got.as2From).toBe(`"${HUB_ID}"`);
    expect(got.headers['disposition-notification-options']).toMatch(/sha-256/);
    // The MIC the partner computed (by its own means) is the one the hub expected.
    expect((doc.receipt as { as2: { mic: string } }).as2.mic).toBe(got.mic);
    expect((await orderView(orderId)).status).toBe('sent');
  });

  it('a negative MDN (decryption-failed) fails the document at once, with the partner\'s words', async () => {
    acmePeer.behaviour = { negative: 'decryption-failed' };
    try {
      const orderId = await placeOrder('7002', 'ACME-TRUCK-01');
      await worker.pass();
      const doc = await poDocument(orderId);
      expect(doc.status).toBe('failed');
      expect(doc.attempts).toBe(1);
      expect(doc.error_code).toBe('transport_rejected');
      expect(doc.last_error).toMatch(/decryption-failed/);
      expect((await orderView(orderId)).status).toBe('exception');
    } finally {
      acmePeer.behaviour = {};
    }
  });

  it('authentication-failed is not retried either; a 500 is', async () => {
    acmePeer.behaviour = { negative: 'authentication-failed' };
    const refusedId = await placeOrder('7003', 'ACME-TRUCK-01');
    await worker.pass().finally(() => (acmePeer.behaviour = {}));
    expect(await poDocument(refusedId)).toMatchObject({ status: 'failed', error_code: 'transport_auth_failed' });
    acmePeer.behaviour = { status: 500 };
    const orderId = await placeOrder('7004', 'ACME-TRUCK-01');
    await worker.pass().finally(() => (acmePeer.behaviour = {}));
    const retrying = await poDocument(orderId);
    expect(retrying).toMatchObject({ status: 'pending', attempts: 1, error_code: 'transport_failed' });
    acmePeer.behaviour = {};
    await t.hub.store.db.updateTable('documents').set({ next_attempt_at: new Date(0) }).where('id', '=', retrying.id).execute();
    await worker.pass();
    expect((await poDocument(orderId)).status).toBe('sent');
  });

  it('an MDN that does not verify (signed by another key, wrong MIC, unsigned) never counts as delivered', async () => {
    let n = 0;
    for (const [behaviour, code, words] of [
      [{ signMdnWith: 'other' as const }, 'transport_auth_failed', /unverifiable|signature/],
      [{ wrongMic: true }, 'transport_rejected', /MIC/],
      [{ unsigned: true }, 'transport_auth_failed', /not signed/],
    ] as const) {
      acmePeer.behaviour = behaviour;
      const orderId = await placeOrder(`7005${++n}`, 'ACME-TRUCK-01');
      await worker.pass().finally(() => (acmePeer.behaviour = {}));
      const doc = await poDocument(orderId);
      expect(doc.status, JSON.stringify(behaviour)).toBe('failed');
      expect(doc.error_code).toBe(code);
      expect(doc.last_error).toMatch(words);
      const po = await t.hub.store.db.selectFrom('purchase_orders').select('status').where('order_id', '=', orderId).executeTakeFirstOrThrow();
      expect(po.status).toBe('failed');
    }
    acmePeer.behaviour = {};
  });

  it('asynchronous MDN: the document waits in awaiting_mdn until the partner posts its MDN to POST /v1/as2', async () => {
    boltPeer.behaviour = { dropAsyncMdn: true };
    const orderId = await placeOrder('7101', 'BOLT-BOLT-01');
    await worker.pass();
    const waiting = await poDocument(orderId);
    expect(waiting.status).toBe('awaiting_mdn');
    expect((await orderView(orderId)).status).toBe('routed');
    const events = (await orderView(orderId)).timeline.map((e: { type: string }) => e.type);
    expect(events).toContain('document_awaiting_mdn');

    // No MDN in time: the same message goes again, under the same Message-ID, and the partner
    // recognises it as a duplicate; this time its MDN comes back and completes the delivery.
    await t.hub.store.db.updateTable('documents').set({ next_attempt_at: sql<Date>`now() - interval '1 second'` }).where('id', '=', waiting.id).execute();
    expect(await requeueUnconfirmedDeliveries(t.hub)).toBe(1);
    boltPeer.behaviour = {};
    await worker.pass();
    await boltPeer.waitFor('asyncSent', 1);
    expect(boltPeer.asyncSent[0]).toEqual({ messageId: messageIdFor(waiting.id), status: 200 });
    const sends = boltPeer.received.filter((m) => m.messageId === messageIdFor(waiting.id));
    expect(sends.map((m) => m.duplicate)).toEqual([false, true]);
    const done = await poDocument(orderId);
    expect(done.status).toBe('sent');
    expect(done.receipt).toMatchObject({ as2: { mdn: 'async', disposition: expect.stringMatching(/duplicate-document/) } });
    expect((await orderView(orderId)).status).toBe('sent');
    const recorded = await t.hub.store.db.selectFrom('as2_messages').selectAll().where('kind', '=', 'mdn').where('document_id', '=', waiting.id).execute();
    expect(recorded).toHaveLength(1);
  });

  it('a negative asynchronous MDN fails the document; an MDN for a message the hub never sent is refused', async () => {
    boltPeer.behaviour = { negative: 'insufficient-message-security' };
    const orderId = await placeOrder('7102', 'BOLT-BOLT-01');
    const before = boltPeer.asyncSent.length;
    await worker.pass();
    await boltPeer.waitFor('asyncSent', before + 1);
    expect(boltPeer.asyncSent.at(-1)!.status).toBe(200);
    const doc = await poDocument(orderId);
    expect(doc).toMatchObject({ status: 'failed', error_code: 'transport_rejected' });
    expect(doc.last_error).toMatch(/insufficient-message-security/);
    boltPeer.behaviour = {};

    const stray = await boltPeer.postMdn(`${hubUrl}/v1/as2`, '<doc_0123456789abcdef0123456789abcdef@dropship-hub.as2>', 'processed');
    expect(stray.status).toBe(404);
    expect(JSON.parse(stray.body.toString()).error.message).toMatch(/did not send to bolt/);
    // An MDN for a document of another supplier is not this partner's to confirm either.
    const acmeDoc = await t.hub.store.db.selectFrom('documents').select('id').where('supplier_id', '=', 'acme').where('kind', '=', 'po').where('status', '=', 'sent').executeTakeFirstOrThrow();
    expect((await boltPeer.postMdn(`${hubUrl}/v1/as2`, messageIdFor(acmeDoc.id), 'processed')).status).toBe(404);
  });
});

describe.skipIf(!HAS_OPENSSL)('partner → hub: documents over AS2', () => {
  async function sentPo(externalId: string) {
    const orderId = await placeOrder(externalId, 'ACME-TRUCK-01');
    await worker.pass();
    const po = (await orderView(orderId)).purchaseOrders[0];
    return { orderId, poNumber: po.poNumber as string };
  }
  const asn = (n: number, poNumber: string) =>
    Buffer.from(shipNotice({ senderId: 'ACME', receiverId: 'DROPHUB', controlNumber: n }, `SHP-${n}`, [{ poNumber, items: [{ supplierSku: 'ACME-TRUCK-01', quantity: 2 }], tracking: [`1Z${n}`] }]));

  it('synchronous MDN: the 856 is applied through the inbound ledger and a signed MDN carries the MIC', async () => {
    const { orderId, poNumber } = await sentPo('7201');
    const answer = await acmePeer.send({ url: `${hubUrl}/v1/as2`, content: asn(8001, poNumber), filename: 'ASN_8001.856' });
    expect(answer.status).toBe(200);
    expect(answer.mdn).toMatchObject({ verified: true, disposition: 'processed', originalMessageId: answer.messageId, mic: answer.mic });
    const order = await orderView(orderId);
    expect(order.status).toBe('shipped');
    expect(order.shipments[0].trackingNumbers).toEqual(['1Z8001']);
    const doc = await t.hub.store.db.selectFrom('documents').selectAll().where('filename', '=', 'ASN_8001.856').executeTakeFirstOrThrow();
    expect(doc).toMatchObject({ direction: 'in', status: 'applied', receipt: { via: 'as2' } });
    const row = await t.hub.store.db.selectFrom('as2_messages').selectAll().where('message_id', '=', answer.messageId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ supplier_id: 'acme', kind: 'message', document_id: doc.id, mic: answer.mic, mdn_mode: 'sync' });

    // The same Message-ID again: answered as a duplicate, not applied again.
    const before = await inboundCount();
    const replay = await acmePeer.send({ url: `${hubUrl}/v1/as2`, content: asn(8001, poNumber), filename: 'ASN_8001.856', messageId: answer.messageId });
    expect(replay.mdn).toMatchObject({ verified: true, disposition: 'processed/warning: duplicate-document' });
    expect(await inboundCount()).toBe(before);
    expect((await orderView(orderId)).shipments).toHaveLength(1);
  });

  it('reads binary and base64 bodies, with RSA PKCS#1 v1.5 and OAEP key transport', async () => {
    for (const [n, keyEncryption, encoding] of [[8101, 'pkcs1', 'base64'], [8102, 'oaep', 'binary'], [8103, 'oaep', 'base64']] as const) {
      const { poNumber } = await sentPo(`72${n}`);
      const answer = await acmePeer.send({ url: `${hubUrl}/v1/as2`, content: asn(n, poNumber), filename: `ASN_${n}.856`, keyEncryption, encoding });
      expect(answer.mdn, `${keyEncryption} ${encoding}`).toMatchObject({ verified: true, disposition: 'processed', mic: answer.mic });
    }
  });

  it('asynchronous MDN: queued in the outbox before the answer, then posted to the Receipt-Delivery-Option URL', async () => {
    const { orderId, poNumber } = await sentPo('7301');
    const answer = await acmePeer.send({ url: `${hubUrl}/v1/as2`, content: asn(8201, poNumber), filename: 'ASN_8201.856', mdn: 'async' });
    expect(answer.status).toBe(200);
    expect(answer.mdn).toBeUndefined();
    const queued = await t.hub.store.db.selectFrom('documents').selectAll().where('kind', '=', 'as2_mdn').where('status', '=', 'pending').execute();
    expect(queued).toHaveLength(1);
    expect(toBuffer(queued[0]!.content).toString('latin1')).toMatch(new RegExp(`^POST ${acmePeer.mdnUrl} HTTP/1.1\r\n`));
    expect((await orderView(orderId)).status).toBe('shipped');
    await worker.pass();
    await acmePeer.waitFor('mdns', 1);
    expect(acmePeer.mdns[0]).toMatchObject({ verified: true, disposition: 'processed', originalMessageId: answer.messageId, mic: answer.mic });
    expect((await t.hub.store.db.selectFrom('documents').select('status').where('id', '=', queued[0]!.id).executeTakeFirstOrThrow()).status).toBe('sent');
  });

  it('refuses a tampered signature, tampered content, a wrong certificate and a truncated body, each with a negative MDN; nothing applied', async () => {
    const { orderId, poNumber } = await sentPo('7401');
    const cases = [
      ['signature', 'processed/error: authentication-failed'],
      ['content', 'processed/error: integrity-check-failed'],
      ['signer', 'processed/error: authentication-failed'],
      ['truncate', 'processed/error: decryption-failed'],
    ] as const;
    const before = await inboundCount();
    for (const [tamper, disposition] of cases) {
      const answer = await acmePeer.send({ url: `${hubUrl}/v1/as2`, content: asn(8301, poNumber), filename: 'ASN_8301.856', tamper });
      expect(answer.status, tamper).toBe(200);
      expect(answer.mdn, tamper).toMatchObject({ verified: true, disposition, originalMessageId: answer.messageId });
      expect(answer.body.toString('latin1')).not.toMatch(/BEGIN|PRIVATE/);
      const row = await t.hub.store.db.selectFrom('as2_messages').select('message_id').where('message_id', '=', answer.messageId).executeTakeFirst();
      expect(row, tamper).toBeUndefined();
    }
    expect(await inboundCount()).toBe(before);
    expect((await orderView(orderId)).status).toBe('sent');
    // The clear words are in the MDN's text part.
    const wrongCert = await acmePeer.send({ url: `${hubUrl}/v1/as2`, content: asn(8302, poNumber), tamper: 'signer' });
    expect(wrongCert.body.toString('latin1')).toMatch(/signed with another certificate than the partner's/);
  });

  it('refuses an unencrypted message (insufficient-message-security), an unknown partner (403) and a failure without MDN (4xx)', async () => {
    const before = await inboundCount();
    const plain = await acmePeer.send({ url: `${hubUrl}/v1/as2`, content: Buffer.from('ISA*plain~'), plain: true });
    expect(plain.mdn).toMatchObject({ verified: true, disposition: 'processed/error: insufficient-message-security' });

    const stranger = await acmePeer.send({ url: `${hubUrl}/v1/as2`, content: Buffer.from('ISA*x~'), as2From: 'NOBODY' });
    expect(stranger.status).toBe(403);
    expect(JSON.parse(stranger.body.toString()).error.message).toMatch(/unknown AS2 partner.*NOBODY/);

    const silent = await acmePeer.send({ url: `${hubUrl}/v1/as2`, content: Buffer.from('ISA*x~'), tamper: 'signer', mdn: 'none' });
    expect(silent.status).toBe(403);
    expect(JSON.parse(silent.body.toString()).error.message).toMatch(/another certificate/);
    expect(await inboundCount()).toBe(before);
  });

  it('refuses a Receipt-Delivery-Option that points away from the partner, before applying anything', async () => {
    const before = await inboundCount();
    const answer = await acmePeer.send({ url: `${hubUrl}/v1/as2`, content: Buffer.from('ISA*x~'), mdn: 'async', asyncUrl: 'http://169.254.169.254/latest' });
    expect(answer.status).toBe(403);
    expect(answer.body.toString()).toMatch(/Receipt-Delivery-Option/);
    expect(await inboundCount()).toBe(before);
  });

  it('refuses a body that stops before its Content-Length, changing nothing', async () => {
    const before = await inboundCount();
    const { port } = new URL(hubUrl);
    const head = [
      'POST /v1/as2 HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      'AS2-From: "ACME AS2"',
      `AS2-To: "${HUB_ID}"`,
      'Message-ID: <cut@peer>',
      'Content-Type: application/pkcs7-mime; smime-type=enveloped-data',
      'Content-Length: 5000',
    ].join('\r\n');
    // The connection ends after 1,000 of the 5,000 bytes announced: the hub sees a cut body.
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end(Buffer.concat([Buffer.from(`${head}\r\n\r\n`), Buffer.alloc(1000, 0x30)])));
      socket.on('error', () => undefined);
      socket.resume();
      socket.once('close', () => resolve());
    });
    expect(await inboundCount()).toBe(before);
    expect(await t.hub.store.db.selectFrom('as2_messages').select('message_id').where('message_id', '=', '<cut@peer>').executeTakeFirst()).toBeUndefined();
  });
});

describe.skipIf(!HAS_OPENSSL)('hub suppliers test over AS2', () => {
  it('sends a signed test message and verifies its MDN; the partner is told it is a test', async () => {
    const transport = t.hub.transports.get('acme');
    const steps = await transport.probe();
    expect(steps.map((s) => [s.step, s.ok])).toEqual([['certificates', true], ['send', true], ['mdn', true]]);
    expect(steps[2]!.detail).toMatch(/MIC matches/);
    const probe = acmePeer.received.at(-1)!;
    expect(probe.filename).toMatch(/^\.hub-probe-/);
  });

  it('a test message to the hub itself is verified and answered, not applied', async () => {
    const before = await inboundCount();
    const answer = await acmePeer.send({ url: `${hubUrl}/v1/as2`, content: Buffer.from('test'), contentType: 'text/plain', filename: '.hub-probe-abc.txt' });
    expect(answer.mdn).toMatchObject({ verified: true, disposition: 'processed' });
    expect(await inboundCount()).toBe(before);
  });
});
