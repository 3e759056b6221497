/**
 * The outbox: retries with back-off, dead letters, operator retries, error classification, and the
 * per-partner control-number counter, against real HTTP and SFTP peers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedMapping } from '../../src/config/mapping-loader.ts';
import { Worker } from '../../src/pipeline/worker.ts';
import { nextControlNumber } from '../../src/store/control-numbers.ts';
import { openTestStore } from '../helpers/db.ts';
import { ADMIN_TOKEN, createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';
import { startHttpPeer, type HttpPeer } from '../helpers/http-peer.ts';
import { writeMapping, x12SftpSupplier } from '../helpers/mappings.ts';
import { startSftpServer, type SftpPeer } from '../helpers/sftp-server.ts';

const workerOptions = { pollIntervalMs: 60_000, overdueIntervalMs: 60_000, concurrency: 4, leaseMs: 30_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function httpSupplier(peer: HttpPeer, maxAttempts = 3): Promise<LoadedMapping> {
  return writeMapping(
    {
      supplier: 'umbrella',
      name: 'Umbrella (test)',
      skus: { prefixes: ['UMB-'] },
      transport: { type: 'http', url: `${peer.url}/orders`, auth: { type: 'bearer', token: '${UMB_TOKEN}' }, timeoutMs: 2000, retry: { maxAttempts, baseDelayMs: 20, maxDelayMs: 50 } },
      outbound: { format: 'json', filename: 'PO_{poNumber}.json', template: '{ "po": poNumber, "lines": [lines.{ "sku": supplierSku, "qty": quantity }] }' },
    },
    { UMB_TOKEN: 'secret-token-umbrella' },
  );
}

const umbrellaLine = [{ lineId: '1', sku: 'UMB-1', title: 'Umbrella', quantity: 1, unitPrice: '5.00' }];

describe('HTTP supplier', () => {
  let peer: HttpPeer;
  let t: TestHub;
  let key: string;
  let worker: Worker;
  beforeAll(async () => {
    peer = await startHttpPeer();
    t = await createTestHub({ mappings: [await httpSupplier(peer)] });
    key = (await t.retailer()).apiKey;
    worker = new Worker(t.hub, workerOptions);
  });
  afterAll(async () => {
    await t.close();
    await peer.close();
  });

  async function place(externalId: string): Promise<string> {
    const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId, orderNumber: externalId, lines: umbrellaLine }), { authorization: `Bearer ${key}` }));
    return (await res.json()).id;
  }
  const doc = (orderId: string) => t.hub.store.db.selectFrom('documents').selectAll().where('order_id', '=', orderId).where('kind', '=', 'po').executeTakeFirstOrThrow();

  it('retries a 500 and delivers once on the 200, with the same bytes and Idempotency-Key', async () => {
    peer.requests.length = 0;
    peer.script({ status: 500, body: 'busy' }, { status: 200, body: { ok: true } });
    const orderId = await place('H-1');
    await worker.pass();
    await sleep(80);
    await worker.pass();
    const sent = await doc(orderId);
    expect(sent.status).toBe('sent');
    expect(sent.attempts).toBe(2);
    const requests = peer.requests.filter((r) => r.headers['idempotency-key'] === sent.id);
    expect(requests).toHaveLength(2);
    expect(requests[0]!.body.equals(requests[1]!.body)).toBe(true);
    expect(requests[0]!.headers.authorization).toBe('Bearer secret-token-umbrella');
    expect(JSON.parse(requests[1]!.body.toString())).toEqual({ po: 'H-1', lines: [{ sku: 'UMB-1', qty: 1 }] });
  });

  it('dead-letters a 400 at once, keeps the response, puts the order in exception; an operator retry delivers it', async () => {
    peer.script({ status: 400, body: { error: 'unknown ship method' } });
    const orderId = await place('H-2');
    await worker.pass();
    const failed = await doc(orderId);
    expect(failed.status).toBe('failed');
    expect(failed.attempts).toBe(1);
    expect(JSON.stringify(failed.receipt)).toContain('unknown ship method');
    const order = await t.hub.store.db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirstOrThrow();
    expect(order.status).toBe('exception');
    expect(order.status_reason).toMatch(/400/);

    peer.script({ status: 201, body: { ok: true } });
    const retry = await t.app.request(`/v1/admin/documents/${failed.id}/retry`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(retry.status).toBe(200);
    await worker.pass();
    expect((await doc(orderId)).status).toBe('sent');
    const after = await t.hub.store.db.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow();
    expect(after.status).toBe('sent');
  });

  it('gives up after the mapping\'s attempts on repeated 503s', async () => {
    peer.script({ status: 503 }, { status: 503 }, { status: 503 });
    const orderId = await place('H-3');
    for (let i = 0; i < 3; i++) {
      await worker.pass();
      await sleep(80);
    }
    const d = await doc(orderId);
    expect(d.status).toBe('failed');
    expect(d.attempts).toBe(3);
  });
});

describe('SFTP supplier errors', () => {
  let sftp: SftpPeer;
  beforeAll(async () => {
    sftp = await startSftpServer();
  });
  afterAll(async () => sftp.close());

  it('does not retry a wrong key in a loop: one attempt, a clear error on the document', async () => {
    const good = await x12SftpSupplier(sftp, { retry: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 20 } });
    const bad: LoadedMapping = { ...good, mapping: { ...good.mapping, transport: { ...good.mapping.transport, username: 'nobody' } as typeof good.mapping.transport } };
    const t = await createTestHub({ mappings: [bad] });
    try {
      const key = (await t.retailer()).apiKey;
      await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: 'S-1' }), { authorization: `Bearer ${key}` }));
      await new Worker(t.hub, workerOptions).pass();
      const d = await t.hub.store.db.selectFrom('documents').selectAll().where('kind', '=', 'po').executeTakeFirstOrThrow();
      expect(d.status).toBe('failed');
      expect(d.attempts).toBe(1);
      expect(d.error_code).toBe('transport_auth_failed');
    } finally {
      await t.close();
    }
  });

  it('refuses a changed host key: nothing is sent', async () => {
    const good = await x12SftpSupplier(sftp);
    const pinned = 'SHA256:' + Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '');
    const bad: LoadedMapping = { ...good, mapping: { ...good.mapping, transport: { ...good.mapping.transport, hostKey: pinned } as typeof good.mapping.transport } };
    const t = await createTestHub({ mappings: [bad] });
    try {
      const key = (await t.retailer()).apiKey;
      await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: 'S-2' }), { authorization: `Bearer ${key}` }));
      await new Worker(t.hub, workerOptions).pass();
      const d = await t.hub.store.db.selectFrom('documents').selectAll().where('kind', '=', 'po').executeTakeFirstOrThrow();
      expect(d.status).toBe('failed');
      expect(d.error_code).toBe('transport_host_key_mismatch');
      const { readdirSync, existsSync } = await import('node:fs');
      const inDir = `${sftp.root}/in`;
      expect(existsSync(inDir) ? readdirSync(inDir).filter((f) => f.includes('S-2')) : []).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('retries while the server is down and delivers when it returns', async () => {
    const t = await createTestHub({ mappings: [await x12SftpSupplier(sftp, { retry: { maxAttempts: 10, baseDelayMs: 50, maxDelayMs: 100 } })] });
    try {
      const key = (await t.retailer()).apiKey;
      await sftp.stop();
      await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: 'S-3', orderNumber: 'S-3' }), { authorization: `Bearer ${key}` }));
      const worker = new Worker(t.hub, workerOptions);
      await worker.pass();
      const pending = await t.hub.store.db.selectFrom('documents').selectAll().where('kind', '=', 'po').executeTakeFirstOrThrow();
      expect(pending.status).toBe('pending');
      expect(pending.error_code).toBe('transport_failed');
      await sftp.start();
      await sleep(150);
      await worker.pass();
      const sent = await t.hub.store.db.selectFrom('documents').selectAll().where('kind', '=', 'po').executeTakeFirstOrThrow();
      expect(sent.status).toBe('sent');
      const { readdirSync } = await import('node:fs');
      expect(readdirSync(`${sftp.root}/in`).filter((f) => f === sent.filename)).toHaveLength(1);
    } finally {
      await t.close();
    }
  });
});

describe('control numbers', () => {
  it('hands out 1,000 distinct numbers to 1,000 concurrent allocations, with no gaps', async () => {
    const store = await openTestStore();
    try {
      const numbers = await Promise.all(
        Array.from({ length: 1000 }, () => store.db.transaction().execute((trx) => nextControlNumber(trx, 'acme'))),
      );
      expect(new Set(numbers).size).toBe(1000);
      expect(Math.min(...numbers)).toBe(1);
      expect(Math.max(...numbers)).toBe(1000);
      // A rolled-back allocation gives its number back.
      await store.db.transaction().execute(async (trx) => {
        await nextControlNumber(trx, 'acme');
        throw new Error('rollback');
      }).catch(() => {});
      const next = await store.db.transaction().execute((trx) => nextControlNumber(trx, 'acme'));
      expect(next).toBe(1001);
      expect(await store.db.transaction().execute((trx) => nextControlNumber(trx, 'globex'))).toBe(1);
    } finally {
      await store.close();
    }
  });
});
