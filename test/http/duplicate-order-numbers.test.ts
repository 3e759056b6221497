/**
 * An order number used again under a new external id: accepted with a warning (the default), or
 * refused where the retailer's policy says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setRetailerDuplicatePolicy } from '../../src/store/duplicate-orders.ts';
import { createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';

let t: TestHub;
beforeAll(async () => {
  t = await createTestHub();
});
afterAll(async () => t.close());

const post = (key: string, externalId: string, orderNumber: string) =>
  t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId, orderNumber }), { authorization: `Bearer ${key}` }));

describe('duplicate order numbers', () => {
  it('warn (the default): accepted, with a warning naming the earlier order; the same order again is not a duplicate', async () => {
    const { apiKey } = await t.retailer({ id: 'warns' });
    const first = await post(apiKey, '1001', '5001');
    expect(first.status).toBe(201);
    const firstBody = await first.json();
    expect(firstBody.warnings).toBeUndefined();
    const again = await post(apiKey, '1001', '5001');
    expect(again.status).toBe(200);
    expect((await again.json()).warnings).toBeUndefined();

    const second = await post(apiKey, '1002', '5001');
    expect(second.status).toBe(201);
    const body = await second.json();
    expect(body.warnings).toEqual([
      { code: 'duplicate_order_number', message: `order number "5001" is already used by order ${firstBody.id} (externalId "1001")`, orderId: firstBody.id, externalId: '1001' },
    ]);
    // Another retailer's number is its own.
    const other = await t.retailer({ id: 'other-shop' });
    expect((await (await post(other.apiKey, '1002', '5001')).json()).warnings).toBeUndefined();
  });

  it('refuse: 409 naming the earlier order, and nothing stored', async () => {
    const { apiKey } = await t.retailer({ id: 'strict', duplicateOrderNumbers: 'refuse' });
    const first = await (await post(apiKey, '2001', '6001')).json();
    const refused = await post(apiKey, '2002', '6001');
    expect(refused.status).toBe(409);
    const { error } = await refused.json();
    expect(error.message).toBe(`order number "6001" is already used by order ${first.id} (externalId "2001"); this retailer refuses duplicate order numbers`);
    const stored = await t.hub.store.db.selectFrom('orders').select('id').where('retailer_id', '=', 'strict').execute();
    expect(stored).toHaveLength(1);
    // The policy can be changed (hub retailers update).
    expect(await setRetailerDuplicatePolicy(t.hub.store.db, 'strict', 'warn')).toBe(true);
    expect((await post(apiKey, '2002', '6001')).status).toBe(201);
    expect(await setRetailerDuplicatePolicy(t.hub.store.db, 'nobody', 'warn')).toBe(false);
  });
});
