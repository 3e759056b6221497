/**
 * PO numbers: what suppliers quote back on 855s, 856s and tracking files, so they must be unique
 * per supplier, short (X12 BEG03 allows 22 characters) and plain. The mapping's `outbound.poNumber`
 * JSONata template decides; without one, the order number cleaned of `#` and anything but letters,
 * digits and `-`, with `-<supplier>` appended when the order splits over several suppliers.
 */
import { evaluateExpression } from '../config/expression.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import type { CanonicalOrder } from '../canonical/order.ts';

/** What an `outbound.poNumber` template sees. */
export interface PoNumberContext {
  orderNumber: string;
  externalId: string;
  orderId: string;
  supplier: string;
  retailer: { id: string; name: string };
  /** True when the order is split over more than one supplier. */
  split: boolean;
  /** Every supplier of this order, sorted. */
  suppliers: string[];
  placedAt: string;
  createdAt: string;
  /** The number the hub would use without a template. */
  default: string;
  order: CanonicalOrder;
}

const PLAIN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$/;

export function cleanOrderNumber(value: string): string {
  return value.replace(/^#+/, '').replace(/[^A-Za-z0-9-]/g, '');
}

export function defaultPoNumber(context: Omit<PoNumberContext, 'default'>): string {
  const base = cleanOrderNumber(context.orderNumber) || cleanOrderNumber(context.externalId) || cleanOrderNumber(context.orderId);
  return context.split ? `${base}-${context.supplier}` : base;
}

/** The PO number, or an error message explaining why the template's result cannot be one. */
export async function poNumberFor(
  loaded: LoadedMapping,
  context: Omit<PoNumberContext, 'default'>,
): Promise<{ ok: true; poNumber: string } | { ok: false; reason: string }> {
  const fallback = defaultPoNumber(context);
  const expression = loaded.expressions.poNumber;
  if (!expression) return { ok: true, poNumber: fallback };
  const value = await evaluateExpression(expression, { ...context, default: fallback }, {}, loaded.supplier);
  const poNumber = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof poNumber !== 'string' || !PLAIN.test(poNumber)) {
    return {
      ok: false,
      reason: `${loaded.supplier}: outbound.poNumber gave ${JSON.stringify(value) ?? 'nothing'}; a PO number is 1-48 letters, digits, ".", "_" or "-"`,
    };
  }
  return { ok: true, poNumber };
}
