import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanonicalOrder } from '../../src/canonical/order.ts';
import type { CatalogEntry, LoadedMapping } from '../../src/config/mapping-loader.ts';
import type { Mapping } from '../../src/config/mapping-schema.ts';
import { compileExpression } from '../../src/config/expression.ts';
import { BUILT_IN_POLICY, explainDecision, fromUnits, routeOrder, stockSnapshot, toCancellation, toUnits, totalOf, type RouteOptions } from '../../src/routing/index.ts';
import { formatUnits, unitsOf } from '../../src/routing/money.ts';
import { mergePolicy } from '../../src/routing/policy.ts';
import { CREATED_AT, RETAILER, exampleMapping, exampleMappings, fixtureOrder } from '../formats/outbound/examples.ts';
import { routeOrderBeforeSources } from '../helpers/route-order-before-sources.ts';

function order(skus: string[], base: CanonicalOrder = fixtureOrder('split-order')): CanonicalOrder {
  return { ...base, lines: skus.map((sku, i) => ({ lineId: String(i + 1), sku, title: sku, quantity: 1, unitPrice: '1.00' })) };
}

async function route(o: CanonicalOrder, mappings?: LoadedMapping[], routing?: RouteOptions) {
  return routeOrder({ orderId: 'ord_1', retailer: RETAILER, order: o, createdAt: CREATED_AT, ...(routing ? { routing } : {}) }, mappings ?? (await exampleMappings()));
}

const IN_STOCK = mergePolicy(BUILT_IN_POLICY, { rules: ['in-stock', 'priority', 'cost', 'fewest-shipments'] });

/** Another supplier built on an example mapping: its own id, SKU rules, catalog and routing terms. */
function supplierLike(
  base: LoadedMapping,
  supplier: string,
  options: { list?: string[]; catalog?: Record<string, CatalogEntry>; routing?: Mapping['routing'] },
): LoadedMapping {
  const skus = { ...(options.list ? { list: options.list } : {}), ...(options.catalog ? { catalog: `${supplier}.catalog.csv` } : {}) };
  return {
    ...base,
    supplier,
    mapping: { ...base.mapping, supplier, skus, ...(options.routing ? { routing: options.routing } : {}) },
    catalog: new Map(Object.entries(options.catalog ?? {})),
    expressions: { ...base.expressions, poNumber: undefined },
  } as LoadedMapping;
}

