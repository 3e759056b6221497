/**
 * Inventory feeds as CSV or XML files (inbound rules with `document: inventory`) → InventoryItem[].
 *
 * The mapping names where each field is, as for tracking files: `columns` (CSV: field → header) or
 * `records` and `fields` (XML: the repeated element's dot path, field → dot path below it). The
 * fields are `supplierSku` and `available` (required), `sku` (the retailer's SKU, optional) and
 * `asOf` (when the figure holds, optional: a date or an ISO timestamp; a time without a zone is
 * UTC). Without `columns`/`fields` the headers or element names are the field names themselves.
 *
 * Every row is checked (`inventoryRow`): a supplier SKU present (at most 128 characters, no control
 * characters), `available` a whole number from 0 to 100,000,000, `asOf` a real date not more than a
 * day ahead. A file with any bad row is refused whole: one ParseError lists the first 20 bad rows,
 * each with its line, and counts the rest. Cells are text, never evaluated (`'0012` stays `'0012`).
 *
 * `readInventoryCsv` streams: rows come out in batches as the file is read, so that a feed of a
 * million rows is applied without holding it; the bad rows are thrown once the end is reached
 * (stage what you read, and use it only when the generator completes).
 *
 * @example
 *   const items = parseInventoryCsv({ columns: { supplierSku: 'Item', available: 'Qty' } }, bytes, { file: 'stock.csv' });
 *   // [{ supplierSku: 'AT-TRK-01', available: 40, line: 2 }, ...]
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { InventoryItem } from '../canonical/inbound.ts';
import { INVENTORY_COLUMN_FIELDS, type TrackingRuleKeys } from './tracking-rule.ts';
import { ParseError, errorMessage } from '../errors.ts';
import { normalizeDate } from './tracking-csv.ts';
import { LineIndex, SAFE_XML_OPTIONS, atPath, decode, guard, startLine, text } from './tracking-xml.ts';

export type InventoryField = (typeof INVENTORY_COLUMN_FIELDS)[number];

/** What a feed row may say (documented in docs/inbound-formats.md). */
export const INVENTORY_LIMITS = {
  /** More than this is taken for a mistake (a UPC in the quantity column, say). */
  maxAvailable: 100_000_000,
  skuLength: 128,
  /** An `asOf` further ahead than this is refused: it would shield the figure from every later feed. */
  futureMs: 24 * 60 * 60 * 1000,
  /** Bad rows listed in the error; the others are counted. */
  listed: 20,
} as const;

/** One bad row: its line (or record) and why, in plain words. */
export interface RowIssue {
  line?: number;
  message: string;
}

/** The issues of a refused file, as one error: `csv: 2 bad rows in stock.csv: line 3: ...`. */
export function feedError(format: string, issues: readonly RowIssue[], total: number, file: string | undefined): ParseError {
  const listed = issues.map((i) => `${i.line === undefined ? '' : `line ${i.line}: `}${i.message}`).join('; ');
  const more = total > issues.length ? `; and ${total - issues.length} more` : '';
  const message = `${total} bad row${total === 1 ? '' : 's'} in the inventory feed, nothing applied: ${listed}${more}`;
  const first = issues[0]?.line;
  return new ParseError(format, message, { file, ...(first === undefined ? {} : { line: first }) });
}

