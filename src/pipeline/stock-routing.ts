/**
 * Routing wired to the database (issue 12): the retailer's policy from routing.yaml, the live stock
 * of every candidate read in one query per order (locked first when the policy counts stock, so that
 * two processes never take the last unit), and what a routing leaves behind in the same transaction
 * as its purchase orders: the reservations, the decision with its explanation, the lines that wait
 * (`unfillable: partial`) and the retailer's `order.backordered`.
 *
 * @example
 *   const { routed } = await decideWithStock(trx, hub, { orderId, retailer, order, createdAt }, 'lock');
 *   // … purchase orders recorded, documents returned …
 *   await recordRoutingOutcome(trx, hub, orderId, routed, documents, 'route');
 */
import type { Kysely, Transaction } from 'kysely';
import type { Hub } from '../hub.ts';
import { stockSnapshot, type Decision, type Exclusion, type StockRow } from '../routing/decide.ts';
import { explainDecision } from '../routing/explain.ts';
import { policyFor, type RoutingPolicy } from '../routing/policy.ts';
import { routeOrder, sourceLookup, type RouteInput, type RouteResult, type UnroutableLine } from '../routing/index.ts';
import { closeBackorders, openBackorders, recordDecision, type DecisionCause } from '../store/routing-decisions.ts';
import { recordEvent } from '../store/orders.ts';
import type { Database, DocumentRow } from '../store/schema.ts';
import { lockStock, readStock, reserveStock, type NewReservation, type StockKey } from '../store/stock.ts';
import { enqueueRetailerEvent } from './notify.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The candidates' stock: `lock` them for this transaction (routing), or only `read` (a preview). */
export type StockAccess = 'lock' | 'read';

export interface StockRouted {
  routed: RouteResult;
  policy: RoutingPolicy;
  stock: StockRow[];
}

/** Whether the policy decides on stock (only then are the candidates' rows locked). */
export function countsStock(policy: RoutingPolicy): boolean {
  return policy.rules.includes('in-stock');
}

/** The (supplier, supplier SKU) pairs every source of these SKUs would take stock from. */
export function candidateKeys(hub: Hub, skus: Iterable<string>): StockKey[] {
  const sources = sourceLookup([...hub.mappings.values()]);
  const keys: StockKey[] = [];
  for (const sku of new Set(skus)) for (const s of sources(sku)) keys.push({ supplier: s.supplier, supplierSku: s.supplierSku });
  return keys;
}

/**
 * Routes an order (or some of its lines) with the retailer's policy and the live stock of every
 * candidate: one statement reads the stock (after one that locks it, with `lock` and a policy that
 * counts stock). Nothing is written.
 */
export async function decideWithStock(
  db: Db,
  hub: Hub,
  input: Omit<RouteInput, 'routing'> & { lineIds?: readonly string[]; exclusions?: readonly Exclusion[] },
  access: StockAccess,
): Promise<StockRouted> {
  const policy = policyFor(hub.routing, input.retailer.id);
  const mappings = [...hub.mappings.values()];
  const wanted = input.lineIds ? new Set(input.lineIds) : undefined;
  const lines = wanted ? input.order.lines.filter((l) => wanted.has(l.lineId)) : input.order.lines;
  const keys = candidateKeys(hub, lines.map((l) => l.sku));
  const stock = access === 'lock' && countsStock(policy) && db.isTransaction ? await lockStock(db as Transaction<Database>, keys) : await readStock(db, keys);
  const { lineIds, exclusions, ...rest } = input;
  const routed = await routeOrder(
    {
      ...rest,
      routing: {
        policy,
        stock: stockSnapshot(stock),
        sources: sourceLookup(mappings),
        now: hub.clock(),
        ...(lineIds ? { lineIds } : {}),
        ...(exclusions ? { exclusions } : {}),
      },
    },
    mappings,
  );
  return { routed, policy, stock };
}

/** The reservations of a decision's allocations, each with the purchase order that carries it. */
export function reservationsOf(orderId: string, decision: Decision, documents: readonly DocumentRow[]): NewReservation[] {
  const poBySupplier = new Map(documents.filter((d) => d.po_id).map((d) => [d.supplier_id, d.po_id]));
  const reservations: NewReservation[] = [];
  for (const line of decision.lines) {
    for (const a of line.allocations) {
      reservations.push({ orderId, lineId: line.lineId, poId: poBySupplier.get(a.supplier) ?? null, supplier: a.supplier, supplierSku: a.supplierSku, quantity: a.quantity });
    }
  }
  return reservations;
}

/**
 * What a routing leaves besides its purchase orders, in their transaction: the allocations reserved
 * (against the POs of `documents`), the decision and its explanation kept, the lines that wait
 * opened as backorders (on the timeline, and `order.backordered` to the retailer) and those now
 * routed closed.
 */
export async function recordRoutingOutcome(
  trx: Transaction<Database>,
  hub: Hub,
  orderId: string,
  decision: Decision,
  waiting: readonly UnroutableLine[],
  documents: readonly DocumentRow[],
  cause: DecisionCause,
): Promise<void> {
  const now = hub.clock();
  await reserveStock(trx, reservationsOf(orderId, decision, documents), now);
  await recordDecision(trx, { orderId, cause, outcome: decision.outcome, explanation: explainDecision(decision) }, now);
  const allocated = decision.lines.filter((l) => l.status === 'allocated').map((l) => l.lineId);
  if (cause === 'backorder' && allocated.length) {
    await closeBackorders(trx, orderId, 'routed', now, allocated);
    await recordEvent(trx, orderId, { type: 'backorder_routed', cause: 'router', data: { lines: allocated } });
  }
  if (waiting.length === 0) return;
  const quantities = new Map(decision.lines.map((l) => [l.lineId, l.quantity]));
  const lines = waiting.map((w) => ({ lineId: w.lineId, sku: w.sku, quantity: quantities.get(w.lineId) ?? 0, reason: w.reason }));
  await openBackorders(trx, lines.map((l) => ({ orderId, ...l })), now);
  if (cause === 'backorder') return; // still waiting: told when they first waited
  await recordEvent(trx, orderId, { type: 'lines_backordered', cause: 'router', data: { lines } });
  await enqueueRetailerEvent(trx, hub, orderId, { type: 'order.backordered', data: { lines } });
}
