/**
 * Stock back to the store (issue 12, item 7), so that a store does not sell what no supplier has.
 *
 * A feed marks its supplier in its own transaction (`markStockDirty`). A pass (`pushStock`) then:
 * 1. for each marked supplier, takes the retailer SKUs of its ledger rows (its catalog, or the SKU
 *    itself under its prefix and list rules), and computes each one's quantity for the store: the
 *    sum over every source of that SKU (all suppliers) of `available − reserved − stockBuffer`
 *    (never below 0); a SKU no source has a figure for is left alone;
 * 2. records it per retailer with a store (Shopify, else WooCommerce) in `store_stock`;
 * 3. pushes every SKU whose store was told something else (or nothing yet), in batches: the store's
 *    id for the SKU looked up once and kept (the cache), then the absolute quantities set. A failed
 *    batch waits `HUB_RETAILER_RETRY_BASE_MS` doubled per attempt (at most 10 minutes); a SKU the
 *    store does not have is looked up again a day later.
 *
 * Coalesced: a pass runs at most once per `HUB_STOCK_PUSH_INTERVAL_MS`, whatever number of feeds
 * came meanwhile, and pushes each SKU's latest figure once. Idempotent: the values are absolute,
 * and a SKU whose store already shows its figure is not pushed again. One process pushes at a time
 * (a lease); every process with workers runs the timer.
 */
import { errorMessage } from '../errors.ts';
import type { Hub } from '../hub.ts';
import { tryTakeLease, releaseLease } from '../jobs/lease.ts';
import { retryDelayMs } from '../notify/http-failure.ts';
import { storeStockClients, type StoreStockClient } from '../notify/store-stock.ts';
import { sourcesFor } from '../routing/claims.ts';
import {
  clearDirty,
  dirtySuppliers,
  duePushes,
  ledgerSkuPage,
  markNotPushed,
  markPushed,
  recordStoreRefs,
  setStoreStock,
  stockLevels,
} from '../store/stock-push.ts';
import type { RetailerRow } from '../store/schema.ts';
import { supplierSkus } from './inventory-feed.ts';

const PAGE = 5_000;
const MAX_DELAY_MS = 10 * 60 * 1000;
const MISSING_RETRY_MS = 24 * 60 * 60 * 1000;

export interface PushResult {
  /** Retailer SKUs whose store quantity was computed. */
  computed: number;
  pushed: number;
  failed: number;
}

/** The store quantity of each SKU (undefined: no source has a figure). */
export async function storeQuantities(hub: Hub, skus: readonly string[]): Promise<Map<string, number>> {
  const mappings = [...hub.mappings.values()];
  const sources = new Map(skus.map((sku) => [sku, sourcesFor(sku, mappings)]));
  const pairs = [...sources.values()].flat().map((s) => ({ supplier: s.supplier, supplierSku: s.supplierSku }));
  const levels = new Map<string, { available: number; reserved: number }>();
  for (const row of await stockLevels(hub.store.db, pairs)) levels.set(`${row.supplier}\u0000${row.supplierSku}`, row);
  const out = new Map<string, number>();
  for (const [sku, list] of sources) {
    let total: number | undefined;
    for (const source of list) {
      const level = levels.get(`${source.supplier}\u0000${source.supplierSku}`);
      if (!level) continue;
      total = (total ?? 0) + Math.max(0, level.available - level.reserved - source.terms.stockBuffer);
    }
    if (total !== undefined) out.set(sku, total);
  }
  return out;
}

/** The retailers with a store to push to, each with its client (Shopify first when both are set). */
async function storesToPush(hub: Hub): Promise<{ retailer: RetailerRow; client: StoreStockClient }[]> {
  const rows = await hub.store.db
    .selectFrom('retailers')
    .selectAll()
    .where((eb) => eb.or([eb('shopify_access_token', 'is not', null), eb('woocommerce_key', 'is not', null)]))
    .orderBy('id')
    .execute();
  const out: { retailer: RetailerRow; client: StoreStockClient }[] = [];
  for (const retailer of rows) {
    const client = storeStockClients(retailer, { shopifyApiVersion: hub.shopifyApiVersion })[0];
    if (client) out.push({ retailer, client });
  }
  return out;
}