/** Text an identifier may be: not empty, bounded, no control characters. Undefined when fine. */
export function skuProblem(name: string, value: string): string | undefined {
  if (value === '') return `${name} is empty`;
  if (value.length > INVENTORY_LIMITS.skuLength) return `${name} is longer than ${INVENTORY_LIMITS.skuLength} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return `${name} ${JSON.stringify(value)} contains a control character`;
  return undefined;
}

/** A quantity available: a whole number 0..maxAvailable ("40", "40.0", "+40"), or why not. */
export function availableProblem(name: string, value: string): number | string {
  const v = value.trim();
  const m = /^\+?(\d{1,15})(?:\.0*)?$/.exec(v);
  if (!m) {
    if (/^-\s*\d/.test(v)) return `${name} ${JSON.stringify(value)} is negative`;
    return v === '' ? `${name} is empty` : `${name} ${JSON.stringify(value)} is not a whole number`;
  }
  const n = Number(m[1]);
  if (n > INVENTORY_LIMITS.maxAvailable) return `${name} ${v} is more than the hub takes for one item (${INVENTORY_LIMITS.maxAvailable.toLocaleString('en-US')})`;
  return n;
}

/** An asOf cell → ISO timestamp (UTC when the cell has no zone), or why not. */
export function asOfProblem(name: string, value: string, now: Date): string | { iso: string } {
  const d = normalizeDate(value);
  if (d === undefined) return `${name} ${JSON.stringify(value)} is not a date (YYYY-MM-DD, MM/DD/YYYY or an ISO timestamp)`;
  const withZone = /T.*(Z|[+-]\d{2}:?\d{2})$/.test(d) ? d : d.includes('T') ? `${d}Z` : `${d}T00:00:00Z`;
  const at = new Date(withZone);
  if (Number.isNaN(at.getTime())) return `${name} ${JSON.stringify(value)} is not a date`;
  if (at.getTime() - now.getTime() > INVENTORY_LIMITS.futureMs) return `${name} ${JSON.stringify(value)} is more than a day ahead of the hub's clock`;
  return { iso: at.toISOString() };
}

/**
 * Field values of one row → an InventoryItem, a string saying why not, or undefined for a blank row.
 * `names` are the mapping's column names, for the messages.
 */
export function inventoryRow(
  values: Partial<Record<InventoryField, string>>,
  names: Partial<Record<InventoryField, string>>,
  line: number | undefined,
  now: Date,
): InventoryItem | string | undefined {
  const name = (f: InventoryField) => names[f] ?? f;
  const cell = (f: InventoryField) => (values[f] ?? '').trim();
  if (INVENTORY_COLUMN_FIELDS.every((f) => cell(f) === '')) return undefined;
  const supplierSku = cell('supplierSku');
  const problems: string[] = [];
  const skuIssue = skuProblem(name('supplierSku'), supplierSku);
  if (skuIssue) problems.push(skuIssue);
  const available = availableProblem(name('available'), values.available ?? '');
  if (typeof available === 'string') problems.push(available);
  const item: InventoryItem = { supplierSku, available: typeof available === 'number' ? available : 0 };
  const sku = cell('sku');
  if (sku) {
    const issue = skuProblem(name('sku'), sku);
    if (issue) problems.push(issue);
    item.sku = sku;
  }
  const asOf = cell('asOf');
  if (asOf) {
    const at = asOfProblem(name('asOf'), asOf, now);
    if (typeof at === 'string') problems.push(at);
    else item.asOf = at.iso;
  }
  if (problems.length) return problems.join('; ');
  if (line !== undefined) item.line = line;
  return item;
}

export interface InventoryFileOptions {
  /** Named in errors. */
  file?: string;
  /** The hub's clock (tests fix it). */
  now?: Date;
}

type Rule = Pick<TrackingRuleKeys, 'columns' | 'delimiter'>;

/** Collects bad rows: the first `listed` kept, all counted. */
class Issues {
  readonly kept: RowIssue[] = [];
  total = 0;
  add(issue: RowIssue): void {
    this.total++;
    if (this.kept.length < INVENTORY_LIMITS.listed) this.kept.push(issue);
  }
}

function findHeader(headers: readonly string[], wanted: string): number {
  let i = headers.indexOf(wanted);
  if (i !== -1) return i;
  const lower = wanted.trim().toLowerCase();
  i = headers.findIndex((h) => h.trim() === wanted.trim());
  return i !== -1 ? i : headers.findIndex((h) => h.trim().toLowerCase() === lower);
}

/** The header row → where each field is, or a ParseError naming the missing columns. */
function headerIndex(rule: Rule, headers: readonly string[], file: string | undefined, line: number) {
  const names: Partial<Record<InventoryField, string>> = rule.columns
    ? (rule.columns as Partial<Record<InventoryField, string>>)
    : Object.fromEntries(INVENTORY_COLUMN_FIELDS.map((f) => [f, f]));
  const index = new Map<InventoryField, number>();
  const missing: string[] = [];
  for (const field of INVENTORY_COLUMN_FIELDS) {
    const header = names[field];
    if (!header) continue;
    const i = findHeader(headers, header);
    if (i !== -1) index.set(field, i);
    else if (rule.columns || field === 'supplierSku' || field === 'available') missing.push(`"${header}"`);
  }
  if (missing.length) {
    throw new ParseError('csv', `the header has no column ${missing.join(', ')} (it has ${headers.map((h) => JSON.stringify(h)).join(', ')})`, { file, line });
  }
  return { names, index };
}

