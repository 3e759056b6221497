import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMappingFile } from '../../src/config/mapping-loader.ts';
import { ADMIN_COOKIE } from '../../src/http/request.ts';
import { newId, sha256Hex } from '../../src/store/ids.ts';
import { setOrderStatus } from '../../src/store/orders.ts';
import { ADMIN_TOKEN, createTestHub, jsonRequest, sampleOrder, signInCookie, type TestHub } from '../helpers/hub.ts';

const SUPPLIER_TOKEN = 'supplier-bearer-secret-4242';

let t: TestHub;
let apiKey: string;
let mappingDir: string;
/** The signed-in cookie header (a session opened in beforeAll). */
let cookie: string;

beforeAll(async () => {
  mappingDir = await mkdtemp(path.join(tmpdir(), 'hub-dashboard-'));
  const file = path.join(mappingDir, 'umbrella.yaml');
  await writeFile(
    file,
    [
      'supplier: umbrella',
      'name: Umbrella Corporation',
      'skus: { prefixes: ["UMB-"] }',
      'transport:',
      '  type: http',
      '  url: http://127.0.0.1:9/orders',
      '  auth:',
      '    type: bearer',
      '    token: ${UMB_TOKEN}',
      'outbound:',
      '  format: json',
      '  filename: "{poNumber}.json"',
      '  template: "{ \'order\': poNumber }"',
      '',
    ].join('\n'),
  );
  const mapping = await loadMappingFile(file, { UMB_TOKEN: SUPPLIER_TOKEN });
  t = await createTestHub({ mappings: [mapping], env: { HUB_WORKERS: '0' } });
  apiKey = (await t.retailer({ id: 'shop-dash' })).apiKey;
  cookie = await signInCookie(t.app);
});
afterAll(async () => {
  await t?.close();
  await rm(mappingDir, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = { cookie }) => t.app.request(url, { headers });

async function page(url: string): Promise<string> {
  const res = await get(url);
  expect(res.status, `GET ${url}`).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  return res.text();
}

/** The form token of the signed-in pages, as the browser would read it from a form. */
async function csrfToken(): Promise<string> {
  const html = await page('/');
  const match = html.match(/name="csrf" value="([^"]+)"/);
  expect(match).not.toBeNull();
  return match![1]!;
}

function form(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  };
}

async function postOrder(overrides: Record<string, unknown>): Promise<{ id: string; orderNumber: string }> {
  const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder(overrides), { authorization: `Bearer ${apiKey}` }));
  expect(res.status).toBe(201);
  return res.json();
}

/** An order routed to umbrella whose PO delivery was given up: the order is in exception. */
async function seedFailedPurchaseOrder(externalId: string): Promise<{ orderId: string; poNumber: string; documentId: string }> {
  const order = await postOrder({ externalId, orderNumber: `#${externalId}`, lines: [{ lineId: '1', sku: 'UMB-1', title: 'Umbrella', quantity: 1, unitPrice: '9.99' }] });
  const db = t.hub.store.db;
  const poId = newId('po');
  const poNumber = `PO-${externalId}-UMB`;
  const documentId = newId('doc');
  const content = Buffer.from(JSON.stringify({ orderReference: poNumber, note: '<b>raw & bold</b>' }));
  const reason = `delivery of ${poNumber}.json to umbrella failed after 8 attempt(s): connection refused`;
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('purchase_orders')
      .values({
        id: poId, order_id: order.id, supplier_id: 'umbrella', po_number: poNumber, status: 'failed', status_reason: reason,
        data: JSON.stringify({ lines: [{ lineNumber: 1, lineId: '1', sku: 'UMB-1', supplierSku: 'U1', quantity: 1 }] }),
      })
      .execute();
    await trx
      .insertInto('documents')
      .values({
        id: documentId, direction: 'out', kind: 'po', format: 'json', supplier_id: 'umbrella', order_id: order.id, po_id: poId,
        filename: `${poNumber}.json`, content, content_type: 'application/json', content_hash: sha256Hex(content),
        size: content.length, status: 'failed', attempts: 8, last_error: 'connect ECONNREFUSED 127.0.0.1:9', error_code: 'transport_failed',
      })
      .execute();
    await setOrderStatus(trx, order.id, 'routed', 'router');
    await setOrderStatus(trx, order.id, 'exception', 'outbox gave up', { reason });
  });
  return { orderId: order.id, poNumber, documentId };
}

