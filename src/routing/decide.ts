/**
 * The routing decision: which source ships each line of an order. Pure and synchronous: no I/O,
 * no clock (`now` is given), the same input always gives the same decision. The same function
 * routes a new order, the remainder of an order routed in part (pass the lines still waiting), and
 * a line rerouted away from a supplier (pass the line with `exclusions`).
 *
 * How a line is decided (docs/routing.md has the full text with examples):
 *
 * 1. Candidates: every source of the line's SKU. Some are skipped outright: a supplier already
 *    tried for this line (`exclusions`), every one once the line has been rerouted `maxReroutes`
 *    times, a source whose `minQty` is above the line's quantity.
 * 2. `in-stock` (wherever it stands in `rules`) filters: a source stays when what can be taken
 *    (available − reserved − the supplier's stockBuffer, counting what earlier lines of this order
 *    took) covers the line. Stock older than `stockMaxAge`, or none at all, is unknown: such a source
 *    stays with `unknownStock: route` and is skipped with `skip`. Without `in-stock`, stock is shown
 *    but filters nothing.
 * 3. The other rules rank what is left, in their order, each breaking the ties of those before:
 *    `priority` (the SKU's catalog priority, else the supplier's `routing.priority`; lower first,
 *    none last), `cost` (landed cost = quantity × unit cost + the supplier's shippingFee; lower
 *    first, unknown last), `fewest-shipments` (the whole order: among the sources still tied, those
 *    of the smallest set of suppliers that covers every line first). Last, the supplier id, then the
 *    supplier SKU: ties always end the same way.
 * 4. The first ranked source takes the line. With `splitLines` and `in-stock`, a line no single
 *    source can take whole is filled from the ranked sources in turn (each portion at least the
 *    source's minQty). A line nothing can fill is unfillable: with `unfillable: hold` the whole
 *    order is held (no line is allocated), with `partial` the other lines go now and it waits.
 *
 * @example
 *   const decision = decide({ lines, sources, stock, policy, now: clock.now() });
 *   if (decision.outcome === 'routed') for (const line of decision.lines) line.allocations; // [{ supplier, supplierSku, quantity, cost }]
 *   const explanation = explainDecision(decision);   // the `routing` section of GET /v1/orders/{id}
 */
import { addUnits, compareUnits, timesUnits, unitsOf, type Units } from './money.ts';
import type { RoutingPolicy, RoutingRule } from './policy.ts';
import type { Source } from './sources.ts';

/** An order line as the decision needs it. */
export interface DecisionLine {
  lineId: string;
  sku: string;
  /** A positive whole number. */
  quantity: number;
}

/** One supplier's stock of one supplier SKU, from the inventory ledger. */
export interface StockLevel {
  /** What the supplier's last feed said it has. */
  available: number;
  /** Routed to it and not shipped yet. */
  reserved: number;
  /** The feed's own timestamp. */
  asOf: Date;
}

/** Stock by `stockKey(supplier, supplierSku)`; a pair that is absent has no stock figure (unknown). */
export type StockSnapshot = ReadonlyMap<string, StockLevel>;

/** The key of a (supplier, supplier SKU) pair in a StockSnapshot. */
export function stockKey(supplier: string, supplierSku: string): string {
  return `${supplier}\n${supplierSku}`;
}

/** A supplier already tried for a line (a reroute moves the line away from it). */
export interface Exclusion {
  lineId: string;
  supplier: string;
  /** Why, in plain words: "rejected by its 855", "no 855 within 24 h". */
  reason: string;
}

export interface DecideInput {
  lines: readonly DecisionLine[];
  /** The candidate sources of each SKU (absent: no supplier carries it). */
  sources: ReadonlyMap<string, readonly Source[]> | ((sku: string) => readonly Source[]);
  /** Stock per (supplier, supplier SKU); absent: no stock known anywhere. */
  stock?: StockSnapshot;
  policy: RoutingPolicy;
  now: Date;
  exclusions?: readonly Exclusion[];
}

/** What one source ships of one line. */
export interface Allocation {
  supplier: string;
  supplierSku: string;
  quantity: number;
  /** Unit cost, where known. */
  cost: string | null;
}

/** Why a candidate was not considered for a line. */
export type Skip =
  | { kind: 'tried'; reason: string }
  | { kind: 'reroutes'; reroutes: number }
  | { kind: 'min-qty'; minQty: number }
  | { kind: 'unknown-stock'; ageMs: number | null }
  | { kind: 'no-stock'; needed: number; left: number; takenEarlier: number };