/** One pass: compute what changed, push what differs. */
export async function pushStock(hub: Hub): Promise<PushResult> {
  const result: PushResult = { computed: 0, pushed: 0, failed: 0 };
  const stores = await storesToPush(hub);
  for (const { supplier, since } of await dirtySuppliers(hub.store.db)) {
    const loaded = hub.mappings.get(supplier);
    if (loaded && stores.length) {
      const index = supplierSkus(loaded);
      let after: string | null = null;
      for (;;) {
        const page = await ledgerSkuPage(hub.store.db, supplier, after, PAGE);
        if (page.length === 0) break;
        after = page[page.length - 1]!;
        const skus = [...new Set(page.flatMap((s) => index.retailerSkus(s)))];
        const quantities = await storeQuantities(hub, skus);
        result.computed += quantities.size;
        for (const { retailer } of stores) await setStoreStock(hub.store.db, retailer.id, quantities);
      }
    }
    await clearDirty(hub.store.db, supplier, since);
  }
  for (const { retailer, client } of stores) {
    const pushed = await pushDue(hub, retailer, client);
    result.pushed += pushed.pushed;
    result.failed += pushed.failed;
  }
  return result;
}

async function pushDue(hub: Hub, retailer: RetailerRow, client: StoreStockClient): Promise<{ pushed: number; failed: number }> {
  let pushed = 0;
  let failed = 0;
  for (;;) {
    const now = hub.clock();
    const due = await duePushes(hub.store.db, retailer.id, now, client.batch);
    if (due.length === 0) break;
    try {
      const unknown = due.filter((d) => d.storeRef === null).map((d) => d.sku);
      const refs = unknown.length ? await client.lookUp(unknown) : new Map<string, string>();
      await recordStoreRefs(hub.store.db, retailer.id, refs);
      const missing = unknown.filter((sku) => !refs.has(sku));
      await markNotPushed(hub.store.db, retailer.id, missing, `SKU not found in the ${client.kind} store`, new Date(now.getTime() + MISSING_RETRY_MS), false);
      const items = due.filter((d) => !missing.includes(d.sku)).map((d) => ({ sku: d.sku, ref: d.storeRef ?? refs.get(d.sku)!, quantity: d.quantity }));
      await client.setQuantities(items);
      await markPushed(hub.store.db, retailer.id, items, now);
      pushed += items.length;
    } catch (error) {
      const attempts = Math.max(...due.map((d) => d.attempts)) + 1;
      const wait = retryDelayMs(error) ?? Math.min(MAX_DELAY_MS, hub.env.HUB_RETAILER_RETRY_BASE_MS * 2 ** (attempts - 1));
      await markNotPushed(hub.store.db, retailer.id, due.map((d) => d.sku), errorMessage(error), new Date(now.getTime() + wait), true);
      hub.logger.warn({ retailer: retailer.id, store: client.kind, skus: due.length, error: errorMessage(error) }, 'stock push failed; retrying later');
      failed += due.length;
      break;
    }
  }
  return { pushed, failed };
}

/**
 * Runs `pushStock` at most once per interval: `kick()` after a feed asks for a pass (at once if the
 * last one is older than the interval, else when it is due), and a timer looks every interval for
 * retries and for feeds other processes applied.
 */
export class StockPusher {
  private timer: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastStarted = 0;
  private stopped = false;
  private readonly holder = `stock-push-${process.pid}-${Math.random().toString(36).slice(2)}`;

  constructor(private readonly hub: Hub, private readonly intervalMs: number) {}

  start(): void {
    pushers.set(this.hub, this);
    this.timer = setInterval(() => this.kick(), this.intervalMs);
    this.timer.unref();
    this.kick();
  }

  kick(): void {
    if (this.stopped || this.pending) return;
    const wait = Math.max(0, this.lastStarted + this.intervalMs - Date.now());
    this.pending = setTimeout(() => {
      this.pending = undefined;
      if (this.running) return this.kick();
      this.lastStarted = Date.now();
      this.running = this.pass().finally(() => (this.running = undefined));
    }, wait);
  }

  private async pass(): Promise<void> {
    try {
      if (!(await tryTakeLease(this.hub.store, 'stock-push', this.holder, Math.max(60_000, this.intervalMs * 2)))) return;
      try {
        await pushStock(this.hub);
      } finally {
        await releaseLease(this.hub.store, 'stock-push', this.holder);
      }
    } catch (error) {
      this.hub.logger.error({ err: error }, 'stock push pass failed');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.pending);
    pushers.delete(this.hub);
    await this.running;
  }
}

const pushers = new WeakMap<Hub, StockPusher>();

/** After a feed: ask this process's pusher, if it runs one, for a pass. */
export function kickStockPush(hub: Hub): void {
  pushers.get(hub)?.kick();
}