describe('dashboard: signing in', () => {
  it('sends a visitor without the cookie to the sign-in form', async () => {
    for (const url of ['/', '/documents', '/orders/ord_x', '/search?q=1']) {
      const res = await get(url, {});
      expect(res.status, url).toBe(303);
      expect(res.headers.get('location'), url).toMatch(/^\/login/);
    }
    const res = await get('/orders/ord_x', {});
    expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/orders/ord_x')}`);
    const login = await get('/login', {});
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('name="token"');
  });

  it('refuses a wrong token and a wrong cookie', async () => {
    const res = await t.app.request('/login', form({ token: 'not-the-token', next: '/' }));
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.text()).toContain('Wrong token');
    const forged = await get('/', { cookie: `${ADMIN_COOKIE}=guess` });
    expect(forged.status).toBe(303);
  });

  it('signs in with the token: an http-only, SameSite=Strict cookie, then back to the page asked for', async () => {
    const res = await t.app.request('/login', form({ token: ADMIN_TOKEN, next: '/documents' }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/documents');
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toContain(`${ADMIN_COOKIE}=`);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\//);
    const sent = setCookie.split(';')[0]!;
    // The cookie is derived from the admin token, never the token itself; and it is no bearer token.
    expect(setCookie).not.toContain(encodeURIComponent(ADMIN_TOKEN));
    const value = decodeURIComponent(sent.slice(sent.indexOf('=') + 1));
    expect((await t.app.request('/v1/admin/documents', { headers: { authorization: `Bearer ${value}` } })).status).toBe(401);
    expect((await get('/', { cookie: sent })).status).toBe(200);
  });

  it('never sends a signed-in user to another site after sign-in', async () => {
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const res = await t.app.request('/login', form({ token: ADMIN_TOKEN, next }));
      expect(res.headers.get('location'), next).toBe('/');
    }
  });

  it('is off, cookie or not, while HUB_ADMIN_TOKEN is unset', async () => {
    const env = t.hub.env;
    t.hub.env = { ...env, HUB_ADMIN_TOKEN: undefined };
    try {
      expect(await (await get('/login', {})).text()).toContain('The dashboard is off');
      expect((await get('/')).status).toBe(303);
      expect((await t.app.request('/login', form({ token: ADMIN_TOKEN }))).status).toBe(403);
    } finally {
      t.hub.env = env;
    }
  });

  it('signs out (clears the cookie, and the session is over)', async () => {
    // A session of its own: the other tests go on with theirs.
    const mine = await signInCookie(t.app);
    const html = await (await get('/', { cookie: mine })).text();
    const csrf = html.match(/name="csrf" value="([^"]+)"/)![1]!;
    const res = await t.app.request('/logout', form({ csrf }, { cookie: mine }));
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie')).toMatch(new RegExp(`${ADMIN_COOKIE}=;.*Max-Age=0`, 'i'));
    expect((await get('/', { cookie: mine })).status).toBe(303);
    expect((await get('/', { cookie })).status).toBe(200);
  });
});