/** One candidate source of a line, as the decision saw it. */
export interface Candidate {
  source: Source;
  supplier: string;
  /** The SKU's priority at this supplier, else the supplier's; null: none. */
  priority: number | null;
  /** quantity × unit cost; null when the cost is unknown. */
  goodsUnits: Units | null;
  /** goods + the supplier's shippingFee: what `cost` compares; null when the cost is unknown. */
  landedUnits: Units | null;
  /** The supplier's shippingFee, 0 without one. */
  feeUnits: Units;
  /** The stock figure, null when there is none. */
  stock: StockLevel | null;
  /** Age of the stock figure at `now`; null without one. */
  ageMs: number | null;
  /** available − reserved − stockBuffer (at least 0), when the figure is fresh; null when unknown. */
  usable: number | null;
  /** Why it was left out; null when it was considered. */
  skip: Skip | null;
  /** How much of the line it ships (0: none). */
  allocated: number;
}

/** Why a line went where it went, or nowhere. */
export type Why =
  | { kind: 'only-source' }
  | { kind: 'only-left'; skipped: Skip['kind'][] }
  | { kind: 'rule'; rule: 'priority' | 'cost'; runnerUp: Candidate }
  | { kind: 'fewest-shipments'; shipments: number; runnerUp: Candidate; runnerUpShipments: number }
  | { kind: 'fewest-shipments-tie'; shipments: number; runnerUp: Candidate; rule: 'priority' | 'cost' | null; score: CoverScore; runnerUpScore: CoverScore }
  | { kind: 'supplier-id'; runnerUp: Candidate; tiedOn: RoutingRule[] }
  | { kind: 'split' }
  | { kind: 'no-source' }
  | { kind: 'none-left' }
  | { kind: 'short'; usable: number };

export interface LineDecision {
  lineId: string;
  sku: string;
  quantity: number;
  /**
   * `allocated`: `allocations` say who ships it. `held`: it could go (`planned`), but another line
   * cannot and the policy holds the order whole. `unfillable`: no source can take it now.
   */
  status: 'allocated' | 'held' | 'unfillable';
  /** Who ships it (several when split); empty unless `allocated`. */
  allocations: Allocation[];
  /** Where it would go: only for `held` lines. */
  planned: Allocation[];
  /** Every candidate: the ranked ones first, in rank order, then the skipped ones by supplier. */
  candidates: Candidate[];
  why: Why;
  /** For `held` lines: the lines that hold the order. */
  heldBy: string[];
}

export interface Decision {
  /**
   * `routed`: every line allocated. `partial`: some allocated, the rest wait (unfillable: partial).
   * `waiting`: none can go now (unfillable: partial). `held`: a line cannot go and the policy holds
   * the order whole (unfillable: hold): nothing is allocated.
   */
  outcome: 'routed' | 'partial' | 'waiting' | 'held';
  lines: LineDecision[];
  policy: RoutingPolicy;
  /** The suppliers the order goes to (allocated lines only), sorted. */
  suppliers: string[];
}

/** The order-level figures fewest-shipments compares sets of suppliers by, after their size. */
export interface CoverScore {
  /** Σ of the chosen sources' priorities (none counts as NO_PRIORITY). */
  priority: number;
  /** Σ goods + each supplier's shippingFee once; null when a cost is unknown. */
  cost: Units | null;
}

const NO_PRIORITY = 1_000_001;
const EMPTY: readonly Source[] = [];

/** Exact subsets tried by fewest-shipments before it settles for the greedy cover. */
const COVER_BUDGET = 4_096;

type Compare = (a: Candidate, b: Candidate) => number;

