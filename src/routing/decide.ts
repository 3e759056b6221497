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

/** Stock per (supplier, supplier SKU); a pair without a figure is unknown. */
export interface StockSnapshot {
  get(supplier: string, supplierSku: string): StockLevel | undefined;
}

/** A row of the inventory ledger. */
export interface StockRow extends StockLevel {
  supplier: string;
  supplierSku: string;
}

/**
 * A snapshot from ledger rows (say, the one query per order). Lookups take the strings as they
 * are (no key is built per lookup); a later row for the same pair replaces an earlier one.
 */
export function stockSnapshot(rows: Iterable<StockRow>): StockSnapshot {
  const bySupplier = new Map<string, Map<string, StockLevel>>();
  for (const { supplier, supplierSku, available, reserved, asOf } of rows) {
    let levels = bySupplier.get(supplier);
    if (!levels) bySupplier.set(supplier, (levels = new Map()));
    levels.set(supplierSku, { available, reserved, asOf });
  }
  return { get: (supplier, supplierSku) => bySupplier.get(supplier)?.get(supplierSku) };
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

/** What a candidate needs to look its stock up when asked: shared by the candidates of a line. */
interface LineContext {
  quantity: number;
  stock: StockSnapshot | undefined;
  nowMs: number;
  policy: RoutingPolicy;
  useStock: boolean;
  /** What the order's earlier lines took, by stock figure, when this line was decided. */
  takenBefore: ReadonlyMap<StockLevel, number>;
}

/**
 * One candidate source of a line, as the decision saw it. Its static facts (priority, and money
 * when a rule first asks) are known at once; its stock is looked up when the walk in rank order
 * reaches it, which for most lines is the chosen source and the runner-up only; the explanation
 * asks for the others (against the stock the line saw).
 */
export class Candidate {
  readonly source: Source;
  readonly supplier: string;
  /** The SKU's priority at this supplier, else the supplier's; null: none. */
  readonly priority: number | null;
  /** How much of the line it ships (0: none). */
  allocated = 0;
  private readonly context: LineContext;
  private skipped: Skip | null;
  private inspected = false;
  private figure: StockLevel | null = null;
  private age: number | null = null;
  private free: number | null = null;
  private goods: Units | null | undefined = undefined;
  private landed: Units | null | undefined = undefined;

  constructor(source: Source, context: LineContext, skip: Skip | null) {
    this.source = source;
    this.supplier = source.supplier;
    this.priority = source.priority ?? source.terms.priority;
    this.context = context;
    this.skipped = skip;
  }

  /** Why it was left out; null when it was considered. */
  get skip(): Skip | null {
    if (!this.inspected) this.inspect();
    return this.skipped;
  }

  set skip(skip: Skip | null) {
    this.skipped = skip;
  }

  /** The stock figure, null when there is none. */
  get stock(): StockLevel | null {
    if (!this.inspected) this.inspect();
    return this.figure;
  }

  /** Age of the stock figure at `now`; null without one. */
  get ageMs(): number | null {
    if (!this.inspected) this.inspect();
    return this.age;
  }

  /** available − reserved − stockBuffer (at least 0), when the figure is fresh; null when unknown. */
  get usable(): number | null {
    if (!this.inspected) this.inspect();
    return this.free;
  }

  /** The supplier's shippingFee, 0 without one. */
  get feeUnits(): Units {
    return this.source.terms.shippingFee === null ? 0 : moneyUnits(this.source.terms.shippingFee);
  }

  /** quantity × unit cost; null when the cost is unknown. */
  get goodsUnits(): Units | null {
    if (this.goods === undefined) this.goods = this.source.cost === null ? null : timesUnits(this.context.quantity, moneyUnits(this.source.cost));
    return this.goods;
  }

  /** goods + the supplier's shippingFee: what `cost` compares; null when the cost is unknown. */
  get landedUnits(): Units | null {
    if (this.landed === undefined) {
      const goods = this.goodsUnits;
      this.landed = goods === null ? null : addUnits(goods, this.feeUnits);
    }
    return this.landed;
  }

  /**
   * For a candidate the walk did not reach: with in-stock, leaves it out if the earlier lines of the
   * order left too little of its stock (the walk checks this itself for those it reaches).
   */
  settle(): void {
    const free = this.usable;
    if (this.skipped !== null || this.allocated > 0 || !this.context.useStock || free === null) return;
    const left = free - (this.context.takenBefore.get(this.figure!) ?? 0);
    if (left < this.context.quantity) this.skipped = { kind: 'no-stock', needed: this.context.quantity, left: Math.max(0, left), takenEarlier: free - Math.max(0, left) };
  }

  /** Looks the stock up and, with in-stock, leaves the candidate out when it cannot take the line. */
  inspect(): void {
    if (this.inspected) return;
    this.inspected = true;
    const { context, source } = this;
    const level = context.stock?.get(source.supplier, source.supplierSku) ?? null;
    if (level) {
      this.figure = level;
      const at = level.asOf.getTime();
      this.age = Number.isFinite(at) ? context.nowMs - at : null; // an invalid date: an unknown age, so unknown stock
      if (this.age !== null && this.age <= context.policy.stockMaxAgeMs) this.free = Math.max(0, level.available - level.reserved - source.terms.stockBuffer);
    }
    if (this.skipped !== null || !context.useStock) return;
    if (this.free === null) {
      if (context.policy.unknownStock === 'skip') this.skipped = { kind: 'unknown-stock', ageMs: this.age };
      return;
    }
    const taken = context.takenBefore.get(level!) ?? 0;
    const left = this.free - taken;
    if (left < context.quantity) this.skipped = { kind: 'no-stock', needed: context.quantity, left: Math.max(0, left), takenEarlier: this.free - Math.max(0, left) };
  }
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

/** The decision for one line. */
export class LineDecision {
  readonly lineId: string;
  readonly sku: string;
  readonly quantity: number;
  /**
   * `allocated`: `allocations` say who ships it. `held`: it could go (`planned`), but another line
   * cannot and the policy holds the order whole. `unfillable`: no source can take it now.
   */
  status: 'allocated' | 'held' | 'unfillable' = 'unfillable';
  /** Who ships it (several when split); empty unless `allocated`. */
  allocations: Allocation[] = NONE;
  /** Where it would go: only for `held` lines. */
  planned: Allocation[] = NONE;
  why: Why = NO_SOURCE;
  /** For `held` lines: the lines that hold the order. */
  heldBy: string[] = NO_LINES;
  private readonly all: Candidate[];
  private readonly compare: Compare;
  private listed: Candidate[] | undefined;

  constructor(line: DecisionLine, all: Candidate[], compare: Compare) {
    this.lineId = line.lineId;
    this.sku = line.sku;
    this.quantity = line.quantity;
    this.all = all;
    this.compare = compare;
  }

  /** Every candidate: the ranked ones first, in rank order, then the skipped ones by supplier. */
  get candidates(): Candidate[] {
    if (!this.listed) {
      const ranked: Candidate[] = [];
      const skipped: Candidate[] = [];
      for (const c of this.all) {
        c.settle();
        (c.skip === null ? ranked : skipped).push(c);
      }
      if (ranked.length > 1) ranked.sort(this.compare);
      if (skipped.length > 1) skipped.sort(compareIds);
      this.listed = skipped.length ? ranked.concat(skipped) : ranked;
    }
    return this.listed;
  }
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
const NONE = Object.freeze([]) as unknown as Allocation[];
const NO_LINES = Object.freeze([]) as unknown as string[];
const NO_SOURCE: Why = { kind: 'no-source' };
const ONLY_SOURCE: Why = { kind: 'only-source' };
const NONE_LEFT: Why = { kind: 'none-left' };
const NOTHING_TAKEN: ReadonlyMap<StockLevel, number> = new Map();
const EMPTY: readonly Source[] = [];

/** Exact subsets tried by fewest-shipments before it settles for the greedy cover. */
const COVER_BUDGET = 4_096;
/** Beyond this many suppliers in the undecided fronts, fewest-shipments is greedy (masks are 31-bit). */
const MAX_EXACT_POOL = 30;
/** Smallest covers compared by the later rules at most (the first found, in supplier-id order). */
const MAX_TIED_COVERS = 64;

type Compare = (a: Candidate, b: Candidate) => number;
type Key = Exclude<RoutingRule, 'in-stock'>;

/** What a policy comes to for the decision, worked out once per policy. */
interface Plan {
  useStock: boolean;
  /** The ranking rules, in order. */
  keys: Key[];
  /** Those before fewest-shipments, and after it (none after: it is absent). */
  before: Key[];
  after: Key[];
  hasFewestShipments: boolean;
  /** The ranking without fewest-shipments: the candidates' order before the cover is known. */
  plain: Compare;
}

const plans = new WeakMap<RoutingPolicy, Plan>();

function planOf(policy: RoutingPolicy): Plan {
  let plan = plans.get(policy);
  if (!plan) {
    const keys = policy.rules.filter((r): r is Key => r !== 'in-stock');
    const fsAt = keys.indexOf('fewest-shipments');
    plan = {
      useStock: policy.rules.includes('in-stock'),
      keys,
      before: fsAt === -1 ? keys : keys.slice(0, fsAt),
      after: fsAt === -1 ? [] : keys.slice(fsAt + 1),
      hasFewestShipments: fsAt !== -1,
      plain: comparator(keys, null),
    };
    plans.set(policy, plan);
  }
  return plan;
}

/** A line being decided. */
interface LineState {
  line: DecisionLine;
  context: LineContext;
  /** Every candidate, in the sources' order. */
  all: Candidate[];
  /** Those not left out by the checks that need no stock, in rank order without fewest-shipments. */
  ordered: Candidate[];
}

export function decide(input: DecideInput): Decision {
  const { policy, lines } = input;
  const plan = planOf(policy);
  const nowMs = input.now.getTime();
  const sources = input.sources;
  const excluded = groupExclusions(input.exclusions);

  // 1. Every candidate of every line, ranked by the rules that need no stock.
  const states: LineState[] = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const found = typeof sources === 'function' ? sources(line.sku) : (sources.get(line.sku) ?? EMPTY);
    states[i] = prepareLine(line, found, input.stock, policy, plan, nowMs, excluded?.get(line.lineId));
  }

  // 2. fewest-shipments: the smallest set of suppliers that covers the order, among the sources
  //    tied first on the rules before it. Where no line has such a tie, that is each line's first.
  let cover: Cover | null = null;
  let coverLines: CoverLine[] = [];
  if (plan.hasFewestShipments && lines.length > 1) {
    coverLines = new Array(lines.length);
    let tied = false;
    let fronts = 0;
    for (let i = 0; i < states.length; i++) {
      const c = frontOf(states[i]!, plan);
      coverLines[i] = c;
      if (c.suppliers.length > 1) tied = true;
      if (c.suppliers.length > 0) fronts++;
    }
    if (tied && fronts > 1) cover = chooseCover(coverLines, plan.after);
    else if (fronts > 1) cover = { suppliers: new Set(coverLines.filter((c) => c.suppliers.length).map((c) => c.suppliers[0]!)), score: null };
  }
  const compare = cover ? comparator(plan.keys, cover.suppliers) : plan.plain;

  // 3. Lines in order, each taking stock from what the ones before it left.
  const taken = new Map<StockLevel, number>();
  const decided: LineDecision[] = new Array(lines.length);
  let unfillable = 0;
  for (let i = 0; i < states.length; i++) {
    const state = states[i]!;
    if (taken.size) state.context.takenBefore = new Map(taken);
    const d = allocateLine(state, i, compare, taken, plan, policy, cover, coverLines);
    if (d.status === 'unfillable') unfillable++;
    decided[i] = d;
  }

  // 4. The policy for lines nothing can fill.
  let outcome: Decision['outcome'] = 'routed';
  if (unfillable) {
    if (policy.unfillable === 'hold') {
      outcome = 'held';
      const heldBy = decided.filter((d) => d.status === 'unfillable').map((d) => d.lineId);
      for (const d of decided) {
        if (d.status !== 'allocated') continue;
        d.status = 'held';
        d.planned = d.allocations;
        d.allocations = NONE;
        d.heldBy = heldBy;
      }
    } else {
      outcome = unfillable === decided.length ? 'waiting' : 'partial';
    }
  }
  const suppliers: string[] = [];
  for (const d of decided) for (const a of d.allocations) if (!suppliers.includes(a.supplier)) suppliers.push(a.supplier);
  if (suppliers.length > 1) suppliers.sort(byText);
  return { outcome, lines: decided, policy, suppliers };
}

// ─── Step 1: the candidates of a line ────────────────────────────────────────────────────────

function groupExclusions(exclusions: readonly Exclusion[] | undefined): Map<string, Map<string, string>> | undefined {
  if (!exclusions?.length) return undefined;
  const byLine = new Map<string, Map<string, string>>();
  for (const e of exclusions) {
    let suppliers = byLine.get(e.lineId);
    if (!suppliers) byLine.set(e.lineId, (suppliers = new Map()));
    if (!suppliers.has(e.supplier)) suppliers.set(e.supplier, e.reason);
  }
  return byLine;
}

function prepareLine(
  line: DecisionLine,
  sources: readonly Source[],
  stock: StockSnapshot | undefined,
  policy: RoutingPolicy,
  plan: Plan,
  nowMs: number,
  tried: Map<string, string> | undefined,
): LineState {
  const context: LineContext = { quantity: line.quantity, stock, nowMs, policy, useStock: plan.useStock, takenBefore: NOTHING_TAKEN };
  const all: Candidate[] = new Array(sources.length);
  const ordered: Candidate[] = [];
  const reroutesLeft = (tried?.size ?? 0) <= policy.maxReroutes;
  for (let i = 0; i < sources.length; i++) {
    const source = sources[i]!;
    const triedBecause = tried?.get(source.supplier);
    let skip: Skip | null = null;
    if (triedBecause !== undefined) skip = { kind: 'tried', reason: triedBecause };
    else if (!reroutesLeft) skip = { kind: 'reroutes', reroutes: policy.maxReroutes };
    else if (source.minQty !== null && line.quantity < source.minQty) skip = { kind: 'min-qty', minQty: source.minQty };
    const candidate = new Candidate(source, context, skip);
    all[i] = candidate;
    if (skip === null) ordered.push(candidate);
  }
  if (ordered.length > 1) ordered.sort(plan.plain);
  return { line, context, all, ordered };
}

/** Parsed amounts by their text: catalogs repeat the same cost strings order after order. */
const parsedMoney = new Map<string, Units>();

function moneyUnits(amount: string): Units {
  let units = parsedMoney.get(amount);
  if (units === undefined) {
    if (parsedMoney.size >= 100_000) parsedMoney.clear();
    units = unitsOf(amount);
    parsedMoney.set(amount, units);
  }
  return units;
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

/** By the rules only (0: tied on all of them). */
function compareKeys(keys: readonly Exclude<RoutingRule, 'in-stock'>[], a: Candidate, b: Candidate, cover: ReadonlySet<string> | null): number {
  for (let i = 0; i < keys.length; i++) {
    const d = compareBy(keys[i]!, a, b, cover);
    if (d !== 0) return d;
  }
  return 0;
}

function comparator(keys: readonly Exclude<RoutingRule, 'in-stock'>[], cover: ReadonlySet<string> | null): Compare {
  return (a, b) => compareKeys(keys, a, b, cover) || compareIds(a, b);
}


// ─── Step 2: fewest-shipments ────────────────────────────────────────────────────────────────

interface CoverLine {
  /** The suppliers tied first on the rules before fewest-shipments, sorted. */
  suppliers: string[];
  /** Their candidates by the rules after fewest-shipments, then supplier id: a cover's pick is the first it holds. */
  ranked: Candidate[];
}

interface Cover {
  suppliers: ReadonlySet<string>;
  /** Null where no line had a tie (the set was not chosen among others). */
  score: CoverScore | null;
}

/**
 * The smallest set of suppliers with one in every line's front: exact (smallest sets first) within
 * COVER_BUDGET subsets, greedy beyond (the supplier in most uncovered fronts, then the supplier id).
 * Among sets of that size (the first MAX_TIED_COVERS found), the best by the rules after
 * fewest-shipments (`after`), summed over the order; then the supplier ids.
 */
function chooseCover(lines: readonly CoverLine[], after: readonly Exclude<RoutingRule, 'in-stock'>[]): Cover {
  const fronts = lines.filter((l) => l.suppliers.length > 0);
  let best: Cover | undefined;
  for (const suppliers of smallestCovers(fronts)) {
    const candidate: Cover = { suppliers, score: scoreCover(fronts, suppliers) };
    if (!best || compareCovers(candidate, best, after) < 0) best = candidate;
  }
  return best!;
}

/** The smallest covers of these fronts (all of one size; at most MAX_TIED_COVERS). */
function smallestCovers(fronts: readonly CoverLine[]): Set<string>[] {
  const forced = new Set<string>();
  for (const f of fronts) if (f.suppliers.length === 1) forced.add(f.suppliers[0]!);
  const open = fronts.filter((f) => !f.suppliers.some((s) => forced.has(s)));
  if (open.length === 0) return [forced];
  const covers: Set<string>[] = [];
  const pool = [...new Set(open.flatMap((f) => f.suppliers))].sort(byText);
  if (pool.length <= MAX_EXACT_POOL) {
    // Each front as a bit mask over the pool; a set of suppliers covers when it meets every mask.
    const bit = new Map(pool.map((s, i) => [s, 2 ** i]));
    const masks = [...new Set(open.map((f) => f.suppliers.reduce((m, s) => m | bit.get(s)!, 0)))];
    let budget = COVER_BUDGET;
    for (let k = 1; k <= pool.length && covers.length === 0 && budget > 0; k++) {
      budget = combinations(pool.length, k, budget, (chosen) => {
        if (covers.length < MAX_TIED_COVERS && masks.every((m) => (m & chosen) !== 0)) {
          covers.push(new Set([...forced, ...pool.filter((_, i) => (chosen & (2 ** i)) !== 0)]));
        }
      });
    }
  }
  if (covers.length === 0) covers.push(greedyCover(open, forced));
  return covers;
}

/** Calls `visit` with the bit mask of each k-subset of n items, in order, at most `budget` times; returns what is left of it. */
function combinations(n: number, k: number, budget: number, visit: (mask: number) => void): number {
  const index = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    if (budget-- <= 0) return 0;
    let mask = 0;
    for (const i of index) mask |= 2 ** i;
    visit(mask);
    let i = k - 1;
    while (i >= 0 && index[i] === n - k + i) i--;
    if (i < 0) return budget;
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

/** Each line's first ranked front candidate within the cover, summed: priorities, and goods + each supplier's fee once. */
function scoreCover(fronts: readonly CoverLine[], suppliers: ReadonlySet<string>): CoverScore {
  let priority = 0;
  let cost: Units | null = 0;
  const fees = new Map<string, Units>();
  for (const f of fronts) {
    const pick = f.ranked.find((c) => suppliers.has(c.supplier));
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
    const d = compareScores(rule, a.score!, b.score!);
    if (d !== 0) return d;
  }
  return byText([...a.suppliers].sort(byText).join('\n'), [...b.suppliers].sort(byText).join('\n'));
}

// ─── Step 3: allocation ──────────────────────────────────────────────────────────────────────

/**
 * A line's front for fewest-shipments: the sources that can take it (before other lines take
 * stock) tied first on the rules before fewest-shipments. The walk stops at the first source past
 * the tie: those below are not looked at.
 */
function frontOf(state: LineState, plan: Plan): CoverLine {
  let best: Candidate | undefined;
  let front: Candidate[] | undefined;
  for (const c of state.ordered) {
    if (best && compareKeys(plan.before, c, best, null) !== 0) break;
    if (c.skip !== null) continue;
    if (!best) best = c;
    else (front ??= [best]).push(c);
  }
  if (!best) return { suppliers: [], ranked: [] };
  if (!front) return { suppliers: [best.supplier], ranked: [best] };
  return { suppliers: [...new Set(front.map((c) => c.supplier))].sort(byText), ranked: front.sort(comparator(plan.after, null)) };
}

function allocateLine(
  state: LineState,
  index: number,
  compare: Compare,
  taken: Map<StockLevel, number>,
  plan: Plan,
  policy: RoutingPolicy,
  cover: Cover | null,
  coverLines: readonly CoverLine[],
): LineDecision {
  const { line, ordered } = state;
  const decision = new LineDecision(line, state.all, compare);

  // Walk the candidates in rank order, looking at their stock as they come: the first that can take
  // the line wins, the next one is the runner-up, and those below are not looked at. With a cover,
  // the sources tied on the rules before fewest-shipments are reordered by it, group by group.
  let winner: Candidate | undefined;
  let runnerUp: Candidate | undefined;
  for (let i = 0; i < ordered.length && !runnerUp; ) {
    let end = i + 1;
    if (cover) while (end < ordered.length && compareKeys(plan.before, ordered[end]!, ordered[i]!, null) === 0) end++;
    const group = end - i === 1 ? ordered : ordered.slice(i, end).sort(compare);
    const from = end - i === 1 ? i : 0;
    const to = end - i === 1 ? end : group.length;
    for (let k = from; k < to; k++) {
      const c = group[k]!;
      if (c.skip !== null) continue;
      const room = plan.useStock ? left(c, taken) : null;
      if (room !== null && room < line.quantity) {
        c.skip = { kind: 'no-stock', needed: line.quantity, left: Math.max(0, room), takenEarlier: c.usable! - Math.max(0, room) };
      } else if (!winner) {
        winner = c;
      } else {
        runnerUp = c;
        break;
      }
    }
    i = end;
  }

  if (winner) {
    take(winner, line.quantity, taken);
    decision.status = 'allocated';
    decision.allocations = [allocation(winner, line.quantity)];
    decision.why = whyWinner(winner, runnerUp, state, index, plan, cover, coverLines);
    return decision;
  }
  if (state.all.length === 0) return decision; // no source: the why stays no-source
  decision.why = NONE_LEFT;
  if (!plan.useStock || !policy.splitLines) return decision;

  // Split: every source was looked at; those with some stock give what they can, in rank order.
  const pieces = ordered.filter((c) => c.skip?.kind === 'no-stock' && (left(c, taken) ?? 0) > 0).sort(compare);
  if (pieces.length === 0) return decision;
  let need = line.quantity;
  const used: Candidate[] = [];
  const portions: number[] = [];
  for (const c of pieces) {
    if (need === 0) break;
    const portion = Math.min(need, Math.max(0, left(c, taken)!));
    if (portion <= 0 || portion < (c.source.minQty ?? 1)) continue;
    used.push(c);
    portions.push(portion);
    need -= portion;
  }
  if (need > 0) {
    decision.why = { kind: 'short', usable: line.quantity - need };
    return decision;
  }
  decision.status = 'allocated';
  decision.allocations = used.map((c, i) => {
    take(c, portions[i]!, taken);
    c.skip = null;
    return allocation(c, portions[i]!);
  });
  decision.why = { kind: 'split' };
  return decision;
}

/** What is left of a candidate's stock after this order's earlier lines; null when unknown. */
function left(c: Candidate, taken: Map<StockLevel, number>): number | null {
  const usable = c.usable;
  return usable === null ? null : usable - (taken.get(c.stock!) ?? 0);
}

function take(c: Candidate, quantity: number, taken: Map<StockLevel, number>): void {
  c.allocated += quantity;
  if (c.usable !== null) taken.set(c.stock!, (taken.get(c.stock!) ?? 0) + quantity);
}

function allocation(c: Candidate, quantity: number): Allocation {
  return { supplier: c.supplier, supplierSku: c.source.supplierSku, quantity, cost: c.source.cost };
}

/** The rule that put the winner before the runner-up. */
function whyWinner(winner: Candidate, runnerUp: Candidate | undefined, state: LineState, index: number, plan: Plan, cover: Cover | null, coverLines: readonly CoverLine[]): Why {
  if (!runnerUp) {
    // The walk looked at every candidate: the others were all left out.
    if (state.all.length === 1) return ONLY_SOURCE;
    const kinds: Skip['kind'][] = [];
    for (const c of state.all) if (c !== winner && c.skip && !kinds.includes(c.skip.kind)) kinds.push(c.skip.kind);
    return { kind: 'only-left', skipped: kinds };
  }
  const tiedOn: RoutingRule[] = [];
  for (const key of plan.keys) {
    const d = compareBy(key, winner, runnerUp, cover?.suppliers ?? null);
    if (d === 0) {
      tiedOn.push(key);
      continue;
    }
    if (key === 'fewest-shipments') {
      // Would the runner-up's supplier have needed more shipments, or as many (and the set chosen
      // was better on the later rules)?
      const forced = coverLines.map((c, i) => (i === index ? { suppliers: [runnerUp.supplier], ranked: [runnerUp] } : c));
      const shipments = cover!.suppliers.size;
      const smallest = smallestCovers(forced.filter((l) => l.suppliers.length > 0))[0]!.size;
      if (smallest > shipments) return { kind: 'fewest-shipments', shipments, runnerUp, runnerUpShipments: smallest };
      const score = cover!.score ?? scoreCover(coverLines.filter((l) => l.suppliers.length > 0), cover!.suppliers);
      const alternative = chooseCover(forced, plan.after);
      const rule = (plan.after.find((r) => compareScores(r, score, alternative.score!) !== 0) ?? null) as 'priority' | 'cost' | null;
      return { kind: 'fewest-shipments-tie', shipments, runnerUp, rule, score, runnerUpScore: alternative.score! };
    }
    return { kind: 'rule', rule: key, runnerUp };
  }
  return { kind: 'supplier-id', runnerUp, tiedOn };
}
