/**
 * The routing decision, rule by rule and in the combinations that matter, with the explanation a
 * retailer or operator reads. Sources, stock and policies are built here; no mapping files.
 */
import { describe, expect, it } from 'vitest';
import { decide, stockSnapshot, type DecideInput, type Decision, type Exclusion, type StockSnapshot } from '../../src/routing/decide.ts';
import { explainDecision, type LineExplanation } from '../../src/routing/explain.ts';
import { BUILT_IN_POLICY, mergePolicy, type PolicySettings, type RoutingPolicy } from '../../src/routing/policy.ts';
import type { Source, SupplierTerms } from '../../src/routing/sources.ts';

const NOW = new Date('2026-11-26T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

function terms(t: Partial<SupplierTerms> = {}): SupplierTerms {
  return { priority: null, shippingFee: null, stockBuffer: 0, ...t };
}

/** A source whose supplier SKU is `<SUPPLIER>-<sku>`. */
function source(supplier: string, sku: string, s: Partial<Omit<Source, 'terms'>> & { terms?: Partial<SupplierTerms> } = {}): Source {
  const { terms: t, ...rest } = s;
  return { supplier, supplierSku: `${supplier.toUpperCase()}-${sku}`, cost: null, priority: null, minQty: null, leadTimeDays: null, terms: terms(t), ...rest };
}

function catalog(...sources: Source[]): Map<string, Source[]> {
  const bySku = new Map<string, Source[]>();
  for (const s of sources) {
    const sku = s.supplierSku.slice(s.supplier.length + 1);
    bySku.set(sku, [...(bySku.get(sku) ?? []), s]);
  }
  return bySku;
}

/** Stock by "<supplier>:<sku>" → [available, reserved?, hours old?]. */
function stock(levels: Record<string, [number, number?, number?]>): StockSnapshot {
  return stockSnapshot(
    Object.entries(levels).map(([key, [available, reserved = 0, age = 1]]) => {
      const [supplier, sku] = key.split(':') as [string, string];
      return { supplier, supplierSku: `${supplier.toUpperCase()}-${sku}`, available, reserved, asOf: hoursAgo(age) };
    }),
  );
}

const STOCK_RULES = { rules: ['in-stock', 'priority', 'cost', 'fewest-shipments'] } as const satisfies PolicySettings;
const policy = (settings: PolicySettings = STOCK_RULES): RoutingPolicy => mergePolicy(BUILT_IN_POLICY, settings);

function runWith(
  lines: [sku: string, quantity: number][] | [string, number, string][],
  sources: Map<string, Source[]>,
  options: { stock?: StockSnapshot; policy?: RoutingPolicy; exclusions?: Exclusion[] } = {},
): { decision: Decision; explained: LineExplanation[] } {
  const input: DecideInput = {
    lines: lines.map(([sku, quantity, lineId], i) => ({ lineId: lineId ?? String(i + 1), sku, quantity })),
    sources,
    policy: options.policy ?? BUILT_IN_POLICY,
    now: NOW,
    ...(options.stock ? { stock: options.stock } : {}),
    ...(options.exclusions ? { exclusions: options.exclusions } : {}),
  };
  const decision = decide(input);
  return { decision, explained: explainDecision(decision) };
}

const who = (d: Decision) => d.lines.map((l) => l.allocations.map((a) => `${a.supplier}×${a.quantity}`).join('+') || l.status);

describe('in-stock', () => {
  const sources = catalog(source('acme', 'T', { cost: '4.00' }), source('globex', 'T', { cost: '5.00' }));
  const run: typeof runWith = (lines, sources, options = {}) => runWith(lines, sources, { policy: policy(), ...options });

  it('keeps only the sources whose stock covers the line', () => {
    const { decision, explained } = run([['T', 2]], sources, { stock: stock({ 'acme:T': [1], 'globex:T': [9] }) });
    expect(who(decision)).toEqual(['globex×2']);
    expect(explained[0]).toMatchObject({
      supplier: 'globex',
      reason: 'only source with stock',
      candidates: [
        { supplier: 'globex', available: 9, usable: 9, skipped: null, quantity: 2 },
        { supplier: 'acme', available: 1, usable: 1, skipped: 'only 1 in stock, 2 needed', quantity: 0 },
      ],
    });
  });

  it('subtracts what is reserved and the supplier\'s buffer, and says so', () => {
    const buffered = catalog(source('acme', 'T', { cost: '4.00', terms: { stockBuffer: 2 } }), source('globex', 'T', { cost: '5.00' }));
    const { decision, explained } = run([['T', 3]], buffered, { stock: stock({ 'acme:T': [10, 6], 'globex:T': [3] }) });
    expect(who(decision)).toEqual(['globex×3']);
    expect(explained[0]!.candidates[1]).toMatchObject({ supplier: 'acme', available: 10, reserved: 6, buffer: 2, usable: 2, skipped: 'only 2 in stock, 3 needed (10 available, 6 reserved, buffer 2)' });
    const empty = run([['T', 1]], buffered, { stock: stock({ 'acme:T': [2], 'globex:T': [0, 0] }) });
    expect(empty.explained[0]).toMatchObject({ status: 'unfillable', reason: 'no source can take 1: acme out of stock (2 available, buffer 2); globex out of stock' });
  });

  it('routes unknown stock with unknownStock: route, after the rules like any other source', () => {
    const { decision, explained } = run([['T', 2]], sources, { stock: stock({ 'globex:T': [9] }) });
    expect(who(decision)).toEqual(['acme×2']); // no figure for acme: unknown, routed, and cheaper
    expect(explained[0]!.reason).toBe('cheapest landed cost among in-stock sources (8.00 vs 10.00 at globex); its stock is unknown (no stock figure) and unknownStock is route');
    expect(explained[0]!.candidates[0]).toMatchObject({ supplier: 'acme', available: null, stockAt: null, usable: null, skipped: null });
  });

  it('skips unknown stock with unknownStock: skip: no figure, or one older than stockMaxAge', () => {
    const skip = policy({ ...STOCK_RULES, unknownStock: 'skip', stockMaxAge: '24h' });
    const { decision, explained } = run([['T', 2]], sources, { stock: stock({ 'acme:T': [50, 0, 30], 'globex:T': [9, 0, 23] }), policy: skip });
    expect(who(decision)).toEqual(['globex×2']);
    expect(explained[0]!.candidates[1]).toMatchObject({ supplier: 'acme', available: 50, usable: null, skipped: 'stock 30 h old counts as unknown and unknownStock is skip' });
    const none = run([['T', 2]], sources, { stock: stock({ 'globex:T': [9] }), policy: skip });
    expect(none.explained[0]!.candidates[1]).toMatchObject({ supplier: 'acme', skipped: 'no stock figure counts as unknown and unknownStock is skip' });
    expect(none.explained[0]!.reason).toBe('only source with a fresh stock figure');
  });

  it('stands anywhere in the rules: it filters, it does not rank', () => {
    const stocked = stock({ 'acme:T': [0], 'globex:T': [9] });
    const first = run([['T', 1]], sources, { stock: stocked, policy: policy({ rules: ['in-stock', 'cost'] }) });
    const last = run([['T', 1]], sources, { stock: stocked, policy: policy({ rules: ['cost', 'in-stock'] }) });
    expect(who(first.decision)).toEqual(['globex×1']);
    expect(last.explained).toEqual(first.explained);
  });

  it('without in-stock, stock is shown but filters nothing (the built-in policy)', () => {
    const { decision, explained } = run([['T', 5]], sources, { stock: stock({ 'acme:T': [0] }), policy: BUILT_IN_POLICY });
    expect(who(decision)).toEqual(['acme×5']);
    expect(explained[0]).toMatchObject({ reason: 'cheapest landed cost (20.00 vs 25.00 at globex)', candidates: [{ supplier: 'acme', available: 0, usable: 0, skipped: null }, { supplier: 'globex' }] });
  });

  it('counts what earlier lines of the same order took', () => {
    const { decision, explained } = run([['T', 3], ['T', 2]], sources, { stock: stock({ 'acme:T': [4], 'globex:T': [9] }) });
    expect(who(decision)).toEqual(['acme×3', 'globex×2']);
    expect(explained[1]!.candidates.find((c) => c.supplier === 'acme')).toMatchObject({ skipped: 'only 1 left after earlier lines of this order took 3, 2 needed' });
  });

  it('counts a figure with an invalid date as unknown, and says so without failing', () => {
    const bad = stockSnapshot([{ supplier: 'acme', supplierSku: 'ACME-T', available: 5, reserved: 0, asOf: new Date(Number.NaN) }]);
    const { decision, explained } = run([['T', 1]], sources, { stock: bad, policy: policy({ ...STOCK_RULES, unknownStock: 'skip' }) });
    expect(who(decision)).toEqual(['unfillable']);
    expect(explained[0]!.candidates[0]).toMatchObject({ supplier: 'acme', available: 5, usable: null, stockAt: null, skipped: 'stock of unknown age counts as unknown and unknownStock is skip' });
  });

  it('counts stock dated after `now` (a clock ahead) as fresh', () => {
    const ahead = stockSnapshot([{ supplier: 'acme', supplierSku: 'ACME-T', available: 5, reserved: 0, asOf: new Date(NOW.getTime() + 60_000) }]);
    expect(who(run([['T', 1]], sources, { stock: ahead, policy: policy({ ...STOCK_RULES, unknownStock: 'skip' }) }).decision)).toEqual(['acme×1']);
  });
});

const run = runWith;

describe('priority and cost', () => {
  it('priority: the SKU\'s catalog priority, else the supplier\'s; lower wins, none last', () => {
    const sources = catalog(
      source('acme', 'T', { terms: { priority: 5 } }),
      source('globex', 'T', { priority: 1, terms: { priority: 9 } }),
      source('initech', 'T'),
    );
    const { explained } = run([['T', 1]], sources);
    expect(explained[0]).toMatchObject({ supplier: 'globex', reason: 'priority 1 beats 5 (acme)' });
    expect(explained[0]!.candidates.map((c) => [c.supplier, c.priority])).toEqual([['globex', 1], ['acme', 5], ['initech', null]]);
  });

  it('cost: quantity × unit cost + the supplier\'s shipping fee, exactly; unknown cost last', () => {
    const sources = catalog(
      source('acme', 'T', { cost: '6.20' }),
      source('globex', 'T', { cost: '4.50', terms: { shippingFee: '4.95' } }),
      source('initech', 'T'),
    );
    const { explained } = run([['T', 2]], sources);
    expect(explained[0]).toMatchObject({ supplier: 'acme', reason: 'cheapest landed cost (12.40 vs 13.95 at globex)' });
    expect(explained[0]!.candidates.map((c) => [c.supplier, c.cost, c.landedCost])).toEqual([['acme', '6.20', '12.40'], ['globex', '4.50', '13.95'], ['initech', null, null]]);
    // 0.1 + 0.2 is 0.30 here, not 0.30000000000000004.
    const exact = run([['T', 3]], catalog(source('a', 'T', { cost: '0.1', terms: { shippingFee: '0.2' } }), source('b', 'T', { cost: '0.2' })));
    expect(exact.explained[0]!.candidates.map((c) => c.landedCost)).toEqual(['0.50', '0.60']);
  });

  it('cost against an unknown cost names it', () => {
    const { explained } = run([['T', 1]], catalog(source('acme', 'T'), source('globex', 'T', { cost: '9.00' })));
    expect(explained[0]).toMatchObject({ supplier: 'globex', reason: "cheapest landed cost (9.00; acme's cost is unknown)" });
  });

  it('the order of the rules decides which one counts first', () => {
    const sources = catalog(source('acme', 'T', { cost: '9.00', priority: 1 }), source('globex', 'T', { cost: '5.00', priority: 2 }));
    expect(who(run([['T', 1]], sources, { policy: policy({ rules: ['priority', 'cost'] }) }).decision)).toEqual(['acme×1']);
    expect(who(run([['T', 1]], sources, { policy: policy({ rules: ['cost', 'priority'] }) }).decision)).toEqual(['globex×1']);
  });

  it('a later rule breaks the ties of an earlier one', () => {
    const sources = catalog(source('acme', 'T', { cost: '9.00', priority: 1 }), source('globex', 'T', { cost: '5.00', priority: 1 }), source('initech', 'T', { cost: '1.00', priority: 2 }));
    const { explained } = run([['T', 1]], sources);
    expect(explained[0]).toMatchObject({ supplier: 'globex', reason: 'cheapest landed cost (5.00 vs 9.00 at acme)' });
    expect(explained[0]!.candidates.map((c) => c.supplier)).toEqual(['globex', 'acme', 'initech']);
  });

  it('ties end by supplier id, then supplier SKU, whatever order the sources come in', () => {
    const a = source('acme', 'T', { cost: '5.00' });
    const b = source('globex', 'T', { cost: '5.00' });
    const forward = run([['T', 1]], new Map([['T', [a, b]]]));
    const backward = run([['T', 1]], new Map([['T', [b, a]]]));
    expect(forward.explained).toEqual(backward.explained);
    expect(forward.explained[0]!.reason).toBe('tied with globex on priority, cost, fewest-shipments; acme comes first by supplier id');
    expect(run([['T', 1]], new Map([['T', [b, a]]]), { policy: policy({ rules: [] }) }).explained[0]!.reason).toBe('tied with globex; acme comes first by supplier id');
  });
});

describe('fewest-shipments', () => {
  it('prefers one supplier that can fill the whole order', () => {
    // Line by line, supplier ids would send the three lines to three suppliers; x carries all.
    const sources = catalog(source('a', 'L1'), source('x', 'L1'), source('b', 'L2'), source('x', 'L2'), source('c', 'L3'), source('x', 'L3'));
    const { decision, explained } = run([['L1', 1], ['L2', 1], ['L3', 1]], sources);
    expect(who(decision)).toEqual(['x×1', 'x×1', 'x×1']);
    expect(decision.suppliers).toEqual(['x']);
    expect(explained[0]!.reason).toBe('fewest shipments: the order goes out in 1 PO with x, 2 with a');
  });

  it('only breaks the ties of the rules before it', () => {
    const sources = catalog(source('a', 'L1', { cost: '1.00' }), source('x', 'L1', { cost: '2.00' }), source('x', 'L2', { cost: '2.00' }));
    expect(who(run([['L1', 1], ['L2', 1]], sources).decision)).toEqual(['a×1', 'x×1']); // cost comes first
    const first = policy({ rules: ['fewest-shipments', 'cost'] });
    const { decision, explained } = run([['L1', 1], ['L2', 1]], sources, { policy: first });
    expect(who(decision)).toEqual(['x×1', 'x×1']);
    expect(explained[0]!.reason).toBe('fewest shipments: the order goes out in 1 PO with x, 2 with a');
  });

  it('finds the smallest set of suppliers, not the greedy one', () => {
    // Greedy (most lines first) takes x, then needs a, b and c: 4 POs. a, b, c alone cover all: 3.
    const lines: [string, number][] = [['L1', 1], ['L2', 1], ['L3', 1], ['L4', 1], ['L5', 1], ['L6', 1]];
    const sources = catalog(
      source('a', 'L1'), source('x', 'L1'),
      source('b', 'L2'), source('x', 'L2'),
      source('c', 'L3'), source('x', 'L3'),
      source('a', 'L4'), source('b', 'L5'), source('c', 'L6'),
      source('a', 'L7'),
    );
    const { decision } = run(lines, sources);
    expect(decision.suppliers).toEqual(['a', 'b', 'c']);
  });

  it('among sets of one size, the lower landed cost of the whole order, each shipping fee counted once', () => {
    // {p} and {q} both ship everything; q's goods are dearer but its single fee makes it cheaper.
    const sources = catalog(
      source('p', 'L1', { cost: '5.00', terms: { shippingFee: '10.00' } }), source('q', 'L1', { cost: '6.00', terms: { shippingFee: '5.00' } }),
      source('p', 'L2', { cost: '5.00', terms: { shippingFee: '10.00' } }), source('q', 'L2', { cost: '6.00', terms: { shippingFee: '5.00' } }),
    );
    const settings = policy({ rules: ['fewest-shipments', 'cost'] });
    const { decision, explained } = run([['L1', 1], ['L2', 1]], sources, { policy: settings });
    expect(decision.suppliers).toEqual(['q']);
    expect(explained[0]!.reason).toBe("fewest shipments: 1 PO with q or p; the order's landed cost is lower with q (17.00 vs 20.00)");
  });

  it('leaves a single-line order to the rules after it', () => {
    const sources = catalog(source('a', 'T', { cost: '2.00' }), source('b', 'T', { cost: '1.00' }));
    expect(run([['T', 1]], sources, { policy: policy({ rules: ['fewest-shipments', 'cost'] }) }).explained[0]!.reason).toBe(
      'cheapest landed cost (1.00 vs 2.00 at a)',
    );
  });

  it('stays exact on an order with many lines and suppliers all tied', () => {
    const sources: Source[] = [];
    for (let line = 0; line < 60; line++) for (let s = 0; s < 12; s++) if ((line + s) % 3 === 0 || s === line % 12) sources.push(source(`s${String(s).padStart(2, '0')}`, `L${line}`));
    const lines = Array.from({ length: 60 }, (_, i): [string, number] => [`L${i}`, 1]);
    const first = run(lines, catalog(...sources)).decision;
    expect(first.outcome).toBe('routed');
    expect(first.suppliers.length).toBeLessThanOrEqual(3); // s00, s01, s02 cover every line (line + s ≡ 0 mod 3)
    expect(run(lines, catalog(...[...sources].reverse())).decision.suppliers).toEqual(first.suppliers);
  });
});

describe('minQty, exclusions and reroutes', () => {
  it('skips a source whose minimum order quantity is above the line', () => {
    const sources = catalog(source('acme', 'T', { cost: '1.00', minQty: 5 }), source('globex', 'T', { cost: '2.00' }));
    const { explained } = run([['T', 2]], sources);
    expect(explained[0]).toMatchObject({ supplier: 'globex', reason: 'only source whose minQty allows 2', candidates: [{ supplier: 'globex' }, { supplier: 'acme', skipped: 'below minQty 5' }] });
    expect(run([['T', 5]], sources).explained[0]!.supplier).toBe('acme');
  });

  it('moves a line away from the suppliers already tried', () => {
    const sources = catalog(source('acme', 'T', { cost: '1.00' }), source('globex', 'T', { cost: '2.00' }), source('initech', 'T', { cost: '3.00' }));
    const { explained } = run([['T', 1]], sources, { exclusions: [{ lineId: '1', supplier: 'acme', reason: 'rejected by its 855' }], policy: policy({ maxReroutes: 2 }) });
    expect(explained[0]).toMatchObject({
      supplier: 'globex',
      reason: 'cheapest landed cost (2.00 vs 3.00 at initech)',
      candidates: [{ supplier: 'globex', skipped: null }, { supplier: 'initech', skipped: null }, { supplier: 'acme', skipped: 'already tried: rejected by its 855' }],
    });
  });

  it('gives a line up after maxReroutes', () => {
    const sources = catalog(source('a', 'T'), source('b', 'T'), source('c', 'T'), source('d', 'T'));
    const tried: Exclusion[] = [
      { lineId: '1', supplier: 'a', reason: 'rejected by its 855' },
      { lineId: '1', supplier: 'b', reason: 'no 855 within 24 h' },
      { lineId: '1', supplier: 'c', reason: 'backordered beyond the tolerance' },
    ];
    const { decision, explained } = run([['T', 1]], sources, { exclusions: tried, policy: policy({ ...STOCK_RULES, maxReroutes: 2 }) });
    expect(decision.outcome).toBe('held');
    expect(explained[0]).toMatchObject({
      status: 'unfillable',
      reason: 'no reroute left: 3 sources tried and maxReroutes is 2',
      candidates: [
        { supplier: 'a', skipped: 'already tried: rejected by its 855' },
        { supplier: 'b', skipped: 'already tried: no 855 within 24 h' },
        { supplier: 'c', skipped: 'already tried: backordered beyond the tolerance' },
        { supplier: 'd', skipped: 'excluded after 2 reroutes' },
      ],
    });
    // One reroute fewer: d takes it.
    expect(who(run([['T', 1]], sources, { exclusions: tried.slice(0, 2), policy: policy({ ...STOCK_RULES, maxReroutes: 2 }) }).decision)).toEqual(['c×1']);
  });

  it('applies exclusions to their line only', () => {
    const sources = catalog(source('a', 'T'), source('b', 'T'));
    const { decision } = run([['T', 1, 'x'], ['T', 1, 'y']], sources, { exclusions: [{ lineId: 'x', supplier: 'a', reason: 'rejected' }], policy: policy({ ...STOCK_RULES, maxReroutes: 1 }) });
    expect(who(decision)).toEqual(['b×1', 'b×1']); // y is free to take a, and fewest-shipments keeps it with b
  });
});

describe('lines no single source can fill', () => {
  const sources = catalog(source('a', 'T', { cost: '1.00' }), source('b', 'T', { cost: '2.00', minQty: 2 }), source('c', 'T', { cost: '3.00' }));

  it('splitLines: filled from the ranked sources in turn, each portion at least its minQty', () => {
    const split = policy({ ...STOCK_RULES, splitLines: true });
    const { decision, explained } = run([['T', 6]], sources, { stock: stock({ 'a:T': [3], 'b:T': [1], 'c:T': [5] }), policy: split });
    // a gives 3; b has 1, below its minQty 2: passed over; c gives the other 3.
    expect(who(decision)).toEqual(['a×3+c×3']);
    expect(explained[0]).toMatchObject({ supplier: 'a', allocations: [{ supplier: 'a', quantity: 3 }, { supplier: 'c', quantity: 3 }], reason: 'split (splitLines): 3 from a, 3 from c; no single source has 6 in stock' });
    expect(explained[0]!.candidates.map((c) => [c.supplier, c.quantity, c.skipped])).toEqual([['a', 3, null], ['c', 3, null], ['b', 0, 'only 1 in stock, 6 needed']]);
  });

  it('does not split when one source can take the whole line', () => {
    const split = policy({ ...STOCK_RULES, splitLines: true });
    expect(who(run([['T', 4]], sources, { stock: stock({ 'a:T': [3], 'b:T': [1], 'c:T': [5] }), policy: split }).decision)).toEqual(['c×4']);
  });

  it('a line that cannot be filled even split is unfillable, and takes no stock from the next line', () => {
    const split = policy({ ...STOCK_RULES, splitLines: true, unfillable: 'partial' });
    const { decision, explained } = run([['T', 9], ['T', 2]], sources, { stock: stock({ 'a:T': [3], 'b:T': [0], 'c:T': [1] }), policy: split });
    expect(who(decision)).toEqual(['unfillable', 'a×2']);
    expect(explained[0]!.reason).toBe('waits (unfillable is partial): no source can take 9, and together they have only 4 that can be taken');
  });

  it('hold: nothing is allocated, each line says where it would have gone and what holds it', () => {
    const { decision, explained } = run([['T', 1], ['NOPE', 1]], sources);
    expect(decision.outcome).toBe('held');
    expect(decision.lines.map((l) => [l.status, l.allocations.length, l.planned.map((a) => a.supplier)])).toEqual([['held', 0, ['a']], ['unfillable', 0, []]]);
    expect(decision.suppliers).toEqual([]);
    expect(explained[0]).toMatchObject({ supplier: null, allocations: [{ supplier: 'a', quantity: 1 }], reason: 'held: line 2 cannot be filled and unfillable is hold (would go to a: cheapest landed cost (1.00 vs 3.00 at c))' });
    expect(explained[1]).toMatchObject({ supplier: null, reason: 'no supplier carries SKU "NOPE"', candidates: [] });
  });

  it('partial: the lines that can go are allocated, the others wait', () => {
    const partial = policy({ ...STOCK_RULES, unfillable: 'partial' });
    expect(run([['T', 1], ['NOPE', 1]], sources, { policy: partial }).decision).toMatchObject({ outcome: 'partial', suppliers: ['a'] });
    expect(run([['NOPE', 1]], sources, { policy: partial }).decision).toMatchObject({ outcome: 'waiting', suppliers: [] });
  });
});

describe('the explanation', () => {
  it('has the contract\'s fields for every line and every candidate', () => {
    const sources = catalog(source('acme', 'T', { cost: '6.20' }), source('globex', 'T', { cost: '5.00', leadTimeDays: 4, terms: { shippingFee: '4.95', stockBuffer: 1 } }));
    const { explained } = run([['T', 2]], sources, { stock: stock({ 'acme:T': [40, 2, 3] }), policy: policy() });
    expect(explained).toEqual([
      {
        lineId: '1',
        sku: 'T',
        quantity: 2,
        status: 'allocated',
        supplier: 'acme',
        allocations: [{ supplier: 'acme', supplierSku: 'ACME-T', quantity: 2 }],
        reason: 'cheapest landed cost among in-stock sources (12.40 vs 14.95 at globex)',
        candidates: [
          { supplier: 'acme', supplierSku: 'ACME-T', available: 40, reserved: 2, buffer: 0, usable: 38, stockAt: '2026-11-26T09:00:00.000Z', cost: '6.20', landedCost: '12.40', priority: null, leadTimeDays: null, quantity: 2, skipped: null },
          { supplier: 'globex', supplierSku: 'GLOBEX-T', available: null, reserved: null, buffer: 1, usable: null, stockAt: null, cost: '5.00', landedCost: '14.95', priority: null, leadTimeDays: 4, quantity: 0, skipped: null },
        ],
      },
    ]);
    expect(JSON.parse(JSON.stringify(explained))).toEqual(explained); // plain JSON, ready to store
  });

  it('is the same for the same input, and the input is left as it was', () => {
    const sources = catalog(source('a', 'T', { cost: '1.00' }), source('b', 'T', { cost: '1.00' }), source('b', 'U'));
    const levels = stock({ 'a:T': [5], 'b:T': [5] });
    const snapshot = () => JSON.stringify([...sources]) + JSON.stringify([levels.get('a', 'A-T'), levels.get('b', 'B-T')]);
    const before = snapshot();
    const one = run([['T', 2], ['U', 1]], sources, { stock: levels });
    const two = run([['T', 2], ['U', 1]], sources, { stock: levels });
    expect(two.explained).toEqual(one.explained);
    expect(snapshot()).toBe(before);
  });
});