export function decide(input: DecideInput): Decision {
  const { policy, lines } = input;
  const nowMs = input.now.getTime();
  const useStock = policy.rules.includes('in-stock');
  const keys = policy.rules.filter((r): r is Exclude<RoutingRule, 'in-stock'> => r !== 'in-stock');
  const fsAt = keys.indexOf('fewest-shipments');
  const lookup = typeof input.sources === 'function' ? input.sources : (sku: string) => (input.sources as ReadonlyMap<string, readonly Source[]>).get(sku) ?? EMPTY;
  const excluded = groupExclusions(input.exclusions);

  // 1. Every candidate of every line, with what is known of it before any line takes stock.
  const evaluated = lines.map((line) => evaluateLine(line, lookup(line.sku), input.stock, policy, useStock, nowMs, excluded.get(line.lineId)));

  // 2. fewest-shipments: the smallest set of suppliers that covers the order, among the sources
  //    tied on the rules before it.
  let chosen: Cover | null = null;
  let coverLines: CoverLine[] = [];
  const before = fsAt === -1 ? keys : keys.slice(0, fsAt);
  const after = fsAt === -1 ? [] : keys.slice(fsAt + 1);
  if (fsAt !== -1) {
    coverLines = evaluated.map((e) => coverLine(e.viable, before));
    if (coverLines.filter((c) => c.suppliers.length > 0).length > 1) chosen = chooseCover(coverLines, after);
  }
  const compare = comparator(keys, chosen?.suppliers ?? null);

  // 3. Lines in order, each taking stock from what the ones before it left.
  const taken = new Map<string, number>();
  const decided: LineDecision[] = evaluated.map((e, i) => allocateLine(e, i, compare, taken, useStock, policy, keys, chosen, coverLines, after));

  // 4. The policy for lines nothing can fill.
  const unfillable = decided.filter((d) => d.status === 'unfillable');
  let outcome: Decision['outcome'] = 'routed';
  if (unfillable.length) {
    if (policy.unfillable === 'hold') {
      outcome = 'held';
      const heldBy = unfillable.map((d) => d.lineId);
      for (const d of decided) {
        if (d.status !== 'allocated') continue;
        d.status = 'held';
        d.planned = d.allocations;
        d.allocations = [];
        d.heldBy = heldBy;
      }
    } else {
      outcome = unfillable.length === decided.length ? 'waiting' : 'partial';
    }
  }
  const suppliers = [...new Set(decided.flatMap((d) => d.allocations.map((a) => a.supplier)))].sort(byText);
  return { outcome, lines: decided, policy, suppliers };
}

// ─── Step 1: the candidates of a line ────────────────────────────────────────────────────────

interface EvaluatedLine {
  line: DecisionLine;
  candidates: Candidate[];
  /** Considered, and able to take the whole line before other lines take stock. */
  viable: Candidate[];
  /** Considered, with some stock but not enough for the whole line (splitLines uses them). */
  short: Candidate[];
  reroutesLeft: boolean;
}

function groupExclusions(exclusions: readonly Exclusion[] | undefined): Map<string, Map<string, string>> {
  const byLine = new Map<string, Map<string, string>>();
  for (const e of exclusions ?? []) {
    let suppliers = byLine.get(e.lineId);
    if (!suppliers) byLine.set(e.lineId, (suppliers = new Map()));
    if (!suppliers.has(e.supplier)) suppliers.set(e.supplier, e.reason);
  }
  return byLine;
}

function evaluateLine(
  line: DecisionLine,
  sources: readonly Source[],
  stock: StockSnapshot | undefined,
  policy: RoutingPolicy,
  useStock: boolean,
  nowMs: number,
  tried: Map<string, string> | undefined,
): EvaluatedLine {
  const candidates: Candidate[] = [];
  const viable: Candidate[] = [];
  const short: Candidate[] = [];
  const reroutesLeft = (tried?.size ?? 0) <= policy.maxReroutes;
  for (const source of sources) {
    const candidate = evaluateCandidate(line, source, stock, policy, nowMs);
    candidates.push(candidate);
    const triedBecause = tried?.get(source.supplier);
    if (triedBecause !== undefined) candidate.skip = { kind: 'tried', reason: triedBecause };
    else if (!reroutesLeft) candidate.skip = { kind: 'reroutes', reroutes: policy.maxReroutes };
    else if (source.minQty !== null && line.quantity < source.minQty) candidate.skip = { kind: 'min-qty', minQty: source.minQty };
    else if (useStock && candidate.usable === null && policy.unknownStock === 'skip') candidate.skip = { kind: 'unknown-stock', ageMs: candidate.ageMs };
    else if (useStock && candidate.usable !== null && candidate.usable < line.quantity) {
      candidate.skip = { kind: 'no-stock', needed: line.quantity, left: candidate.usable, takenEarlier: 0 };
      if (candidate.usable > 0) short.push(candidate);
    } else viable.push(candidate);
  }
  return { line, candidates, viable, short, reroutesLeft };
}

