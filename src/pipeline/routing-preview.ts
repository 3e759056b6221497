/**
 * `hub routing preview <order.json> [--retailer <id>]` and `hub orders explain <id>`: the routing
 * decision as JSON. The preview routes a canonical order with the retailer's policy (routing.yaml)
 * and the live stock, read only (no lock, no reservation, nothing sent, nothing written); explain
 * prints what was decided for a stored order, every decision in turn.
 *
 * @example
 *   const preview = await previewRouting(hub, body, 'toyshop');
 *   // { retailer: 'toyshop', outcome: 'routed', purchaseOrders: [{ supplier, poNumber, lines }], routing: [...] }
 */
import { CanonicalOrder } from '../canonical/order.ts';
import { safeParseInput } from '../canonical/safe-parse.ts';
import { NotFoundError, ValidationError, issuesFromZod } from '../errors.ts';
import type { Hub } from '../hub.ts';
import { explainDecision, type LineExplanation } from '../routing/explain.ts';
import { describePolicy } from '../routing/policy.ts';
import { orderDecisions, orderRouting, openBackordersOf } from '../store/routing-decisions.ts';
import { liveReservations } from '../store/stock.ts';
import { decideWithStock } from './stock-routing.ts';

export interface RoutingPreview {
  retailer: string;
  /** The policy applied, in words (as `hub mappings check` prints it). */
  policy: string;
  /** routed, partial (some lines would wait), waiting, held (the order would go to exception). */
  outcome: string;
  /** Why the order would not be routed; null when it would. */
  reason: string | null;
  purchaseOrders: { supplier: string; poNumber: string; lines: { lineId: string; sku: string; supplierSku: string; quantity: number }[] }[];
  routing: LineExplanation[];
}

export async function previewRouting(hub: Hub, body: unknown, retailerId = 'preview'): Promise<RoutingPreview> {
  const parsed = safeParseInput(CanonicalOrder, body);
  if (!parsed.success) {
    const issues = issuesFromZod(parsed.error);
    throw new ValidationError(`invalid order:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`, issues);
  }
  const retailer = await hub.store.db.selectFrom('retailers').select(['id', 'name']).where('id', '=', retailerId).executeTakeFirst();
  const { routed, policy } = await decideWithStock(
    hub.store.db,
    hub,
    { orderId: 'ord_preview', retailer: retailer ?? { id: retailerId, name: 'Preview Retailer' }, order: parsed.data, createdAt: hub.clock().toISOString() },
    'read',
  );
  const decision = routed.decision;
  return {
    retailer: retailerId,
    policy: describePolicy(policy),
    outcome: decision?.outcome ?? 'held',
    reason: routed.ok ? null : routed.reason,
    purchaseOrders: routed.ok
      ? routed.purchaseOrders.map((po) => ({
          supplier: po.supplierId,
          poNumber: po.poNumber,
          lines: po.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, supplierSku: l.supplierSku, quantity: l.quantity })),
        }))
      : [],
    routing: decision ? explainDecision(decision) : [],
  };
}

/** A stored order's routing: per line the latest explanation, every decision taken, what waits and what is reserved. */
export async function explainOrder(hub: Hub, orderId: string) {
  const db = hub.store.db;
  const order = await db.selectFrom('orders').select(['id', 'status', 'status_reason', 'retailer_id']).where('id', '=', orderId).executeTakeFirst();
  if (!order) throw new NotFoundError(`order ${orderId}`);
  const [routing, decisions, backorders, reservations] = await Promise.all([orderRouting(db, orderId), orderDecisions(db, orderId), openBackordersOf(db, orderId), liveReservations(db, orderId)]);
  return {
    orderId,
    retailer: order.retailer_id,
    status: order.status,
    statusReason: order.status_reason,
    routing,
    decisions,
    backordered: backorders.map(({ lineId, sku, quantity, reason }) => ({ lineId, sku, quantity, reason })),
    reserved: reservations.map((r) => ({ lineId: r.line_id, supplier: r.supplier_id, supplierSku: r.supplier_sku, quantity: r.quantity, poId: r.po_id })),
  };
}
