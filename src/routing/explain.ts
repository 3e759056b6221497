/**
 * A routing decision in words: the `routing` section of the contract
 * (`[{ lineId, sku, supplier, reason, candidates: [{ supplier, available, stockAt, cost, landedCost,
 * skipped }] }]`), with the hub's extensions documented in docs/routing.md. Rendered from the
 * decision's facts, so that `decide` stays cheap for callers that do not show it.
 *
 * @example
 *   explainDecision(decide(input))[0]
 *   // { lineId: '1', sku: 'TRUCK', quantity: 2, status: 'allocated', supplier: 'acme',
 *   //   allocations: [{ supplier: 'acme', supplierSku: 'A-1', quantity: 2 }],
 *   //   reason: 'cheapest landed cost among in-stock sources (12.40 vs 13.95)',
 *   //   candidates: [{ supplier: 'acme', supplierSku: 'A-1', available: 40, reserved: 2, buffer: 0, usable: 38,
 *   //                  stockAt: '2026-11-26T09:00:00.000Z', cost: '6.20', landedCost: '12.40', priority: null,
 *   //                  leadTimeDays: null, quantity: 2, skipped: null }, …] }
 */
import type { Candidate, Decision, LineDecision, Skip, Why } from './decide.ts';
import { formatUnits } from './money.ts';
import { formatAge, type RoutingPolicy } from './policy.ts';

export interface CandidateExplanation {
  supplier: string;
  /** Extension: the supplier's SKU for this line. */
  supplierSku: string;
  /** The supplier's last stock figure; null: none. */
  available: number | null;
  /** Extension: routed to it and not shipped yet; null without a stock figure. */
  reserved: number | null;
  /** Extension: the supplier's stockBuffer. */
  buffer: number;
  /** Extension: what could be taken (available − reserved − buffer, at least 0); null when unknown (none, or stale). */
  usable: number | null;
  /** When the stock figure was true (the feed's timestamp); null: none. */
  stockAt: string | null;
  /** Unit cost; null: unknown. */
  cost: string | null;
  /** quantity × cost + the supplier's shippingFee; null: cost unknown. */
  landedCost: string | null;
  /** Extension: the priority that counted (the SKU's, else the supplier's); null: none. */
  priority: number | null;
  /** Extension: the catalog's lead time in days; null: none given (no rule uses it yet). */
  leadTimeDays: number | null;
  /** Extension: how much of the line it ships (0: none). */
  quantity: number;
  /** Why it was not considered; null when it was (chosen or ranked below the chosen one). */
  skipped: string | null;
}

export interface LineExplanation {
  lineId: string;
  sku: string;
  /** Extension. */
  quantity: number;
  /** Extension: allocated, held (the order waits for another line) or unfillable. */
  status: LineDecision['status'];
  /** Who ships it (the first of several when split); null when nobody does now. */
  supplier: string | null;
  /** Extension: who ships how much (several when split; for a held line, who would). */
  allocations: { supplier: string; supplierSku: string; quantity: number }[];
  reason: string;
  /** Every candidate: ranked ones in rank order, then the skipped ones. */
  candidates: CandidateExplanation[];
}

export function explainDecision(decision: Decision): LineExplanation[] {
  const { policy } = decision;
  return decision.lines.map((line) => {
    const shown = line.status === 'held' ? line.planned : line.allocations;
    return {
      lineId: line.lineId,
      sku: line.sku,
      quantity: line.quantity,
      status: line.status,
      supplier: line.status === 'allocated' ? (line.allocations[0]?.supplier ?? null) : null,
      allocations: shown.map((a) => ({ supplier: a.supplier, supplierSku: a.supplierSku, quantity: a.quantity })),
      reason: lineReason(line, policy),
      candidates: line.candidates.map(explainCandidate),
    };
  });
}

