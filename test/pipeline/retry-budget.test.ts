/**
 * The retry budget is a duration: a supplier that is down is retried (back-off capped) for
 * `retry.for` (default 24 h) from the first failure, the operator is alerted after
 * `retry.alertAfter` (default 15 min: log, metric, order timeline), and only when the budget is
 * spent is the PO given up and the retailer told. Time is the hub's injected clock; no sleeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durationMs, SftpTransport as SftpTransportSchema } from '../../src/config/mapping-schema.ts';
import { claimDueDocuments, deliverDocument } from '../../src/pipeline/dispatch.ts';
import { routeReceivedOrders } from '../../src/pipeline/route.ts';
import { createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';
import { startHttpPeer, type HttpPeer } from '../helpers/http-peer.ts';
import { writeMapping } from '../helpers/mappings.ts';

const T0 = new Date('2026-12-03T08:00:00Z');
let now = T0;
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
let t: TestHub;
let supplier: HttpPeer;
let retailer: HttpPeer;
let key: string;

beforeAll(async () => {
  supplier = await startHttpPeer([], { status: 503, body: 'down for maintenance' });
  retailer = await startHttpPeer();
  const mapping = await writeMapping({
    supplier: 'umbrella',
    name: 'Umbrella',
    skus: { prefixes: ['UMB-'] },
    // Back-off of 0 so that every step below finds the PO due; `for` and `alertAfter` are the defaults.
    transport: { type: 'http', url: `${supplier.url}/po`, timeoutMs: 5000, retry: { baseDelayMs: 0, maxDelayMs: 0 } },
    outbound: { format: 'json', filename: 'PO_{poNumber}.json', template: '{ "po": poNumber }' },
  });
  t = await createTestHub({ mappings: [mapping], clock: () => now });
  key = (await t.retailer({ id: 'shop', webhookUrl: `${retailer.url}/hooks` })).apiKey;
});
afterAll(async () => {
  await t?.close();
  await supplier?.close();
  await retailer?.close();
});

/** One delivery attempt of everything due, at the given time. */
async function attemptAt(when: Date): Promise<void> {
  now = when;
  for (const doc of await claimDueDocuments(t.hub, 10, 60_000)) await deliverDocument(t.hub, doc);
}

describe('retry budget', () => {
  it('keeps trying a supplier that is down for 24 h, alerts the operator once after 15 min, then tells the retailer', async () => {
    const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: 'RB-1', orderNumber: 'RB-1', lines: [{ lineId: '1', sku: 'UMB-1', quantity: 1, unitPrice: '1.00' }] }), { authorization: `Bearer ${key}` }));
    const { id } = (await res.json()) as { id: string };
    await routeReceivedOrders(t.hub);
    const db = t.hub.store.db;
    const po = () => db.selectFrom('documents').selectAll().where('order_id', '=', id).where('kind', '=', 'po').executeTakeFirstOrThrow();
    const timeline = (type: string) => db.selectFrom('order_events').select(['type', 'cause']).where('order_id', '=', id).where('type', '=', type).execute();
    const alerts = async () => (await t.hub.metrics.registry.getSingleMetric('hub_delivery_alerts_total')!.get()).values.find((v) => v.labels.supplier === 'umbrella')?.value ?? 0;
    const retailerEvents = () => retailer.requests.map((r) => JSON.parse(r.body.toString()) as { type: string; order: { id: string } }).filter((e) => e.order.id === id);

    // Ten attempts in the first ten minutes (the old budget gave up after eight): still pending.
    for (let minute = 0; minute < 10; minute++) await attemptAt(at(minute));
    expect(await po()).toMatchObject({ status: 'pending', attempts: 10, max_attempts: 0, alerted_at: null });
    expect(new Date((await po()).failing_since!).toISOString()).toBe(T0.toISOString());
    expect(await timeline('delivery_delayed')).toEqual([]);

    // Past 15 minutes: the operator is alerted, once; retries go on; the retailer hears nothing.
    await attemptAt(at(16));
    await attemptAt(at(30));
    expect((await po()).status).toBe('pending');
    expect(new Date((await po()).alerted_at!).toISOString()).toBe(at(16).toISOString());
    const delayed = await timeline('delivery_delayed');
    expect(delayed).toHaveLength(1);
    expect(delayed[0]!.cause).toContain('retried until 2026-12-04T08:00:00.000Z');
    expect(await alerts()).toBe(1);
    expect((await db.selectFrom('orders').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('routed');

    // Hours later, still within the day: still trying.
    await attemptAt(at(23 * 60));
    expect((await po()).status).toBe('pending');
    await attemptAt(at(24 * 60 - 1));
    expect(retailerEvents()).toEqual([]);

    // The budget spent: given up, the order in exception, the retailer told.
    await attemptAt(at(24 * 60));
    expect((await po()).status).toBe('failed');
    expect((await db.selectFrom('orders').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('exception');
    await attemptAt(at(24 * 60)); // delivers the retailer's event
    expect(retailerEvents().map((e) => e.type)).toEqual(['order.exception']);
    expect(supplier.requests.length).toBe(15);
  });
});

describe('retry budget in a mapping', () => {
  const base = { type: 'sftp', host: 'h', username: 'u', password: 'p', hostKey: `SHA256:${'a'.repeat(43)}`, outboundDir: 'in' };
  it('reads durations, defaults to 24 h and 15 min with no attempt limit, and refuses a bad duration in plain words', () => {
    expect(SftpTransportSchema.parse(base).retry).toEqual({ baseDelayMs: 2000, maxDelayMs: 600000, for: '24h', alertAfter: '15m' });
    expect(SftpTransportSchema.parse({ ...base, retry: { for: '2d', alertAfter: '90s' } }).retry).toMatchObject({ for: '2d', alertAfter: '90s' });
    expect([durationMs('24h'), durationMs('15m'), durationMs('2d'), durationMs('90s'), durationMs('250ms')]).toEqual([86_400_000, 900_000, 172_800_000, 90_000, 250]);
    const issue = SftpTransportSchema.safeParse({ ...base, retry: { for: '1 day' } }).error?.issues[0];
    expect(issue?.message).toBe('write a duration such as "30s", "15m", "24h" or "2d"');
    expect(issue?.path).toEqual(['retry', 'for']);
  });
});
