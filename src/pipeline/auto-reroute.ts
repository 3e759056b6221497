/**
 * Automatic reroute (issue 12 item 6). When a supplier's 855 rejects a line, when a backordered line
 * is still not shipped once the retailer's `backorderTolerance` has passed, or when the supplier
 * stays silent past its 997/855 deadline, the line leaves that supplier: the routing decision is
 * made again for it without the suppliers it has already been at (`exclusions`), up to the policy's
 * `maxReroutes`. In the caller's transaction, so that all of it is one commit through the outbox:
 * the first supplier's cancellation (its format's own: X12 850 with BEG01 `01`, a mapping's
 * `cancelTemplate`), the new supplier's purchase order, the record of the move, the timeline and the
 * order's status. A crash anywhere before the commit leaves nothing; after it, the outbox delivers
 * both documents exactly once. With no source left the order goes to `exception` and the retailer
 * gets `order.exception` with code `no_source_left`.
 *
 * @example
 *   // in the transaction that applies an 855 (apply.ts):
 *   const handled = await rerouteRejectedLines(trx, hub, loaded, poRow, ack, `supplier file ${name}`);
 *   // in the overdue check (expectations.ts), once the deadline is claimed:
 *   await rerouteLines(trx, hub, locked, { lines: 'unshipped', reason: 'no 855 within 24 h', trigger: 'no_855', cause });
 */
import type { Transaction } from 'kysely';
import type { Acknowledgment } from '../canonical/inbound.ts';
import type { CanonicalOrder } from '../canonical/order.ts';
import type { PurchaseOrder, PurchaseOrderLine } from '../canonical/purchase-order.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { crashPoint } from '../crash.ts';
import { errorMessage } from '../errors.ts';
import { renderOutbound, usesControlNumbers } from '../formats/outbound.ts';
import type { Hub } from '../hub.ts';
import { NO_SOURCE_LEFT, noSourceLeftReason } from '../notify/reroute-reasons.ts';
import { explainDecision, routeOrder, sourceLookup, stockSnapshot, toCancellation, totalOf, type Exclusion } from '../routing/index.ts';
import { policyFor, type RoutingPolicy } from '../routing/policy.ts';
import { newId } from '../store/ids.ts';
import { recordEvent, setOrderStatus } from '../store/orders.ts';
import {
  cancelExpectations,
  insertReroutedPurchaseOrder,
  keepPurchaseOrderLines,
  lastAcknowledgmentLines,
  linesMovedFrom,
  lockOrderAndPurchaseOrder,
  poNumbersLike,
  recordLineReroutes,
  setPurchaseOrderStatus,
  triedSuppliers,
  withdrawUnsentPurchaseOrder,
  type LockedOrderAndPo,
  type RerouteTrigger,
} from '../store/reroutes.ts';
import type { Database } from '../store/schema.ts';
import { lockStock, readStock, releaseReservations, reserveStock, type NewReservation } from '../store/stock.ts';
import { matchLine } from './apply.ts';
import { expectBackorderShipped } from './expectations.ts';
import { enqueueRetailerEvent } from './notify.ts';
import { syncOrderStatus } from './order-status.ts';
import { PREVIEW_CONTROL_NUMBERS } from './preview.ts';
import { enqueuePurchaseOrder } from './route.ts';

/** A line to move, by its number on the purchase order, and why (in plain words, for the timeline and the explanation). */
export interface MovingLine {
  lineNumber: number;
  reason: string;
}

export interface RerouteRequest {
  /** The lines to move; `unshipped`: every line of the PO with nothing shipped, each for `reason`. */
  lines: 'unshipped' | readonly MovingLine[];
  reason?: string;
  trigger: RerouteTrigger;
  /** The timeline's cause: `supplier file x.855`, `expected-document ledger`. */
  cause: string;
}

