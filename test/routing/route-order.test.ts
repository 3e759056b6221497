import { describe, expect, it } from 'vitest';
import type { CanonicalOrder } from '../../src/canonical/order.ts';
import type { LoadedMapping } from '../../src/config/mapping-loader.ts';
import { compileExpression } from '../../src/config/expression.ts';
import { fromUnits, routeOrder, toCancellation, toUnits, totalOf } from '../../src/routing/index.ts';
import { CREATED_AT, RETAILER, exampleMappings, fixtureOrder } from '../formats/outbound/examples.ts';

function order(skus: string[], base: CanonicalOrder = fixtureOrder('split-order')): CanonicalOrder {
  return { ...base, lines: skus.map((sku, i) => ({ lineId: String(i + 1), sku, title: sku, quantity: 1, unitPrice: '1.00' })) };
}

async function route(o: CanonicalOrder, mappings?: LoadedMapping[]) {
  return routeOrder({ orderId: 'ord_1', retailer: RETAILER, order: o, createdAt: CREATED_AT }, mappings ?? (await exampleMappings()));
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
    expect(result).toEqual({
      ok: false,
      reason: 'no supplier ships SKU "NOBODY-1" (line 2), "NOBODY-2" (line 3)',
      unroutable: [
        { lineId: '2', sku: 'NOBODY-1', suppliers: [] },
        { lineId: '3', sku: 'NOBODY-2', suppliers: [] },
      ],
    });
  });

  it('refuses a SKU claimed by two suppliers, naming both', async () => {
    const mappings = await exampleMappings();
    const acme = mappings.find((m) => m.supplier === 'acme-toys')!;
    const rival: LoadedMapping = { ...acme, supplier: 'rival', mapping: { ...acme.mapping, supplier: 'rival', skus: { list: ['ACME-TRUCK-01'] } } };
    const result = await route(order(['ACME-TRUCK-01']), [...mappings, rival]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe('SKU "ACME-TRUCK-01" (line 1) is claimed by several suppliers: acme-toys, rival');
    expect(result.unroutable).toEqual([{ lineId: '1', sku: 'ACME-TRUCK-01', suppliers: ['acme-toys', 'rival'] }]);
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
});