describe('dashboard: pages', () => {
  let failed: { orderId: string; poNumber: string; documentId: string };

  beforeAll(async () => {
    await postOrder({ externalId: 'home-1', orderNumber: '#HOME-1' });
    failed = await seedFailedPurchaseOrder('EXC-1');
  });

  it('home shows orders by state, the exception with its reason and the supplier health', async () => {
    const html = await page('/');
    const count = (state: string) => Number(html.match(new RegExp(`data-state="${state}"><strong>(\\d+)</strong>`))?.[1]);
    expect(count('received')).toBeGreaterThanOrEqual(1);
    expect(count('exception')).toBeGreaterThanOrEqual(1);
    const exceptions = html.slice(html.indexOf('id="exceptions"'), html.indexOf('id="overdue"'));
    expect(exceptions).toContain('#EXC-1');
    expect(exceptions).toContain('connection refused');
    expect(exceptions).toContain(`data-retry="${failed.documentId}"`);
    const supplier = html.slice(html.indexOf('data-supplier="umbrella"'), html.indexOf('id="failed"'));
    expect(supplier).toContain('Umbrella Corporation');
    expect(supplier).toContain('100%'); // its one document of the last 24 h failed
    expect(supplier).toContain('1 of 1');
    expect(html).toContain('<svg class="chart"');
    // The supplier's transport secret is never shown.
    expect(html).not.toContain(SUPPLIER_TOKEN);
  });

  it('the order page shows the timeline, the PO and its documents', async () => {
    const html = await page(`/orders/${failed.orderId}`);
    expect(html).toContain('id="timeline"');
    expect(html).toContain('order_received');
    expect(html).toContain('status_changed');
    expect(html).toContain(failed.poNumber);
    expect(html).toContain(`href="/documents/${failed.documentId}"`);
    expect(html).toContain('connection refused');
  });

  it('answers 404 for an unknown order', async () => {
    const res = await get('/orders/ord_nope');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Not found');
  });

  it('the document page shows the raw bytes, escaped', async () => {
    const html = await page(`/documents/${failed.documentId}`);
    expect(html).toContain('&lt;b&gt;raw &amp; bold&lt;/b&gt;');
    expect(html).not.toContain('<b>raw');
  });

  it('the documents page filters by status, direction and supplier', async () => {
    const failedOut = await page('/documents?status=failed&direction=out&supplier=umbrella');
    expect(failedOut).toContain(`data-document="${failed.documentId}"`);
    const sent = await page('/documents?status=sent');
    expect(sent).not.toContain(`data-document="${failed.documentId}"`);
    const inbound = await page('/documents?direction=in');
    expect(inbound).not.toContain(`data-document="${failed.documentId}"`);
  });

  it('search finds an order by order number (with or without #), external id and PO number', async () => {
    for (const q of ['#EXC-1', 'EXC-1', failed.poNumber]) {
      const html = await page(`/search?q=${encodeURIComponent(q)}`);
      expect(html, q).toContain(`data-order="${failed.orderId}"`);
    }
    expect(await page('/search?q=nothing-like-this')).toContain('Nothing matches');
  });

  it('search finds an order by tracking number', async () => {
    const order = await postOrder({ externalId: 'track-1', orderNumber: '#TRACK-1' });
    const poId = newId('po');
    await t.hub.store.db
      .insertInto('purchase_orders')
      .values({ id: poId, order_id: order.id, supplier_id: 'umbrella', po_number: 'PO-TRACK-1', status: 'shipped', status_reason: null, data: JSON.stringify({ lines: [] }) })
      .execute();
    await t.hub.store.db
      .insertInto('shipments')
      .values({
        id: newId('shp'), po_id: poId, order_id: order.id, carrier: 'UPSN', carrier_name: 'UPS', service: 'GROUND',
        tracking_numbers: JSON.stringify(['1Z999AA10123456784', '1Z999AA10123456785']),
        tracking_urls: JSON.stringify(['https://www.ups.com/track?tracknum=1Z999AA10123456784', 'javascript:alert(1)']),
        lines: JSON.stringify([{ sku: 'ACME-TRUCK-01', quantity: 2 }]), shipped_at: '2026-11-27',
      })
      .execute();
    const html = await page('/search?q=1Z999AA10123456785');
    expect(html).toContain(`data-order="${order.id}"`);
    expect(html).toContain('tracking number');
    const orderPage = await page(`/orders/${order.id}`);
    expect(orderPage).toContain('href="https://www.ups.com/track?tracknum=1Z999AA10123456784"');
    expect(orderPage).not.toContain('javascript:');
  });
});

