/**
 * Order → purchase orders. The routing decision (`decide.ts`) picks a source for every line among
 * the suppliers whose `skus` rules carry its SKU, by the routing policy; then one PO per supplier,
 * lines renumbered from 1, retailer SKUs translated to the source's supplier SKU, totals computed
 * exactly. Without `routing` options (no routing.yaml, no stock), a SKU with one supplier goes to
 * it exactly as before the policy existed, and one with several goes by priority, landed cost,
 * fewest shipments, then supplier id. An order with a line that no source can take is not routed
 * (the order goes to `exception` with the reason) unless the policy says `unfillable: partial`.
 *
 * @example
 *   const routed = await routeOrder({ orderId, retailer, order, createdAt: clock.now() }, mappings);
 *   if (!routed.ok) return markException(orderId, routed.reason);
 *   // with stock and the retailer's policy (the routing section of GET /v1/orders/{id}):
 *   const routed = await routeOrder({ …, routing: { policy, stock } }, mappings);
 *   explainDecision(routed.decision);
 */
import type { CanonicalOrder } from '../canonical/order.ts';
import type { PurchaseOrder, PurchaseOrderLine } from '../canonical/purchase-order.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { errorMessage } from '../errors.ts';
import { sourceLookup } from './claims.ts';
import { decide, type Allocation, type Decision, type Exclusion, type StockSnapshot } from './decide.ts';
import { lineReason } from './explain.ts';
import { totalOf } from './money.ts';
import { BUILT_IN_POLICY, type RoutingPolicy } from './policy.ts';
import { defaultPoNumber, poNumberFor } from './po-number.ts';
import type { Source } from './sources.ts';

export interface RouteInput {
  orderId: string;
  retailer: { id: string; name: string };
  order: CanonicalOrder;
  /** ISO timestamp stamped on the POs (BEG05, ISA09): injected so that output is reproducible. */
  createdAt: string;
  /** How to decide among several sources; all optional. See docs/routing.md. */
  routing?: RouteOptions;
}

export interface RouteOptions {
  /** The retailer's policy (`policyFor(policies, retailer.id)`); default: the built-in one. */
  policy?: RoutingPolicy;
  /** Stock per (supplier, supplier SKU) from the inventory ledger; default: none known. */
  stock?: StockSnapshot;
  /** Suppliers already tried per line (a reroute). */
  exclusions?: readonly Exclusion[];
  /** Route only these lines (the rest of an order routed in part; a rerouted line). Default: all. */
  lineIds?: readonly string[];
  /** The sources of a SKU (the sources table); default: the mappings' `skus` rules and catalogs. */
  sources?: (sku: string) => readonly Source[];
  /** The time stock ages are measured at; default: `createdAt`. */
  now?: Date;
}

/** A line that cannot be routed now: `suppliers` are its candidates (none: nobody carries it). */
export interface UnroutableLine {
  lineId: string;
  sku: string;
  suppliers: string[];
  /** Why, in plain words. */
  reason: string;
}

export type RouteResult =
  | {
      ok: true;
      /** One per supplier; empty when every line waits (`decision.outcome` is `waiting`). */
      purchaseOrders: PurchaseOrder[];
      /** Lines left to route later (policy `unfillable: partial`); empty otherwise. */
      waiting: UnroutableLine[];
      decision: Decision;
    }
  | { ok: false; reason: string; unroutable: UnroutableLine[]; decision?: Decision };