function explainCandidate(c: Candidate): CandidateExplanation {
  return {
    supplier: c.supplier,
    supplierSku: c.source.supplierSku,
    available: c.stock?.available ?? null,
    reserved: c.stock?.reserved ?? null,
    buffer: c.source.terms.stockBuffer,
    usable: c.usable,
    stockAt: c.stock && Number.isFinite(c.stock.asOf.getTime()) ? isoTime(c.stock.asOf) : null, // an invalid date counts as no figure
    cost: c.source.cost,
    landedCost: c.landedUnits === null ? null : formatUnits(c.landedUnits),
    priority: c.priority,
    leadTimeDays: c.source.leadTimeDays,
    quantity: c.allocated,
    skipped: c.skip ? skipReason(c, c.skip) : null,
  };
}

/** Why a candidate was left out, in a few words. */
export function skipReason(c: Candidate, skip: Skip): string {
  switch (skip.kind) {
    case 'tried':
      return `already tried: ${skip.reason}`;
    case 'reroutes':
      return `excluded after ${skip.reroutes} reroute${skip.reroutes === 1 ? '' : 's'}`;
    case 'min-qty':
      return `below minQty ${skip.minQty}`;
    case 'unknown-stock':
      if (skip.ageMs !== null) return `stock ${formatAge(skip.ageMs)} old counts as unknown and unknownStock is skip`;
      return c.stock ? 'stock of unknown age counts as unknown and unknownStock is skip' : 'no stock figure counts as unknown and unknownStock is skip';
    case 'no-stock': {
      if (skip.takenEarlier > 0) {
        return skip.left === 0
          ? `out of stock after earlier lines of this order took ${skip.takenEarlier}`
          : `only ${skip.left} left after earlier lines of this order took ${skip.takenEarlier}, ${skip.needed} needed`;
      }
      const held = [c.stock && c.stock.reserved > 0 ? `${c.stock.reserved} reserved` : '', c.source.terms.stockBuffer > 0 ? `buffer ${c.source.terms.stockBuffer}` : '']
        .filter(Boolean)
        .join(', ');
      const detail = held ? ` (${c.stock!.available} available, ${held})` : '';
      return skip.left === 0 ? `out of stock${detail}` : `only ${skip.left} in stock, ${skip.needed} needed${detail}`;
    }
  }
}

