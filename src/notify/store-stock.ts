/**
 * Stock back to a retailer's store: one small port, two adapters.
 *
 * - Shopify (Admin GraphQL): SKU → inventory item through `productVariants(query: "sku:…")`, the
 *   store's first location through `locations(first: 1)`, and the quantities through
 *   `inventorySetQuantities` (name `available`, reason `correction`, `ignoreCompareQuantity: true`):
 *   absolute values, so a repeat after a lost answer changes nothing.
 * - WooCommerce (REST v3, Basic auth with the key pair): SKU → product id through
 *   `GET /wp-json/wc/v3/products?sku=A,B`, and the quantities through
 *   `POST /wp-json/wc/v3/products/batch` (`update: [{ id, manage_stock: true, stock_quantity }]`, at
 *   most 100 a request, WooCommerce's own limit). Also absolute.
 *
 * Neither retries or sleeps: they throw TransportErrors (retryable or not) for the pusher to act on
 * (src/pipeline/stock-push.ts). Credentials go in headers only and never into a message.
 *
 * @example
 *   const store = storeStockClient(retailerRow, { shopifyApiVersion: '2025-10' });
 *   const refs = await store.lookUp(['TRUCK-01']);              // Map { 'TRUCK-01' => 'gid://shopify/InventoryItem/1' }
 *   await store.setQuantities([{ sku: 'TRUCK-01', ref: refs.get('TRUCK-01')!, quantity: 7 }]);
 */
import { TransportError } from '../errors.ts';
import type { RetailerRow } from '../store/schema.ts';
import { errorForNetwork, errorForStatus, excerpt } from './http-failure.ts';
import { createShopifyAdminClient, type ShopifyAdminClient } from './shopify-admin.ts';

export interface StockSetting {
  sku: string;
  /** The store's id for the SKU, from `lookUp`. */
  ref: string;
  quantity: number;
}

export interface StoreStockClient {
  kind: 'shopify' | 'woocommerce';
  /** SKUs a request may carry. */
  batch: number;
  /** SKU → the store's id for it; SKUs the store does not have are left out. */
  lookUp(skus: readonly string[]): Promise<Map<string, string>>;
  /** Sets each item's available quantity to the value given. */
  setQuantities(items: readonly StockSetting[]): Promise<void>;
}

