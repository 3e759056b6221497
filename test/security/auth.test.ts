/**
 * Security: authentication on every route. The routes are enumerated from GET /openapi.json, so a
 * route added there without a case here fails the suite; each is called with no credentials, a
 * wrong one, and another party's valid one (another retailer, a retailer key on an admin route, a
 * supplier token on a retailer route...). None of those may answer with data.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64Hmac } from '../../src/intake/signatures.ts';
import { ADMIN_COOKIE } from '../../src/http/request.ts';
import { ADMIN_TOKEN, createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';
import { writeMapping } from '../helpers/mappings.ts';

const SUPPLIER_TOKEN = 'umbrella-push-token-0123456789';
const OTHER_SUPPLIER_TOKEN = 'globex-push-token-9876543210';

let t: TestHub;
/** Retailer A owns the data; B is another, valid retailer. */
let a: { id: string; apiKey: string };
let b: { id: string; apiKey: string };
let orderA: { id: string; externalId: string; orderNumber: string };
let documentId: string;

function httpSupplier(supplier: string, token: string) {
  return writeMapping({
    supplier,
    name: supplier,
    skus: { prefixes: [`${supplier.toUpperCase()}-`] },
    transport: { type: 'http', url: 'http://127.0.0.1:9/orders', inboundToken: token },
    outbound: { format: 'json', filename: '{poNumber}.json', template: "{ 'order': poNumber }" },
    inbound: { files: [{ match: '*.json', format: 'json' }] },
  });
}

beforeAll(async () => {
  t = await createTestHub({ mappings: [await httpSupplier('umbrella', SUPPLIER_TOKEN), await httpSupplier('globex', OTHER_SUPPLIER_TOKEN)] });
  a = await t.retailer({ id: 'retailer-a', shopifySecret: 'shopify-secret-a', woocommerceSecret: 'woo-secret-a' });
  b = await t.retailer({ id: 'retailer-b', shopifySecret: 'shopify-secret-b', woocommerceSecret: 'woo-secret-b' });
  const res = await t.app.request(
    '/v1/orders',
    jsonRequest(sampleOrder({ externalId: 'secret-ext-4711', orderNumber: '#SECRET-4711', customer: { name: 'Private Person', email: 'private@example.com', phone: null } }), {
      authorization: `Bearer ${a.apiKey}`,
    }),
  );
  expect(res.status).toBe(201);
  orderA = await res.json();
  // A document to address on the admin routes: a pushed supplier file.
  const push = await t.app.request('/v1/suppliers/umbrella/documents', {
    method: 'POST',
    headers: { authorization: `Bearer ${SUPPLIER_TOKEN}`, 'content-type': 'application/json', 'x-filename': 'ship.json' },
    body: JSON.stringify({ type: 'shipment', poNumber: 'NOPE-1', trackingNumbers: ['1Z'] }),
  });
  documentId = (await push.json()).documentId;
  expect(documentId).toMatch(/^doc_/);
});
afterAll(async () => t?.close());

type Credential = { name: string; headers: () => Record<string, string>; expect: number[] };

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const NONE = (): Record<string, string> => ({});

/** The credentials every retailer route must refuse (401), whatever the route. */
const retailerRefusals: Credential[] = [
  { name: 'no key', headers: NONE, expect: [401] },
  { name: 'a wrong key', headers: () => bearer('hub_this-is-not-a-key-at-all-000000'), expect: [401] },
  { name: 'a malformed header', headers: () => ({ authorization: `Basic ${Buffer.from(`${a.apiKey}:`).toString('base64')}` }), expect: [401] },
  { name: 'an over-long key', headers: () => bearer('k'.repeat(10_000)), expect: [401] },
  { name: 'the admin token', headers: () => bearer(ADMIN_TOKEN), expect: [401] },
  { name: 'a supplier push token', headers: () => bearer(SUPPLIER_TOKEN), expect: [401] },
];