describe('routeOrder', () => {
  it('splits an order into one PO per supplier, lines renumbered, SKUs translated by the catalog', async () => {
    const result = await route(fixtureOrder('split-order'));
    if (!result.ok) throw new Error(result.reason);
    const byId = Object.fromEntries(result.purchaseOrders.map((po) => [po.supplierId, po]));
    expect(Object.keys(byId)).toEqual(['acme-toys', 'globex', 'initech', 'umbrella']);
    expect(byId['acme-toys']!.poNumber).toBe('1001-acme-toys');
    expect(byId['acme-toys']!.lines.map((l) => [l.lineNumber, l.lineId, l.sku])).toEqual([
      [1, '1', 'ACME-TRUCK-01'],
      [2, '4', 'ACME-BLOCKS-100'],
    ]);
    expect(byId['acme-toys']!.total).toBe('74.93');
    expect(byId.globex!.poNumber).toBe('GX1001'); // the mapping's own template
    expect(byId.initech!.lines.map((l) => [l.sku, l.supplierSku, l.cost])).toEqual([
      ['INI-STAPLER-RED', 'SW-200-R', '4.10'],
      ['INI-TPS-COVER-100', 'TPS-CV-100', '7.25'],
    ]);
    expect(byId.umbrella!.total).toBe('49.9998');
    expect(byId.umbrella!).toMatchObject({ purpose: 'original', orderId: 'ord_1', retailer: RETAILER, createdAt: CREATED_AT, currency: 'USD' });
  });

  it('does not suffix the PO number when one supplier ships everything', async () => {
    const result = await route(order(['ACME-A', 'ACME-B']));
    expect(result.ok && result.purchaseOrders.map((po) => [po.poNumber, po.lines.length])).toEqual([['1001', 2]]);
  });

  it('refuses an order with a SKU nobody ships, naming it', async () => {
    const result = await route(order(['ACME-A', 'NOBODY-1', 'NOBODY-2']));
    expect(result).toMatchObject({
      ok: false,
      reason: 'no supplier ships SKU "NOBODY-1" (line 2), "NOBODY-2" (line 3)',
      unroutable: [
        { lineId: '2', sku: 'NOBODY-1', suppliers: [], reason: 'no supplier carries SKU "NOBODY-1"' },
        { lineId: '3', sku: 'NOBODY-2', suppliers: [], reason: 'no supplier carries SKU "NOBODY-2"' },
      ],
    });
  });

  it('routes a SKU two suppliers carry by the policy instead of refusing it', async () => {
    const mappings = await exampleMappings();
    const acme = mappings.find((m) => m.supplier === 'acme-toys')!;
    const rival = supplierLike(acme, 'rival', { list: ['ACME-TRUCK-01'] });
    // Nothing tells them apart (no cost, no priority, no stock): the supplier id ends the tie.
    const tied = await route(order(['ACME-TRUCK-01']), [...mappings, rival]);
    if (!tied.ok) throw new Error(tied.reason);
    expect(tied.purchaseOrders.map((po) => po.supplierId)).toEqual(['acme-toys']);
    expect(explainDecision(tied.decision)[0]).toMatchObject({
      supplier: 'acme-toys',
      reason: 'tied with rival on priority, cost, fewest-shipments; acme-toys comes first by supplier id',
      candidates: [{ supplier: 'acme-toys', skipped: null }, { supplier: 'rival', skipped: null }],
    });
    // A priority in the rival's mapping wins it.
    const preferred = supplierLike(acme, 'rival', { list: ['ACME-TRUCK-01'], routing: { priority: 1 } });
    const won = await route(order(['ACME-TRUCK-01']), [...mappings, preferred]);
    expect(won.ok && won.purchaseOrders.map((po) => [po.supplierId, po.poNumber])).toEqual([['rival', '1001']]);
    expect(won.ok && explainDecision(won.decision)[0]!.reason).toBe('priority 1 beats none (acme-toys)');
  });

  it('takes the supplier SKU and cost of the source that wins', async () => {
    const acme = await exampleMapping('acme-toys');
    const a = supplierLike(acme, 'alpha', { catalog: { 'TRUCK-1': { supplierSku: 'A-77', cost: '6.20' } } });
    const b = supplierLike(acme, 'beta', { catalog: { 'TRUCK-1': { supplierSku: 'B-12', cost: '5.00' } }, routing: { shippingFee: '4.95' } });
    const result = await route(order(['TRUCK-1']), [a, b]);
    if (!result.ok) throw new Error(result.reason);
    expect(result.purchaseOrders.map((po) => [po.supplierId, po.lines[0]!.supplierSku, po.lines[0]!.cost])).toEqual([['alpha', 'A-77', '6.20']]);
    expect(explainDecision(result.decision)[0]!.reason).toBe('cheapest landed cost (6.20 vs 9.95 at beta)');
  });

  it('uses stock and the policy when given: the cheaper source out of stock loses', async () => {
    const acme = await exampleMapping('acme-toys');
    const cheap = supplierLike(acme, 'cheap', { catalog: { 'TRUCK-1': { supplierSku: 'C-1', cost: '4.00' } } });
    const dear = supplierLike(acme, 'dear', { catalog: { 'TRUCK-1': { supplierSku: 'D-1', cost: '5.00' } } });
    const rows = [
      { supplier: 'cheap', supplierSku: 'C-1', available: 0, reserved: 0, asOf: new Date('2026-11-26T11:00:00Z') },
      { supplier: 'dear', supplierSku: 'D-1', available: 7, reserved: 0, asOf: new Date('2026-11-26T11:00:00Z') },
    ];
    const stock = stockSnapshot(rows);
    const result = await route(order(['TRUCK-1']), [cheap, dear], { policy: IN_STOCK, stock });
    if (!result.ok) throw new Error(result.reason);
    expect(result.purchaseOrders.map((po) => po.supplierId)).toEqual(['dear']);
    expect(explainDecision(result.decision)[0]).toMatchObject({
      reason: 'only source with stock',
      candidates: [
        { supplier: 'dear', available: 7, usable: 7, stockAt: '2026-11-26T11:00:00.000Z', landedCost: '5.00', skipped: null },
        { supplier: 'cheap', available: 0, skipped: 'out of stock' },
      ],
    });
    // Out of stock everywhere: held with the reason, nothing routed.
    const none = stockSnapshot(rows.map((row) => ({ ...row, available: 0 })));
    const held = await route(order(['TRUCK-1', 'ACME-A']), [cheap, dear, acme], { policy: IN_STOCK, stock: none });
    expect(held).toMatchObject({
      ok: false,
      reason: 'SKU "TRUCK-1" (line 1): no source can take 1: cheap out of stock; dear out of stock',
      unroutable: [{ lineId: '1', suppliers: ['cheap', 'dear'] }],
    });
  });

  it('with unfillable: partial, routes the lines that can go and returns the rest as waiting', async () => {
    const acme = await exampleMapping('acme-toys');
    const only = supplierLike(acme, 'only', { catalog: { 'TRUCK-1': { supplierSku: 'O-1' } } });
    const stock = stockSnapshot([{ supplier: 'only', supplierSku: 'O-1', available: 0, reserved: 0, asOf: new Date(CREATED_AT) }]);
    const policy = mergePolicy(IN_STOCK, { unfillable: 'partial' });
    const result = await route(order(['TRUCK-1', 'ACME-A']), [only, acme], { policy, stock });
    if (!result.ok) throw new Error(result.reason);
    expect(result.decision.outcome).toBe('partial');
    expect(result.purchaseOrders.map((po) => [po.supplierId, po.poNumber, po.lines.map((l) => l.lineId)])).toEqual([['acme-toys', '1001', ['2']]]);
    expect(result.waiting).toEqual([{ lineId: '1', sku: 'TRUCK-1', suppliers: ['only'], reason: 'waits (unfillable is partial): no source can take 1: only out of stock' }]);
    // Later, with stock: the remainder alone.
    const later = await route(order(['TRUCK-1', 'ACME-A']), [only, acme], {
      policy,
      stock: stockSnapshot([{ supplier: 'only', supplierSku: 'O-1', available: 3, reserved: 0, asOf: new Date(CREATED_AT) }]),
      lineIds: ['1'],
    });
    expect(later.ok && later.purchaseOrders.map((po) => [po.supplierId, po.lines.map((l) => [l.lineNumber, l.lineId, l.supplierSku])])).toEqual([['only', [[1, '1', 'O-1']]]]);
  });

  it('splits a line over two POs when splitLines allows and no single source has enough', async () => {
    const acme = await exampleMapping('acme-toys');
    const a = supplierLike(acme, 'alpha', { catalog: { 'TRUCK-1': { supplierSku: 'A-1', cost: '4.00' } } });
    const b = supplierLike(acme, 'beta', { catalog: { 'TRUCK-1': { supplierSku: 'B-1', cost: '5.00' } } });
    const stock = stockSnapshot([
      { supplier: 'alpha', supplierSku: 'A-1', available: 3, reserved: 0, asOf: new Date(CREATED_AT) },
      { supplier: 'beta', supplierSku: 'B-1', available: 4, reserved: 1, asOf: new Date(CREATED_AT) },
    ]);
    const o = { ...order(['TRUCK-1']), lines: [{ lineId: '1', sku: 'TRUCK-1', title: 'Truck', quantity: 5, unitPrice: '10.00' }] };
    const result = await route(o, [a, b], { policy: mergePolicy(IN_STOCK, { splitLines: true }), stock });
    if (!result.ok) throw new Error(result.reason);
    expect(result.purchaseOrders.map((po) => [po.poNumber, po.lines.map((l) => [l.lineId, l.supplierSku, l.quantity]), po.total])).toEqual([
      ['1001-alpha', [['1', 'A-1', 3]], '30.00'],
      ['1001-beta', [['1', 'B-1', 2]], '20.00'],
    ]);
    expect(explainDecision(result.decision)[0]!.reason).toBe('split (splitLines): 3 from alpha, 2 from beta; no single source has 5 in stock');
  });

  it('reroutes one line away from a supplier that rejected it', async () => {
    const acme = await exampleMapping('acme-toys');
    const rival = supplierLike(acme, 'rival', { list: ['ACME-TRUCK-01'] });
    const result = await route(order(['ACME-TRUCK-01', 'ACME-A']), [acme, rival], {
      lineIds: ['1'],
      exclusions: [{ lineId: '1', supplier: 'acme-toys', reason: 'rejected by its 855' }],
      policy: mergePolicy(BUILT_IN_POLICY, { maxReroutes: 1 }),
    });
    if (!result.ok) throw new Error(result.reason);
    expect(result.purchaseOrders.map((po) => [po.supplierId, po.lines.map((l) => l.lineId)])).toEqual([['rival', ['1']]]);
    expect(explainDecision(result.decision)[0]).toMatchObject({
      reason: 'only source not tried yet',
      candidates: [{ supplier: 'rival', skipped: null }, { supplier: 'acme-toys', skipped: 'already tried: rejected by its 855' }],
    });
  });

  it('without policy or stock, routes single-source orders exactly as before (property, against the frozen router)', async () => {
    const mappings = await exampleMappings();
    const skus = ['ACME-TRUCK-01', 'ACME-X', 'GLX-300-BLK', 'INI-STAPLER-RED', 'INI-MUG-01', 'INI-TPS-COVER-100', 'UMB-KIT-FIRSTAID', 'NOBODY-1', 'GLX-1'];
    const line = fc.record({
      sku: fc.constantFrom(...skus),
      quantity: fc.integer({ min: 1, max: 1000 }),
      unitPrice: fc.tuple(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 0, max: 9999 })).map(([w, f]) => `${w}.${String(f).padStart(4, '0')}`),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 8 }), fc.string({ minLength: 1, maxLength: 12 }), async (lines, orderNumber) => {
        const o: CanonicalOrder = {
          ...fixtureOrder('split-order'),
          orderNumber,
          lines: lines.map((l, i) => ({ lineId: String(i + 1), title: l.sku, ...l })),
        };
        const input = { orderId: 'ord_1', retailer: RETAILER, order: o, createdAt: CREATED_AT };
        const [now, before] = await Promise.all([routeOrder(input, mappings), routeOrderBeforeSources(input, mappings)]);
        expect(now.ok).toBe(before.ok);
        if (now.ok && before.ok) expect(now.purchaseOrders).toEqual(before.purchaseOrders);
        if (!now.ok && !before.ok) {
          expect(now.reason).toBe(before.reason);
          expect(now.unroutable.map(({ lineId, sku, suppliers }) => ({ lineId, sku, suppliers }))).toEqual(before.unroutable);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('cleans the default PO number and reports a bad template result', async () => {
    const result = await route({ ...order(['ACME-A']), orderNumber: '#  A/B 7*' });
    expect(result.ok && result.purchaseOrders[0]!.poNumber).toBe('AB7');
    const acme = (await exampleMappings()).find((m) => m.supplier === 'acme-toys')!;
    const bad: LoadedMapping = { ...acme, expressions: { ...acme.expressions, poNumber: compileExpression('outbound.poNumber', '"a b/c"') } };
    const refused = await route(order(['ACME-A']), [bad]);
    expect(refused).toMatchObject({ ok: false, reason: expect.stringMatching(/^acme-toys: outbound.poNumber gave "a b\/c"/) });
  });

  it('toCancellation keeps the PO and marks it cancel', async () => {
    const result = await route(order(['ACME-A']));
    if (!result.ok) throw new Error(result.reason);
    const cancel = toCancellation(result.purchaseOrders[0]!, '2026-11-27T00:00:00Z');
    expect(cancel).toMatchObject({ purpose: 'cancel', poNumber: '1001', createdAt: '2026-11-27T00:00:00Z' });
  });
});

describe('money', () => {
  it('adds and multiplies decimal strings exactly', () => {
    expect(totalOf([{ quantity: 1, unitPrice: '0.1' }, { quantity: 1, unitPrice: '0.2' }])).toBe('0.30');
    expect(totalOf([{ quantity: 3, unitPrice: '19.99' }])).toBe('59.97');
    expect(totalOf([{ quantity: 1_000_000, unitPrice: '999999999999.9999' }])).toBe('999999999999999900.00');
    expect(fromUnits(toUnits('1.2345'))).toBe('1.2345');
    expect(fromUnits(toUnits('7'))).toBe('7.00');
    expect(() => toUnits('1e3')).toThrow(RangeError);
  });

  it('gives the same results on plain numbers as on BigInt, up to the largest amounts (property)', () => {
    const amount = fc.tuple(fc.bigInt({ min: 0n, max: 999_999_999_999n }), fc.option(fc.stringMatching(/^\d{1,4}$/), { nil: undefined })).map(([w, f]) => (f === undefined ? String(w) : `${w}.${f}`));
    fc.assert(
      fc.property(fc.array(fc.record({ quantity: fc.integer({ min: 1, max: 1_000_000 }), unitPrice: amount }), { maxLength: 6 }), (lines) => {
        expect(totalOf(lines)).toBe(fromUnits(lines.reduce((sum, l) => sum + BigInt(l.quantity) * toUnits(l.unitPrice), 0n)));
        for (const l of lines) {
          expect(BigInt(unitsOf(l.unitPrice))).toBe(toUnits(l.unitPrice));
          expect(formatUnits(unitsOf(l.unitPrice))).toBe(fromUnits(toUnits(l.unitPrice)));
        }
      }),
      { numRuns: 500 },
    );
    for (const bad of ['', '.5', '5.', '1.23456', '-1', '1,5', '１']) expect(() => unitsOf(bad), bad).toThrow(RangeError);
  });
});
