/**
 * Sources: who can ship a retailer SKU, at what cost, and on which terms. A source is one
 * (supplier, retailer SKU) pair with the supplier's own SKU, a unit cost and optional priority,
 * minimum order quantity and lead time. They come from a supplier's catalog CSV
 * (`skus.catalog`, header `sku,supplierSku,cost[,priority][,minQty][,leadTimeDays]`, any column
 * order) or from its `skus.prefixes` / `skus.list` rules (supplier SKU = retailer SKU, no cost).
 *
 * The catalog is read as a stream: `readCatalog` yields validated rows one at a time, so that a
 * database bulk load can take a catalog of a million rows without holding it, and the mapping
 * loader builds today's in-memory map from the same rows (`loadCatalog`). A bad row is reported
 * with the file and its line in plain words; a file with a bad row is refused as a whole.
 *
 * @example
 *   for await (const row of readCatalog(createReadStream(file), { name: 'initech.catalog.csv' })) {
 *     await bulk.push(row);           // { sku, supplierSku, cost?, priority?, minQty?, leadTimeDays?, line }
 *   }                                  // throws CatalogError (every bad row) before the last row is used
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { HubError, errorMessage } from '../errors.ts';

/** The catalog's columns, in the order the hub writes them. `sku` and `supplierSku` are required. */
export const CATALOG_COLUMNS = ['sku', 'supplierSku', 'cost', 'priority', 'minQty', 'leadTimeDays'] as const;
export type CatalogColumn = (typeof CATALOG_COLUMNS)[number];

/** Limits on the values of a catalog row (documented in docs/routing.md). */
export const CATALOG_LIMITS = { skuLength: 128, priority: 1_000_000, minQty: 1_000_000, leadTimeDays: 3_650 } as const;

/** One validated catalog row. Optional values are absent (never `undefined`) when the cell is empty. */
export interface CatalogRow {
  sku: string;
  supplierSku: string;
  /** Unit cost, a decimal string such as "4.10". */
  cost?: string;
  /** Lower wins; overrides the supplier's `routing.priority` for this SKU. */
  priority?: number;
  /** The supplier's minimum order quantity for this SKU. */
  minQty?: number;
  leadTimeDays?: number;
  /** 1-based line of the file the row ends on. */
  line: number;
}

/** What a mapping's catalog map holds per retailer SKU (`LoadedMapping.catalog`). */
export type CatalogEntry = Omit<CatalogRow, 'sku' | 'line'>;

/** One bad row or header: the line (when known) and why, in plain words. */
export interface CatalogIssue {
  line?: number;
  message: string;
}

/** A catalog that cannot be used: every bad row, each with its line. */
export class CatalogError extends HubError {
  readonly file: string;
  readonly issues: CatalogIssue[];
  constructor(file: string, issues: CatalogIssue[], total = issues.length) {
    const more = total > issues.length ? `\n  … and ${total - issues.length} more` : '';
    super('mapping_invalid', `catalog ${file} is invalid\n${issues.map((i) => `  ${describeIssue(file, i)}`).join('\n')}${more}`, {
      details: { file, issues, total },
    });
    this.file = file;
    this.issues = issues;
  }
}

/** "catalog x.csv line 4: cost "-1" must not be negative" */
export function describeIssue(file: string, issue: CatalogIssue): string {
  return `catalog ${file}${issue.line === undefined ? '' : ` line ${issue.line}`}: ${issue.message}`;
}

export interface ReadCatalogOptions {
  /** The file name shown in messages. */
  name: string;
  /**
   * Called with each bad row (which is then left out) instead of failing at the end: for callers
   * that gather problems of their own (`hub mappings check`). Without it, the iteration throws a
   * CatalogError listing the bad rows once the file has been read, so that a bulk load in a
   * transaction rolls back and nothing of a bad catalog is used.
   */
  onIssue?: (issue: CatalogIssue) => void;
  /** At most this many issues are kept for the error (the rest are counted). Default 100. */
  maxIssues?: number;
  /**
   * Refuse a retailer SKU listed twice (default true). It keeps a set of the SKUs seen, about
   * 60 bytes a row; a bulk load into a table with a unique key may turn it off.
   */
  checkDuplicates?: boolean;
}

type Input = Readable | AsyncIterable<string | Buffer> | string;

/**
 * The rows of a catalog CSV, validated, in file order. `input` is a stream or async iterable of its
 * text, or a whole text. Blank lines are skipped; cells are trimmed of surrounding blanks.
 */
