/**
 * Properties of the routing decision over random catalogs, stock, policies and reroutes: nothing
 * oversold, every line accounted for in full, the same answer whatever order the sources come in,
 * every candidate explained, and nothing but plain data out.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, stockSnapshot, type DecideInput, type Decision, type Exclusion, type StockRow } from '../../src/routing/decide.ts';
import { explainDecision } from '../../src/routing/explain.ts';
import { formatUnits } from '../../src/routing/money.ts';
import { BUILT_IN_POLICY, ROUTING_RULES, mergePolicy, type RoutingPolicy, type RoutingRule } from '../../src/routing/policy.ts';
import type { Source, SupplierTerms } from '../../src/routing/sources.ts';
import { isoTime } from '../../src/routing/explain.ts';
import { timesUnits, unitsOf, addUnits } from '../../src/routing/money.ts';

const NOW = new Date('2026-11-26T12:00:00Z');
const SUPPLIERS = ['a', 'b', 'c', 'd', 'e'] as const;
const SKUS = ['S1', 'S2', 'S3', 'S4'] as const;

const money = fc.tuple(fc.nat(500), fc.nat(99)).map(([w, f]) => `${w}.${String(f).padStart(2, '0')}`);
const terms: fc.Arbitrary<SupplierTerms> = fc.record({
  priority: fc.option(fc.nat(5), { nil: null }),
  shippingFee: fc.option(money, { nil: null }),
  stockBuffer: fc.nat(3),
});

interface World {
  input: DecideInput;
  rows: StockRow[];
  bySku: Map<string, Source[]>;
}

const world: fc.Arbitrary<World> = fc
  .record({
    terms: fc.tuple(terms, terms, terms, terms, terms),
    // Per SKU, the suppliers that carry it (most SKUs have several).
    carries: fc.tuple(
      ...SKUS.map(() =>
        fc.uniqueArray(
          fc.record({
            supplier: fc.integer({ min: 0, max: 4 }),
            cost: fc.option(money, { nil: null, freq: 4 }),
            priority: fc.option(fc.nat(5), { nil: null }),
            minQty: fc.option(fc.integer({ min: 1, max: 6 }), { nil: null, freq: 4 }),
            sharedSku: fc.boolean(), // two retailer SKUs on one supplier SKU share its stock
          }),
          { selector: (c) => c.supplier, maxLength: 5 },
        ),
      ),
    ),
    // A figure for most (supplier, SKU) pairs, most of them fresh, so that lines compete for stock.
    stock: fc.array(fc.option(fc.record({ available: fc.nat(12), reserved: fc.nat(4), hours: fc.oneof({ arbitrary: fc.nat(23), weight: 3 }, { arbitrary: fc.nat(60), weight: 1 }) }), { freq: 4 }), {
      minLength: SUPPLIERS.length * (SKUS.length + 1),
      maxLength: SUPPLIERS.length * (SKUS.length + 1),
    }),
    lines: fc.array(fc.record({ sku: fc.oneof({ arbitrary: fc.constantFrom(...SKUS), weight: 9 }, { arbitrary: fc.constant('NOPE'), weight: 1 }), quantity: fc.integer({ min: 1, max: 8 }) }), { minLength: 1, maxLength: 6 }),
    rules: fc.oneof(
      { arbitrary: fc.shuffledSubarray(['priority', 'cost', 'fewest-shipments'] as RoutingRule[]).map((r): RoutingRule[] => ['in-stock', ...r]), weight: 3 },
      { arbitrary: fc.shuffledSubarray([...ROUTING_RULES] as RoutingRule[]), weight: 1 },
    ),
    unknownStock: fc.constantFrom('route', 'skip'),
    unfillable: fc.constantFrom('hold', 'partial'),
    splitLines: fc.boolean(),
    maxReroutes: fc.nat(2),
    tried: fc.array(fc.record({ line: fc.nat(5), supplier: fc.integer({ min: 0, max: 4 }) }), { maxLength: 4 }),
  })
  .map((w) => {
    const bySku = new Map<string, Source[]>();
    w.carries.forEach((carriers, k) => {
      const sku = SKUS[k]!;
      bySku.set(
        sku,
        carriers.map((c) => {
          const supplier = SUPPLIERS[c.supplier]!;
          return { supplier, supplierSku: c.sharedSku ? 'SHARED' : `${supplier}-${sku}`, cost: c.cost, priority: c.priority, minQty: c.minQty, leadTimeDays: null, terms: w.terms[c.supplier]! };
        }),
      );
    });
    const rows: StockRow[] = [];
    w.stock.forEach((s, i) => {
      if (!s) return;
      const supplier = SUPPLIERS[i % SUPPLIERS.length]!;
      const sku = [...SKUS, 'SHARED'][Math.floor(i / SUPPLIERS.length)]!;
      rows.push({ supplier, supplierSku: sku === 'SHARED' ? 'SHARED' : `${supplier}-${sku}`, available: s.available, reserved: s.reserved, asOf: new Date(NOW.getTime() - s.hours * 3_600_000) });
    });
    const lines = w.lines.map((l, i) => ({ lineId: `L${i + 1}`, ...l }));
    const exclusions: Exclusion[] = w.tried.filter((t) => t.line < lines.length).map((t) => ({ lineId: `L${t.line + 1}`, supplier: SUPPLIERS[t.supplier]!, reason: 'rejected by its 855' }));
    const policy: RoutingPolicy = mergePolicy(BUILT_IN_POLICY, {
      rules: w.rules,
      unknownStock: w.unknownStock,
      unfillable: w.unfillable,
      splitLines: w.splitLines,
      maxReroutes: w.maxReroutes,
    });
    return { bySku, rows, input: { lines, sources: bySku, stock: stockSnapshot(rows), policy, now: NOW, exclusions } };
  });

/** What can be taken of each (supplier, supplier SKU) with a fresh figure: available − reserved − the supplier's buffer. */
function usableOf(w: World): Map<string, number> {
  const usable = new Map<string, number>();
  const buffers = new Map<string, number>();
  for (const sources of w.bySku.values()) for (const s of sources) buffers.set(s.supplier, s.terms.stockBuffer);
  for (const row of w.rows) {
    const fresh = NOW.getTime() - row.asOf.getTime() <= w.input.policy.stockMaxAgeMs;
    usable.set(`${row.supplier}/${row.supplierSku}`, fresh ? Math.max(0, row.available - row.reserved - (buffers.get(row.supplier) ?? 0)) : Number.NaN);
  }
  return usable;
}