function csvFailure(error: unknown, file: string | undefined, offset = 0): ParseError {
  const line = (error as { lines?: unknown }).lines;
  return new ParseError('csv', errorMessage(error).replace(/^Invalid Record Length: /, '').replace(/ at line \d+$/, ''), { file, line: typeof line === 'number' ? line + offset : undefined }, { cause: error });
}

const CSV_OPTIONS = { bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true } as const;

type CsvRecord = { record: string[]; info: { lines: number } };

/** Rows of one CSV, as records from csv-parse → items; bad rows go to `issues`. */
function* csvItems(records: Iterable<CsvRecord>, rule: Rule, options: InventoryFileOptions, issues: Issues): Generator<InventoryItem> {
  const now = options.now ?? new Date();
  let header: ReturnType<typeof headerIndex> | undefined;
  for (const { record, info } of records) {
    if (!header) {
      header = headerIndex(rule, record, options.file, info.lines);
      continue;
    }
    const row = csvRow(record, info.lines, header, now);
    if (typeof row === 'string') issues.add({ line: info.lines, message: row });
    else if (row) yield row;
  }
  if (!header) throw new ParseError('csv', 'empty file: no header row', { file: options.file, line: 1 });
}

function csvRow(record: readonly string[], line: number, header: ReturnType<typeof headerIndex>, now: Date) {
  const values: Partial<Record<InventoryField, string>> = {};
  for (const [field, i] of header.index) values[field] = record[i] ?? '';
  return inventoryRow(values, header.names, line, now);
}

/** Reads a whole inventory CSV. */
export function parseInventoryCsv(rule: Rule, bytes: Buffer | string, options: InventoryFileOptions = {}): InventoryItem[] {
  let records: CsvRecord[];
  try {
    records = parseSync(bytes, { ...CSV_OPTIONS, delimiter: rule.delimiter ?? ',' }) as unknown as CsvRecord[];
  } catch (error) {
    throw csvFailure(error, options.file);
  }
  const issues = new Issues();
  const items = [...csvItems(records, rule, options, issues)];
  if (issues.total) throw feedError('csv', issues.kept, issues.total, options.file);
  return items;
}

/**
 * Streams an inventory CSV: batches of items (one per chunk of the file read), memory flat whatever
 * the size. A bad row is thrown (with every other one) only once the whole file has been read.
 *
 * Lines without a quote or a lone carriage return (nearly every line of a stock feed) are split on
 * the delimiter here, which is what csv-parse makes of such a line, some twenty times faster (see
 * docs/benchmarks.md, inventory-feed); from the first line with either, the rest of the file goes
 * through csv-parse itself.
 */
