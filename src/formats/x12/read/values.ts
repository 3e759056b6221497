/**
 * Element values shared by the transaction-set parsers: dates, quantities, money and the product
 * identifier pairs (`VN*<sku>*SK*<sku>…`) of LIN, PO1, IT1 and ACK.
 *
 * Each value comes in two strengths. Required data (`x12Date`, `x12Quantity`, …) that is wrong
 * refuses the set with an X12SetError pointing at the segment and element (the 997 rejects the set
 * with that AK3/AK4 detail). Optional data (`optionalDate`, `optionalQuantity`, …) that is wrong is
 * dropped with a warning on the set (kept with the document, on the order's timeline, and noted in
 * the 997 as accepted with errors); the rest of the file still applies.
 */
import type { ProductId } from '../../../canonical/inbound.ts';
import { el, type Segment, type X12Set } from './reader.ts';

function allDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The set being parsed, a segment's index in it, and the element's position and data element number. */
export interface At {
  set: X12Set;
  index: number;
  /** The element's position in the segment (DTM02 is 2). */
  element?: number;
  /** Its data element reference number (373 for a date). */
  reference?: string;
}

/** A value read, or why it cannot be: the problem and its AK403 code (6 invalid character, 8 invalid date). */
type Checked<T> = { ok: true; value: T | undefined } | { ok: false; problem: string; code: string };