const adminRefusals: Credential[] = [
  { name: 'no token', headers: NONE, expect: [401] },
  { name: 'a wrong token', headers: () => bearer(`${ADMIN_TOKEN}x`), expect: [401] },
  { name: 'a prefix of the token', headers: () => bearer(ADMIN_TOKEN.slice(0, -1)), expect: [401] },
  { name: "a retailer's API key", headers: () => bearer(a.apiKey), expect: [401] },
  { name: 'a supplier push token', headers: () => bearer(SUPPLIER_TOKEN), expect: [401] },
  { name: 'a wrong cookie', headers: () => ({ cookie: `${ADMIN_COOKIE}=nope` }), expect: [401] },
];

const webhookRefusals = (store: 'shopify' | 'woocommerce'): Credential[] => {
  const header = store === 'shopify' ? 'x-shopify-hmac-sha256' : 'x-wc-webhook-signature';
  const body = JSON.stringify({ id: 1 });
  return [
    { name: 'no signature', headers: NONE, expect: [401] },
    { name: 'a wrong signature', headers: () => ({ [header]: base64Hmac(body, 'wrong-secret') }), expect: [401] },
    { name: "another retailer's secret", headers: () => ({ [header]: base64Hmac(body, `${store}-secret-b`.replace('woocommerce', 'woo')) }), expect: [401] },
    { name: "a retailer's API key as bearer", headers: () => bearer(a.apiKey), expect: [401] },
  ];
};

const pushRefusals: Credential[] = [
  { name: 'no token', headers: NONE, expect: [401] },
  { name: 'a wrong token', headers: () => bearer('umbrella-push-token-wrong-000000'), expect: [401] },
  { name: "another supplier's token", headers: () => bearer(OTHER_SUPPLIER_TOKEN), expect: [401] },
  { name: "a retailer's API key", headers: () => bearer(a.apiKey), expect: [401] },
  { name: 'the admin token', headers: () => bearer(ADMIN_TOKEN), expect: [401] },
];

/** What each documented route is, and who must be refused on it. Keyed `METHOD path` as in the OpenAPI doc. */
const ROUTES: Record<string, { kind: 'retailer' | 'admin' | 'webhook-shopify' | 'webhook-woocommerce' | 'push' | 'public'; body?: () => unknown }> = {
  'POST /v1/orders': { kind: 'retailer', body: () => sampleOrder({ externalId: 'auth-probe' }) },
  'GET /v1/orders': { kind: 'retailer' },
  'GET /v1/orders/{id}': { kind: 'retailer' },
  'POST /v1/orders/{id}/cancel': { kind: 'retailer' },
  'POST /v1/webhooks/shopify/{retailerId}': { kind: 'webhook-shopify', body: () => ({ id: 1 }) },
  'POST /v1/webhooks/woocommerce/{retailerId}': { kind: 'webhook-woocommerce', body: () => ({ id: 1 }) },
  'POST /v1/suppliers/{supplierId}/documents': { kind: 'push', body: () => ({ type: 'shipment', poNumber: 'X', trackingNumbers: ['Y'] }) },
  'GET /v1/admin/documents': { kind: 'admin' },
  'GET /v1/admin/documents/{id}': { kind: 'admin' },
  'POST /v1/admin/documents/{id}/retry': { kind: 'admin' },
  'POST /v1/admin/orders/{id}/reroute': { kind: 'admin' },
  'GET /v1/admin/documents/{id}/raw': { kind: 'admin' },
  'GET /v1/admin/overdue': { kind: 'admin' },
  'GET /v1/admin/mailbox/audit': { kind: 'admin' },
  'GET /v1/admin/mailbox/lockouts': { kind: 'admin' },
  // Authenticated by the partner's AS2 ids, signature and encryption, not a token: test/transports/as2/.
  'POST /v1/as2': { kind: 'public' },
  'GET /healthz': { kind: 'public' },
  'GET /readyz': { kind: 'public' },
  'GET /metrics': { kind: 'public' },
};
/** Served but not (yet) in the OpenAPI document: covered here all the same. */
const UNDOCUMENTED: typeof ROUTES = {};

function fill(template: string): string {
  return template
    .replace('{retailerId}', a.id)
    .replace('{supplierId}', 'umbrella')
    .replace('{id}', template.startsWith('/v1/admin') ? documentId : orderA.id);
}