export type RerouteOutcome =
  /** The retailer's policy moves nothing by itself (`maxReroutes: 0`, the default). */
  | { kind: 'off' }
  /** No line to move: shipped already, moved before, or the PO is closed. */
  | { kind: 'nothing' }
  | {
      kind: 'done';
      moved: { lineId: string; to: { supplier: string; poNumber: string }[] }[];
      /** Lines no other source could take: the order is in exception. */
      stranded: { lineId: string; sku: string; why: string }[];
    };

/** The policy a reroute follows: the order's retailer's. */
export function reroutePolicy(hub: Hub, retailerId: string): RoutingPolicy {
  return policyFor(hub.routing, retailerId);
}

/** Purchase-order states a line can still leave (anything shipped stays; a closed PO has nothing to move). */
const MOVABLE = new Set(['pending', 'sent', 'acknowledged', 'backordered', 'partially_shipped', 'rejected']);

/**
 * Moves lines of one purchase order to their next source, in the caller's transaction (which
 * `locked` came from: the order's and the PO's row locks are held). See the module comment.
 */
export async function rerouteLines(trx: Transaction<Database>, hub: Hub, locked: LockedOrderAndPo, request: RerouteRequest): Promise<RerouteOutcome> {
  const { order, po: row } = locked;
  const policy = reroutePolicy(hub, order.retailerId);
  if (policy.maxReroutes === 0) return { kind: 'off' };
  const from = hub.mappings.get(row.supplier_id);
  if (order.status === 'cancelled' || !MOVABLE.has(row.status) || !from) return { kind: 'nothing' };

  const po = row.data as PurchaseOrder;
  const movedBefore = await linesMovedFrom(trx, row.id);
  const shipped = row.shipped ?? {};
  const wanted: readonly MovingLine[] =
    request.lines === 'unshipped' ? po.lines.map((l) => ({ lineNumber: l.lineNumber, reason: request.reason ?? request.trigger })) : request.lines;
  const moving: { line: PurchaseOrderLine; reason: string }[] = [];
  for (const w of wanted) {
    const line = po.lines.find((l) => l.lineNumber === w.lineNumber);
    if (!line || (shipped[line.lineNumber] ?? 0) > 0 || movedBefore.has(line.lineId) || moving.some((m) => m.line.lineId === line.lineId)) continue;
    moving.push({ line, reason: w.reason });
  }
  if (moving.length === 0) return { kind: 'nothing' };

  const now = hub.clock();
  const tried = await triedSuppliers(trx, order.id, moving.map((m) => m.line.lineId));
  const exclusions: Exclusion[] = [...tried, ...moving.map((m) => ({ lineId: m.line.lineId, supplier: row.supplier_id, reason: m.reason }))];
  const { placed, stranded, choices } = await decide(trx, hub, order, moving, exclusions, policy, now);

  // The new purchase orders, each with a PO number its supplier has not used.
  const placements = new Map<string, { supplier: string; poId: string; poNumber: string }[]>();
  const reservations: NewReservation[] = [];
  for (const planned of placed) {
    const poNumber = uniquePoNumber(planned.poNumber, await poNumbersLike(trx, planned.supplierId, planned.poNumber));
    const next: PurchaseOrder = { ...planned, poNumber };
    const poId = newId('po');
    await insertReroutedPurchaseOrder(trx, poId, next);
    const document = await enqueuePurchaseOrder(trx, hub.mappings.get(next.supplierId)!, next, poId);
    await recordEvent(trx, order.id, {
      type: 'po_created',
      cause: 'reroute',
      data: { poId, poNumber, supplier: next.supplierId, documentId: document.id, lines: next.lines.length },
    });
    for (const line of next.lines) {
      const list = placements.get(line.lineId) ?? [];
      list.push({ supplier: next.supplierId, poId, poNumber });
      placements.set(line.lineId, list);
      reservations.push({ orderId: order.id, lineId: line.lineId, poId, supplier: next.supplierId, supplierSku: line.supplierSku, quantity: line.quantity });
    }
  }
  // The stock moves with the lines: reserved at the new source, released at the first.
  await reserveStock(trx, reservations, now);
  for (const { line } of moving) {
    const moved = placements.has(line.lineId);
    if (moved || request.trigger === 'rejected') {
      await releaseReservations(trx, { orderId: order.id, lineId: line.lineId, supplier: row.supplier_id }, moved ? 'rerouted' : 'rejected', now);
    }
  }

  // The record of every move (and every line that found no source), and the timeline's account.
  const attempts = new Map<string, number>();
  for (const t of tried) attempts.set(t.lineId, (attempts.get(t.lineId) ?? 0) + 1);
  await recordLineReroutes(
    trx,
    moving.map(({ line, reason }) => {
      const to = placements.get(line.lineId)?.[0];
      return {
        orderId: order.id,
        lineId: line.lineId,
        sku: line.sku,
        quantity: line.quantity,
        fromSupplier: row.supplier_id,
        fromPoId: row.id,
        toSupplier: to?.supplier ?? null,
        toPoId: to?.poId ?? null,
        trigger: request.trigger,
        reason,
        at: now,
      };
    }),
  );
  const strandedWhy = new Map(stranded.map((s) => [s.lineId, s.why]));
  for (const { line, reason } of moving) {
    const to = placements.get(line.lineId);
    const common = { lineId: line.lineId, sku: line.sku, quantity: line.quantity, from: row.supplier_id, fromPoNumber: row.po_number, trigger: request.trigger, reason };
    const reroute = (attempts.get(line.lineId) ?? 0) + 1;
    if (to) {
      await recordEvent(trx, order.id, {
        type: 'line_rerouted',
        cause: request.cause,
        data: { ...common, to: to.map((p) => ({ supplier: p.supplier, poNumber: p.poNumber })), choice: choices.get(line.lineId) ?? null, reroute, maxReroutes: policy.maxReroutes },
      });
    } else {
      await recordEvent(trx, order.id, {
        type: 'line_reroute_failed',
        cause: request.cause,
        data: { ...common, why: strandedWhy.get(line.lineId) ?? 'no source left', reroute, maxReroutes: policy.maxReroutes },
      });
    }
  }

  // A crash here (the new PO written, the cancellation not yet) rolls the whole reroute back.
  crashPoint('mid-reroute');
  // The first supplier gives up what has moved: the whole PO, or the moved lines.
  const leaving = moving.filter((m) => placements.has(m.line.lineId)).map((m) => m.line);
  if (leaving.length > 0) await cancelLines(trx, hub, from, row, po, leaving, order.id, request.cause, now);

  const strandedLines = moving.filter((m) => !placements.has(m.line.lineId)).map((m) => ({ lineId: m.line.lineId, sku: m.line.sku, why: strandedWhy.get(m.line.lineId) ?? 'no source left' }));
  if (strandedLines.length === 0) {
    await syncOrderStatus(trx, hub, order.id, request.cause);
  } else {
    const reason = noSourceLeftReason(strandedLines, request.trigger === 'rejected' ? 'rejected' : request.trigger === 'backorder_wait' ? 'backordered' : 'late');
    if (request.trigger === 'rejected') {
      // The supplier has refused these lines and nobody else can take them: the PO stands rejected.
      await setPurchaseOrderStatus(trx, row.id, 'rejected', `${strandedLines.map((s) => `line ${s.lineId} (${s.sku}): ${s.why}`).join('; ')}`);
      await syncOrderStatus(trx, hub, order.id, request.cause, { reason, code: NO_SOURCE_LEFT, poNumber: row.po_number });
    } else {
      // The lines stay with a supplier who has not answered; the operator decides (a late answer brings the order back).
      await setOrderStatus(trx, order.id, 'exception', request.cause, { reason });
      await enqueueRetailerEvent(trx, hub, order.id, { type: 'order.exception', data: { reason, code: NO_SOURCE_LEFT, poNumber: row.po_number } });
    }
  }
  hub.logger.info(
    { orderId: order.id, from: row.supplier_id, po: row.po_number, moved: leaving.map((l) => l.lineId), stranded: strandedLines.map((s) => s.lineId) },
    'lines rerouted',
  );
  return {
    kind: 'done',
    moved: leaving.map((l) => ({ lineId: l.lineId, to: placements.get(l.lineId)!.map((p) => ({ supplier: p.supplier, poNumber: p.poNumber })) })),
    stranded: strandedLines,
  };
}