export async function* readInventoryCsv(
  rule: Rule,
  source: Readable | AsyncIterable<Buffer | string>,
  options: InventoryFileOptions = {},
): AsyncGenerator<InventoryItem[]> {
  const now = options.now ?? new Date();
  const delimiter = rule.delimiter ?? ',';
  const issues = new Issues();
  const decoder = new StringDecoder('utf8');
  let header: ReturnType<typeof headerIndex> | undefined;
  let line = 0; // lines consumed by the fast path
  let tail = '';
  let first = true;
  // The slow path, once switched to: csv-parse fed with the rest of the file.
  let parser: ReturnType<typeof parse> | undefined;
  let parserError: unknown;
  let offset = 0;

  const take = (record: readonly string[], at: number, batch: InventoryItem[]) => {
    if (!header) {
      header = headerIndex(rule, record, options.file, at);
      return;
    }
    const row = csvRow(record, at, header, now);
    if (typeof row === 'string') issues.add({ line: at, message: row });
    else if (row) batch.push(row);
  };
  const drain = (batch: InventoryItem[]) => {
    let next: CsvRecord | null;
    while ((next = parser!.read() as CsvRecord | null) !== null) take(next.record, offset + next.info.lines, batch);
    if (parserError) throw csvFailure(parserError, options.file, offset);
  };
  const startParser = () => {
    parser = parse({ ...CSV_OPTIONS, bom: false, delimiter });
    parser.on('error', (error) => (parserError = error));
    offset = line;
  };

  for await (const chunk of source) {
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (first) {
      text = text.replace(/^\uFEFF/, '');
      first = false;
    }
    const batch: InventoryItem[] = [];
    if (parser) {
      parser.write(text);
      drain(batch);
    } else {
      text = tail + text;
      let start = 0;
      for (;;) {
        const end = text.indexOf('\n', start);
        if (end === -1) break;
        const raw = text.charCodeAt(end - 1) === 13 && end > start ? text.slice(start, end - 1) : text.slice(start, end);
        if (raw.includes('"') || raw.includes('\r')) {
          startParser();
          parser!.write(text.slice(start));
          drain(batch);
          start = text.length;
          break;
        }
        line++;
        if (raw !== '') take(raw.split(delimiter), line, batch);
        start = end + 1;
      }
      tail = parser ? '' : text.slice(start);
    }
    if (batch.length && !issues.total) yield batch;
  }
  const last: InventoryItem[] = [];
  const rest = tail + decoder.end();
  if (!parser && (rest.includes('"') || rest.includes('\r'))) startParser();
  if (parser) {
    if (rest) parser.write(rest);
    parser.end();
    drain(last);
    // csv-parse reports a quote left open at the end after the call that ended it.
    await new Promise<void>((resolve) => setImmediate(resolve));
    drain(last);
  }
  if (!parser && rest !== '') take(rest.split(delimiter), ++line, last);
  if (!header) throw new ParseError('csv', 'empty file: no header row', { file: options.file, line: 1 });
  if (issues.total) throw feedError('csv', issues.kept, issues.total, options.file);
  if (last.length) yield last;
}

/** Reads an inventory XML file by the rule's `records` and `fields`. */
export function parseInventoryXml(rule: Pick<TrackingRuleKeys, 'records' | 'fields'>, bytes: Buffer | string, options: InventoryFileOptions = {}): InventoryItem[] {
  const where = { file: options.file };
  if (!rule.records) throw new ParseError('xml', 'the mapping gives no `records` path for this XML file', where);
  const fields: Partial<Record<InventoryField, string>> = rule.fields ?? Object.fromEntries(INVENTORY_COLUMN_FIELDS.map((f) => [f, f]));
  for (const name of Object.keys(fields)) {
    if (!(INVENTORY_COLUMN_FIELDS as readonly string[]).includes(name)) {
      throw new ParseError('xml', `mapping field ${JSON.stringify(name)} is not one of ${INVENTORY_COLUMN_FIELDS.join(', ')}`, where);
    }
  }
  for (const required of ['supplierSku', 'available'] as const) {
    if (!fields[required]) throw new ParseError('xml', `the mapping's fields give no path for ${required}`, where);
  }
  const source = decode(bytes);
  guard(source, options.file);
  const valid = XMLValidator.validate(source);
  if (valid !== true) throw new ParseError('xml', `not well-formed: ${valid.err.msg}`, { ...where, line: valid.err.line });
  let doc: unknown;
  try {
    doc = new XMLParser(SAFE_XML_OPTIONS).parse(source);
  } catch (error) {
    throw new ParseError('xml', errorMessage(error), where, { cause: error });
  }
  const path = rule.records.split('.');
  const parentPath = path.slice(0, -1).join('.');
  if ((parentPath ? atPath(doc, parentPath) : [doc]).length === 0) {
    throw new ParseError('xml', `no <${path.join('><')}> element: the records path ${JSON.stringify(rule.records)} matches nothing`, where);
  }
  const lines = new LineIndex(source);
  const now = options.now ?? new Date();
  const issues = new Issues();
  const items: InventoryItem[] = [];
  atPath(doc, rule.records).forEach((record, n) => {
    const line = startLine(lines, record);
    const values: Partial<Record<InventoryField, string>> = {};
    for (const field of INVENTORY_COLUMN_FIELDS) {
      const p = fields[field];
      if (p) values[field] = text(atPath(record, p)[0]);
    }
    const row = inventoryRow(values, fields, line, now);
    if (typeof row === 'string') issues.add({ ...(line === undefined ? {} : { line }), message: `${rule.records}[${n + 1}]: ${row}` });
    else if (row) items.push(row);
  });
  if (issues.total) throw feedError('xml', issues.kept, issues.total, options.file);
  return items;
}
