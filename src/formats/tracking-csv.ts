/**
 * Tracking CSV from suppliers → Shipments.
 *
 * Read with csv-parse: a UTF-8 byte-order mark, CRLF line ends, quoted fields (with commas, quotes
 * and line breaks inside), stray quotes inside unquoted cells and blank lines are fine. Columns are found by the mapping's `columns`
 * (canonical field → header name; matched exactly, then ignoring surrounding blanks and case); every
 * column the mapping names must be in the header. Without `columns`, the headers are the canonical
 * names themselves (`poNumber`, `trackingNumber`, `carrier`, …, any case).
 *
 * Rows of the same PO and tracking number become one Shipment; a row's SKU and quantity (when those
 * columns are mapped and filled) a line of it. Quantities are positive whole numbers. Cells are
 * text: a cell such as `=HYPERLINK(…)` or `'0012` is kept exactly as written, never evaluated.
 * Any bad row is a ParseError with its line number; nothing is returned from a file with one.
 *
 * The record/grouping helpers here are shared by the XML and JSON tracking readers.
 */
import { Readable } from 'node:stream';
import { parse as parseStream } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import type { Shipment, ShipmentLine } from '../canonical/inbound.ts';
import type { TrackingRuleKeys } from './tracking-rule.ts';
import { ParseError, errorMessage } from '../errors.ts';
import { InboundLimitError } from '../limits.ts';

/** The canonical fields a tracking record has. */
export const TRACKING_FIELDS = [
  'poNumber',
  'trackingNumber',
  'carrier',
  'service',
  'shippedAt',
  'sku',
  'supplierSku',
  'quantity',
] as const;
export type TrackingField = (typeof TRACKING_FIELDS)[number];

/** One row/record of a tracking file, before grouping. */
export interface TrackingRecord {
  poNumber: string;
  trackingNumbers: string[];
  carrier?: string;
  service?: string;
  shippedAt?: string;
  shipmentId?: string;
  lines: ShipmentLine[];
}

/** Where a value came from, for errors: a CSV line, an XML record, a JSON path. */
export type Where = { line?: number; segment?: number; offset?: number } & { path?: string };

function fail(format: string, message: string, where: Where, file: string | undefined): ParseError {
  const { path, ...at } = where;
  return new ParseError(format, path ? `${path}: ${message}` : message, { ...at, file });
}

/**
 * A date or timestamp as the hub stores it: YYYY-MM-DD for a date (from YYYY-MM-DD, YYYYMMDD,
 * MM/DD/YYYY or M/D/YY), the ISO form for a timestamp (`2026-11-27T14:05:00Z`,
 * `2026-11-27 14:05`). Anything else is refused.
 */
