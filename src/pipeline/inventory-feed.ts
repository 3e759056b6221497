/**
 * The one entry point for stock feeds: X12 846, the JSON `inventory` document, inventory CSV and
 * XML files and EDIFACT INVRPT all end in `applyInventoryFeed`, inside the transaction that records
 * the file. Rows are checked as they stream by, staged (COPY on PostgreSQL), and merged into the
 * ledger in one statement (src/store/inventory.ts), so that a feed of a million rows costs a few
 * statements and no memory that grows with it.
 *
 * A feed with any bad row changes nothing: an unknown SKU (one the supplier's `skus` rules and
 * catalog do not carry), a quantity below 0 or above 100,000,000, a SKU listed twice, an `asOf`
 * more than a day ahead. The error lists the first 20 bad rows with their lines (or item numbers)
 * and counts the rest; the file is quarantined with it. A feed only ever writes the rows of the
 * supplier whose mapping read it.
 *
 * @example
 *   await hub.store.db.transaction().execute((trx) =>
 *     applyInventoryFeed(trx, loaded, readInventoryCsv(rule, createReadStream(file)), {
 *       mode: 'full', asOf: new Date(), documentId, copyIn: hub.store.copyIn,
 *     }));
 */
import type { Kysely, Transaction } from 'kysely';
import type { InventoryItem } from '../canonical/inbound.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { HubError } from '../errors.ts';
import { INVENTORY_LIMITS, asOfProblem, skuProblem, type RowIssue } from '../formats/inventory-file.ts';
import type { Store } from '../store/database.ts';
import { DuplicateFeedRows, STAGE_COPY, copyLine, createFeedStage, mergeFeed, stageFeedRows, type MergeResult, type StagedRow } from '../store/inventory.ts';
import type { Database } from '../store/schema.ts';
import { markStockDirty } from '../store/stock-push.ts';

export type FeedMode = 'full' | 'delta';

export interface FeedOptions {
  /** `full`: SKUs missing from the feed go to 0; `delta` (default): only the rows listed change. */
  mode?: FeedMode;
  /** The feed's own time, for rows without one of their own (default: `now`). */
  asOf?: Date;
  /** The document the feed came in (kept on each row it sets). */
  documentId: string | null;
  /** `hub.store.copyIn`: stage with COPY (PostgreSQL). Without it, rows are staged in batches. */
  copyIn?: Store['copyIn'];
  /** The hub's clock (tests fix it). */
  now?: Date;
}

export interface FeedResult extends MergeResult {
  supplier: string;
  mode: FeedMode;
  /** Rows in the feed. */
  rows: number;
  asOf: Date;
}

/** A feed refused for its rows: nothing of it was applied. `details.issues` lists the rows (each message names its line or item). */
export class InventoryFeedError extends HubError {
  readonly issues: RowIssue[];
  constructor(supplier: string, issues: RowIssue[], total: number) {
    const listed = issues.map((i) => i.message).join('; ');
    const more = total > issues.length ? `; and ${total - issues.length} more` : '';
    super('validation_failed', `inventory feed from ${supplier}: ${total} bad row${total === 1 ? '' : 's'}, nothing applied: ${listed}${more}`, {
      details: { supplier, issues, total },
    });
    this.issues = issues;
  }
}

/** Which supplier SKUs a supplier carries (its `skus` rules and catalog), and the retailer SKUs of each. */
export interface SupplierSkus {
  carries(supplierSku: string): boolean;
  /** Whether the supplier carries this retailer SKU (a feed row may name it beside its own). */
  carriesRetail(sku: string): boolean;
  /** The retailer SKUs sold as this supplier SKU (catalog rows; by the rules, the SKU itself). */
  retailerSkus(supplierSku: string): string[];
}

const skuIndexes = new WeakMap<LoadedMapping, SupplierSkus>();

/** The supplier's SKUs, indexed once per loaded mapping. */
export function supplierSkus(loaded: LoadedMapping): SupplierSkus {
  let index = skuIndexes.get(loaded);
  if (index) return index;
  const prefixes = loaded.mapping.skus.prefixes ?? [];
  const list = new Set(loaded.mapping.skus.list ?? []);
  const byRule = (s: string) => list.has(s) || prefixes.some((p) => s.startsWith(p));
  const fromCatalog = new Map<string, string[]>();
  for (const [sku, entry] of loaded.catalog) {
    const skus = fromCatalog.get(entry.supplierSku);
    if (skus) skus.push(sku);
    else fromCatalog.set(entry.supplierSku, [sku]);
  }
  index = {
    carries: (s) => fromCatalog.has(s) || byRule(s),
    carriesRetail: (sku) => loaded.catalog.has(sku) || byRule(sku),
    retailerSkus: (s) => [...(fromCatalog.get(s) ?? []), ...(byRule(s) && !loaded.catalog.has(s) ? [s] : [])],
  };
  skuIndexes.set(loaded, index);
  return index;
}