export async function* readCatalog(input: Input, options: ReadCatalogOptions): AsyncGenerator<CatalogRow> {
  const { name, onIssue, maxIssues = 100, checkDuplicates = true } = options;
  const kept: CatalogIssue[] = [];
  let total = 0;
  const report = (issue: CatalogIssue) => {
    total++;
    if (onIssue) onIssue(issue);
    else if (kept.length < maxIssues) kept.push(issue);
  };

  const parser = parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true });
  const readable = typeof input === 'string' ? Readable.from([input]) : input instanceof Readable ? input : Readable.from(input);
  readable.once('error', (error) => parser.destroy(error));
  readable.pipe(parser);

  let columns: Map<CatalogColumn, number> | undefined;
  let width = 0;
  const seen = checkDuplicates ? new Map<string, number>() : undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      if (!columns) {
        const header = readHeader(record, line);
        if ('issues' in header) {
          header.issues.forEach(report);
          break;
        }
        columns = header.columns;
        width = record.length;
        continue;
      }
      const row = readRow(record, line, columns, width);
      if (typeof row === 'string') {
        report({ line, message: row });
        continue;
      }
      if (seen) {
        const first = seen.get(row.sku);
        if (first !== undefined) {
          report({ line, message: `sku "${row.sku}" is listed twice (first on line ${first})` });
          continue;
        }
        seen.set(row.sku, line);
      }
      yield row;
    }
  } catch (error) {
    if (!isCsvError(error)) throw error; // the input could not be read: the caller's to report
    const line = (error as { lines?: unknown }).lines;
    report({ ...(typeof line === 'number' ? { line } : {}), message: csvProblem(error) });
  } finally {
    readable.unpipe(parser);
    readable.destroy();
    parser.destroy();
  }
  if (total && !onIssue) throw new CatalogError(name, kept, total);
}

/**
 * A catalog file beside a mapping, as today's in-memory map (retailer SKU → entry). Issues are
 * returned, not thrown: the mapping loader reports them with the mapping's key path.
 */
export async function loadCatalog(dir: string, name: string): Promise<{ catalog: Map<string, CatalogEntry>; issues: CatalogIssue[] }> {
  const catalog = new Map<string, CatalogEntry>();
  const issues: CatalogIssue[] = [];
  const file = path.resolve(dir, name);
  if (path.isAbsolute(name) || path.relative(dir, file).startsWith('..')) {
    return { catalog, issues: [{ message: `"${name}" must be a file name relative to the mapping's directory` }] };
  }
  try {
    for await (const { sku, line: _line, ...entry } of readCatalog(createReadStream(file), { name, onIssue: (issue) => issues.push(issue) })) {
      catalog.set(sku, entry);
    }
  } catch (error) {
    issues.push({ message: `cannot read catalog ${name}: ${errorMessage(error)}` });
  }
  return { catalog, issues };
}

function readHeader(record: string[], line: number): { columns: Map<CatalogColumn, number> } | { issues: CatalogIssue[] } {
  const columns = new Map<CatalogColumn, number>();
  const issues: CatalogIssue[] = [];
  const known = CATALOG_COLUMNS as readonly string[];
  record.forEach((name, i) => {
    if (!known.includes(name)) {
      const other = known.find((k) => k.toLowerCase() === name.toLowerCase());
      issues.push({
        line,
        message: name
          ? `unknown column "${name}"${other ? ` (did you mean "${other}"?)` : ''}; the columns are ${CATALOG_COLUMNS.join(', ')}`
          : `column ${i + 1} of the header has no name; the columns are ${CATALOG_COLUMNS.join(', ')}`,
      });
    } else if (columns.has(name as CatalogColumn)) {
      issues.push({ line, message: `column "${name}" appears twice in the header` });
    } else {
      columns.set(name as CatalogColumn, i);
    }
  });
  for (const required of ['sku', 'supplierSku'] as const) {
    if (!columns.has(required)) issues.push({ line, message: `missing column "${required}" (the header is sku,supplierSku,cost and optionally priority, minQty, leadTimeDays)` });
  }
  return issues.length ? { issues } : { columns };
}

const DECIMAL = /^\d{1,12}(\.\d{1,4})?$/;
const WHOLE = /^\d{1,9}$/;