/**
 * The decision for the moving lines, without the suppliers already tried; a purchase order its
 * supplier's mapping cannot write (a rendering error) counts as that supplier refusing the line, and
 * the lines are decided again without it.
 */
async function decide(
  trx: Transaction<Database>,
  hub: Hub,
  order: LockedOrderAndPo['order'],
  moving: readonly { line: PurchaseOrderLine }[],
  exclusions: Exclusion[],
  policy: RoutingPolicy,
  now: Date,
): Promise<{ placed: PurchaseOrder[]; stranded: { lineId: string; why: string }[]; choices: Map<string, string> }> {
  const mappings = [...hub.mappings.values()];
  const subOrder: CanonicalOrder = {
    ...order.data,
    lines: moving.map(({ line }) => {
      const original = order.data.lines.find((l) => l.lineId === line.lineId);
      return { ...(original ?? { lineId: line.lineId, sku: line.sku, title: line.title ?? null, unitPrice: line.unitPrice }), quantity: line.quantity };
    }),
  };
  // The candidates' live stock: locked until the commit when the policy counts stock, so that the
  // reroute and a router never both take the last unit (src/store/stock.ts).
  const sources = sourceLookup(mappings);
  const keys = subOrder.lines.flatMap((l) => sources(l.sku).map((s) => ({ supplier: s.supplier, supplierSku: s.supplierSku })));
  const stock = stockSnapshot(policy.rules.includes('in-stock') ? await lockStock(trx, keys) : await readStock(trx, keys));
  // Lines that cannot move wait (and go to exception) while the others move.
  const partial: RoutingPolicy = { ...policy, unfillable: 'partial' };
  for (let round = 0; round <= mappings.length; round++) {
    const routed = await routeOrder(
      {
        orderId: order.id,
        retailer: { id: order.retailerId, name: order.retailerName },
        order: subOrder,
        createdAt: now.toISOString(),
        routing: { policy: partial, exclusions, now, stock, sources },
      },
      mappings,
    );
    if (!routed.ok) return { placed: [], stranded: moving.map(({ line }) => ({ lineId: line.lineId, why: routed.reason })), choices: new Map() };
    const refused: Exclusion[] = [];
    for (const planned of routed.purchaseOrders) {
      const loaded = hub.mappings.get(planned.supplierId)!;
      try {
        await renderOutbound(loaded, planned, usesControlNumbers(loaded.mapping) ? PREVIEW_CONTROL_NUMBERS : undefined);
      } catch (error) {
        const reason = `its purchase order cannot be written: ${errorMessage(error)}`;
        for (const line of planned.lines) refused.push({ lineId: line.lineId, supplier: planned.supplierId, reason });
      }
    }
    if (refused.length === 0) {
      // Why each placed line went where it went, in the explanation's words.
      const choices = new Map(explainDecision(routed.decision).map((line) => [line.lineId, line.reason]));
      return { placed: routed.purchaseOrders, stranded: routed.waiting.map((w) => ({ lineId: w.lineId, why: w.reason })), choices };
    }
    exclusions.push(...refused);
  }
  return { placed: [], stranded: moving.map(({ line }) => ({ lineId: line.lineId, why: 'no source can write its purchase order' })), choices: new Map() };
}