/** A feed's time as a file or document gave it (ISO date, or a timestamp with or without a zone: UTC). */
export function feedTime(value: string): Date {
  const at = asOfProblem('asOf', value, new Date(8.64e15));
  if (typeof at === 'string') throw new HubError('validation_failed', `inventory feed: ${at}`);
  return new Date(at.iso);
}

/** Checks one feed item; a staged row, or why not. */
function checkItem(item: InventoryItem, known: SupplierSkus, feedAsOf: Date, now: Date): StagedRow | string {
  const problems: string[] = [];
  const skuIssue = skuProblem('supplierSku', item.supplierSku ?? '');
  if (skuIssue) problems.push(skuIssue);
  else if (!known.carries(item.supplierSku) && !(item.sku !== undefined && known.carriesRetail(item.sku))) problems.push(`unknown SKU "${item.supplierSku}": not in this supplier's skus rules or catalog`);
  if (item.sku !== undefined) {
    const issue = skuProblem('sku', item.sku);
    if (issue) problems.push(issue);
  }
  const available = item.available;
  if (!Number.isSafeInteger(available)) problems.push(`available ${String(available)} is not a whole number`);
  else if (available < 0) problems.push(`available ${available} is negative`);
  else if (available > INVENTORY_LIMITS.maxAvailable) problems.push(`available ${available} is more than the hub takes for one item (${INVENTORY_LIMITS.maxAvailable.toLocaleString('en-US')})`);
  let asOf = feedAsOf;
  if (item.asOf !== undefined) {
    const at = asOfProblem('asOf', item.asOf, now);
    if (typeof at === 'string') problems.push(at);
    else asOf = new Date(at.iso);
  }
  if (problems.length) return problems.join('; ');
  return { supplierSku: item.supplierSku, sku: item.sku, available, asOf, line: item.line };
}

const BATCH = 5_000;

/**
 * Applies one stock feed of one supplier inside `trx`: every row checked, staged, merged. Throws
 * InventoryFeedError (nothing applied: roll the transaction back) when any row is bad.
 */
export async function applyInventoryFeed(
  trx: Transaction<Database> | Kysely<Database>,
  loaded: LoadedMapping,
  rows: Iterable<InventoryItem> | AsyncIterable<InventoryItem | readonly InventoryItem[]>,
  options: FeedOptions,
): Promise<FeedResult> {
  const supplier = loaded.supplier;
  const now = options.now ?? new Date();
  const asOf = options.asOf ?? now;
  const mode = options.mode ?? 'delta';
  const known = supplierSkus(loaded);
  const issues: RowIssue[] = [];
  let bad = 0;
  let count = 0;
  // Rows are checked and staged a batch at a time (a readable file reader hands out batches).
  const check = (items: readonly InventoryItem[]): StagedRow[] => {
    const out: StagedRow[] = [];
    for (const item of items) {
      count++;
      const row = checkItem(item, known, asOf, now);
      if (typeof row !== 'string') {
        if (bad === 0) out.push(row);
      } else if (++bad <= INVENTORY_LIMITS.listed) {
        issues.push({ line: item.line ?? count, message: `${item.line === undefined ? 'item' : 'line'} ${item.line ?? count}: ${row}` });
      }
    }
    return bad ? [] : out;
  };
  const staged = async function* (): AsyncGenerator<StagedRow[]> {
    if (Symbol.asyncIterator in rows) {
      let single: InventoryItem[] = [];
      for await (const next of rows) {
        if (Array.isArray(next)) yield check(next);
        else if (single.push(next as InventoryItem) >= BATCH) {
          yield check(single);
          single = [];
        }
      }
      yield check(single);
    } else {
      let batch: InventoryItem[] = [];
      for (const item of rows) {
        if (batch.push(item) >= BATCH) {
          yield check(batch);
          batch = [];
        }
      }
      yield check(batch);
    }
  };

  await createFeedStage(trx);
  if (options.copyIn) {
    await options.copyIn(trx as Kysely<Database>, STAGE_COPY, (async function* () {
      for await (const batch of staged()) {
        let text = '';
        for (const row of batch) text += copyLine(row);
        if (text) yield text;
      }
    })());
  } else {
    for await (const batch of staged()) await stageFeedRows(trx, batch);
  }
  if (bad) throw new InventoryFeedError(supplier, issues, bad);

  try {
    const merged = await mergeFeed(trx, supplier, { mode, asOf, documentId: options.documentId });
    await markStockDirty(trx, supplier);
    return { supplier, mode, rows: count, asOf, ...merged };
  } catch (error) {
    if (!(error instanceof DuplicateFeedRows)) throw error;
    const listed = error.rows.map((r) => ({ message: `SKU "${r.supplierSku}" is listed more than once (${r.lines.every((l) => l !== null) ? `lines ${r.lines.join(', ')}` : `${r.lines.length} times`})` }));
    throw new InventoryFeedError(supplier, listed, listed.length);
  }
}