function money(units: Candidate['landedUnits']): string {
  return units === null ? 'unknown' : formatUnits(units);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The line's reason: one plain sentence. */
export function lineReason(line: LineDecision, policy: RoutingPolicy): string {
  const base = whyText(line, line.why, policy);
  if (line.status === 'held') {
    return `held: line${line.heldBy.length === 1 ? '' : 's'} ${line.heldBy.join(', ')} cannot be filled and unfillable is hold (would go to ${line.planned.map((a) => a.supplier).join(' and ')}: ${base})`;
  }
  if (line.status === 'unfillable' && policy.unfillable === 'partial') return `waits (unfillable is partial): ${base}`;
  return base;
}

function whyText(line: LineDecision, why: Why, policy: RoutingPolicy): string {
  const inStock = policy.rules.includes('in-stock');
  const winner = line.candidates.find((c) => c.allocated > 0);
  const unknownNote =
    inStock && winner && winner.usable === null
      ? `; its stock is unknown (${winner.ageMs === null ? 'no stock figure' : `figure ${formatAge(winner.ageMs)} old`}) and unknownStock is route`
      : '';
  switch (why.kind) {
    case 'only-source':
      return `only source${unknownNote}`;
    case 'only-left': {
      const kinds = why.skipped;
      const only = kinds.length === 1 ? kinds[0] : undefined;
      const text =
        only === 'no-stock'
          ? 'only source with stock'
          : only === 'tried'
            ? 'only source not tried yet'
            : only === 'min-qty'
              ? `only source whose minQty allows ${line.quantity}`
              : only === 'unknown-stock'
                ? 'only source with a fresh stock figure'
                : 'only source left';
      return `${text}${unknownNote}`;
    }
    case 'rule': {
      const r = why.runnerUp;
      if (why.rule === 'priority') return `priority ${winner!.priority} beats ${r.priority ?? 'none'} (${r.supplier})${unknownNote}`;
      const among = inStock ? ' among in-stock sources' : '';
      const versus = r.landedUnits === null ? `${money(winner!.landedUnits)}; ${r.supplier}'s cost is unknown` : `${money(winner!.landedUnits)} vs ${money(r.landedUnits)} at ${r.supplier}`;
      return `cheapest landed cost${among} (${versus})${unknownNote}`;
    }
    case 'fewest-shipments':
      return `fewest shipments: the order goes out in ${plural(why.shipments, 'PO')} with ${winner!.supplier}, ${why.runnerUpShipments} with ${why.runnerUp.supplier}${unknownNote}`;
    case 'fewest-shipments-tie': {
      const r = why.runnerUp;
      const same = `fewest shipments: ${plural(why.shipments, 'PO')} with ${winner!.supplier} or ${r.supplier}`;
      if (why.rule === 'cost') {
        return `${same}; the order's landed cost is lower with ${winner!.supplier} (${money(why.score.cost)} vs ${money(why.runnerUpScore.cost)})${unknownNote}`;
      }
      if (why.rule === 'priority') {
        return `${same}; the order's sources rank higher with ${winner!.supplier} (priorities add up to ${why.score.priority} vs ${why.runnerUpScore.priority})${unknownNote}`;
      }
      return `${same}; ${winner!.supplier} comes first by supplier id${unknownNote}`;
    }
    case 'supplier-id': {
      const on = why.tiedOn.length ? ` on ${why.tiedOn.join(', ')}` : '';
      return `tied with ${why.runnerUp.supplier}${on}; ${winner!.supplier} comes first by supplier id${unknownNote}`;
    }
    case 'split': {
      const parts = line.allocations.map((a) => `${a.quantity} from ${a.supplier}`).join(', ');
      return `split (splitLines): ${parts}; no single source has ${line.quantity} in stock`;
    }
    case 'no-source':
      return `no supplier carries SKU "${line.sku}"`;
    case 'short':
      return `no source can take ${line.quantity}, and together they have only ${why.usable} that can be taken`;
    case 'none-left': {
      const skips = line.candidates.filter((c) => c.skip);
      if (skips.length && skips.every((c) => c.skip!.kind === 'tried' || c.skip!.kind === 'reroutes') && skips.some((c) => c.skip!.kind === 'reroutes')) {
        return `no reroute left: ${plural(skips.filter((c) => c.skip!.kind === 'tried').length, 'source')} tried and maxReroutes is ${policy.maxReroutes}`;
      }
      return `no source can take ${line.quantity}: ${skips.map((c) => `${c.supplier} ${skipReason(c, c.skip!)}`).join('; ')}`;
    }
  }
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * `date.toISOString()` for years 0–9999, in integer arithmetic (days → civil date, after Howard
 * Hinnant's algorithm): toISOString costs about ten times as much, and an explanation has one per
 * candidate. Other years and invalid dates go to toISOString.
 */
export function isoTime(date: Date): string {
  const ms = date.getTime();
  let text = isoTimes.get(ms);
  if (text === undefined) {
    if (isoTimes.size >= 10_000) isoTimes.clear();
    text = formatIso(date, ms);
    isoTimes.set(ms, text);
  }
  return text;
}

/** The times written lately: a feed's figures all carry the feed's one timestamp. */
const isoTimes = new Map<number, string>();

function formatIso(date: Date, ms: number): string {
  if (!(ms >= -62_167_219_200_000 && ms < 253_402_300_800_000)) return date.toISOString();
  const days = Math.floor(ms / 86_400_000);
  const inDay = ms - days * 86_400_000;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const h = Math.floor(inDay / 3_600_000);
  const m = Math.floor((inDay % 3_600_000) / 60_000);
  const sec = Math.floor((inDay % 60_000) / 1000);
  const milli = inDay % 1000;
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}T${pad2(h)}:${pad2(m)}:${pad2(sec)}.${milli < 10 ? `00${milli}` : milli < 100 ? `0${milli}` : milli}Z`;
}