/** A row, or why it is bad. */
function readRow(record: string[], line: number, columns: Map<CatalogColumn, number>, width: number): CatalogRow | string {
  if (record.length > width) return `${record.length} values but the header has ${width} columns`;
  const cell = (column: CatalogColumn): string => {
    const i = columns.get(column);
    return i === undefined ? '' : (record[i] ?? '');
  };
  const sku = cell('sku');
  const supplierSku = cell('supplierSku');
  if (!sku || !supplierSku) return 'sku and supplierSku must not be empty';
  for (const [column, value] of [['sku', sku], ['supplierSku', supplierSku]] as const) {
    if (value.length > CATALOG_LIMITS.skuLength) return `${column} is longer than ${CATALOG_LIMITS.skuLength} characters`;
    if (/[\u0000-\u001f\u007f]/.test(value)) return `${column} "${printable(value)}" contains a control character`;
  }
  const row: CatalogRow = { sku, supplierSku, line };

  const cost = cell('cost');
  if (cost) {
    if (cost.startsWith('-') && DECIMAL.test(cost.slice(1))) return `cost ${cost} must not be negative`;
    if (!DECIMAL.test(cost)) return `cost "${printable(cost)}" must be a decimal such as 12.50`;
    row.cost = cost;
  }
  const whole = (column: 'priority' | 'minQty' | 'leadTimeDays', min: number, max: number, what: string): string | undefined => {
    const value = cell(column);
    if (!value) return undefined;
    const n = WHOLE.test(value) ? Number(value) : Number.NaN;
    if (value.startsWith('-') && WHOLE.test(value.slice(1))) return `${column} ${value} must not be negative`;
    if (!Number.isInteger(n)) return `${column} "${printable(value)}" must be a whole number (${what})`;
    if (n < min || n > max) return `${column} ${value} must be between ${min} and ${max} (${what})`;
    row[column] = n;
    return undefined;
  };
  return (
    whole('priority', 0, CATALOG_LIMITS.priority, 'lower wins') ??
    whole('minQty', 1, CATALOG_LIMITS.minQty, 'the smallest quantity the supplier takes') ??
    whole('leadTimeDays', 0, CATALOG_LIMITS.leadTimeDays, 'days') ??
    row
  );
}

function printable(value: string): string {
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return shown.replace(/[\u0000-\u001f\u007f"]/g, (c) => (c === '"' ? '\\"' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

function isCsvError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('CSV_');
}

/** csv-parse's error, in plain words. */
function csvProblem(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted value is never closed (a " is missing)';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quoted value is followed by more text before the next comma (write "" for a quote inside quotes)';
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'text after a closing quote (write "" for a quote inside quotes)';
    default:
      return `the file is not valid CSV: ${errorMessage(error).replace(/^[A-Z][A-Za-z ]+: /, '')}`;
  }
}

// ─── Sources: what the routing decision sees ───────────────────────────────────────────────────

/** A supplier's routing terms, from its mapping's `routing` key. */
export interface SupplierTerms {
  /** Lower wins; a catalog row's own `priority` overrides it. Null: none (ranks after any). */
  priority: number | null;
  /** Per shipment (per PO), a decimal string; null: none. */
  shippingFee: string | null;
  /** Units held back from every stock figure of this supplier. */
  stockBuffer: number;
}

export const NO_TERMS: SupplierTerms = Object.freeze({ priority: null, shippingFee: null, stockBuffer: 0 });

/** One candidate for a retailer SKU: who, under which SKU, at what cost, on which terms. */
export interface Source {
  supplier: string;
  supplierSku: string;
  /** Unit cost, a decimal string; null when unknown (prefix and list rules). */
  cost: string | null;
  /** This SKU's priority at this supplier (the catalog's); null: the supplier's. */
  priority: number | null;
  minQty: number | null;
  leadTimeDays: number | null;
  terms: SupplierTerms;
}

/** The source a catalog row makes for its supplier. */
export function catalogSource(supplier: string, supplierSku: string, entry: Omit<CatalogEntry, 'supplierSku'>, terms: SupplierTerms): Source {
  return {
    supplier,
    supplierSku,
    cost: entry.cost ?? null,
    priority: entry.priority ?? null,
    minQty: entry.minQty ?? null,
    leadTimeDays: entry.leadTimeDays ?? null,
    terms,
  };
}

/** The source a prefix or list rule makes: the retailer SKU as is, nothing else known. */
export function ruleSource(supplier: string, sku: string, terms: SupplierTerms): Source {
  return { supplier, supplierSku: sku, cost: null, priority: null, minQty: null, leadTimeDays: null, terms };
}
