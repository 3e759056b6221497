/**
 * Order → purchase orders. Every line goes to the one supplier whose `skus` rules claim it; one PO
 * per supplier, lines renumbered from 1, retailer SKUs translated through the supplier's catalog,
 * totals computed exactly. An order with a line that no supplier claims, or that two claim, is not
 * routed at all (the order goes to `exception` with the reason): half an order shipped is worse.
 *
 * @example
 *   const routed = await routeOrder({ orderId, retailer, order, createdAt: clock.now() }, mappings);
 *   if (!routed.ok) return markException(orderId, routed.reason);
 */
import type { CanonicalOrder } from '../canonical/order.ts';
import type { PurchaseOrder, PurchaseOrderLine } from '../canonical/purchase-order.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { errorMessage } from '../errors.ts';
import { suppliersFor } from './claims.ts';
import { totalOf } from './money.ts';
import { poNumberFor } from './po-number.ts';

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

export async function routeOrder(input: RouteInput, mappings: readonly LoadedMapping[]): Promise<RouteResult> {
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

/** The cancellation of a PO already sent: same PO, purpose `cancel`, stamped with `createdAt`. */
export function toCancellation(po: PurchaseOrder, createdAt: string): PurchaseOrder {
  return { ...po, purpose: 'cancel', createdAt };
}