/** The stores a retailer has stock pushed to (none, Shopify, WooCommerce or both). */
export function storeStockClients(retailer: RetailerRow, options: { shopifyApiVersion?: string; timeoutMs?: number } = {}): StoreStockClient[] {
  const clients: StoreStockClient[] = [];
  if (retailer.shopify_shop_url && retailer.shopify_access_token) {
    clients.push(shopifyStock(createShopifyAdminClient({
      baseUrl: retailer.shopify_shop_url,
      accessToken: retailer.shopify_access_token,
      ...(options.shopifyApiVersion ? { apiVersion: options.shopifyApiVersion } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    })));
  }
  if (retailer.woocommerce_url && retailer.woocommerce_key && retailer.woocommerce_secret_key) {
    clients.push(wooStock({ url: retailer.woocommerce_url, key: retailer.woocommerce_key, secret: retailer.woocommerce_secret_key, timeoutMs: options.timeoutMs ?? 15_000 }));
  }
  return clients;
}

const VARIANTS_BY_SKU = `query VariantsBySku($query: String!) {
  productVariants(first: 250, query: $query) { nodes { sku inventoryItem { id } } }
}`;

const FIRST_LOCATION = `query FirstLocation { locations(first: 1) { nodes { id } } }`;

const SET_QUANTITIES = `mutation SetAvailable($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) { userErrors { code field message } }
}`;

/** A SKU inside a Shopify search query: quoted, with quotes and backslashes escaped. */
function searchTerm(sku: string): string {
  return `sku:"${sku.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function shopifyStock(admin: ShopifyAdminClient): StoreStockClient {
  let location: string | undefined;
  return {
    kind: 'shopify',
    batch: 100,
    async lookUp(skus) {
      const data = (await admin.graphql('productVariants', VARIANTS_BY_SKU, { query: skus.map(searchTerm).join(' OR ') })) as {
        productVariants?: { nodes?: { sku?: string | null; inventoryItem?: { id?: string } | null }[] };
      } | null;
      const wanted = new Set(skus);
      const found = new Map<string, string>();
      // Shopify's search is loose (prefixes, case): only exact SKUs count.
      for (const node of data?.productVariants?.nodes ?? []) {
        if (node.sku && wanted.has(node.sku) && node.inventoryItem?.id && !found.has(node.sku)) found.set(node.sku, node.inventoryItem.id);
      }
      return found;
    },
    async setQuantities(items) {
      if (items.length === 0) return;
      if (!location) {
        const data = (await admin.graphql('locations', FIRST_LOCATION, {})) as { locations?: { nodes?: { id: string }[] } } | null;
        location = data?.locations?.nodes?.[0]?.id;
        if (!location) throw new TransportError('transport_rejected', 'Shopify store has no location to hold stock');
      }
      const data = (await admin.graphql('inventorySetQuantities', SET_QUANTITIES, {
        input: {
          name: 'available',
          reason: 'correction',
          ignoreCompareQuantity: true,
          quantities: items.map((i) => ({ inventoryItemId: i.ref, locationId: location, quantity: i.quantity })),
        },
      })) as { inventorySetQuantities?: { userErrors?: { code?: string; field?: string[]; message?: string }[] } } | null;
      const errors = data?.inventorySetQuantities?.userErrors ?? [];
      if (errors.length) {
        throw new TransportError('transport_rejected', `Shopify inventorySetQuantities: ${errors.map((e) => e.message ?? e.code ?? 'error').join('; ')}`, { details: { errors } });
      }
    },
  };
}

interface WooConfig {
  url: string;
  key: string;
  secret: string;
  timeoutMs: number;
}

function wooStock(config: WooConfig): StoreStockClient {
  const base = `${config.url.replace(/\/+$/, '')}/wp-json/wc/v3`;
  const authorization = `Basic ${Buffer.from(`${config.key}:${config.secret}`).toString('base64')}`;
  async function call(what: string, url: string, init: { method: string; body?: unknown }): Promise<unknown> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: init.method,
        redirect: 'manual',
        signal: AbortSignal.timeout(config.timeoutMs),
        headers: { accept: 'application/json', authorization, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      text = await response.text();
    } catch (error) {
      throw errorForNetwork(what, url, error, config.timeoutMs);
    }
    if (response.status < 200 || response.status > 299) throw errorForStatus(what, response, { url, body: text });
    try {
      return JSON.parse(text);
    } catch {
      throw new TransportError('transport_failed', `${what}: the answer is not JSON`, { details: { url, status: response.status, body: excerpt(text) }, retryable: true });
    }
  }
  return {
    kind: 'woocommerce',
    batch: 100,
    async lookUp(skus) {
      const url = `${base}/products?${new URLSearchParams({ sku: skus.join(','), per_page: '100' })}`;
      const products = await call('WooCommerce products', url, { method: 'GET' });
      const wanted = new Set(skus);
      const found = new Map<string, string>();
      for (const p of Array.isArray(products) ? (products as { id?: number; sku?: string }[]) : []) {
        if (p.sku && wanted.has(p.sku) && typeof p.id === 'number' && !found.has(p.sku)) found.set(p.sku, String(p.id));
      }
      return found;
    },
    async setQuantities(items) {
      if (items.length === 0) return;
      const answer = (await call('WooCommerce products/batch', `${base}/products/batch`, {
        method: 'POST',
        body: { update: items.map((i) => ({ id: Number(i.ref), manage_stock: true, stock_quantity: i.quantity })) },
      })) as { update?: { id?: number; error?: { message?: string } }[] } | null;
      const failed = (answer?.update ?? []).filter((u) => u.error);
      if (failed.length) {
        throw new TransportError('transport_rejected', `WooCommerce products/batch: ${failed.map((u) => `product ${u.id}: ${u.error?.message ?? 'error'}`).join('; ')}`, { details: { failed } });
      }
    },
  };
}