async function call(key: string, headers: Record<string, string>, bodyOverride?: string): Promise<Response> {
  const [method, template] = key.split(' ') as [string, string];
  const route = ROUTES[key] ?? UNDOCUMENTED[key]!;
  const body = bodyOverride ?? (route.body ? JSON.stringify(route.body()) : undefined);
  const url = fill(template);
  return t.app.request(url, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body } : {}),
  });
}

/** Nothing of retailer A's order, nor any document, in a refused response. */
async function expectNoData(res: Response): Promise<void> {
  const text = await res.text();
  for (const secret of [orderA.id, orderA.externalId, 'SECRET-4711', 'private@example.com', 'Private Person', documentId, 'NOPE-1']) {
    expect(text).not.toContain(secret);
  }
  if (res.status === 401) expect(JSON.parse(text)).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
}

async function ordersOfA(): Promise<number> {
  const rows = await t.hub.store.db.selectFrom('orders').select('id').where('retailer_id', '=', a.id).execute();
  return rows.length;
}

describe('authentication on every route of the OpenAPI document', () => {
  it('covers every documented route (a new route needs a case here)', async () => {
    const doc = await (await t.app.request('/openapi.json')).json();
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(documented.sort()).toEqual(Object.keys(ROUTES).sort());
    // The security the document declares is the one enforced below.
    for (const [key, route] of Object.entries(ROUTES)) {
      const [m, p] = key.split(' ') as [string, string];
      const security = (doc.paths[p][m.toLowerCase()].security ?? []) as Record<string, unknown>[];
      const scheme = security.map((s) => Object.keys(s)[0]);
      const expected = { retailer: ['apiKey'], admin: ['adminToken'], push: ['supplierToken'], public: [], 'webhook-shopify': [], 'webhook-woocommerce': [] }[route.kind];
      expect(scheme, key).toEqual(expected);
    }
  });

  const cases = Object.entries({ ...ROUTES, ...UNDOCUMENTED }).flatMap(([key, route]) => {
    const refusals =
      route.kind === 'retailer' ? retailerRefusals
      : route.kind === 'admin' ? adminRefusals
      : route.kind === 'push' ? pushRefusals
      : route.kind === 'webhook-shopify' ? webhookRefusals('shopify')
      : route.kind === 'webhook-woocommerce' ? webhookRefusals('woocommerce')
      : [];
    return refusals.map((cred) => [key, cred.name, cred] as const);
  });

  it.each(cases)('%s with %s: refused without data', async (key, _name, cred) => {
    const before = await ordersOfA();
    const res = await call(key, cred.headers());
    expect(cred.expect, `${key} answered ${res.status}`).toContain(res.status);
    await expectNoData(res);
    expect(await ordersOfA()).toBe(before);
  });

  it('a key in the query string is not a credential', async () => {
    for (const url of [`/v1/orders?api_key=${a.apiKey}`, `/v1/orders/${orderA.id}?token=${a.apiKey}`, `/v1/admin/documents?token=${ADMIN_TOKEN}`]) {
      const res = await t.app.request(url);
      expect(res.status, url).toBe(401);
      await expectNoData(res);
    }
  });

  it("another retailer's valid key: 404 on A's order, A's orders absent from its lists, cancel refused", async () => {
    const headers = bearer(b.apiKey);
    const one = await t.app.request(`/v1/orders/${orderA.id}`, { headers });
    expect(one.status).toBe(404);
    await expectNoData(one);

    const cancel = await t.app.request(`/v1/orders/${orderA.id}/cancel`, { method: 'POST', headers });
    expect(cancel.status).toBe(404);
    await expectNoData(cancel);
    const still = await t.app.request(`/v1/orders/${orderA.id}`, { headers: bearer(a.apiKey) });
    expect((await still.json()).status).not.toBe('cancelled');

    for (const url of ['/v1/orders', `/v1/orders?externalId=${orderA.externalId}`, '/v1/orders?status=received']) {
      const list = await t.app.request(url, { headers });
      expect(list.status).toBe(200);
      const body = await list.json();
      expect(body.orders).toEqual([]);
      await expectNoData(new Response(JSON.stringify(body)));
    }

    // The same externalId posted by B is B's own order, not a read of A's.
    const same = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: orderA.externalId }), headers));
    expect(same.status).toBe(201);
    const created = await same.json();
    expect(created.id).not.toBe(orderA.id);
    expect(created.retailerId).toBe(b.id);
    expect(JSON.stringify(created)).not.toContain('private@example.com');
  });

  it("a webhook signed with B's secret cannot post into A's account, nor an unknown retailer's", async () => {
    const body = JSON.stringify({ id: 42 });
    for (const [url, header, secret] of [
      [`/v1/webhooks/shopify/${a.id}`, 'x-shopify-hmac-sha256', 'shopify-secret-b'],
      [`/v1/webhooks/woocommerce/${a.id}`, 'x-wc-webhook-signature', 'woo-secret-b'],
      ['/v1/webhooks/shopify/nobody', 'x-shopify-hmac-sha256', 'no-secret-configured'],
      [`/v1/webhooks/shopify/${'x'.repeat(500)}`, 'x-shopify-hmac-sha256', 'no-secret-configured'],
    ] as const) {
      const res = await t.app.request(url, { method: 'POST', headers: { 'content-type': 'application/json', [header]: base64Hmac(body, secret), 'x-shopify-topic': 'orders/create' }, body });
      expect(res.status, url).toBe(401);
      await expectNoData(res);
    }
  });

  it('a retailer without a store secret refuses every signature, even one made with the fallback', async () => {
    const c = await t.retailer({ id: 'retailer-no-secret' });
    const body = JSON.stringify({ id: 42 });
    for (const secret of ['no-secret-configured', '', 'anything']) {
      const res = await t.app.request(`/v1/webhooks/shopify/${c.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-shopify-hmac-sha256': secret ? base64Hmac(body, secret) : '', 'x-shopify-topic': 'orders/create' },
        body,
      });
      expect(res.status).toBe(401);
    }
  });

  it('an unknown supplier refuses every push, even with a valid token of another', async () => {
    for (const url of ['/v1/suppliers/nobody/documents', '/v1/suppliers/%2e%2e/documents', '/v1/suppliers/umbrella%2F..%2Fglobex/documents']) {
      const res = await t.app.request(url, { method: 'POST', headers: bearer(SUPPLIER_TOKEN), body: '{}' });
      expect([401, 404], `${url}: ${res.status}`).toContain(res.status);
      await expectNoData(res);
    }
  });

  it('the public routes hold no order data', async () => {
    for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
      const res = await t.app.request(url);
      expect(res.status, url).toBe(200);
      await expectNoData(res);
    }
  });
});

describe('dashboard pages without a sign-in', () => {
  const pages = ['/', '/orders', '/orders/{id}', '/search?q=SECRET', '/documents', '/documents/{doc}'];
  const fillPage = (p: string) => p.replace('{id}', orderA.id).replace('{doc}', documentId);

  it.each([
    ['no cookie', {}],
    ['a wrong cookie', { cookie: `${ADMIN_COOKIE}=wrong` }],
    ["a retailer's API key", { authorization: `Bearer ${'x'}` }],
  ] as const)('every page with %s sends to the sign-in form, without data', async (_name, headers) => {
    const h: Record<string, string> = { ...headers };
    if (h.authorization) h.authorization = `Bearer ${a.apiKey}`;
    for (const p of pages) {
      const res = await t.app.request(fillPage(p), { headers: h });
      expect(res.status, p).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/login/);
      await expectNoData(res);
    }
  });

  it('state-changing forms without a sign-in do nothing', async () => {
    const res = await t.app.request(`/documents/${documentId}/retry`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'csrf=x&back=/',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/login/);
    const doc = await t.hub.store.db.selectFrom('documents').select(['status', 'attempts']).where('id', '=', documentId).executeTakeFirstOrThrow();
    expect(doc.status).toBe('failed');
  });

  it('a wrong admin token at sign-in sets no cookie', async () => {
    const res = await t.app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: `${ADMIN_TOKEN}x`, next: '/' }).toString(),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

describe('store webhooks: HMAC signatures and replays', () => {
  const shopifyBody = (overrides: Record<string, unknown> = {}): string => {
    const body = JSON.parse(readFileSync(new URL('../fixtures/shopify/order-create.json', import.meta.url), 'utf8'));
    return JSON.stringify({ ...body, ...overrides });
  };
  const wooBody = (overrides: Record<string, unknown> = {}): string => {
    const body = JSON.parse(readFileSync(new URL('../fixtures/woocommerce/order-created.json', import.meta.url), 'utf8'));
    return JSON.stringify({ ...body, ...overrides });
  };
  const shopify = (body: string, headers: Record<string, string>) =>
    t.app.request(`/v1/webhooks/shopify/${a.id}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-shopify-topic': 'orders/create', ...headers }, body });
  const woo = (body: string, headers: Record<string, string>) =>
    t.app.request(`/v1/webhooks/woocommerce/${a.id}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-wc-webhook-topic': 'order.created', ...headers }, body });
  const orders = async (externalId: string) =>
    t.hub.store.db.selectFrom('orders').select(['id', 'status']).where('retailer_id', '=', a.id).where('external_id', '=', externalId).execute();

  const valid = (body: string, secret: string) => base64Hmac(body, secret);
  const forgeries = (body: string, secret: string): [string, Record<string, string>][] => {
    const good = valid(body, secret);
    return [
      ['missing', {}],
      ['empty', { sig: '' }],
      ['wrong secret', { sig: valid(body, `${secret}x`) }],
      ['truncated', { sig: good.slice(0, 20) }],
      ['truncated by one character', { sig: good.slice(0, -1) }],
      ['without its padding', { sig: good.replace(/=+$/, '') }],
      ['hex instead of base64', { sig: Buffer.from(good, 'base64').toString('hex') }],
      ['of another body', { sig: valid(`${body} `, secret) }],
      ['doubled', { sig: good + good }],
      ['garbage', { sig: '!!!!not-base64!!!!' }],
    ];
  };

  it.each(['missing', 'empty', 'wrong secret', 'truncated', 'truncated by one character', 'without its padding', 'hex instead of base64', 'of another body', 'doubled', 'garbage'])(
    'Shopify: a %s signature is 401 and stores nothing',
    async (name) => {
      const body = shopifyBody({ id: 7_000_001, admin_graphql_api_id: 'gid://shopify/Order/7000001' });
      const [, h] = forgeries(body, 'shopify-secret-a').find(([n]) => n === name)!;
      const res = await shopify(body, h.sig === undefined ? {} : { 'x-shopify-hmac-sha256': h.sig });
      expect(res.status).toBe(401);
      expect(await orders('7000001')).toEqual([]);
    },
  );

  it.each(['missing', 'empty', 'wrong secret', 'truncated', 'truncated by one character', 'hex instead of base64', 'of another body', 'garbage'])(
    'WooCommerce: a %s signature is 401 and stores nothing',
    async (name) => {
      const body = wooBody({ id: 7_100_001 });
      const [, h] = forgeries(body, 'woo-secret-a').find(([n]) => n === name)!;
      const res = await woo(body, h.sig === undefined ? {} : { 'x-wc-webhook-signature': h.sig });
      expect(res.status).toBe(401);
      expect(await orders('7100001')).toEqual([]);
    },
  );

  it('a tampered body under a valid signature (the amount changed in transit) is 401', async () => {
    const body = shopifyBody({ id: 7_000_002, admin_graphql_api_id: 'gid://shopify/Order/7000002' });
    const signature = valid(body, 'shopify-secret-a');
    const tampered = body.replace('"financial_status":"paid"', '"financial_status":"paid" ').replace(/"quantity":1/, '"quantity":99');
    expect(tampered).not.toBe(body);
    expect((await shopify(tampered, { 'x-shopify-hmac-sha256': signature })).status).toBe(401);
    expect(await orders('7000002')).toEqual([]);
  });

  it('Shopify: a replay of a valid delivery (same X-Shopify-Webhook-Id) creates no second order', async () => {
    const body = shopifyBody({ id: 7_000_003, admin_graphql_api_id: 'gid://shopify/Order/7000003' });
    const headers = { 'x-shopify-hmac-sha256': valid(body, 'shopify-secret-a'), 'x-shopify-webhook-id': 'wh-7000003' };
    const first = await shopify(body, headers);
    expect(first.status).toBe(201);
    const created = await first.json();
    for (let i = 0; i < 3; i++) {
      const again = await shopify(body, headers);
      expect(again.status).toBe(200);
      expect((await again.json()).id).toBe(created.id);
    }
    // Replayed under a new webhook id (the id header is not signed): still the one order.
    const renamed = await shopify(body, { ...headers, 'x-shopify-webhook-id': 'wh-forged' });
    expect(renamed.status).toBe(200);
    expect((await renamed.json()).id).toBe(created.id);
    expect(await orders('7000003')).toHaveLength(1);
    const timeline = await t.hub.store.db.selectFrom('order_events').select('type').where('order_id', '=', created.id).execute();
    expect(timeline.filter((e) => e.type === 'order_received')).toHaveLength(1);
  });

  it('Shopify: concurrent replays of one delivery create exactly one order', async () => {
    const body = shopifyBody({ id: 7_000_004, admin_graphql_api_id: 'gid://shopify/Order/7000004' });
    const headers = { 'x-shopify-hmac-sha256': valid(body, 'shopify-secret-a'), 'x-shopify-webhook-id': 'wh-7000004' };
    const answers = await Promise.all(Array.from({ length: 6 }, () => shopify(body, headers)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(await orders('7000004')).toHaveLength(1);
  });

  it('WooCommerce: a replay of a valid delivery creates no second order', async () => {
    const body = wooBody({ id: 7_100_002 });
    const headers = { 'x-wc-webhook-signature': valid(body, 'woo-secret-a'), 'x-wc-webhook-delivery-id': 'd-7100002' };
    expect((await woo(body, headers)).status).toBe(201);
    expect((await woo(body, headers)).status).toBe(200);
    expect((await woo(body, { ...headers, 'x-wc-webhook-delivery-id': 'd-other' })).status).toBe(200);
    expect(await orders('7100002')).toHaveLength(1);
  });

  // The topic header is not covered by the HMAC: a captured delivery must not change meaning when
  // replayed under another topic.
  it('Shopify: an unpaid order\'s signed orders/create body replayed as orders/paid does not release it', async () => {
    const body = shopifyBody({ id: 7_000_005, admin_graphql_api_id: 'gid://shopify/Order/7000005', financial_status: 'pending' });
    const sig = { 'x-shopify-hmac-sha256': valid(body, 'shopify-secret-a') };
    expect((await shopify(body, { ...sig, 'x-shopify-webhook-id': 'wh-7000005' })).status).toBe(201);
    expect((await orders('7000005'))[0]?.status).toBe('awaiting_payment');
    await shopify(body, { ...sig, 'x-shopify-topic': 'orders/paid', 'x-shopify-webhook-id': 'wh-7000005-paid' });
    expect((await orders('7000005'))[0]?.status).toBe('awaiting_payment');
  });

  it('Shopify: a signed orders/create body replayed as orders/cancelled does not cancel the order', async () => {
    const body = shopifyBody({ id: 7_000_006, admin_graphql_api_id: 'gid://shopify/Order/7000006' });
    const sig = { 'x-shopify-hmac-sha256': valid(body, 'shopify-secret-a') };
    expect((await shopify(body, { ...sig, 'x-shopify-webhook-id': 'wh-7000006' })).status).toBe(201);
    await shopify(body, { ...sig, 'x-shopify-topic': 'orders/cancelled', 'x-shopify-webhook-id': 'wh-7000006-c' });
    expect((await orders('7000006'))[0]?.status).not.toBe('cancelled');
  });
});

describe('store webhooks: the unsigned topic cannot change what a signed body does', () => {
  const wooFixture = () => JSON.parse(readFileSync(new URL('../fixtures/woocommerce/order-created.json', import.meta.url), 'utf8'));
  const shopifyFixture = () => JSON.parse(readFileSync(new URL('../fixtures/shopify/order-create.json', import.meta.url), 'utf8'));
  const woo = (body: string, topic: string, delivery: string) =>
    t.app.request(`/v1/webhooks/woocommerce/${a.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wc-webhook-topic': topic, 'x-wc-webhook-delivery-id': delivery, 'x-wc-webhook-signature': base64Hmac(body, 'woo-secret-a') },
      body,
    });
  const status = async (externalId: string) =>
    (await t.hub.store.db.selectFrom('orders').select('status').where('retailer_id', '=', a.id).where('external_id', '=', externalId).executeTakeFirst())?.status;

  it('WooCommerce: a signed "failed" update of a paid order replayed as order.deleted does not cancel it', async () => {
    const paid = JSON.stringify({ ...wooFixture(), id: 7_200_001, status: 'processing' });
    expect((await woo(paid, 'order.created', 'd-7200001')).status).toBe(201);
    const before = await status('7200001');
    expect(before).not.toBe('cancelled');
    // A captured, validly signed update saying the payment failed: ignored as order.updated...
    const failed = JSON.stringify({ ...wooFixture(), id: 7_200_001, status: 'failed' });
    expect(await (await woo(failed, 'order.updated', 'd-7200001-u')).json()).toMatchObject({ ignored: expect.any(String) });
    // ...and replayed under the topic that cancels.
    const replay = await woo(failed, 'order.deleted', 'd-7200001-x');
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ ignored: expect.any(String) });
    expect(await status('7200001')).toBe(before);
    // The same for a pending or on-hold body, and for a paid one.
    for (const s of ['pending', 'on-hold', 'processing', 'completed']) {
      await woo(JSON.stringify({ ...wooFixture(), id: 7_200_001, status: s }), 'order.deleted', `d-7200001-${s}`);
    }
    expect(await status('7200001')).toBe(before);
    // What does cancel: WooCommerce's own deletion body ({id}), or a body whose status ends the order.
    const deletion = JSON.stringify({ id: 7_200_001 });
    expect(await (await woo(deletion, 'order.created', 'd-del-1')).json()).toMatchObject({ ignored: expect.any(String) });
    expect(await (await woo(deletion, 'order.updated', 'd-del-2')).json()).toMatchObject({ ignored: expect.any(String) });
    expect(await status('7200001')).toBe(before);
    expect((await woo(deletion, 'order.deleted', 'd-del-3')).status).toBe(200);
    expect(await status('7200001')).toBe('cancelled');
  });

  it('WooCommerce: a cancelled order\'s signed body replayed as order.created creates nothing', async () => {
    const cancelled = JSON.stringify({ ...wooFixture(), id: 7_200_002, status: 'cancelled' });
    const res = await woo(cancelled, 'order.created', 'd-7200002');
    expect(res.status).toBe(200);
    expect(await status('7200002')).toBeUndefined();
  });

  it('Shopify: a cancelled order\'s signed body replayed as orders/create or orders/paid creates nothing', async () => {
    const body = JSON.stringify({ ...shopifyFixture(), id: 7_200_003, admin_graphql_api_id: 'gid://shopify/Order/7200003', cancelled_at: '2026-11-26T11:00:00Z', cancel_reason: 'customer' });
    for (const topic of ['orders/create', 'orders/paid']) {
      const res = await t.app.request(`/v1/webhooks/shopify/${a.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-shopify-topic': topic, 'x-shopify-hmac-sha256': base64Hmac(body, 'shopify-secret-a') },
        body,
      });
      expect(res.status, topic).toBe(200);
    }
    expect(await status('7200003')).toBeUndefined();
  });

  it("Shopify: two retailers on one app secret: a delivery from the other shop (X-Shopify-Shop-Domain) is refused", async () => {
    const shared = 'shared-app-client-secret';
    const c = await t.retailer({ id: 'shop-c', shopifySecret: shared, shopifyShopUrl: 'https://shop-c.myshopify.com' });
    await t.retailer({ id: 'shop-d', shopifySecret: shared, shopifyShopUrl: 'https://shop-d.myshopify.com' });
    const body = JSON.stringify({ ...shopifyFixture(), id: 7_200_004, admin_graphql_api_id: 'gid://shopify/Order/7200004' });
    const post = (domain: string | undefined) =>
      t.app.request(`/v1/webhooks/shopify/${c.id}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': 'orders/create',
          'x-shopify-hmac-sha256': base64Hmac(body, shared),
          ...(domain === undefined ? {} : { 'x-shopify-shop-domain': domain }),
        },
        body,
      });
    const storedForC = async () => t.hub.store.db.selectFrom('orders').select('id').where('retailer_id', '=', c.id).execute();
    for (const domain of ['shop-d.myshopify.com', undefined, '', 'shop-c.myshopify.com.evil.example']) {
      const res = await post(domain);
      expect(res.status, String(domain)).toBe(401);
    }
    expect(await storedForC()).toEqual([]);
    expect((await post('Shop-C.myshopify.com')).status).toBe(201);
    expect(await storedForC()).toHaveLength(1);
  });
});

