import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCanonicalOrder } from '../../src/intake/canonical.ts';
import { pathsOf } from './issues.ts';

const expected = JSON.parse(
  readFileSync(new URL('../fixtures/shopify/order-create.canonical.json', import.meta.url), 'utf8'),
);

describe('canonical intake', () => {
  it('accepts a canonical order as it is', () => {
    expect(parseCanonicalOrder(structuredClone(expected))).toEqual(expected);
  });

  it('names bad fields by their canonical paths, unknown keys included', () => {
    const body = structuredClone(expected);
    body.lines[0].quantity = 0;
    body.lines[1].unitPrice = 14.5;
    body.shipto = {};
    expect(pathsOf(() => parseCanonicalOrder(body)).sort()).toEqual(['', 'lines.0.quantity', 'lines.1.unitPrice']);
  });

  it('refuses an object with a hostile "length" where a list or text is expected, naming its path', () => {
    // zod's length checks read `length` of any such object; {"toString": 0} used to throw a TypeError.
    const body = structuredClone(expected);
    body.lines = { length: { toString: 0 } };
    expect(pathsOf(() => parseCanonicalOrder(body))).toEqual(['lines']);
    const named = structuredClone(expected);
    named.customer.name = { length: { valueOf: 1 } };
    expect(pathsOf(() => parseCanonicalOrder(named))).toEqual(['customer.name']);
  });
});