export function normalizeDate(value: string): string | undefined {
  const v = value.trim();
  let y: number;
  let m: number;
  let d: number;
  let time = '';
  let match: RegExpExecArray | null;
  if ((match = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(v))) {
    y = Number(match[1]);
    m = Number(match[2]);
    d = Number(match[3]);
    if (match[4]) {
      const [hh = '0', mm = '0', ss = '00'] = match[4].split(':');
      if (Number(hh) > 23 || Number(mm) > 59 || Number(ss.slice(0, 2)) > 60) return undefined;
      time = `T${hh.padStart(2, '0')}:${mm}${match[4].split(':').length > 2 ? `:${ss}` : ':00'}${match[5] ?? ''}`;
    }
  } else if ((match = /^(\d{4})(\d{2})(\d{2})$/.exec(v))) {
    y = Number(match[1]);
    m = Number(match[2]);
    d = Number(match[3]);
  } else if ((match = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(v))) {
    m = Number(match[1]);
    d = Number(match[2]);
    y = Number(match[3]);
    if ((match[3] as string).length === 2) y += 2000;
  } else {
    return undefined;
  }
  if (m < 1 || m > 12 || d < 1 || d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}${time}`;
}

/** A positive whole quantity ("3", "3.0"), or undefined. */
export function positiveQuantity(value: string): number | undefined {
  const m = /^\+?(\d{1,9})(?:\.0*)?$/.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return n > 0 ? n : undefined;
}

/**
 * Field values (strings, already picked from the row/record) → a TrackingRecord, or a ParseError
 * naming the field and where it was.
 */
export function trackingRecord(
  format: string,
  values: Partial<Record<TrackingField, string | string[]>>,
  names: Partial<Record<TrackingField, string>>,
  where: Where,
  file: string | undefined,
): TrackingRecord | undefined {
  const one = (f: TrackingField): string => {
    const v = values[f];
    return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
  };
  const name = (f: TrackingField): string => names[f] ?? f;
  const all = TRACKING_FIELDS.map(one);
  if (all.every((v) => v === '')) return undefined; // a blank row

  const poNumber = one('poNumber');
  if (!poNumber) throw fail(format, `${name('poNumber')} is empty`, where, file);
  const tracking = values.trackingNumber;
  const trackingNumbers = [...new Set((Array.isArray(tracking) ? tracking : [tracking ?? '']).map((t) => t.trim()).filter(Boolean))];
  if (trackingNumbers.length === 0) throw fail(format, `${name('trackingNumber')} is empty`, where, file);

  const record: TrackingRecord = { poNumber, trackingNumbers, lines: [] };
  const carrier = one('carrier');
  const service = one('service');
  const shippedAt = one('shippedAt');
  if (carrier) record.carrier = carrier;
  if (service) record.service = service;
  if (shippedAt) {
    const date = normalizeDate(shippedAt);
    if (date === undefined) {
      throw fail(format, `${name('shippedAt')} ${JSON.stringify(shippedAt)} is not a date (YYYY-MM-DD, MM/DD/YYYY or an ISO timestamp)`, where, file);
    }
    record.shippedAt = date;
  }
  const sku = one('sku');
  const supplierSku = one('supplierSku');
  const quantity = one('quantity');
  if (sku || supplierSku || quantity) {
    if (!sku && !supplierSku) {
      throw fail(format, `${name('quantity')} given without ${name(names.sku ? 'sku' : 'supplierSku')}`, where, file);
    }
    const q = positiveQuantity(quantity);
    if (q === undefined) {
      throw fail(format, `${name('quantity')} ${JSON.stringify(quantity)} is not a positive whole number`, where, file);
    }
    const line: ShipmentLine = { quantity: q };
    if (sku) line.sku = sku;
    if (supplierSku) line.supplierSku = supplierSku;
    record.lines.push(line);
  }
  return record;
}

/**
 * Records of the same PO and the same tracking number(s) → one Shipment each, in first-seen order;
 * lines for the same item are added up. Carrier, service and date: the first one given.
 */
export function groupShipments(records: readonly TrackingRecord[]): Shipment[] {
  const groups = new Map<string, Shipment>();
  // Lines by item, per shipment: a file of many rows for one shipment is read in linear time.
  const linesOf = new Map<Shipment, Map<string, ShipmentLine>>();
  for (const r of records) {
    const key = JSON.stringify([r.poNumber, [...r.trackingNumbers].sort(), r.shipmentId ?? null]);
    let s = groups.get(key);
    if (!s) {
      s = { poNumber: r.poNumber, trackingNumbers: [...r.trackingNumbers], lines: [] };
      if (r.shipmentId !== undefined) s.shipmentId = r.shipmentId;
      groups.set(key, s);
    }
    if (s.carrier === undefined && r.carrier !== undefined) s.carrier = r.carrier;
    if (s.service === undefined && r.service !== undefined) s.service = r.service;
    if (s.shippedAt === undefined && r.shippedAt !== undefined) s.shippedAt = r.shippedAt;
    let lines = linesOf.get(s);
    if (!lines) linesOf.set(s, (lines = new Map()));
    for (const line of r.lines) {
      const item = JSON.stringify([line.sku ?? null, line.supplierSku ?? null, line.lineNumber ?? null, line.upc ?? null]);
      const same = lines.get(item);
      if (same) same.quantity += line.quantity;
      else {
        const copy = { ...line };
        lines.set(item, copy);
        s.lines.push(copy);
      }
    }
  }
  return [...groups.values()];
}

export interface TrackingCsvOptions {
  /** Named in errors. */
  file?: string;
  /** Rows after the header a file may hold (src/limits.ts `recordsPerFile`); more is a ParseError. */
  maxRecords?: number;
}

type Columns = NonNullable<TrackingRuleKeys['columns']>;

function findHeader(headers: string[], wanted: string): number {
  let i = headers.indexOf(wanted);
  if (i !== -1) return i;
  const w = wanted.trim();
  i = headers.findIndex((h) => h.trim() === w);
  if (i !== -1) return i;
  const lower = w.toLowerCase();
  return headers.findIndex((h) => h.trim().toLowerCase() === lower);
}

type CsvRow = { record: string[]; info: { lines: number } };

function csvOptions(file: Pick<TrackingRuleKeys, 'delimiter'>) {
  return { bom: true, delimiter: file.delimiter ?? ',', relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true } as const;
}

function csvError(error: unknown, file: string | undefined): ParseError {
  if (error instanceof ParseError) return error;
  const line = (error as { lines?: unknown }).lines;
  return new ParseError(
    'csv',
    errorMessage(error).replace(/^Invalid Record Length: /, ''),
    { file, line: typeof line === 'number' ? line : undefined },
    { cause: error },
  );
}

/** Rows → shipments, one row at a time (so that a long file can be read in slices). */
class CsvShipmentReader {
  private index: Map<TrackingField, number> | undefined;
  private names: Partial<Record<TrackingField, string>> = {};
  private rows = 0;
  private readonly records: TrackingRecord[] = [];

  constructor(
    private readonly file: Pick<TrackingRuleKeys, 'columns'>,
    private readonly options: TrackingCsvOptions,
  ) {}

  add(row: CsvRow): void {
    if (!this.index) return this.header(row);
    if (++this.rows > (this.options.maxRecords ?? Infinity)) {
      const max = this.options.maxRecords as number;
      throw new InboundLimitError('csv', 'recordsPerFile', max, this.rows, 'this file (not read further)', { ...(this.options.file ? { file: this.options.file } : {}), line: row.info.lines });
    }
    const values: Partial<Record<TrackingField, string>> = {};
    for (const [field, i] of this.index) values[field] = row.record[i] ?? '';
    const record = trackingRecord('csv', values, this.names, { line: row.info.lines }, this.options.file);
    if (record) this.records.push(record);
  }

  private header(header: CsvRow): void {
    const headers = header.record;
    const columns: Partial<Record<TrackingField, string>> = this.file.columns
      ? (this.file.columns as Columns)
      : Object.fromEntries(
          TRACKING_FIELDS.filter((f) => findHeader(headers, f) !== -1 || f === 'poNumber' || f === 'trackingNumber').map((f) => [f, f]),
        );
    const index = new Map<TrackingField, number>();
    const missing: string[] = [];
    for (const field of TRACKING_FIELDS) {
      const name = columns[field];
      if (name === undefined) continue;
      const i = findHeader(headers, name);
      if (i === -1) missing.push(name);
      else index.set(field, i);
    }
    if (missing.length) {
      throw new ParseError(
        'csv',
        `missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => JSON.stringify(m)).join(', ')} (header: ${headers.map((h) => JSON.stringify(h)).join(', ')})`,
        { file: this.options.file, line: header.info.lines },
      );
    }
    this.index = index;
    this.names = Object.fromEntries([...index.keys()].map((f) => [f, `column ${JSON.stringify(columns[f])}`]));
  }

  finish(): Shipment[] {
    if (!this.index) throw new ParseError('csv', 'empty file: no header row', { file: this.options.file, line: 1 });
    return groupShipments(this.records);
  }
}

/** Reads a tracking CSV by the file's `columns` and `delimiter`. */
export function parseTrackingCsv(
  file: Pick<TrackingRuleKeys, 'columns' | 'delimiter'>,
  bytes: Buffer | string,
  options: TrackingCsvOptions = {},
): Shipment[] {
  let rows: CsvRow[];
  try {
    rows = parse(bytes, csvOptions(file)) as unknown as CsvRow[];
  } catch (error) {
    throw csvError(error, options.file);
  }
  const reader = new CsvShipmentReader(file, options);
  for (const row of rows) reader.add(row);
  return reader.finish();
}

/**
 * The same as parseTrackingCsv, read in slices that give the event loop back (`pause`, say
 * `setImmediate`) every `sliceBytes` of input and every `sliceRows` rows: a file of a million rows
 * never freezes the hub's API while it is read, and one over `maxRecords` stops being read there.
 */
export async function readTrackingCsv(
  file: Pick<TrackingRuleKeys, 'columns' | 'delimiter'>,
  bytes: Buffer,
  options: TrackingCsvOptions & { pause: () => Promise<void>; sliceBytes?: number; sliceRows?: number },
): Promise<Shipment[]> {
  const { pause, sliceBytes = 256 * 1024, sliceRows = 2_000 } = options;
  const chunks = (async function* () {
    for (let at = 0; at < bytes.length; at += sliceBytes) {
      yield bytes.subarray(at, at + sliceBytes);
      await pause();
    }
  })();
  const reader = new CsvShipmentReader(file, options);
  const parser = Readable.from(chunks).pipe(parseStream(csvOptions(file)));
  let n = 0;
  try {
    for await (const row of parser) {
      reader.add(row as CsvRow);
      if (++n % sliceRows === 0) await pause();
    }
  } catch (error) {
    parser.destroy();
    throw csvError(error, options.file);
  }
  return reader.finish();
}