describe('oversized bodies', () => {
  const MiB = 1024 * 1024;

  it.each([
    ['POST /v1/orders', '/v1/orders', () => bearer(a.apiKey)],
    ['POST /v1/webhooks/shopify', () => `/v1/webhooks/shopify/${a.id}`, () => ({ 'x-shopify-hmac-sha256': 'x', 'x-shopify-topic': 'orders/create' })],
    ['POST /v1/webhooks/woocommerce', () => `/v1/webhooks/woocommerce/${a.id}`, () => ({ 'x-wc-webhook-signature': 'x' })],
    ['POST /v1/orders/{id}/cancel', () => `/v1/orders/${orderA.id}/cancel`, () => bearer(a.apiKey)],
  ] as const)('%s: a body over 1 MiB is 413 before it is parsed', async (_name, url, headers) => {
    const path = typeof url === 'string' ? url : url();
    // Not JSON at all: a parser would answer 400, so 413 shows nothing parsed it.
    const body = '{'.repeat(MiB + 1);
    const res = await t.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers() }, body });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('payload_too_large');
    // Streamed without a Content-Length: counted as it arrives.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 17; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(0x7b));
        controller.close();
      },
    });
    const streamed = await t.app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers() },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    if (path.endsWith('/cancel')) expect((await orders()).status).not.toBe('cancelled');

    async function orders() {
      return t.hub.store.db.selectFrom('orders').select('status').where('id', '=', orderA.id).executeTakeFirstOrThrow();
    }
  });

  it('exactly 1 MiB is still read (the limit is not off by one the other way)', async () => {
    const order = JSON.stringify(sampleOrder({ externalId: 'big-1' }));
    const body = order.slice(0, -1) + `, "notes": null${' '.repeat(MiB - order.length - 15)}}`;
    expect(Buffer.byteLength(body)).toBe(MiB);
    const res = await t.app.request('/v1/orders', { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(a.apiKey) }, body });
    expect(res.status).toBe(201);
  });

  it('a lying Content-Length does not let a larger body through', async () => {
    const res = await t.app.request('/v1/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '10', ...bearer(a.apiKey) },
      body: `{"x":"${'a'.repeat(MiB + 10)}"}`,
    });
    expect([400, 413]).toContain(res.status);
    expect(await t.hub.store.db.selectFrom('orders').select('id').where('external_id', '=', 'x').execute()).toEqual([]);
  });

  it('a pushed supplier file over the push limit (10 MiB) is 413 and recorded nowhere', async () => {
    const before = await t.hub.store.db.selectFrom('documents').select('id').execute();
    const res = await t.app.request('/v1/suppliers/umbrella/documents', {
      method: 'POST',
      headers: { authorization: `Bearer ${SUPPLIER_TOKEN}`, 'content-type': 'application/json', 'x-filename': 'huge.json' },
      body: Buffer.alloc(10 * MiB + 1, 0x20),
    });
    expect(res.status).toBe(413);
    expect(await t.hub.store.db.selectFrom('documents').select('id').execute()).toHaveLength(before.length);
  });

  it('an unauthenticated push is refused before its body is read', async () => {
    const res = await t.app.request('/v1/suppliers/umbrella/documents', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(2 * MiB, 0x20),
    });
    expect(res.status).toBe(401);
  });
});