function evaluateCandidate(line: DecisionLine, source: Source, stock: StockSnapshot | undefined, policy: RoutingPolicy, nowMs: number): Candidate {
  const level = stock?.get(stockKey(source.supplier, source.supplierSku)) ?? null;
  let ageMs: number | null = null;
  let usable: number | null = null;
  if (level) {
    ageMs = nowMs - level.asOf.getTime();
    if (ageMs <= policy.stockMaxAgeMs) usable = Math.max(0, level.available - level.reserved - source.terms.stockBuffer);
  }
  const feeUnits = source.terms.shippingFee === null ? 0 : unitsOf(source.terms.shippingFee);
  const goodsUnits = source.cost === null ? null : timesUnits(line.quantity, unitsOf(source.cost));
  return {
    source,
    supplier: source.supplier,
    priority: source.priority ?? source.terms.priority,
    goodsUnits,
    landedUnits: goodsUnits === null ? null : addUnits(goodsUnits, feeUnits),
    feeUnits,
    stock: level,
    ageMs,
    usable,
    skip: null,
    allocated: 0,
  };
}

// ─── Ranking ─────────────────────────────────────────────────────────────────────────────────

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePriority(a: Candidate, b: Candidate): number {
  return (a.priority ?? NO_PRIORITY) - (b.priority ?? NO_PRIORITY);
}

function compareCost(a: Candidate, b: Candidate): number {
  if (a.landedUnits === null || b.landedUnits === null) return (a.landedUnits === null ? 1 : 0) - (b.landedUnits === null ? 1 : 0);
  return compareUnits(a.landedUnits, b.landedUnits);
}

function compareIds(a: Candidate, b: Candidate): number {
  return byText(a.supplier, b.supplier) || byText(a.source.supplierSku, b.source.supplierSku);
}

/** Compares by one rule; fewest-shipments by membership of `cover` (none: a tie). */
function compareBy(rule: Exclude<RoutingRule, 'in-stock'>, a: Candidate, b: Candidate, cover: ReadonlySet<string> | null): number {
  switch (rule) {
    case 'priority':
      return comparePriority(a, b);
    case 'cost':
      return compareCost(a, b);
    case 'fewest-shipments':
      return cover === null ? 0 : (cover.has(a.supplier) ? 0 : 1) - (cover.has(b.supplier) ? 0 : 1);
  }
}

function comparator(keys: readonly Exclude<RoutingRule, 'in-stock'>[], cover: ReadonlySet<string> | null): Compare {
  return (a, b) => {
    for (const key of keys) {
      const d = compareBy(key, a, b, cover);
      if (d !== 0) return d;
    }
    return compareIds(a, b);
  };
}

// ─── Step 2: fewest-shipments ────────────────────────────────────────────────────────────────

interface CoverLine {
  /** The suppliers tied first on the rules before fewest-shipments, sorted. */
  suppliers: string[];
  /** Their candidates (to score a cover). */
  front: Candidate[];
}

function coverLine(viable: Candidate[], before: readonly Exclude<RoutingRule, 'in-stock'>[]): CoverLine {
  if (viable.length === 0) return { suppliers: [], front: [] };
  const sorted = [...viable].sort(comparator(before, null));
  const best = sorted[0]!;
  const front = sorted.filter((c) => before.every((key) => compareBy(key, c, best, null) === 0));
  return { suppliers: [...new Set(front.map((c) => c.supplier))].sort(byText), front };
}

interface Cover {
  suppliers: ReadonlySet<string>;
  score: CoverScore;
}

/**
 * The smallest set of suppliers with one in every line's front: exact (smallest sets first) within
 * COVER_BUDGET subsets, greedy beyond (the supplier in most uncovered fronts, then the supplier id).
 * Among sets of that size, the best by the rules after fewest-shipments (`after`), summed over the
 * order; then the supplier ids.
 */
function chooseCover(lines: readonly CoverLine[], after: readonly Exclude<RoutingRule, 'in-stock'>[]): Cover {
  const fronts = lines.filter((l) => l.suppliers.length > 0);
  const forced = new Set<string>();
  for (const f of fronts) if (f.suppliers.length === 1) forced.add(f.suppliers[0]!);
  const open = fronts.filter((f) => !f.suppliers.some((s) => forced.has(s)));
  const covers: Set<string>[] = [];
  if (open.length === 0) {
    covers.push(forced);
  } else {
    const pool = [...new Set(open.flatMap((f) => f.suppliers))].sort(byText);
    const hits = (chosen: readonly string[]) => open.every((f) => f.suppliers.some((s) => chosen.includes(s)));
    let budget = COVER_BUDGET;
    for (let k = 1; k <= pool.length && covers.length === 0 && budget > 0; k++) {
      for (const combo of combinations(pool, k)) {
        if (--budget < 0) break;
        if (hits(combo)) covers.push(new Set([...forced, ...combo]));
      }
    }
    if (covers.length === 0) covers.push(greedyCover(open, forced));
  }
  let best: Cover | undefined;
  for (const suppliers of covers) {
    const candidate: Cover = { suppliers, score: scoreCover(fronts, suppliers) };
    if (!best || compareCovers(candidate, best, after) < 0) best = candidate;
  }
  return best!;
}

