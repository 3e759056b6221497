import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransportError } from '../../src/errors.ts';
import { resolveCarrier, trackingUrls } from '../../src/notify/carriers.ts';
import { retryDelayMs } from '../../src/notify/http-failure.ts';
import { createShopifyAdminClient, planFulfillment, type ShopifyAdminClient } from '../../src/notify/shopify-admin.ts';
import { startHttpPeer, type HttpPeer } from '../helpers/http-peer.ts';
import { shopifyFake, type ShopifyFake } from './shopify-admin-fake.ts';

const ORDER = 'gid://shopify/Order/5843391627431';
const TRUCK = '14923185619111';
const RINGS = '14923185651879';

let peer: HttpPeer;
let fake: ShopifyFake;
let shopify: ShopifyAdminClient;

const ups = resolveCarrier('UPSN');
const tracking = (number: string) => ({ company: ups.shopifyCompany, numbers: [number], urls: trackingUrls(ups, [number]) });

beforeEach(async () => {
  fake = shopifyFake();
  fake.orders.set(ORDER, [
    {
      id: 'gid://shopify/FulfillmentOrder/6101',
      status: 'OPEN',
      location: 'gid://shopify/Location/71',
      lineItems: [
        { id: 'gid://shopify/FulfillmentOrderLineItem/7201', remainingQuantity: 2, lineItem: { id: `gid://shopify/LineItem/${TRUCK}`, sku: 'ACME-TRUCK-01' } },
        { id: 'gid://shopify/FulfillmentOrderLineItem/7202', remainingQuantity: 1, lineItem: { id: `gid://shopify/LineItem/${RINGS}`, sku: 'BLOCKCO-RINGS-7' } },
      ],
    },
  ]);
  peer = await startHttpPeer([], (request) => fake.handle(request));
  shopify = createShopifyAdminClient({ baseUrl: `${peer.url}/`, accessToken: fake.token, timeoutMs: 2000 });
});

afterEach(async () => {
  await peer.close();
});

async function failure(promise: Promise<unknown>): Promise<TransportError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

