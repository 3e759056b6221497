/**
 * `order.exception` and the retailer's API tell a retailer why with a stable code and a sentence
 * written for a store; the operator's detail (a supplier's host and port, host-key fingerprints,
 * "update transport.hostKey") stays in the admin API and on the order for the dashboard.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedMapping } from '../../src/config/mapping-loader.ts';
import { EXCEPTION_REASONS } from '../../src/notify/exception-reasons.ts';
import { Worker } from '../../src/pipeline/worker.ts';
import { ADMIN_TOKEN, createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';
import { startHttpPeer, type HttpPeer } from '../helpers/http-peer.ts';
import { x12SftpSupplier } from '../helpers/mappings.ts';
import { startSftpServer, type SftpPeer } from '../helpers/sftp-server.ts';

const workerOptions = { pollIntervalMs: 60_000, overdueIntervalMs: 60_000, concurrency: 2, leaseMs: 30_000 };

let sftp: SftpPeer;
let retailerPeer: HttpPeer;
let t: TestHub;
let key: string;
const pinned = `SHA256:${Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '')}`;

beforeAll(async () => {
  sftp = await startSftpServer();
  mkdirSync(path.join(sftp.root, 'in'), { recursive: true });
  retailerPeer = await startHttpPeer();
  const good = await x12SftpSupplier(sftp, { retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10 } });
  const wrongKey: LoadedMapping = { ...good, mapping: { ...good.mapping, transport: { ...good.mapping.transport, hostKey: pinned } as typeof good.mapping.transport } };
  t = await createTestHub({ mappings: [wrongKey] });
  key = (await t.retailer({ id: 'toys', webhookUrl: `${retailerPeer.url}/hooks` })).apiKey;
});
afterAll(async () => {
  await t.close();
  await Promise.all([sftp.close(), retailerPeer.close()]);
});

/** What only an operator should read: where the supplier's server is and how it is pinned. */
const internals = () => [sftp.host, `${sftp.port}`, pinned, 'SHA256:', 'hostKey', 'host key', 'transport.'];

describe('an order that cannot be delivered to its supplier (a changed host key)', () => {
  let orderId: string;
  beforeAll(async () => {
    const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: 'HK-1', orderNumber: 'HK-1' }), { authorization: `Bearer ${key}` }));
    orderId = (await res.json()).id;
    const worker = new Worker(t.hub, workerOptions);
    await worker.pass(); // route and try the PO: refused, given up
    await worker.pass(); // deliver the retailer's event
  });

  it('order.exception carries the reason code and its sentence, nothing of the supplier connection', async () => {
    const exceptions = retailerPeer.requests.map((r) => JSON.parse(r.body.toString())).filter((e) => e.type === 'order.exception');
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0].data).toEqual({ code: 'delivery_failed', reason: EXCEPTION_REASONS.delivery_failed, poNumber: expect.any(String) });
    const body = retailerPeer.requests.map((r) => r.body.toString()).join('\n');
    for (const secret of internals()) expect(body).not.toContain(secret);
  });

  it("the retailer's API shows the sentence; the admin API keeps the operator's detail", async () => {
    const mine = await t.app.request(`/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${key}` } });
    const view = await mine.json();
    expect(view.status).toBe('exception');
    expect(view.statusReason).toBe(EXCEPTION_REASONS.delivery_failed);
    const text = JSON.stringify(view);
    for (const secret of internals()) expect(text).not.toContain(secret);
    const list = await (await t.app.request('/v1/orders?status=exception', { headers: { authorization: `Bearer ${key}` } })).json();
    expect(list.orders[0].statusReason).toBe(EXCEPTION_REASONS.delivery_failed);

    const admin = await t.app.request(`/v1/admin/documents?order=${orderId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(JSON.stringify(await admin.json())).toMatch(/host key/i);
    const row = await t.hub.store.db.selectFrom('orders').select('status_reason').where('id', '=', orderId).executeTakeFirstOrThrow();
    expect(row.status_reason).toMatch(/host key/i);
  });
});