function* combinations(pool: readonly string[], k: number): Generator<string[]> {
  const index = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    yield index.map((i) => pool[i]!);
    let i = k - 1;
    while (i >= 0 && index[i] === pool.length - k + i) i--;
    if (i < 0) return;
    index[i]!++;
    for (let j = i + 1; j < k; j++) index[j] = index[j - 1]! + 1;
  }
}

function greedyCover(open: readonly CoverLine[], forced: ReadonlySet<string>): Set<string> {
  const chosen = new Set(forced);
  let left = [...open];
  while (left.length) {
    const counts = new Map<string, number>();
    for (const f of left) for (const s of f.suppliers) counts.set(s, (counts.get(s) ?? 0) + 1);
    const [pick] = [...counts].sort((a, b) => b[1] - a[1] || byText(a[0], b[0]))[0]!;
    chosen.add(pick);
    left = left.filter((f) => !f.suppliers.includes(pick));
  }
  return chosen;
}

/** Each line's best front candidate within the cover (by priority, cost, supplier id), summed. */
function scoreCover(fronts: readonly CoverLine[], suppliers: ReadonlySet<string>): CoverScore {
  let priority = 0;
  let cost: Units | null = 0;
  const fees = new Map<string, Units>();
  for (const f of fronts) {
    let pick: Candidate | undefined;
    for (const c of f.front) {
      if (!suppliers.has(c.supplier)) continue;
      if (!pick || comparePriority(c, pick) < 0 || (comparePriority(c, pick) === 0 && (compareCost(c, pick) < 0 || (compareCost(c, pick) === 0 && compareIds(c, pick) < 0)))) pick = c;
    }
    if (!pick) continue;
    priority += pick.priority ?? NO_PRIORITY;
    if (cost !== null) cost = pick.goodsUnits === null ? null : addUnits(cost, pick.goodsUnits);
    fees.set(pick.supplier, pick.feeUnits);
  }
  if (cost !== null) for (const fee of fees.values()) cost = addUnits(cost, fee);
  return { priority, cost };
}

function compareScores(rule: Exclude<RoutingRule, 'in-stock'>, a: CoverScore, b: CoverScore): number {
  if (rule === 'priority') return a.priority - b.priority;
  if (rule === 'cost') {
    if (a.cost === null || b.cost === null) return (a.cost === null ? 1 : 0) - (b.cost === null ? 1 : 0);
    return compareUnits(a.cost, b.cost);
  }
  return 0;
}

function compareCovers(a: Cover, b: Cover, after: readonly Exclude<RoutingRule, 'in-stock'>[]): number {
  for (const rule of after) {
    const d = compareScores(rule, a.score, b.score);
    if (d !== 0) return d;
  }
  return byText([...a.suppliers].sort(byText).join('\n'), [...b.suppliers].sort(byText).join('\n'));
}

// ─── Step 3: allocation ──────────────────────────────────────────────────────────────────────