const allocated = (d: Decision) => d.lines.flatMap((l) => l.allocations.map((a) => ({ ...a, lineId: l.lineId })));
/** What the decision takes, or would take for a held order. */
const planned = (d: Decision) => d.lines.flatMap((l) => [...l.allocations, ...l.planned]);

describe('the routing decision (properties)', () => {
  it('never takes (or plans to take) more than can be taken when in-stock applies; unknown stock only with unknownStock: route', () => {
    fc.assert(
      fc.property(world, (w) => {
        const decision = decide(w.input);
        if (!w.input.policy.rules.includes('in-stock')) return;
        const usable = usableOf(w);
        const taken = new Map<string, number>();
        for (const a of planned(decision)) taken.set(`${a.supplier}/${a.supplierSku}`, (taken.get(`${a.supplier}/${a.supplierSku}`) ?? 0) + a.quantity);
        for (const [key, quantity] of taken) {
          const can = usable.get(key);
          if (can === undefined || Number.isNaN(can)) expect(w.input.policy.unknownStock, `${key} has no fresh figure`).toBe('route');
          else expect(quantity, key).toBeLessThanOrEqual(can);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('accounts for every line in full: allocated (whole or split), held with its plan, or unfillable; the outcome agrees', () => {
    fc.assert(
      fc.property(world, (w) => {
        const decision = decide(w.input);
        expect(decision.lines.map((l) => l.lineId)).toEqual(w.input.lines.map((l) => l.lineId));
        for (const [i, line] of decision.lines.entries()) {
          const quantity = w.input.lines[i]!.quantity;
          const sum = (list: { quantity: number }[]) => list.reduce((n, a) => n + a.quantity, 0);
          if (line.status === 'allocated') expect(sum(line.allocations)).toBe(quantity);
          else expect(line.allocations).toEqual([]);
          if (line.status === 'held') expect(sum(line.planned)).toBe(quantity);
          if (line.allocations.length > 1) expect(w.input.policy.splitLines && w.input.policy.rules.includes('in-stock')).toBe(true);
          for (const a of [...line.allocations, ...line.planned]) {
            const source = w.bySku.get(line.sku)!.find((s) => s.supplier === a.supplier)!;
            expect(a.quantity).toBeGreaterThanOrEqual(source.minQty ?? 1);
            expect(a.supplierSku).toBe(source.supplierSku);
            expect(w.input.exclusions!.some((e) => e.lineId === line.lineId && e.supplier === a.supplier)).toBe(false);
          }
        }
        const statuses = new Set(decision.lines.map((l) => l.status));
        const expected = !statuses.has('unfillable')
          ? 'routed'
          : w.input.policy.unfillable === 'hold'
            ? 'held'
            : statuses.has('allocated')
              ? 'partial'
              : 'waiting';
        expect(decision.outcome).toBe(expected);
        if (decision.outcome === 'held') expect(statuses.has('allocated')).toBe(false);
        expect(decision.suppliers).toEqual([...new Set(allocated(decision).map((a) => a.supplier))].sort());
      }),
      { numRuns: 400 },
    );
  });

  it('gives the same decision and explanation whatever order the sources come in', () => {
    fc.assert(
      fc.property(world, fc.infiniteStream(fc.nat()), (w, seeds) => {
        const shuffled = new Map([...w.bySku].map(([sku, sources]) => [sku, [...sources].sort(() => (seeds.next().value % 3) - 1)]));
        const one = explainDecision(decide(w.input));
        const two = explainDecision(decide({ ...w.input, sources: shuffled }));
        expect(two).toEqual(one);
      }),
      { numRuns: 300 },
    );
  });

  it('explains every line with every candidate, its money exact, in plain JSON', () => {
    fc.assert(
      fc.property(world, (w) => {
        const decision = decide(w.input);
        const explained = explainDecision(decision);
        expect(JSON.parse(JSON.stringify(explained))).toEqual(explained);
        for (const [i, line] of explained.entries()) {
          const sources = w.bySku.get(line.sku) ?? [];
          expect(line.candidates.map((c) => c.supplier).sort()).toEqual(sources.map((s) => s.supplier).sort());
          expect(line.reason).toMatch(/^\S.*\S$/);
          expect(line.candidates.filter((c) => c.quantity > 0).map((c) => c.supplier)).toEqual(line.allocations.map((a) => a.supplier));
          for (const c of line.candidates) {
            const source = sources.find((s) => s.supplier === c.supplier)!;
            const fee = source.terms.shippingFee === null ? 0 : unitsOf(source.terms.shippingFee);
            expect(c.landedCost).toBe(source.cost === null ? null : formatUnits(addUnits(timesUnits(w.input.lines[i]!.quantity, unitsOf(source.cost)), fee)));
            expect(c.skipped === null || c.skipped.length > 0).toBe(true);
            if (line.status === 'allocated' && c.quantity > 0) expect(c.skipped).toBeNull();
          }
          if (line.status === 'allocated') expect(line.supplier).toBe(line.allocations[0]!.supplier);
          else expect(line.supplier).toBeNull();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('writes times exactly as toISOString does', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (ms) => {
        expect(isoTime(new Date(ms))).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
    expect(isoTime(new Date(8.64e15))).toBe(new Date(8.64e15).toISOString());
  });
});
