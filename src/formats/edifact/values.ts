/**
 * Element values shared by the message parsers: DTM dates, quantities, amounts, and the product
 * identifiers of LIN (C212) and PIA. Bad values become EdifactParseErrors pointing at the segment.
 */
import { SYNTAX_ERROR } from './errors.ts';
import type { EdifactMessage } from './message.ts';
import type { EdifactSegment } from './tokenizer.ts';

/** The message being read and a segment's index in it: where an error points. */
export interface At {
  message: EdifactMessage;
  index: number;
}

function seg(at: At): EdifactSegment {
  return at.message.segments[at.index] as EdifactSegment;
}

function validYmd(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function validTime(h: number, min: number, s = 0): boolean {
  return h <= 23 && min <= 59 && s <= 59;
}

/**
 * A DTM's C507 as an ISO date (`2026-11-27`) or local date-time (`2026-11-27T14:05`,
 * `2026-11-27T14:05:30`; EDIFACT times carry no zone, so none is added), by its format qualifier
 * 2379: 102 CCYYMMDD, 203 CCYYMMDDHHMM, 204 CCYYMMDDHHMMSS, 101 YYMMDD, 201 YYMMDDHHMM (YY as 20YY);
 * without a qualifier the value's length decides between 102, 203 and 204. Other formats are refused.
 */
export function dtmValue(at: At): string | undefined {
  const s = seg(at);
  const value = at.message.code(s, 1, 2);
  if (value === '') return undefined;
  const format = at.message.code(s, 1, 3) || ({ 8: '102', 12: '203', 14: '204' } as Record<number, string>)[value.length] || '';
  const layouts: Record<string, [number, boolean]> = { '102': [8, false], '203': [12, false], '204': [14, false], '101': [6, true], '201': [10, true] };
  const layout = layouts[format];
  if (!layout) {
    throw at.message.error(`DTM ${at.message.code(s, 1)} date format ${JSON.stringify(format)} is not one the hub reads (102, 203, 204, 101, 201)`, at.index, { code: SYNTAX_ERROR.invalidValue, element: 1, component: 3 });
  }
  const [length, shortYear] = layout;
  if (value.length !== length || !/^\d+$/.test(value)) {
    throw at.message.error(`DTM ${at.message.code(s, 1)} value ${JSON.stringify(value)} does not fit format ${format}`, at.index, { code: SYNTAX_ERROR.invalidValue, element: 1, component: 2 });
  }
  const full = shortYear ? `20${value}` : value;
  const y = Number(full.slice(0, 4));
  const m = Number(full.slice(4, 6));
  const d = Number(full.slice(6, 8));
  const h = Number(full.slice(8, 10) || '0');
  const min = Number(full.slice(10, 12) || '0');
  const sec = Number(full.slice(12, 14) || '0');
  if (!validYmd(y, m, d) || !validTime(h, min, sec)) {
    throw at.message.error(`DTM ${at.message.code(s, 1)} value ${JSON.stringify(value)} is not a date`, at.index, { code: SYNTAX_ERROR.invalidValue, element: 1, component: 2 });
  }
  const date = `${full.slice(0, 4)}-${full.slice(4, 6)}-${full.slice(6, 8)}`;
  if (full.length === 8) return date;
  return `${date}T${full.slice(8, 10)}:${full.slice(10, 12)}${full.length === 14 ? `:${full.slice(12, 14)}` : ''}`;
}

/** Whether `v` is 1-15 ASCII digits without a leading zero (the common case, read without a regex). */
function plainDigits(v: string): boolean {
  const n = v.length;
  if (n === 0 || n > 15 || (n > 1 && v.charCodeAt(0) === 48)) return false;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A number as written in EDIFACT (either decimal mark, an optional leading minus) → a normalized decimal string. */
export function decimalValue(value: string, at: At, what: string, position: { element: number; component: number }): string | undefined {
  if (plainDigits(value)) return value;
  const v = value.trim();
  if (v === '') return undefined;
  const m = /^(-?)(\d*)(?:[.,](\d*))?$/.exec(v);
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) {
    throw at.message.error(`${what} ${JSON.stringify(v)} is not a number`, at.index, { code: SYNTAX_ERROR.invalidDecimal, ...position });
  }
  const int = (m[2] ?? '').replace(/^0+(?=\d)/, '') || '0';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const sign = m[1] === '-' && (/[1-9]/.test(int) || frac !== '') ? '-' : '';
  return frac ? `${sign}${int}.${frac}` : `${sign}${int}`;
}

/** A whole, non-negative quantity ("12", "12.0", "12,000"). */
export function quantityValue(value: string, at: At, what: string, position: { element: number; component: number }): number | undefined {
  if (value.length <= 9 && plainDigits(value)) return Number(value);
  const d = decimalValue(value, at, what, position);
  if (d === undefined) return undefined;
  if (!/^\d{1,9}$/.test(d)) {
    throw at.message.error(`${what} ${JSON.stringify(value.trim())} is not a whole quantity`, at.index, { code: SYNTAX_ERROR.invalidValue, ...position });
  }
  return Number(d);
}

const QTY_POSITION = { element: 1, component: 2 };

/** A QTY segment's C186 (qualifier 6063, quantity 6060). */
export function qty(at: At): { qualifier: string; quantity: number | undefined } {
  const s = seg(at);
  const qualifier = at.message.code(s, 1, 1);
  return { qualifier, quantity: quantityValue(at.message.value(s, 1, 2), at, `QTY ${qualifier} quantity`, QTY_POSITION) };
}

/** The product identifiers the hub knows, from LIN and PIA. */
export interface ItemIds {
  /** The retailer's SKU: 7143 IN (buyer's item number) or BP (buyer's part number). */
  sku?: string;
  /** The supplier's SKU: 7143 SA (supplier's article number). */
  supplierSku?: string;
  /** GTIN/UPC: 7143 EN, UP or SRV. */
  upc?: string;
}

const UPC_TYPES = new Set(['EN', 'UP', 'SRV']);

/** The first id of each kind wins (LIN before PIA, a PIA's C212 in order). */
function assign(ids: ItemIds, type: string, value: string): void {
  if (value === '') return;
  if (type === 'SA') ids.supplierSku ??= value;
  else if (type === 'IN' || type === 'BP') ids.sku ??= value;
  else if (UPC_TYPES.has(type)) ids.upc ??= value;
}

/** LIN's item number (C212, element 3): `LIN+1++4000862141404:EN`. */
export function linIds(at: At): { lineNumber: number | undefined; ids: ItemIds } {
  const m = at.message;
  const s = seg(at);
  const raw = m.code(s, 1);
  let lineNumber: number | undefined;
  if (raw !== '') {
    if (raw.length > 6 || !plainDigits(raw.replace(/^0+(?=\d)/, ''))) throw m.error(`line item number (1082) ${JSON.stringify(raw)} is not a number`, at.index, { code: SYNTAX_ERROR.invalidValue, element: 1 });
    lineNumber = Number(raw);
  }
  const ids: ItemIds = {};
  const number = m.identifierAt(s, at.index, 3, 1, 'item number (LIN 7140)');
  assign(ids, m.code(s, 3, 2), number);
  return { lineNumber, ids };
}

/** Adds a PIA's identifiers (up to five C212, elements 2-6) to `ids`. */
export function addPiaIds(at: At, ids: ItemIds): void {
  const m = at.message;
  const s = seg(at);
  for (let e = 2; e <= Math.min(6, s.elements.length); e++) {
    const type = m.code(s, e, 2);
    if (type === '') continue;
    assign(ids, type, m.identifierAt(s, at.index, e, 1, () => `item number (PIA ${type})`));
  }
}

/** Whether an item has any id at all. */
export function hasId(ids: ItemIds): boolean {
  return ids.sku !== undefined || ids.supplierSku !== undefined || ids.upc !== undefined;
}

/** The segment's tag and (where it has one) first qualifier: `RFF+ON` → ['RFF', 'ON']. */
export function tagAndQualifier(message: EdifactMessage, s: EdifactSegment): [string, string] {
  return [s.tag, message.code(s, 1, 1)];
}
