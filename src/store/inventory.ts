/**
 * The inventory ledger's writes: what each supplier's feeds say it has, per (supplier, supplier
 * SKU), stamped with the feed's own time. A feed is staged whole into a temporary table (COPY on
 * PostgreSQL, batches of rows on PGlite), then merged in one statement, so that a feed of a million
 * rows is a handful of statements in one transaction and never held in memory.
 *
 * The rules the merge keeps: a figure is replaced only by one at least as recent (an older feed,
 * arriving late, never overwrites newer stock); a `full` feed sets the supplier's SKUs it does not
 * list to 0, as of the feed's time (again, not those holding a newer figure); a `delta` feed touches
 * only what it lists. Every statement is scoped to one supplier: a feed can change no other
 * supplier's stock.
 *
 * @example
 *   await createFeedStage(trx);
 *   await stageFeedRows(trx, [{ supplierSku: 'AT-TRK-01', available: 40, asOf, line: 2 }]);
 *   const merged = await mergeFeed(trx, 'acme-toys', { mode: 'full', asOf, documentId });
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** One staged row: a supplier SKU and its figure, as of a time. */
export interface StagedRow {
  supplierSku: string;
  sku?: string | undefined;
  available: number;
  asOf: Date;
  /** Its line in the file, for messages. */
  line?: number | undefined;
}

type Db = Kysely<Database> | Transaction<Database>;

const STAGE = 'inventory_feed_stage';

/** The COPY statement that fills the stage (text format, columns in this order). */
export const STAGE_COPY = `copy ${STAGE} (supplier_sku, sku, available, as_of, line) from stdin`;

/** A fresh, empty stage for this transaction (dropped at commit). */
export async function createFeedStage(db: Db): Promise<void> {
  await sql`drop table if exists ${sql.raw(STAGE)}`.execute(db);
  await sql`create temp table ${sql.raw(STAGE)} (supplier_sku text not null, sku text, available integer not null, as_of timestamptz not null, line integer) on commit drop`.execute(db);
}

/** Stages rows with one statement (arrays unnested): for PGlite and for small feeds. */
export async function stageFeedRows(db: Db, rows: readonly StagedRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into ${sql.raw(STAGE)} (supplier_sku, sku, available, as_of, line)
    select * from unnest(${rows.map((r) => r.supplierSku)}::text[], ${rows.map((r) => r.sku ?? null)}::text[],
      ${rows.map((r) => r.available)}::int[], ${rows.map((r) => r.asOf.toISOString())}::timestamptz[], ${rows.map((r) => r.line ?? null)}::int[])`.execute(db);
}

let lastDate: Date | undefined;
let lastIso = '';

/** One row as a line of COPY's text format. */
export function copyLine(row: StagedRow): string {
  // The rows of a feed share its time: the same Date is written out once.
  if (row.asOf !== lastDate) {
    lastDate = row.asOf;
    lastIso = row.asOf.toISOString();
  }
  return `${copyText(row.supplierSku)}\t${row.sku === undefined ? '\\N' : copyText(row.sku)}\t${row.available}\t${lastIso}\t${row.line ?? '\\N'}\n`;
}

function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : value;
}

export interface MergeOptions {
  mode: 'full' | 'delta';
  /** The feed's own time: rows without their own take it, and a full feed's zeros carry it. */
  asOf: Date;
  documentId: string | null;
}

export interface MergeResult {
  /** Rows written (new or replaced). */
  written: number;
  /** Rows of the feed left alone because the ledger holds a newer figure. */
  olderKept: number;
  /** SKUs a full feed set to 0 (not in the feed). */
  zeroed: number;
}

/** A supplier SKU the feed lists more than once, with its lines. */
export interface DuplicateRow {
  supplierSku: string;
  lines: (number | null)[];
}

/**
 * Merges the stage into the ledger for one supplier. Throws `DuplicateFeedRows` (after rolling the
 * merge back to its savepoint) when the feed lists a supplier SKU twice.
 */
export async function mergeFeed(db: Db, supplier: string, options: MergeOptions): Promise<MergeResult> {
  const staged = await sql<{ n: string }>`select count(*) as n from ${sql.raw(STAGE)}`.execute(db);
  const total = Number(staged.rows[0]?.n ?? 0);
  await sql`savepoint inventory_feed_merge`.execute(db);
  let written: number;
  try {
    const merged = await sql`insert into inventory as i (supplier_id, supplier_sku, sku, available, updated_at, as_of, document_id)
      select ${supplier}, s.supplier_sku, s.sku, s.available, now(), s.as_of, ${options.documentId} from ${sql.raw(STAGE)} s
      on conflict (supplier_id, supplier_sku) do update
        set available = excluded.available, sku = coalesce(excluded.sku, i.sku), updated_at = excluded.updated_at,
            as_of = excluded.as_of, document_id = excluded.document_id
        where i.as_of is null or i.as_of <= excluded.as_of`.execute(db);
    written = Number(merged.numAffectedRows ?? 0n);
  } catch (error) {
    // 21000: ON CONFLICT DO UPDATE cannot affect a row twice: the feed lists a SKU twice.
    if ((error as { code?: unknown }).code !== '21000') throw error;
    await sql`rollback to savepoint inventory_feed_merge`.execute(db);
    const dups = await sql<{ supplier_sku: string; lines: (number | null)[] }>`
      select supplier_sku, array_agg(line order by line) as lines from ${sql.raw(STAGE)}
      group by supplier_sku having count(*) > 1 order by min(line) limit 20`.execute(db);
    throw new DuplicateFeedRows(dups.rows.map((r) => ({ supplierSku: r.supplier_sku, lines: r.lines })));
  }
  await sql`release savepoint inventory_feed_merge`.execute(db);
  let zeroed = 0;
  if (options.mode === 'full') {
    const zero = await sql`update inventory i set available = 0, as_of = ${options.asOf.toISOString()}::timestamptz, updated_at = now(), document_id = ${options.documentId}
      where i.supplier_id = ${supplier} and (i.as_of is null or i.as_of <= ${options.asOf.toISOString()}::timestamptz)
        and not exists (select 1 from ${sql.raw(STAGE)} s where s.supplier_sku = i.supplier_sku)`.execute(db);
    zeroed = Number(zero.numAffectedRows ?? 0n);
  }
  return { written, olderKept: total - written, zeroed };
}

/** Raised by mergeFeed; the caller turns it into its own error with the lines. */
export class DuplicateFeedRows extends Error {
  constructor(readonly rows: DuplicateRow[]) {
    super(`the feed lists ${rows.map((r) => r.supplierSku).join(', ')} more than once`);
  }
}

/** One supplier's figure for a supplier SKU (for tests, the CLI and the stock push). */
export interface StockFigure {
  supplierSku: string;
  sku: string | null;
  available: number;
  asOf: Date | null;
  documentId: string | null;
}

/** The figures of one supplier for these supplier SKUs (all of them when `skus` is not given). */
export async function stockFigures(db: Db, supplier: string, skus?: readonly string[]): Promise<StockFigure[]> {
  if (skus && skus.length === 0) return [];
  let query = db
    .selectFrom('inventory')
    .select(['supplier_sku', 'sku', 'available', 'as_of', 'document_id'])
    .where('supplier_id', '=', supplier);
  if (skus) query = query.where('supplier_sku', 'in', skus);
  const rows = await query.orderBy('supplier_sku').execute();
  return rows.map((r) => ({
    supplierSku: r.supplier_sku,
    sku: r.sku,
    available: r.available,
    asOf: r.as_of === null ? null : new Date(r.as_of as unknown as string),
    documentId: r.document_id,
  }));
}
