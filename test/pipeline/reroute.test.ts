import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeReceivedOrders } from '../../src/pipeline/route.ts';
import { ADMIN_TOKEN, createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';
import { startHttpPeer, type HttpPeer } from '../helpers/http-peer.ts';
import { writeMapping } from '../helpers/mappings.ts';

let t: TestHub;
let peer: HttpPeer;
let key: string;

const supplier = (id: string, prefix: string) =>
  writeMapping({
    supplier: id,
    name: id,
    skus: { prefixes: [prefix] },
    transport: { type: 'http', url: `${peer.url}/po` },
    outbound: { format: 'json', filename: 'PO_{poNumber}.json', template: '{ "po": poNumber }' },
  });

beforeAll(async () => {
  peer = await startHttpPeer();
  t = await createTestHub({ mappings: [await supplier('acme', 'ACME-')] });
  key = (await t.retailer()).apiKey;
});
afterAll(async () => {
  await t.close();
  await peer.close();
});

const reroute = (id: string) => t.app.request(`/v1/admin/orders/${id}/reroute`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
const status = async (id: string) => (await t.hub.store.db.selectFrom('orders').select(['status', 'status_reason']).where('id', '=', id).executeTakeFirstOrThrow());

describe('re-routing an order that could not be routed', () => {
  it('routes it again once a mapping claims its SKU', async () => {
    const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: 'RR-1', lines: [{ lineId: '1', sku: 'GLOBEX-1', quantity: 1, unitPrice: '1.00' }] }), { authorization: `Bearer ${key}` }));
    const { id } = await res.json();
    await routeReceivedOrders(t.hub);
    expect(await status(id)).toMatchObject({ status: 'exception', status_reason: expect.stringMatching(/GLOBEX-1/) });

    // Still unclaimed: re-routing puts it back in exception, with the reason.
    expect((await reroute(id)).status).toBe(200);
    await routeReceivedOrders(t.hub);
    expect((await status(id)).status).toBe('exception');

    // The integrator adds the supplier (a mapping reload), the operator re-routes.
    t.hub.mappings.set('globex', await supplier('globex', 'GLOBEX-'));
    expect((await reroute(id)).status).toBe(200);
    await routeReceivedOrders(t.hub);
    expect((await status(id)).status).toBe('routed');
    const timeline = await t.hub.store.db.selectFrom('order_events').select('type').where('order_id', '=', id).execute();
    expect(timeline.filter((e) => e.type === 'reroute_requested')).toHaveLength(2);
  });

  it('refuses an order that is not in exception, or already has purchase orders', async () => {
    const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: 'RR-2', lines: [{ lineId: '1', sku: 'ACME-1', quantity: 1, unitPrice: '1.00' }] }), { authorization: `Bearer ${key}` }));
    const { id } = await res.json();
    expect((await reroute(id)).status).toBe(409);
    await routeReceivedOrders(t.hub);
    expect((await reroute(id)).status).toBe(409);
    expect((await reroute('ord_nope')).status).toBe(404);
  });
});