/**
 * The first supplier's side: when every line of the PO has moved, the PO is cancelled (withdrawn
 * from the outbox if it never went out, else its cancellation is queued) and nothing more is
 * expected of it; when some have, a cancellation naming just those lines goes out and the PO keeps
 * the others.
 */
async function cancelLines(
  trx: Transaction<Database>,
  hub: Hub,
  from: LoadedMapping,
  row: LockedOrderAndPo['po'],
  po: PurchaseOrder,
  leaving: readonly PurchaseOrderLine[],
  orderId: string,
  cause: string,
  now: Date,
): Promise<void> {
  const gone = new Set(leaving.map((l) => l.lineId));
  const remaining = po.lines.filter((l) => !gone.has(l.lineId));
  const why = `rerouted: ${leaving.map((l) => `line ${l.lineId}`).join(', ')} moved to another supplier`;
  if (remaining.length === 0) {
    if (await withdrawUnsentPurchaseOrder(trx, row.id)) {
      await recordEvent(trx, orderId, { type: 'po_withdrawn', cause, data: { poId: row.id, poNumber: row.po_number } });
    } else {
      const documentId = (await enqueuePurchaseOrder(trx, from, toCancellation(po, now.toISOString()), row.id)).id;
      await recordEvent(trx, orderId, { type: 'po_cancel_queued', cause, data: { poId: row.id, poNumber: row.po_number, documentId, lines: leaving.map((l) => l.lineId) } });
    }
    await setPurchaseOrderStatus(trx, row.id, 'cancelled', why);
    await cancelExpectations(trx, row.id);
    return;
  }
  const cancellation: PurchaseOrder = { ...toCancellation(po, now.toISOString()), lines: [...leaving], total: totalOf(leaving) };
  const documentId = (await enqueuePurchaseOrder(trx, from, cancellation, row.id)).id;
  // The moved lines are kept aside on the stored PO, so that a later 855 naming them is recognised.
  const moved = [...movedLinesOf(po), ...leaving];
  await keepPurchaseOrderLines(trx, row.id, { ...po, lines: remaining, total: totalOf(remaining), movedLines: moved } as PurchaseOrder);
  await recordEvent(trx, orderId, { type: 'po_cancel_queued', cause, data: { poId: row.id, poNumber: row.po_number, documentId, lines: leaving.map((l) => l.lineId) } });
}