describe('Shopify fulfillments through the Admin GraphQL API (a real local server)', () => {
  it('reads the fulfillment orders of an order by its numeric id', async () => {
    const fos = await shopify.fulfillmentOrdersForOrder('5843391627431');
    expect(fos).toHaveLength(1);
    expect(fos[0]?.lineItems.map((item) => [item.lineItemId, item.sku, item.remainingQuantity])).toEqual([
      [`gid://shopify/LineItem/${TRUCK}`, 'ACME-TRUCK-01', 2],
      [`gid://shopify/LineItem/${RINGS}`, 'BLOCKCO-RINGS-7', 1],
    ]);
    expect(peer.requests[0]?.headers['x-shopify-access-token']).toBe(fake.token);
    expect(peer.requests[0]?.url).toBe('/admin/api/2025-10/graphql.json');
  });

  it('partial shipment → a fulfillment for just the shipped quantities; second shipment → the rest', async () => {
    const first = await shopify.createFulfillment({
      orderId: '5843391627431',
      lines: [{ lineItemId: TRUCK, quantity: 1 }],
      tracking: tracking('1Z999AA10123456784'),
    });
    expect(first.fulfillments).toEqual([{ id: 'gid://shopify/Fulfillment/9001', status: 'SUCCESS' }]);
    expect(fake.fulfillments[0]).toEqual({
      lineItemsByFulfillmentOrder: [
        {
          fulfillmentOrderId: 'gid://shopify/FulfillmentOrder/6101',
          fulfillmentOrderLineItems: [{ id: 'gid://shopify/FulfillmentOrderLineItem/7201', quantity: 1 }],
        },
      ],
      trackingInfo: {
        company: 'UPS',
        numbers: ['1Z999AA10123456784'],
        urls: ['https://www.ups.com/track?tracknum=1Z999AA10123456784'],
      },
      notifyCustomer: true,
    });

    const second = await shopify.createFulfillment({
      orderId: ORDER,
      lines: [
        { sku: 'ACME-TRUCK-01', quantity: 1 },
        { lineItemId: `gid://shopify/LineItem/${RINGS}`, quantity: 1 },
      ],
      tracking: tracking('1Z999AA10123456795'),
    });
    expect(second.fulfillments).toHaveLength(1);
    expect(fake.fulfillments[1]).toMatchObject({
      lineItemsByFulfillmentOrder: [
        {
          fulfillmentOrderId: 'gid://shopify/FulfillmentOrder/6101',
          fulfillmentOrderLineItems: [
            { id: 'gid://shopify/FulfillmentOrderLineItem/7201', quantity: 1 },
            { id: 'gid://shopify/FulfillmentOrderLineItem/7202', quantity: 1 },
          ],
        },
      ],
    });
    expect(fake.orders.get(ORDER)?.[0]?.status).toBe('CLOSED');
  });

  it('a repeated shipment (a retry after a lost answer) finds nothing left and creates nothing', async () => {
    const request = { orderId: ORDER, lines: [{ lineItemId: TRUCK, quantity: 2 }], tracking: tracking('1Z1') };
    await shopify.createFulfillment(request);
    const repeat = await shopify.createFulfillment(request);
    expect(repeat.fulfillments).toEqual([]);
    expect(repeat.plan.unmatched).toEqual([{ line: request.lines[0], quantity: 2, reason: 'nothing_remaining' }]);
    expect(fake.fulfillments).toHaveLength(1);
  });

  it('spreads a line over several fulfillment orders, one fulfillmentCreate per location', async () => {
    fake.orders.set(ORDER, [
      { id: 'gid://shopify/FulfillmentOrder/1', status: 'OPEN', location: 'gid://shopify/Location/A', lineItems: [{ id: 'gid://shopify/FulfillmentOrderLineItem/11', remainingQuantity: 1, lineItem: { id: `gid://shopify/LineItem/${TRUCK}`, sku: 'ACME-TRUCK-01' } }] },
      { id: 'gid://shopify/FulfillmentOrder/2', status: 'ON_HOLD', location: 'gid://shopify/Location/A', lineItems: [{ id: 'gid://shopify/FulfillmentOrderLineItem/21', remainingQuantity: 5, lineItem: { id: `gid://shopify/LineItem/${TRUCK}`, sku: 'ACME-TRUCK-01' } }] },
      { id: 'gid://shopify/FulfillmentOrder/3', status: 'OPEN', location: 'gid://shopify/Location/A', lineItems: [{ id: 'gid://shopify/FulfillmentOrderLineItem/31', remainingQuantity: 1, lineItem: { id: `gid://shopify/LineItem/${TRUCK}`, sku: 'ACME-TRUCK-01' } }] },
      { id: 'gid://shopify/FulfillmentOrder/4', status: 'OPEN', location: 'gid://shopify/Location/B', lineItems: [{ id: 'gid://shopify/FulfillmentOrderLineItem/41', remainingQuantity: 1, lineItem: { id: `gid://shopify/LineItem/${TRUCK}`, sku: 'ACME-TRUCK-01' } }] },
    ]);
    const result = await shopify.createFulfillment({ orderId: ORDER, lines: [{ sku: 'ACME-TRUCK-01', quantity: 3 }], tracking: tracking('1Z2') });
    expect(result.fulfillments).toHaveLength(2);
    expect(fake.fulfillments.map((f) => (f as { lineItemsByFulfillmentOrder: unknown }).lineItemsByFulfillmentOrder)).toEqual([
      [
        { fulfillmentOrderId: 'gid://shopify/FulfillmentOrder/1', fulfillmentOrderLineItems: [{ id: 'gid://shopify/FulfillmentOrderLineItem/11', quantity: 1 }] },
        { fulfillmentOrderId: 'gid://shopify/FulfillmentOrder/3', fulfillmentOrderLineItems: [{ id: 'gid://shopify/FulfillmentOrderLineItem/31', quantity: 1 }] },
      ],
      [{ fulfillmentOrderId: 'gid://shopify/FulfillmentOrder/4', fulfillmentOrderLineItems: [{ id: 'gid://shopify/FulfillmentOrderLineItem/41', quantity: 1 }] }],
    ]);
  });

  it('HTTP 429 with Retry-After → a retryable error carrying the delay', async () => {
    peer.script({ status: 429, headers: { 'retry-after': '2.0' }, body: { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' } });
    const error = await failure(shopify.createFulfillment({ orderId: ORDER, lines: [{ lineItemId: TRUCK, quantity: 1 }], tracking: tracking('1Z3') }));
    expect(error).toMatchObject({ code: 'transport_failed', retryable: true });
    expect(retryDelayMs(error)).toBe(2000);
    expect(fake.fulfillments).toHaveLength(0);
  });

  it('a GraphQL THROTTLED error → retryable, delayed until the bucket has restored the cost', async () => {
    peer.script((request) => fake.handle(request), {
      status: 200,
      body: {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost: 502, actualQueryCost: null, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 2, restoreRate: 100 } } },
      },
    });
    const error = await failure(shopify.createFulfillment({ orderId: ORDER, lines: [{ lineItemId: TRUCK, quantity: 1 }], tracking: tracking('1Z4') }));
    expect(error.retryable).toBe(true);
    expect(retryDelayMs(error)).toBe(5000);
  });

  it('userErrors → a permanent rejection', async () => {
    peer.script((request) => fake.handle(request), {
      status: 200,
      body: { data: { fulfillmentCreate: { fulfillment: null, userErrors: [{ field: ['fulfillment'], message: 'Fulfillment order 6101 has an unfulfillable status= closed.' }] } } },
    });
    const error = await failure(shopify.createFulfillment({ orderId: ORDER, lines: [{ lineItemId: TRUCK, quantity: 1 }], tracking: tracking('1Z5') }));
    expect(error).toMatchObject({ code: 'transport_rejected', retryable: false });
    expect(error.message).toMatch(/unfulfillable status= closed/);
  });

  it('lines that are not on the order are refused without calling fulfillmentCreate', async () => {
    const error = await failure(shopify.createFulfillment({ orderId: ORDER, lines: [{ sku: 'NOT-ON-ORDER', quantity: 1 }], tracking: tracking('1Z6') }));
    expect(error).toMatchObject({ code: 'transport_rejected', retryable: false });
    expect(peer.requests).toHaveLength(1);
  });

  it('an unknown order is permanent; a bad token is an auth failure; a 502 is retryable', async () => {
    expect(await failure(shopify.fulfillmentOrdersForOrder('1'))).toMatchObject({ code: 'transport_rejected', retryable: false });
    const wrongToken = createShopifyAdminClient({ baseUrl: peer.url, accessToken: 'shpat_wrong' });
    expect(await failure(wrongToken.fulfillmentOrdersForOrder(ORDER))).toMatchObject({ code: 'transport_auth_failed', retryable: false });
    peer.script({ status: 502, body: '<html>Bad gateway</html>' });
    expect(await failure(shopify.fulfillmentOrdersForOrder(ORDER))).toMatchObject({ code: 'transport_failed', retryable: true });
  });
});

describe('planFulfillment', () => {
  it('never plans more than remains, and says what it could not place', () => {
    const plan = planFulfillment(
      [{ id: 'fo1', status: 'OPEN', locationId: null, lineItems: [{ id: 'li1', remainingQuantity: 1, lineItemId: 'gid://shopify/LineItem/1', sku: 'A' }] }],
      [
        { lineItemId: '1', quantity: 3 },
        { sku: 'B', quantity: 1 },
      ],
    );
    expect(plan.fulfillments).toEqual([
      { locationId: null, lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: 'fo1', fulfillmentOrderLineItems: [{ id: 'li1', quantity: 1 }] }] },
    ]);
    expect(plan.unmatched.map((u) => [u.quantity, u.reason])).toEqual([
      [2, 'nothing_remaining'],
      [1, 'not_on_order'],
    ]);
  });
});