function allocateLine(
  e: EvaluatedLine,
  index: number,
  compare: Compare,
  taken: Map<string, number>,
  useStock: boolean,
  policy: RoutingPolicy,
  keys: readonly Exclude<RoutingRule, 'in-stock'>[],
  cover: Cover | null,
  coverLines: readonly CoverLine[],
  after: readonly Exclude<RoutingRule, 'in-stock'>[],
): LineDecision {
  const { line } = e;
  const ranked = e.viable.length > 1 ? [...e.viable].sort(compare) : [...e.viable];
  const left = (c: Candidate): number | null => (c.usable === null ? null : c.usable - (taken.get(stockKey(c.supplier, c.source.supplierSku)) ?? 0));
  const take = (c: Candidate, quantity: number) => {
    c.allocated += quantity;
    if (c.usable !== null) {
      const key = stockKey(c.supplier, c.source.supplierSku);
      taken.set(key, (taken.get(key) ?? 0) + quantity);
    }
  };

  const decision: LineDecision = {
    lineId: line.lineId,
    sku: line.sku,
    quantity: line.quantity,
    status: 'unfillable',
    allocations: [],
    planned: [],
    candidates: [],
    why: { kind: 'no-source' },
    heldBy: [],
  };

  // What earlier lines took may leave a viable source short now.
  const considered: Candidate[] = [];
  for (const c of ranked) {
    const now = useStock ? left(c) : null;
    if (now !== null && now < line.quantity) {
      c.skip = { kind: 'no-stock', needed: line.quantity, left: Math.max(0, now), takenEarlier: c.usable! - Math.max(0, now) };
      if (now > 0) e.short.push(c);
    } else {
      considered.push(c);
    }
  }

  const winner = considered[0];
  if (winner) {
    take(winner, line.quantity);
    decision.status = 'allocated';
    decision.allocations = [allocation(winner, line.quantity)];
    decision.why = whyWinner(winner, considered[1], e, index, keys, cover, coverLines, after);
  } else if (useStock && policy.splitLines) {
    const pieces = [...considered, ...e.short].sort(compare);
    let need = line.quantity;
    const used: [Candidate, number][] = [];
    for (const c of pieces) {
      if (need === 0) break;
      const room = left(c);
      const portion = room === null ? need : Math.min(need, Math.max(0, room));
      if (portion <= 0 || portion < (c.source.minQty ?? 1)) continue;
      used.push([c, portion]);
      need -= portion;
    }
    if (need === 0) {
      for (const [c, portion] of used) {
        take(c, portion);
        c.skip = null;
      }
      decision.status = 'allocated';
      decision.allocations = used.map(([c, portion]) => allocation(c, portion));
      decision.why = { kind: 'split' };
    } else {
      decision.why = e.candidates.length === 0 ? { kind: 'no-source' } : { kind: 'short', usable: line.quantity - need };
    }
  } else {
    decision.why = e.candidates.length === 0 ? { kind: 'no-source' } : { kind: 'none-left' };
  }

  // Ranked first (allocated and considered in rank order), then the skipped by supplier.
  const rankedOut = e.candidates.filter((c) => c.skip === null).sort(compare);
  const skipped = e.candidates.filter((c) => c.skip !== null).sort(compareIds);
  decision.candidates = [...rankedOut, ...skipped];
  return decision;
}

function allocation(c: Candidate, quantity: number): Allocation {
  return { supplier: c.supplier, supplierSku: c.source.supplierSku, quantity, cost: c.source.cost };
}

/** The rule that put the winner before the runner-up. */
function whyWinner(
  winner: Candidate,
  runnerUp: Candidate | undefined,
  e: EvaluatedLine,
  index: number,
  keys: readonly Exclude<RoutingRule, 'in-stock'>[],
  cover: Cover | null,
  coverLines: readonly CoverLine[],
  after: readonly Exclude<RoutingRule, 'in-stock'>[],
): Why {
  if (!runnerUp) {
    if (e.candidates.length === 1) return { kind: 'only-source' };
    return { kind: 'only-left', skipped: [...new Set(e.candidates.filter((c) => c !== winner && c.skip).map((c) => c.skip!.kind))] };
  }
  const tiedOn: RoutingRule[] = [];
  for (const key of keys) {
    const d = compareBy(key, winner, runnerUp, cover?.suppliers ?? null);
    if (d === 0) {
      tiedOn.push(key);
      continue;
    }
    if (key === 'fewest-shipments') {
      // Would the runner-up's supplier have needed more shipments, or as many (and the set chosen
      // was better on the later rules)?
      const forced = coverLines.map((c, i) => (i === index ? { suppliers: [runnerUp.supplier], front: [runnerUp] } : c));
      const alternative = chooseCover(forced, after);
      const shipments = cover!.suppliers.size;
      if (alternative.suppliers.size > shipments) {
        return { kind: 'fewest-shipments', shipments, runnerUp, runnerUpShipments: alternative.suppliers.size };
      }
      const rule = (after.find((r) => compareScores(r, cover!.score, alternative.score) !== 0) ?? null) as 'priority' | 'cost' | null;
      return { kind: 'fewest-shipments-tie', shipments, runnerUp, rule, score: cover!.score, runnerUpScore: alternative.score };
    }
    return { kind: 'rule', rule: key, runnerUp };
  }
  return { kind: 'supplier-id', runnerUp, tiedOn };
}