/** The lines a reroute has moved away from this stored PO (kept beside its lines, not sent). */
function movedLinesOf(po: PurchaseOrder): PurchaseOrderLine[] {
  const moved = (po as PurchaseOrder & { movedLines?: unknown }).movedLines;
  return Array.isArray(moved) ? (moved as PurchaseOrderLine[]) : [];
}

function uniquePoNumber(poNumber: string, taken: ReadonlySet<string>): string {
  if (!taken.has(poNumber)) return poNumber;
  for (let n = 2; ; n++) if (!taken.has(`${poNumber}-${n}`)) return `${poNumber}-${n}`;
}

/**
 * An 855 that rejects lines (or the whole PO), for a retailer whose policy reroutes: each rejected
 * line moves to its next source. Returns false when the policy does not reroute, or the 855 names a
 * line the PO does not have: the 855 is then applied as before (the PO rejected, the order in
 * exception).
 */
export async function rerouteRejectedLines(
  trx: Transaction<Database>,
  hub: Hub,
  loaded: LoadedMapping,
  poId: string,
  ack: Acknowledgment,
  cause: string,
): Promise<boolean> {
  const rejected = ack.status === 'rejected' ? [] : ack.lines.filter((l) => l.status === 'rejected' || l.status === 'deleted');
  if (ack.status !== 'rejected' && rejected.length === 0) return false;
  const locked = await lockOrderAndPurchaseOrder(trx, poId);
  if (!locked || reroutePolicy(hub, locked.order.retailerId).maxReroutes === 0) return false;
  const po = locked.po.data as PurchaseOrder;
  let lines: MovingLine[];
  if (ack.status === 'rejected') {
    lines = po.lines.map((l) => ({ lineNumber: l.lineNumber, reason: `rejected by its 855 (BAK02 ${ack.code})` }));
  } else {
    lines = [];
    const movedBefore: PurchaseOrder = { ...po, lines: movedLinesOf(po) };
    for (const ackLine of rejected) {
      const line = { ...ackLine, quantity: ackLine.quantity ?? 0 };
      const match = matchLine(po, line, loaded.mapping.inbound.lineMatch);
      if (match) lines.push({ lineNumber: match.lineNumber, reason: `rejected by its 855${ackLine.reason ? ` (${ackLine.reason})` : ''}` });
      else if (!matchLine(movedBefore, line, loaded.mapping.inbound.lineMatch)) return false;
      // else: a line that has moved already; the supplier confirms it will not ship it.
    }
    if (lines.length === 0) return true;
  }
  const outcome = await rerouteLines(trx, hub, locked, { lines, trigger: 'rejected', cause });
  return outcome.kind === 'done';
}

