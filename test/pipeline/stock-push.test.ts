/**
 * Stock back to the stores, against real HTTP servers on loopback that implement the documented
 * slice of each API: Shopify's Admin GraphQL (`productVariants` by SKU, `locations`,
 * `inventorySetQuantities`, `X-Shopify-Access-Token`) and WooCommerce's REST v3 (`GET products?sku=`,
 * `POST products/batch`, Basic auth with the key pair). The quantity is the sum over the SKU's
 * sources minus buffers; passes are coalesced, idempotent, cached, and retried with back-off.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { loadMappingFile, type LoadedMapping } from '../../src/config/mapping-loader.ts';
import { receiveInboundFile } from '../../src/pipeline/apply.ts';
import { pushStock } from '../../src/pipeline/stock-push.ts';
import { storeStock } from '../../src/store/stock-push.ts';
import { createTestHub, type TestHub } from '../helpers/hub.ts';
import { startHttpPeer, type HttpPeer, type RecordedRequest, type ScriptedResponse } from '../helpers/http-peer.ts';
import { writeMappingDir } from '../helpers/mappings.ts';

const SHOPIFY_TOKEN = 'shpat_stock_test_token';
const WOO_KEY = 'ck_stock_test_key';
const WOO_SECRET = 'cs_stock_test_secret_never_shown';

let t: TestHub;
let acme: LoadedMapping;
let globex: LoadedMapping;
let shopify: HttpPeer;
let woo: HttpPeer;
let now = new Date('2026-12-03T12:00:00Z');
/** Every quantity each store was told, in order. */
const shopifySets: { inventoryItemId: string; quantity: number }[][] = [];
const wooSets: { id: number; stock_quantity: number; manage_stock: boolean }[][] = [];
let wooFailures = 0;

const VARIANTS: Record<string, string> = { 'ACME-TRUCK-01': 'gid://shopify/InventoryItem/101', 'ACME-KITE-03': 'gid://shopify/InventoryItem/103' };
const PRODUCTS: Record<string, number> = { 'ACME-TRUCK-01': 501, 'ACME-KITE-03': 503 };