function validYmd(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

function checkDate(value: string, what: string): Checked<string> {
  if (value === '') return { ok: true, value: undefined };
  let y: number;
  let rest: string;
  if (/^\d{8}$/.test(value)) {
    y = Number(value.slice(0, 4));
    rest = value.slice(4);
  } else if (/^\d{6}$/.test(value)) {
    y = 2000 + Number(value.slice(0, 2));
    rest = value.slice(2);
  } else {
    return { ok: false, problem: `${what} ${JSON.stringify(value)} is not a date (CCYYMMDD)`, code: '8' };
  }
  const m = Number(rest.slice(0, 2));
  const d = Number(rest.slice(2, 4));
  if (!validYmd(y, m, d)) return { ok: false, problem: `${what} ${JSON.stringify(value)} is not a date`, code: '8' };
  return { ok: true, value: `${String(y).padStart(4, '0')}-${rest.slice(0, 2)}-${rest.slice(2, 4)}` };
}

function checkQuantity(value: string, what: string): Checked<number> {
  if (value === '') return { ok: true, value: undefined };
  if (value.length <= 9 && allDigits(value)) return { ok: true, value: Number(value) };
  const m = /^(\d{1,9})(?:\.0*)?$/.exec(value);
  if (!m) return { ok: false, problem: `${what} ${JSON.stringify(value)} is not a whole quantity`, code: '6' };
  return { ok: true, value: Number(m[1]) };
}

function checkDecimal(value: string, what: string): Checked<string> {
  if (value === '') return { ok: true, value: undefined };
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(value);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return { ok: false, problem: `${what} ${JSON.stringify(value)} is not a number`, code: '6' };
  const int = (m[2] ?? '').replace(/^0+(?=\d)/, '') || '0';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const sign = m[1] === '-' && (/[1-9]/.test(int) || frac !== '') ? '-' : '';
  return { ok: true, value: frac ? `${sign}${int}.${frac}` : `${sign}${int}` };
}

function checkCents(value: string, what: string): Checked<string> {
  if (value === '') return { ok: true, value: undefined };
  if (value.includes('.')) return checkDecimal(value, what);
  const m = /^([+-]?)(\d{1,18})$/.exec(value);
  if (!m) return { ok: false, problem: `${what} ${JSON.stringify(value)} is not an amount`, code: '6' };
  const digits = (m[2] as string).padStart(3, '0');
  const int = digits.slice(0, -2).replace(/^0+(?=\d)/, '');
  const frac = digits.slice(-2);
  const zero = /^0+$/.test(digits);
  return { ok: true, value: `${m[1] === '-' && !zero ? '-' : ''}${int}.${frac}` };
}

function required<T>(checked: Checked<T>, at: At, value: string): T | undefined {
  if (checked.ok) return checked.value;
  throw at.set.error(checked.problem, at.index, detail(at, checked.code, value));
}

function optional<T>(checked: Checked<T>, at: At, value: string): T | undefined {
  if (checked.ok) return checked.value;
  at.set.warn(`${checked.problem}: left out`, at.index, detail(at, checked.code, value));
  return undefined;
}

function detail(at: At, code: string, value: string) {
  return at.element === undefined
    ? { code: '8' }
    : { element: at.element, code, value, ...(at.reference ? { reference: at.reference } : {}) };
}

/** An X12 date (CCYYMMDD, or YYMMDD read as 20YY) as YYYY-MM-DD; undefined when empty; else refused. */
export function x12Date(value: string, at: At, what: string): string | undefined {
  return required(checkDate(value, what), at, value);
}

/** A date the hub can do without: a bad one is dropped with a warning. */
export function optionalDate(value: string, at: At, what: string): string | undefined {
  return optional(checkDate(value, what), at, value);
}

/** A whole, non-negative quantity ("12", "12.0"); undefined when empty; else refused. */
export function x12Quantity(value: string, at: At, what: string): number | undefined {
  return required(checkQuantity(value, what), at, value);
}

/** A quantity the hub can do without: a bad one is dropped with a warning. */
export function optionalQuantity(value: string, at: At, what: string): number | undefined {
  return optional(checkQuantity(value, what), at, value);
}

/** A decimal number as a normalized decimal string ("19.99", "-5", "0.5"); undefined when empty; else refused. */
export function x12Decimal(value: string, at: At, what: string): string | undefined {
  return required(checkDecimal(value, what), at, value);
}

/** A decimal the hub can do without: a bad one is dropped with a warning. */
export function optionalDecimal(value: string, at: At, what: string): string | undefined {
  return optional(checkDecimal(value, what), at, value);
}

/** An amount with two implied decimals (TDS01 "12345" is 123.45) as a decimal string; else refused. */
export function impliedCents(value: string, at: At, what: string): string | undefined {
  return required(checkCents(value, what), at, value);
}

/** An implied-decimal amount the hub can do without: a bad one is dropped with a warning. */
export function optionalCents(value: string, at: At, what: string): string | undefined {
  return optional(checkCents(value, what), at, value);
}

/** A positive line number ("1", "0001"), or undefined when the value is not one. */
export function lineNumber(value: string): number | undefined {
  if (value.length === 0 || value.length > 9 || !allDigits(value)) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
}

/** The identifiers the hub matches lines on, and every id pair as sent. */
export interface ItemIds {
  sku?: string;
  supplierSku?: string;
  upc?: string;
  ids?: ProductId[];
}

/**
 * The product/service id qualifiers the hub reads, by the PO field each is compared with (the
 * qualifier earlier in a list wins when a line has several):
 * - the supplier's item: VN vendor's (seller's) item number, VP vendor's part number, VA vendor's
 *   style number, VC vendor's catalog number, MG manufacturer's part number;
 * - ours (the retailer's): SK stock keeping unit, BP buyer's part number, IN buyer's item number,
 *   PI purchaser's item code, CB buyer's catalog number;
 * - a standard product code: UP UPC (consumer package), EN EAN/GTIN-13, UK GTIN-14, UA UPC/EAN
 *   case code, UI/UN other U.P.C. forms, N4 NDC (5-4-2).
 * Any other qualifier is kept in `ids` (never dropped) and can be matched on by naming it in the
 * mapping's `inbound.lineMatch`.
 */
export const PRODUCT_ID_GROUPS = {
  supplierSku: ['VN', 'VP', 'VA', 'VC', 'MG'],
  sku: ['SK', 'BP', 'IN', 'PI', 'CB'],
  upc: ['UP', 'EN', 'UK', 'UA', 'UI', 'UN', 'N4'],
} as const;
export type ProductIdGroup = keyof typeof PRODUCT_ID_GROUPS;

const GROUP_OF = new Map<string, { group: ProductIdGroup; rank: number }>(
  (Object.keys(PRODUCT_ID_GROUPS) as ProductIdGroup[]).flatMap((group) =>
    PRODUCT_ID_GROUPS[group].map((q, rank) => [q, { group, rank }] as const),
  ),
);

/** The group a qualifier belongs to, or undefined for one the hub does not read. */
export function productIdGroup(qualifier: string): ProductIdGroup | undefined {
  return GROUP_OF.get(qualifier)?.group;
}

/**
 * Product/service id pairs starting at element `from` (LIN02, PO106, IT106, ACK07), written into
 * `into` when given: every pair in `ids`; the supplier's SKU, ours and a standard product code by
 * the groups of PRODUCT_ID_GROUPS. With `at`, a line that carries ids only under qualifiers the hub
 * does not read gets a warning (it still carries them in `ids`).
 */
export function itemIds<T extends ItemIds>(seg: Segment, from: number, into: T, at?: At): T;
export function itemIds(seg: Segment, from: number, into?: ItemIds, at?: At): ItemIds;
export function itemIds(seg: Segment, from: number, into: ItemIds = {}, at?: At): ItemIds {
  const to = seg.length - 1;
  const ranks: Record<ProductIdGroup, number> = { sku: 99, supplierSku: 99, upc: 99 };
  const ids = into;
  const all: ProductId[] = [];
  for (let i = from; i + 1 <= to; i += 2) {
    const q = el(seg, i);
    const v = el(seg, i + 1);
    if (!q || !v) continue;
    all.push({ qualifier: q, value: v });
    const known = GROUP_OF.get(q);
    if (known && known.rank < ranks[known.group]) {
      ids[known.group] = v;
      ranks[known.group] = known.rank;
    }
  }
  if (all.length) {
    ids.ids = all;
    if (at && ids.sku === undefined && ids.supplierSku === undefined && ids.upc === undefined) {
      at.set.warn(
        `${seg[0]} identifies its item only by ${all.map((p) => `${p.qualifier} ${JSON.stringify(p.value)}`).join(', ')}, qualifier${all.length > 1 ? 's' : ''} the hub does not read; kept as ids (match on them with inbound.lineMatch)`,
        at.index,
        null,
      );
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
