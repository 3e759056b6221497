import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHub, type TestHub } from '../helpers/hub.ts';

const shopifyBody = readFileSync(new URL('../fixtures/shopify/order-create.json', import.meta.url), 'utf8');
const shopifyCanonical = JSON.parse(readFileSync(new URL('../fixtures/shopify/order-create.canonical.json', import.meta.url), 'utf8'));
const wooBody = readFileSync(new URL('../fixtures/woocommerce/order-created.json', import.meta.url), 'utf8');
const wooCanonical = JSON.parse(readFileSync(new URL('../fixtures/woocommerce/order-created.canonical.json', import.meta.url), 'utf8'));

const SHOPIFY_SECRET = 'shpss_test_secret_0123456789';
const WOO_SECRET = 'woo-secret-abcdef';
const sign = (body: string, secret: string) => createHmac('sha256', secret).update(body).digest('base64');

let t: TestHub;
let key: string;

beforeAll(async () => {
  t = await createTestHub();
  key = (await t.retailer({ id: 'store', shopifySecret: SHOPIFY_SECRET, woocommerceSecret: WOO_SECRET })).apiKey;
  await t.retailer({ id: 'other', shopifySecret: 'another-secret' });
});
afterAll(async () => t.close());

function shopify(body: string, headers: Record<string, string> = {}, retailer = 'store') {
  return t.app.request(`/v1/webhooks/shopify/${retailer}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-hmac-sha256': sign(body, SHOPIFY_SECRET),
      'x-shopify-webhook-id': `wh-${Math.random()}`,
      ...headers,
    },
    body,
  });
}

function woo(body: string, headers: Record<string, string> = {}) {
  return t.app.request('/v1/webhooks/woocommerce/store', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-wc-webhook-topic': 'order.created',
      'x-wc-webhook-signature': sign(body, WOO_SECRET),
      ...headers,
    },
    body,
  });
}

async function count(): Promise<number> {
  const row = await t.hub.store.db.selectFrom('orders').select(t.hub.store.db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

function withBody(body: string, change: (json: Record<string, unknown>) => void): string {
  const json = JSON.parse(body);
  change(json);
  return JSON.stringify(json);
}

describe('Shopify orders webhook', () => {
  it('stores the order as Shopify sends it, as the right canonical order', async () => {
    const res = await shopify(shopifyBody, { 'x-shopify-webhook-id': 'wh-create-1' });
    expect(res.status).toBe(201);
    const order = await res.json();
    expect(order.source).toBe('shopify');
    expect(order.order).toEqual(shopifyCanonical);
    expect(order.status).toBe('received');
  });

  it('answers a redelivery (same webhook id) with 200 and no second order', async () => {
    const before = await count();
    const res = await shopify(shopifyBody, { 'x-shopify-webhook-id': 'wh-create-1' });
    expect(res.status).toBe(200);
    expect(await count()).toBe(before);
  });

  it('refuses a one-byte change to the body, or the wrong secret, with 401 and stores nothing', async () => {
    const before = await count();
    const body = withBody(shopifyBody, (j) => { j.id = 111; j.name = '#X1'; });
    const tampered = body.replace('"#X1"', '"#X2"');
    expect((await shopify(tampered, { 'x-shopify-hmac-sha256': sign(body, SHOPIFY_SECRET) })).status).toBe(401);
    expect((await shopify(body, { 'x-shopify-hmac-sha256': sign(body, `${SHOPIFY_SECRET}x`) })).status).toBe(401);
    expect((await shopify(body, { 'x-shopify-hmac-sha256': '' })).status).toBe(401);
    expect((await shopify(body, {}, 'other')).status).toBe(401);
    expect((await shopify(body, {}, 'nobody')).status).toBe(401);
    expect(await count()).toBe(before);
  });

  it('holds an unpaid order and releases it on orders/paid', async () => {
    const unpaid = withBody(shopifyBody, (j) => { j.id = 222; j.admin_graphql_api_id = 'gid://shopify/Order/222'; j.name = '#2222'; j.financial_status = 'pending'; });
    const created = await (await shopify(unpaid)).json();
    expect(created.status).toBe('awaiting_payment');
    const paid = withBody(unpaid, (j) => { j.financial_status = 'paid'; });
    const res = await shopify(paid, { 'x-shopify-topic': 'orders/paid' });
    expect(res.status).toBe(200);
    const released = await res.json();
    expect(released.id).toBe(created.id);
    expect(released.status).toBe('received');
    expect(released.timeline.map((e: { type: string }) => e.type)).toContain('payment_captured');
  });

  it('cancels on orders/cancelled', async () => {
    const body = withBody(shopifyBody, (j) => { j.id = 333; j.admin_graphql_api_id = 'gid://shopify/Order/333'; j.name = '#3333'; j.financial_status = 'pending'; });
    const created = await (await shopify(body)).json();
    // The create body replayed under the cancel topic does not cancel: the body must say so.
    await shopify(body, { 'x-shopify-topic': 'orders/cancelled' });
    const still = await t.app.request(`/v1/orders/${created.id}`, { headers: { authorization: `Bearer ${key}` } });
    expect((await still.json()).status).toBe('awaiting_payment');
    const cancelled = withBody(body, (j) => { j.cancelled_at = '2026-11-26T11:00:00-05:00'; j.cancel_reason = 'customer'; });
    const res = await shopify(cancelled, { 'x-shopify-topic': 'orders/cancelled' });
    expect(res.status).toBe(200);
    const read = await t.app.request(`/v1/orders/${created.id}`, { headers: { authorization: `Bearer ${key}` } });
    expect((await read.json()).status).toBe('cancelled');
  });

  it('names the bad field of an invalid Shopify body and stores nothing', async () => {
    const before = await count();
    const body = withBody(shopifyBody, (j) => { j.id = 444; j.admin_graphql_api_id = 'gid://shopify/Order/444'; (j.line_items as { quantity: number }[])[0]!.quantity = 0; });
    const res = await shopify(body);
    expect(res.status).toBe(400);
    const paths = (await res.json()).error.details.issues.map((i: { path: string }) => i.path);
    expect(paths.some((p: string) => p.startsWith('line_items.0'))).toBe(true);
    expect(await count()).toBe(before);
  });
});

describe('WooCommerce orders webhook', () => {
  it('stores the order as WooCommerce sends it', async () => {
    const res = await woo(wooBody);
    expect(res.status).toBe(201);
    const order = await res.json();
    expect(order.order).toEqual(wooCanonical);
  });

  it('refuses a changed body or a wrong signature with 401 and stores nothing', async () => {
    const before = await count();
    const body = withBody(wooBody, (j) => { j.id = 9001; });
    expect((await woo(body.replace('9001', '9002'), { 'x-wc-webhook-signature': sign(body, WOO_SECRET) })).status).toBe(401);
    expect((await woo(body, { 'x-wc-webhook-signature': sign(body, 'nope') })).status).toBe(401);
    expect((await woo(body, { 'x-wc-webhook-signature': sign(body, WOO_SECRET).slice(0, 10) })).status).toBe(401);
    expect(await count()).toBe(before);
  });

  it("answers WooCommerce's form-encoded ping when a webhook is saved", async () => {
    const body = 'webhook_id=12';
    const res = await t.app.request('/v1/webhooks/woocommerce/store', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-wc-webhook-signature': sign(body, WOO_SECRET) },
      body,
    });
    expect(res.status).toBe(200);
  });
});