/** Shopify's Admin GraphQL, the slice the hub uses. */
function shopifyAnswer(request: RecordedRequest): ScriptedResponse {
  if (request.url !== '/admin/api/2025-10/graphql.json' || request.method !== 'POST') return { status: 404, body: { errors: 'Not Found' } };
  if (request.headers['x-shopify-access-token'] !== SHOPIFY_TOKEN) return { status: 401, body: { errors: '[API] Invalid API key or access token' } };
  const { query, variables } = JSON.parse(request.body.toString('utf8')) as { query: string; variables: Record<string, unknown> };
  if (query.includes('productVariants(')) {
    const skus = [...String(variables.query).matchAll(/sku:"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
    const nodes = skus.filter((s) => VARIANTS[s]).map((sku) => ({ sku, inventoryItem: { id: VARIANTS[sku] } }));
    return { status: 200, body: { data: { productVariants: { nodes } } } };
  }
  if (query.includes('locations(')) return { status: 200, body: { data: { locations: { nodes: [{ id: 'gid://shopify/Location/1' }] } } } };
  if (query.includes('inventorySetQuantities(')) {
    const input = variables.input as { name: string; reason: string; ignoreCompareQuantity: boolean; quantities: { inventoryItemId: string; locationId: string; quantity: number }[] };
    if (input.name !== 'available' || input.ignoreCompareQuantity !== true || input.quantities.some((q) => q.locationId !== 'gid://shopify/Location/1')) {
      return { status: 200, body: { data: { inventorySetQuantities: { userErrors: [{ code: 'INVALID', field: ['input'], message: 'bad input' }] } } } };
    }
    shopifySets.push(input.quantities.map(({ inventoryItemId, quantity }) => ({ inventoryItemId, quantity })));
    return { status: 200, body: { data: { inventorySetQuantities: { userErrors: [] } } } };
  }
  return { status: 200, body: { errors: [{ message: 'unknown query' }] } };
}

/** WooCommerce REST v3, the slice the hub uses. */
function wooAnswer(request: RecordedRequest): ScriptedResponse {
  const expected = `Basic ${Buffer.from(`${WOO_KEY}:${WOO_SECRET}`).toString('base64')}`;
  if (request.headers.authorization !== expected) return { status: 401, body: { code: 'woocommerce_rest_cannot_view', message: 'Sorry, you cannot list resources.', data: { status: 401 } } };
  const url = new URL(request.url, 'http://x');
  if (request.method === 'GET' && url.pathname === '/wp-json/wc/v3/products') {
    const skus = (url.searchParams.get('sku') ?? '').split(',');
    return { status: 200, body: skus.filter((s) => PRODUCTS[s]).map((sku) => ({ id: PRODUCTS[sku], sku, manage_stock: true, stock_quantity: null })) };
  }
  if (request.method === 'POST' && url.pathname === '/wp-json/wc/v3/products/batch') {
    if (wooFailures > 0) {
      wooFailures--;
      return { status: 503, body: 'busy' };
    }
    const body = JSON.parse(request.body.toString('utf8')) as { update: { id: number; stock_quantity: number; manage_stock: boolean }[] };
    wooSets.push(body.update);
    return { status: 200, body: { update: body.update.map((u) => ({ ...u, sku: Object.keys(PRODUCTS).find((k) => PRODUCTS[k] === u.id) })) } };
  }
  return { status: 404, body: { code: 'rest_no_route' } };
}

beforeAll(async () => {
  shopify = await startHttpPeer([], shopifyAnswer);
  woo = await startHttpPeer([], wooAnswer);
  const http = (s: string) => ({ type: 'http', url: 'http://127.0.0.1:9/po', inboundToken: `${s}-inbound-token-0000000001` });
  const dir = writeMappingDir(
    { supplier: 'acme', name: 'ACME', skus: { prefixes: ['ACME-'] }, transport: http('acme'), outbound: { format: 'json', filename: 'PO_{poNumber}.json', template: '$' } },
    { supplier: 'globex', name: 'Globex', skus: { catalog: 'globex.catalog.csv' }, routing: { stockBuffer: 2 }, transport: http('globex'), outbound: { format: 'json', filename: 'PO_{poNumber}.json', template: '$' } },
  );
  writeFileSync(path.join(dir, 'globex.catalog.csv'), 'sku,supplierSku,cost\nACME-TRUCK-01,GX-TRUCK,5.00\n');
  acme = await loadMappingFile(path.join(dir, 'acme.yaml'));
  globex = await loadMappingFile(path.join(dir, 'globex.yaml'));
  t = await createTestHub({ mappings: [acme, globex], clock: () => now, env: { HUB_RETAILER_RETRY_BASE_MS: '60000' } });
  await t.retailer({ id: 'shop', shopifyShopUrl: shopify.url, shopifyAccessToken: SHOPIFY_TOKEN });
  await t.retailer({ id: 'woo', woocommerceUrl: woo.url, woocommerceKey: WOO_KEY, woocommerceSecretKey: WOO_SECRET });
  await t.retailer({ id: 'plain' });
});
afterAll(async () => {
  await t?.close();
  await shopify?.close();
  await woo?.close();
});

let n = 0;
async function feed(loaded: LoadedMapping, items: { supplierSku: string; available: number }[]) {
  const result = await receiveInboundFile(t.hub, loaded, { name: `stock-${++n}.json`, content: Buffer.from(JSON.stringify({ type: 'inventory', items })), via: 'http' });
  expect(result.status).toBe('applied');
}

describe('stock back to the stores', () => {
  it('pushes each SKU the sum over its sources minus buffers, to Shopify and to WooCommerce, looking each SKU up once', async () => {
    await feed(acme, [{ supplierSku: 'ACME-TRUCK-01', available: 5 }, { supplierSku: 'ACME-KITE-03', available: 3 }, { supplierSku: 'ACME-GONE-09', available: 1 }]);
    await feed(globex, [{ supplierSku: 'GX-TRUCK', available: 4 }]);
    const result = await pushStock(t.hub);
    expect(result.failed).toBe(0);
    // TRUCK: 5 at acme + (4 − buffer 2) at globex = 7; KITE: 3; GONE is in neither store.
    expect(shopifySets.flat().sort((a, b) => a.inventoryItemId.localeCompare(b.inventoryItemId))).toEqual([
      { inventoryItemId: 'gid://shopify/InventoryItem/101', quantity: 7 },
      { inventoryItemId: 'gid://shopify/InventoryItem/103', quantity: 3 },
    ]);
    expect(wooSets.flat().sort((a, b) => a.id - b.id)).toEqual([
      { id: 501, manage_stock: true, stock_quantity: 7 },
      { id: 503, manage_stock: true, stock_quantity: 3 },
    ]);
    const rows = await storeStock(t.hub.store.db, 'woo');
    expect(rows.find((r) => r.sku === 'ACME-GONE-09')).toMatchObject({ quantity: 1, pushedQuantity: null, storeRef: null, lastError: 'SKU not found in the woocommerce store' });
    expect(await storeStock(t.hub.store.db, 'plain')).toEqual([]);
  });

  it('is idempotent: a pass with nothing changed sends nothing; a changed SKU is pushed without a new look-up', async () => {
    const before = { shopify: shopify.requests.length, woo: woo.requests.length };
    await pushStock(t.hub);
    expect({ shopify: shopify.requests.length, woo: woo.requests.length }).toEqual(before);

    await feed(acme, [{ supplierSku: 'ACME-KITE-03', available: 2 }]);
    await feed(acme, [{ supplierSku: 'ACME-KITE-03', available: 1 }]);
    await pushStock(t.hub);
    // Two feeds, one pass: the latest figure once; the SKU's store id came from the cache.
    expect(shopifySets.at(-1)).toEqual([{ inventoryItemId: 'gid://shopify/InventoryItem/103', quantity: 1 }]);
    expect(wooSets.at(-1)).toEqual([{ id: 503, manage_stock: true, stock_quantity: 1 }]);
    const newRequests = [...shopify.requests.slice(before.shopify), ...woo.requests.slice(before.woo)];
    expect(newRequests.map((r) => (r.method === 'GET' ? 'lookup' : JSON.parse(r.body.toString()).query?.includes('productVariants') ? 'lookup' : 'set'))).not.toContain('lookup');
  });

  it('retries a failed push with back-off, and the error it keeps names no secret', async () => {
    wooFailures = 1;
    await feed(acme, [{ supplierSku: 'ACME-TRUCK-01', available: 9 }]);
    const failed = await pushStock(t.hub);
    expect(failed.failed).toBe(1);
    const row = (await storeStock(t.hub.store.db, 'woo')).find((r) => r.sku === 'ACME-TRUCK-01')!;
    expect(row).toMatchObject({ quantity: 11, pushedQuantity: 7, attempts: 1 });
    expect(row.lastError).toMatch(/503/);
    expect(row.lastError).not.toContain(WOO_SECRET);
    expect(row.lastError).not.toContain(WOO_KEY);
    // Shopify was not held up by WooCommerce's failure.
    expect(shopifySets.at(-1)).toEqual([{ inventoryItemId: 'gid://shopify/InventoryItem/101', quantity: 11 }]);

    const posts = wooSets.length;
    await pushStock(t.hub); // the back-off (60 s) has not run out
    expect(wooSets.length).toBe(posts);
    now = new Date(now.getTime() + 61_000);
    await pushStock(t.hub);
    expect(wooSets.at(-1)).toEqual([{ id: 501, manage_stock: true, stock_quantity: 11 }]);
    expect((await storeStock(t.hub.store.db, 'woo')).find((r) => r.sku === 'ACME-TRUCK-01')).toMatchObject({ pushedQuantity: 11, attempts: 0, lastError: null });
  });
});