export async function routeOrder(input: RouteInput, mappings: readonly LoadedMapping[]): Promise<RouteResult> {
  const { order } = input;
  const options = input.routing ?? {};
  const wanted = options.lineIds ? new Set(options.lineIds) : undefined;
  const orderLines = wanted ? order.lines.filter((line) => wanted.has(line.lineId)) : order.lines;
  const policy = options.policy ?? BUILT_IN_POLICY;
  const decision = decide({
    lines: orderLines,
    sources: options.sources ?? sourceLookup(mappings),
    ...(options.stock ? { stock: options.stock } : {}),
    ...(options.exclusions ? { exclusions: options.exclusions } : {}),
    policy,
    now: options.now ?? new Date(input.createdAt),
  });

  const unroutable: UnroutableLine[] =
    decision.outcome === 'routed'
      ? []
      : decision.lines
          .filter((line) => line.status === 'unfillable')
          .map((line) => ({ lineId: line.lineId, sku: line.sku, suppliers: line.candidates.map((c) => c.supplier), reason: lineReason(line, policy) }));
  if (decision.outcome === 'held') return { ok: false, reason: describeUnroutable(unroutable), unroutable, decision };

  const bySupplier = new Map<string, { line: CanonicalOrder['lines'][number]; allocation: Allocation }[]>();
  orderLines.forEach((line, i) => {
    for (const allocation of decision.lines[i]!.allocations) {
      let lines = bySupplier.get(allocation.supplier);
      if (!lines) bySupplier.set(allocation.supplier, (lines = []));
      lines.push({ line, allocation });
    }
  });
  // Supplier ids are [a-z0-9-]: code-unit order is localeCompare's order (which the POs had before), without ICU.
  const suppliers = [...bySupplier.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const split = suppliers.length > 1;
  const purchaseOrders: PurchaseOrder[] = [];
  const seen = new Map<string, string>();

  for (const supplier of suppliers) {
    const loaded = mappings.find((m) => m.supplier === supplier);
    if (!loaded) return { ok: false, reason: `source ${supplier} has no mapping file`, unroutable: [], decision };
    const context = {
      orderNumber: order.orderNumber,
      externalId: order.externalId,
      orderId: input.orderId,
      supplier,
      retailer: input.retailer,
      split,
      suppliers,
      placedAt: order.placedAt,
      createdAt: input.createdAt,
      order,
    };
    let numbered: Awaited<ReturnType<typeof poNumberFor>>;
    if (!loaded.expressions.poNumber) {
      numbered = { ok: true, poNumber: defaultPoNumber(context) }; // what poNumberFor gives without a template, without a wait
    } else {
      try {
        numbered = await poNumberFor(loaded, context);
      } catch (error) {
        numbered = { ok: false, reason: errorMessage(error) };
      }
    }
    if (!numbered.ok) return { ok: false, reason: numbered.reason, unroutable: [], decision };
    const other = seen.get(numbered.poNumber);
    if (other) {
      return {
        ok: false,
        reason: `PO number "${numbered.poNumber}" was given to both ${other} and ${supplier}; make outbound.poNumber include the supplier`,
        unroutable: [],
        decision,
      };
    }
    seen.set(numbered.poNumber, supplier);
    purchaseOrders.push(buildPurchaseOrder(input, supplier, numbered.poNumber, bySupplier.get(supplier)!));
  }
  return { ok: true, purchaseOrders, waiting: unroutable, decision };
}

function buildPurchaseOrder(
  input: RouteInput,
  supplierId: string,
  poNumber: string,
  allocated: { line: CanonicalOrder['lines'][number]; allocation: Allocation }[],
): PurchaseOrder {
  const { order } = input;
  const lines = allocated.map(({ line, allocation }, i): PurchaseOrderLine => ({
    lineNumber: i + 1,
    lineId: line.lineId,
    sku: line.sku,
    supplierSku: allocation.supplierSku,
    upc: null,
    title: line.title ?? null,
    quantity: allocation.quantity,
    unitPrice: line.unitPrice,
    cost: allocation.cost,
  }));
  return {
    poNumber,
    purpose: 'original',
    supplierId,
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

/** Today's wording for a SKU nobody carries; the decision's reason for anything else. */
function describeUnroutable(lines: UnroutableLine[]): string {
  const unclaimed = lines.filter((l) => l.suppliers.length === 0);
  const others = lines.filter((l) => l.suppliers.length > 0);
  const parts: string[] = [];
  if (unclaimed.length) {
    parts.push(`no supplier ships SKU ${unclaimed.map((l) => `"${l.sku}" (line ${l.lineId})`).join(', ')}`);
  }
  for (const line of others) parts.push(`SKU "${line.sku}" (line ${line.lineId}): ${line.reason}`);
  return parts.join('; ');
}

/** The cancellation of a PO already sent: same PO, purpose `cancel`, stamped with `createdAt`. */
export function toCancellation(po: PurchaseOrder, createdAt: string): PurchaseOrder {
  return { ...po, purpose: 'cancel', createdAt };
}
