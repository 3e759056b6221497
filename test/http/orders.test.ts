import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';

let t: TestHub;
let key: string;
let otherKey: string;

beforeAll(async () => {
  t = await createTestHub();
  key = (await t.retailer({ id: 'shop-a' })).apiKey;
  otherKey = (await t.retailer({ id: 'shop-b' })).apiKey;
});
afterAll(async () => t.close());

const post = (body: unknown, apiKey = key, headers: Record<string, string> = {}) =>
  t.app.request('/v1/orders', jsonRequest(body, { authorization: `Bearer ${apiKey}`, ...headers }));

async function orderCount(): Promise<number> {
  const row = await t.hub.store.db.selectFrom('orders').select(t.hub.store.db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('POST /v1/orders: happy path and idempotency', () => {
  it('stores a paid order as received, with its timeline', async () => {
    const res = await post(sampleOrder({ externalId: 'happy-1' }));
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ externalId: 'happy-1', orderNumber: '#1001', status: 'received', retailerId: 'shop-a' });
    expect(body.order.lines[0]).toEqual({ lineId: '1', sku: 'ACME-TRUCK-01', title: 'Wooden toy truck', quantity: 2, unitPrice: '19.99' });
    expect(body.timeline.map((e: { type: string }) => e.type)).toEqual(['order_received']);

    const read = await t.app.request(`/v1/orders/${body.id}`, { headers: { authorization: `Bearer ${key}` } });
    expect(read.status).toBe(200);
    expect((await read.json()).id).toBe(body.id);
  });

  it('holds an unpaid order in awaiting_payment', async () => {
    const res = await post(sampleOrder({ externalId: 'unpaid-1', payment: { status: 'pending', reference: null } }));
    expect(res.status).toBe(201);
    expect((await res.json()).status).toBe('awaiting_payment');
  });

  it('answers 200 with the same order for the same body, 409 for a different one', async () => {
    const first = await post(sampleOrder({ externalId: 'idem-1' }));
    const again = await post(sampleOrder({ externalId: 'idem-1' }));
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect((await again.json()).id).toBe((await first.json()).id);
    const changed = await post(sampleOrder({ externalId: 'idem-1', notes: 'changed' }));
    expect(changed.status).toBe(409);
    expect((await changed.json()).error.code).toBe('conflict');
  });

  it('stores one order for 50 concurrent posts of the same order', async () => {
    const body = sampleOrder({ externalId: 'race-1' });
    const responses = await Promise.all(Array.from({ length: 50 }, () => post(body)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    const ids = new Set(await Promise.all(responses.map(async (r) => (await r.json()).id)));
    expect(ids.size).toBe(1);
    const rows = await t.hub.store.db.selectFrom('orders').select('id').where('external_id', '=', 'race-1').execute();
    expect(rows).toHaveLength(1);
  });

  it('lists only the caller\'s orders, filtered by externalId and status', async () => {
    await post(sampleOrder({ externalId: 'list-1' }));
    await post(sampleOrder({ externalId: 'list-1' }), otherKey);
    const res = await t.app.request('/v1/orders?externalId=list-1', { headers: { authorization: `Bearer ${key}` } });
    const { orders } = await res.json();
    expect(orders).toHaveLength(1);
    expect(orders[0].retailerId).toBe('shop-a');
    const held = await t.app.request('/v1/orders?status=awaiting_payment', { headers: { authorization: `Bearer ${key}` } });
    expect((await held.json()).orders.every((o: { status: string }) => o.status === 'awaiting_payment')).toBe(true);
  });
});

describe('POST /v1/orders: errors change nothing', () => {
  const cases: [string, () => Response | Promise<Response>, number, string][] = [
    ['missing lines', () => post({ ...sampleOrder({ externalId: 'bad-1' }), lines: undefined }), 400, 'lines'],
    ['empty lines', () => post(sampleOrder({ externalId: 'bad-2', lines: [] })), 400, 'lines'],
    ['quantity 0', () => post(sampleOrder({ externalId: 'bad-3', lines: [{ lineId: '1', sku: 'X', quantity: 0, unitPrice: '1.00' }] })), 400, 'lines.0.quantity'],
    ['exponent money', () => post(sampleOrder({ externalId: 'bad-4', lines: [{ lineId: '1', sku: 'X', quantity: 1, unitPrice: '1e3' }] })), 400, 'lines.0.unitPrice'],
    ['negative money', () => post(sampleOrder({ externalId: 'bad-5', lines: [{ lineId: '1', sku: 'X', quantity: 1, unitPrice: '-1.00' }] })), 400, 'lines.0.unitPrice'],
    ['float money', () => post(sampleOrder({ externalId: 'bad-6', lines: [{ lineId: '1', sku: 'X', quantity: 1, unitPrice: 19.99 }] })), 400, 'lines.0.unitPrice'],
    ['unknown country', () => post(sampleOrder({ externalId: 'bad-7', shipTo: { ...(sampleOrder().shipTo as object), country: 'XX' } })), 400, 'shipTo.country'],
    ['unknown field', () => post(sampleOrder({ externalId: 'bad-8', extra: 1 })), 400, ''],
    ['malformed JSON', () => post('{"externalId": "bad-9",'), 400, ''],
    ['wrong content type', () => t.app.request('/v1/orders', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' }, body: JSON.stringify(sampleOrder({ externalId: 'bad-10' })) }), 415, ''],
    ['3 MiB body', () => post(sampleOrder({ externalId: 'bad-11', notes: 'x'.repeat(3 * 1024 * 1024) })), 413, ''],
    ['no API key', () => t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: 'bad-12' }))), 401, ''],
    ['wrong API key', () => post(sampleOrder({ externalId: 'bad-13' }), 'hub_wrong'), 401, ''],
  ];
  it.each(cases)('%s → clear 4xx, nothing stored', async (_name, send, status, path) => {
    const before = await orderCount();
    const res = await send();
    expect(res.status).toBe(status);
    const body = await res.json();
    expect(body.error.code).toEqual(expect.any(String));
    expect(body.error.message).toEqual(expect.any(String));
    if (path) expect(body.error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(await orderCount()).toBe(before);
  });

  it('lists every bad field at once', async () => {
    const res = await post(sampleOrder({ externalId: 'bad-many', currency: 'usd', lines: [{ lineId: '1', sku: '', quantity: -1, unitPrice: 'abc' }] }));
    const paths = (await res.json()).error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['currency', 'lines.0.sku', 'lines.0.quantity', 'lines.0.unitPrice']));
  });

  it("answers 404 for another retailer's order and never shows it", async () => {
    const created = await (await post(sampleOrder({ externalId: 'mine-1' }))).json();
    const res = await t.app.request(`/v1/orders/${created.id}`, { headers: { authorization: `Bearer ${otherKey}` } });
    expect(res.status).toBe(404);
    expect(JSON.stringify(await res.json())).not.toContain('mine-1');
  });
});

describe('service routes', () => {
  it('serves /healthz, /readyz and an OpenAPI document naming every route', async () => {
    expect((await t.app.request('/healthz')).status).toBe(200);
    const ready = await t.app.request('/readyz');
    expect(ready.status).toBe(200);
    expect((await ready.json()).database).toBe(true);
    const doc = await (await t.app.request('/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/orders', '/v1/orders/{id}', '/v1/webhooks/shopify/{retailerId}', '/v1/admin/documents']));
    expect(doc.components.schemas.CanonicalOrder.properties.lines).toBeDefined();
  });

  it('refuses admin routes without the token, and with a wrong one', async () => {
    expect((await t.app.request('/v1/admin/documents')).status).toBe(401);
    expect((await t.app.request('/v1/admin/documents', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await t.app.request('/v1/admin/documents', { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
  });
});
