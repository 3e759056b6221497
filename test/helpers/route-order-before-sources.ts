/**
 * FROZEN: `routeOrder` as it was before several sources per SKU (main at 6002747), with the
 * `claims` and money helpers it used (the PO number helpers are shared: unchanged since), kept unchanged as the reference that today's routing must match when every SKU
 * has one supplier and there is no routing policy or stock (test/routing/route-order.test.ts), and
 * as the peer of bench/routing-decide.bench.ts. Do not edit.
 *
 * Order → purchase orders. Every line goes to the one supplier whose `skus` rules claim it; one PO
 * per supplier, lines renumbered from 1, retailer SKUs translated through the supplier's catalog,
 * totals computed exactly. An order with a line that no supplier claims, or that two claim, is not
 * routed at all (the order goes to `exception` with the reason): half an order shipped is worse.
 *
 * @example
 *   const routed = await routeOrder({ orderId, retailer, order, createdAt: clock.now() }, mappings);
 *   if (!routed.ok) return markException(orderId, routed.reason);
 */
import type { CanonicalOrder } from '../../src/canonical/order.ts';
import type { PurchaseOrder, PurchaseOrderLine } from '../../src/canonical/purchase-order.ts';
import type { LoadedMapping } from '../../src/config/mapping-loader.ts';
import { errorMessage } from '../../src/errors.ts';
import { poNumberFor } from '../../src/routing/po-number.ts';

interface SkuIndex {
  prefixes: readonly string[];
  list: ReadonlySet<string>;
}

const indexes = new WeakMap<LoadedMapping, SkuIndex>();

function indexOf(loaded: LoadedMapping): SkuIndex {
  let index = indexes.get(loaded);
  if (!index) {
    index = { prefixes: loaded.mapping.skus.prefixes ?? [], list: new Set(loaded.mapping.skus.list ?? []) };
    indexes.set(loaded, index);
  }
  return index;
}

function claims(loaded: LoadedMapping, sku: string): boolean {
  const index = indexOf(loaded);
  return index.list.has(sku) || loaded.catalog.has(sku) || index.prefixes.some((prefix) => sku.startsWith(prefix));
}

function suppliersFor(sku: string, mappings: readonly LoadedMapping[]): LoadedMapping[] {
  return mappings.filter((loaded) => claims(loaded, sku));
}

export interface RouteInput {
  orderId: string;
  retailer: { id: string; name: string };
  order: CanonicalOrder;
  /** ISO timestamp stamped on the POs (BEG05, ISA09): injected so that output is reproducible. */
  createdAt: string;
}

/** A line that cannot be routed: `suppliers` is empty (nobody ships it) or has several (ambiguous). */
export interface UnroutableLine {
  lineId: string;
  sku: string;
  suppliers: string[];
}

export type RouteResult =
  | { ok: true; purchaseOrders: PurchaseOrder[] }
  | { ok: false; reason: string; unroutable: UnroutableLine[] };

export async function routeOrderBeforeSources(input: RouteInput, mappings: readonly LoadedMapping[]): Promise<RouteResult> {
  const { order } = input;
  const bySupplier = new Map<LoadedMapping, CanonicalOrder['lines']>();
  const unroutable: UnroutableLine[] = [];

  for (const line of order.lines) {
    const claimed = suppliersFor(line.sku, mappings);
    if (claimed.length === 1) {
      const supplier = claimed[0]!;
      bySupplier.set(supplier, [...(bySupplier.get(supplier) ?? []), line]);
    } else {
      unroutable.push({ lineId: line.lineId, sku: line.sku, suppliers: claimed.map((m) => m.supplier) });
    }
  }
  if (unroutable.length) return { ok: false, reason: describeUnroutable(unroutable), unroutable };

  const suppliers = [...bySupplier.keys()].sort((a, b) => a.supplier.localeCompare(b.supplier));
  const split = suppliers.length > 1;
  const purchaseOrders: PurchaseOrder[] = [];
  const seen = new Map<string, string>();

  for (const loaded of suppliers) {
    let numbered: Awaited<ReturnType<typeof poNumberFor>>;
    try {
      numbered = await poNumberFor(loaded, {
        orderNumber: order.orderNumber,
        externalId: order.externalId,
        orderId: input.orderId,
        supplier: loaded.supplier,
        retailer: input.retailer,
        split,
        suppliers: suppliers.map((s) => s.supplier),
        placedAt: order.placedAt,
        createdAt: input.createdAt,
        order,
      });
    } catch (error) {
      numbered = { ok: false, reason: errorMessage(error) };
    }
    if (!numbered.ok) return { ok: false, reason: numbered.reason, unroutable: [] };
    const other = seen.get(numbered.poNumber);
    if (other) {
      return {
        ok: false,
        reason: `PO number "${numbered.poNumber}" was given to both ${other} and ${loaded.supplier}; make outbound.poNumber include the supplier`,
        unroutable: [],
      };
    }
    seen.set(numbered.poNumber, loaded.supplier);
    purchaseOrders.push(buildPurchaseOrder(input, loaded, numbered.poNumber, bySupplier.get(loaded)!));
  }
  return { ok: true, purchaseOrders };
}

