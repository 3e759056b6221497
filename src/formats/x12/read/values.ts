/**
 * Element values shared by the transaction-set parsers: dates, quantities, money and the product
 * identifier pairs (`VN*<sku>*SK*<sku>…`) of LIN, PO1, IT1 and ACK. Bad values become ParseErrors
 * pointing at the segment.
 */
import { el, type Segment, type X12Set } from './reader.ts';

function allDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The set being parsed and a segment's index in it: where an error points. */
export interface At {
  set: X12Set;
  index: number;
}

function validYmd(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/**
 * An X12 date (CCYYMMDD, or YYMMDD read as 20YY) as YYYY-MM-DD; undefined when empty.
 * Anything else is refused.
 */
export function x12Date(value: string, at: At, what: string): string | undefined {
  if (value === '') return undefined;
  let y: number;
  let rest: string;
  if (/^\d{8}$/.test(value)) {
    y = Number(value.slice(0, 4));
    rest = value.slice(4);
  } else if (/^\d{6}$/.test(value)) {
    y = 2000 + Number(value.slice(0, 2));
    rest = value.slice(2);
  } else {
    throw at.set.error(`${what} ${JSON.stringify(value)} is not a date (CCYYMMDD)`, at.index);
  }
  const m = Number(rest.slice(0, 2));
  const d = Number(rest.slice(2, 4));
  if (!validYmd(y, m, d)) throw at.set.error(`${what} ${JSON.stringify(value)} is not a date`, at.index);
  return `${String(y).padStart(4, '0')}-${rest.slice(0, 2)}-${rest.slice(2, 4)}`;
}

/** A whole, non-negative quantity ("12", "12.0"); undefined when empty. */
export function x12Quantity(value: string, at: At, what: string): number | undefined {
  if (value === '') return undefined;
  if (value.length <= 9 && allDigits(value)) return Number(value);
  const m = /^(\d{1,9})(?:\.0*)?$/.exec(value);
  if (!m) throw at.set.error(`${what} ${JSON.stringify(value)} is not a whole quantity`, at.index);
  return Number(m[1]);
}

/** A decimal number as a normalized decimal string ("19.99", "-5", "0.5"); undefined when empty. */
export function x12Decimal(value: string, at: At, what: string): string | undefined {
  if (value === '') return undefined;
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(value);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) {
    throw at.set.error(`${what} ${JSON.stringify(value)} is not a number`, at.index);
  }
  const int = (m[2] ?? '').replace(/^0+(?=\d)/, '') || '0';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const sign = m[1] === '-' && (/[1-9]/.test(int) || frac !== '') ? '-' : '';
  return frac ? `${sign}${int}.${frac}` : `${sign}${int}`;
}

/**
 * An amount with two implied decimals (TDS01 "12345" is 123.45) as a decimal string.
 */
export function impliedCents(value: string, at: At, what: string): string | undefined {
  if (value === '') return undefined;
  if (value.includes('.')) return x12Decimal(value, at, what);
  const m = /^([+-]?)(\d{1,18})$/.exec(value);
  if (!m) throw at.set.error(`${what} ${JSON.stringify(value)} is not an amount`, at.index);
  const digits = (m[2] as string).padStart(3, '0');
  const int = digits.slice(0, -2).replace(/^0+(?=\d)/, '');
  const frac = digits.slice(-2);
  const zero = /^0+$/.test(digits);
  return `${m[1] === '-' && !zero ? '-' : ''}${int}.${frac}`;
}

/** A positive line number ("1", "0001"), or undefined when the value is not one. */
export function lineNumber(value: string): number | undefined {
  if (value.length === 0 || value.length > 9 || !allDigits(value)) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
}

/** The identifiers the hub matches lines on. */
export interface ItemIds {
  sku?: string;
  supplierSku?: string;
  upc?: string;
}

const SUPPLIER_QUALIFIERS = ['VN', 'VP', 'VA'];
const RETAILER_QUALIFIERS = ['SK', 'BP', 'IN', 'PI', 'CB'];
const UPC_QUALIFIERS = ['UP', 'UK', 'EN', 'UA'];

/**
 * Product/service id pairs starting at element `from` (LIN02, PO106, IT106, ACK07), written into
 * `into` when given: VN/VP the
 * supplier's SKU, SK/BP/IN/PI/CB ours, UP/UK/EN/UA the UPC/GTIN; the qualifier earlier in each list wins.
 */
export function itemIds<T extends ItemIds>(seg: Segment, from: number, into: T): T;
export function itemIds(seg: Segment, from: number): ItemIds;
export function itemIds(seg: Segment, from: number, into: ItemIds = {}): ItemIds {
  const to = seg.length - 1;
  // Rank of the qualifier taken so far for each kind (lower = preferred; 99 = none yet).
  let skuRank = 99;
  let supplierRank = 99;
  let upcRank = 99;
  const ids = into;
  for (let i = from; i + 1 <= to; i += 2) {
    const q = el(seg, i);
    if (!q) continue;
    let rank = RETAILER_QUALIFIERS.indexOf(q);
    if (rank !== -1) {
      if (rank < skuRank) {
        const v = el(seg, i + 1);
        if (v) {
          ids.sku = v;
          skuRank = rank;
        }
      }
      continue;
    }
    rank = SUPPLIER_QUALIFIERS.indexOf(q);
    if (rank !== -1) {
      if (rank < supplierRank) {
        const v = el(seg, i + 1);
        if (v) {
          ids.supplierSku = v;
          supplierRank = rank;
        }
      }
      continue;
    }
    rank = UPC_QUALIFIERS.indexOf(q);
    if (rank !== -1 && rank < upcRank) {
      const v = el(seg, i + 1);
      if (v) {
        ids.upc = v;
        upcRank = rank;
      }
    }
  }
  return ids;
}

/** The first segment with this id (and element 01 = `qualifier` when given) among `indexes`. */
export function findSegment(
  set: X12Set,
  indexes: readonly number[],
  id: string,
  qualifier?: string,
): number | undefined {
  for (const i of indexes) {
    const seg = set.segments[i] as Segment;
    if (seg[0] === id && (qualifier === undefined || el(seg, 1) === qualifier)) return i;
  }
  return undefined;
}