describe('dashboard: retry', () => {
  it('a failed outbound document has a Retry button; pressing it makes the document pending and the order leave exception', async () => {
    const failed = await seedFailedPurchaseOrder('RETRY-1');
    const html = await page(`/orders/${failed.orderId}`);
    expect(html).toContain(`action="/documents/${failed.documentId}/retry"`);

    const res = await t.app.request(
      `/documents/${failed.documentId}/retry`,
      form({ csrf: await csrfToken(), back: `/orders/${failed.orderId}` }, { cookie, origin: 'http://localhost' }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/orders/${failed.orderId}?notice=retried`);

    const db = t.hub.store.db;
    const doc = await db.selectFrom('documents').select(['status', 'attempts']).where('id', '=', failed.documentId).executeTakeFirstOrThrow();
    expect(doc).toEqual({ status: 'pending', attempts: 0 });
    const order = await db.selectFrom('orders').select('status').where('id', '=', failed.orderId).executeTakeFirstOrThrow();
    expect(order.status).not.toBe('exception');
    expect(await page(`/orders/${failed.orderId}?notice=retried`)).toContain('Retry queued');

    // A second press finds nothing to retry and says so.
    const again = await t.app.request(`/documents/${failed.documentId}/retry`, form({ csrf: await csrfToken(), back: '/' }, { cookie }));
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('is pending, not failed');
    const missing = await t.app.request('/documents/doc_nope/retry', form({ csrf: await csrfToken(), back: '/' }, { cookie }));
    expect(missing.status).toBe(404);
  });

  it('an order no supplier could take has a Re-route button; pressing it sends the order back to the router', async () => {
    const { routeReceivedOrders } = await import('../../src/pipeline/route.ts');
    const { id } = await postOrder({ externalId: 'REROUTE-1', orderNumber: '#REROUTE-1', lines: [{ lineId: '1', sku: 'NOBODY-1', quantity: 1, unitPrice: '1.00' }] });
    await routeReceivedOrders(t.hub);
    const home = await page('/');
    expect(home).toContain(`action="/orders/${id}/reroute"`);
    const res = await t.app.request(`/orders/${id}/reroute`, form({ csrf: await csrfToken(), back: '/' }, { cookie }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/?notice=rerouted');
    const order = await t.hub.store.db.selectFrom('orders').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    expect(order.status).toBe('received');
    expect((await t.app.request(`/orders/${id}/reroute`, form({ back: '/' }, { cookie }))).status).toBe(403);
  });

  it('refuses a retry without the form token, from another site, or without signing in', async () => {
    const failed = await seedFailedPurchaseOrder('RETRY-2');
    const url = `/documents/${failed.documentId}/retry`;
    const csrf = await csrfToken();
    expect((await t.app.request(url, form({ back: '/' }, { cookie }))).status).toBe(403);
    expect((await t.app.request(url, form({ csrf: 'forged', back: '/' }, { cookie }))).status).toBe(403);
    expect((await t.app.request(url, form({ csrf, back: '/' }, { cookie, origin: 'https://evil.example' }))).status).toBe(403);
    expect((await t.app.request(url, form({ csrf, back: '/' }, { cookie, referer: 'https://evil.example/x' }))).status).toBe(403);
    const anonymous = await t.app.request(url, form({ csrf, back: '/' }));
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/login/);
    const doc = await t.hub.store.db.selectFrom('documents').select('status').where('id', '=', failed.documentId).executeTakeFirstOrThrow();
    expect(doc.status).toBe('failed');
  });
});

describe('dashboard: escaping', () => {
  it('escapes HTML in an order’s customer name and notes', async () => {
    const order = await postOrder({
      externalId: 'xss-1',
      orderNumber: '#XSS<i>1</i>',
      customer: { name: '<script>alert("name")</script>', email: 'x@example.com', phone: null },
      notes: '"><img src=x onerror=alert(1)>',
    });
    await t.hub.store.db.transaction().execute(async (trx) => {
      await setOrderStatus(trx, order.id, 'exception', 'test', { reason: '<svg onload=alert(2)>' });
    });
    for (const url of [`/orders/${order.id}`, '/', `/search?q=${encodeURIComponent('<script>')}`]) {
      const html = await page(url);
      expect(html, url).not.toContain('<script>alert');
      expect(html, url).not.toContain('<img src=x');
      expect(html, url).not.toContain('<svg onload');
      expect(html, url).not.toContain('<i>1</i>');
    }
    const html = await page(`/orders/${order.id}`);
    expect(html).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    const res = await get(`/orders/${order.id}`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});