function buildPurchaseOrder(
  input: RouteInput,
  loaded: LoadedMapping,
  poNumber: string,
  orderLines: CanonicalOrder['lines'],
): PurchaseOrder {
  const { order } = input;
  const lines = orderLines.map((line, i): PurchaseOrderLine => {
    const entry = loaded.catalog.get(line.sku);
    return {
      lineNumber: i + 1,
      lineId: line.lineId,
      sku: line.sku,
      supplierSku: entry?.supplierSku ?? line.sku,
      upc: null,
      title: line.title ?? null,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      cost: entry?.cost ?? null,
    };
  });
  return {
    poNumber,
    purpose: 'original',
    supplierId: loaded.supplier,
    orderId: input.orderId,
    orderNumber: order.orderNumber,
    externalId: order.externalId,
    retailer: { id: input.retailer.id, name: input.retailer.name },
    placedAt: order.placedAt,
    createdAt: input.createdAt,
    currency: order.currency,
    customer: { name: order.customer.name, email: order.customer.email ?? null, phone: order.customer.phone ?? null },
    shipTo: { ...order.shipTo },
    shipping: {
      method: order.shipping?.method ?? null,
      carrier: order.shipping?.carrier ?? null,
      serviceLevel: order.shipping?.serviceLevel ?? null,
    },
    notes: order.notes ?? null,
    lines,
    total: totalOf(lines),
  };
}

function describeUnroutable(lines: UnroutableLine[]): string {
  const unclaimed = lines.filter((l) => l.suppliers.length === 0);
  const ambiguous = lines.filter((l) => l.suppliers.length > 1);
  const parts: string[] = [];
  if (unclaimed.length) {
    parts.push(`no supplier ships SKU ${unclaimed.map((l) => `"${l.sku}" (line ${l.lineId})`).join(', ')}`);
  }
  for (const line of ambiguous) {
    parts.push(`SKU "${line.sku}" (line ${line.lineId}) is claimed by several suppliers: ${line.suppliers.join(', ')}`);
  }
  return parts.join('; ');
}

// ─── money.ts at 6002747 ───

const SCALE_DIGITS = 4;
const SCALE = 10n ** BigInt(SCALE_DIGITS);
const DECIMAL = /^(\d+)(?:\.(\d{1,4}))?$/;

/** "19.99" → 199900n (ten-thousandths). Throws on anything but a non-negative decimal with ≤ 4 places. */
function toUnits(amount: string): bigint {
  const match = DECIMAL.exec(amount);
  if (!match) throw new RangeError(`not a decimal amount: "${amount}"`);
  return BigInt(match[1]!) * SCALE + BigInt((match[2] ?? '').padEnd(SCALE_DIGITS, '0'));
}

/** 199900n → "19.99": at least two decimal places, no trailing zeros beyond them. */
function fromUnits(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / SCALE;
  let fraction = (abs % SCALE).toString().padStart(SCALE_DIGITS, '0');
  while (fraction.length > 2 && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** quantity × unit price, exactly. */
function lineAmount(quantity: number, unitPrice: string): bigint {
  return BigInt(quantity) * toUnits(unitPrice);
}

/** Σ quantity × unit price as a decimal string. */
function totalOf(lines: readonly { quantity: number; unitPrice: string }[]): string {
  return fromUnits(lines.reduce((sum, line) => sum + lineAmount(line.quantity, line.unitPrice), 0n));
}