/**
 * A 997 or 855 deadline passed without a word from the supplier: every unshipped line of the PO
 * moves on. Only a PO the supplier has said nothing about counts as silent: for a missed 997, one
 * still `sent`; for a missed 855, one `sent` or acknowledged by its 997 only. True when lines moved
 * (or found no source and the order is in exception).
 */
export async function rerouteSilentPurchaseOrder(trx: Transaction<Database>, hub: Hub, poId: string, kind: string, poStatus: string): Promise<boolean> {
  if (kind !== '997' && kind !== '855') return false;
  if (kind === '997' ? poStatus !== 'sent' : poStatus !== 'sent' && poStatus !== 'acknowledged') return false;
  const locked = await lockOrderAndPurchaseOrder(trx, poId);
  if (!locked) return false;
  const expect = hub.mappings.get(locked.po.supplier_id)?.mapping.expect;
  const hours = kind === '997' ? expect?.ack997Hours : expect?.ack855Hours;
  const reason = `no ${kind} within ${hours ?? '?'} h of the purchase order`;
  const outcome = await rerouteLines(trx, hub, locked, { lines: 'unshipped', reason, trigger: kind === '997' ? 'no_997' : 'no_855', cause: 'expected-document ledger' });
  return outcome.kind === 'done';
}

/**
 * An 855 backordered lines: with a `backorderTolerance` (and reroutes allowed), the ledger expects
 * them shipped within it (`rerouteBackorderedLines` runs when it passes).
 */
export async function openBackorderDeadline(trx: Transaction<Database>, hub: Hub, poId: string): Promise<void> {
  const locked = await lockOrderAndPurchaseOrder(trx, poId);
  if (!locked) return;
  const policy = reroutePolicy(hub, locked.order.retailerId);
  if (policy.maxReroutes === 0 || policy.backorderToleranceMs === null) return;
  await expectBackorderShipped(trx, poId, locked.order.id, new Date(hub.clock().getTime() + policy.backorderToleranceMs));
}

/**
 * The backorder deadline passed: the lines the PO's last 855 backordered that have still not shipped
 * move to their next source.
 */
export async function rerouteBackorderedLines(trx: Transaction<Database>, hub: Hub, poId: string): Promise<RerouteOutcome> {
  const locked = await lockOrderAndPurchaseOrder(trx, poId);
  const loaded = locked && hub.mappings.get(locked.po.supplier_id);
  if (!locked || !loaded) return { kind: 'nothing' };
  const policy = reroutePolicy(hub, locked.order.retailerId);
  if (policy.backorderTolerance === null) return { kind: 'off' };
  const ackLines = ((await lastAcknowledgmentLines(trx, locked.order.id, poId)) ?? []) as Acknowledgment['lines'];
  const po = locked.po.data as PurchaseOrder;
  const lines: MovingLine[] = [];
  for (const ackLine of ackLines) {
    if (ackLine.status !== 'backordered') continue;
    const match = matchLine(po, { ...ackLine, quantity: ackLine.quantity ?? 0 }, loaded.mapping.inbound.lineMatch);
    if (match) lines.push({ lineNumber: match.lineNumber, reason: `backordered by its 855 and not shipped within ${policy.backorderTolerance}` });
  }
  if (lines.length === 0) return { kind: 'nothing' };
  return rerouteLines(trx, hub, locked, { lines, trigger: 'backorder_wait', cause: 'expected-document ledger' });
}
