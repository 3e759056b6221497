import { describe, expect, it } from 'vitest';
import { divideDecimal, money } from '../../src/intake/draft.ts';

describe('money from JSON', () => {
  it('passes strings through for the schema to judge', () => {
    expect(money('19.99')).toEqual({ value: '19.99' });
    expect(money('1e3')).toEqual({ value: '1e3' });
  });

  it('converts exact numbers without float artefacts', () => {
    expect(money(19.99).value).toBe('19.99');
    expect(money(3).value).toBe('3.00');
    expect(money(19.9).value).toBe('19.90');
    expect(money(0.125).value).toBe('0.125');
  });

  it('refuses numbers that are not exact amounts', () => {
    expect(money(0.1 + 0.2).issue).toMatch(/0\.30000000000000004 is not an exact amount/);
    expect(money(33.333333333333336).issue).toBeDefined();
    expect(money(1e21).issue).toBeDefined();
    expect(money(-1).issue).toBeDefined();
    expect(money(Number.NaN).issue).toBeDefined();
  });
});

describe('divideDecimal', () => {
  it('divides exactly where the result terminates', () => {
    expect(divideDecimal('39.98', 2)).toBe('19.99');
    expect(divideDecimal('6.00', 2)).toBe('3.00');
    expect(divideDecimal('1.00', 8)).toBe('0.125');
    expect(divideDecimal('12', 1)).toBe('12.00');
    expect(divideDecimal('10.10', 2)).toBe('5.05');
    expect(divideDecimal('0.00', 5)).toBe('0.00');
  });

  it('rounds half-up to four decimals where it does not', () => {
    expect(divideDecimal('10.00', 3)).toBe('3.3333');
    expect(divideDecimal('20.00', 3)).toBe('6.6667');
    expect(divideDecimal('8.333333', 1)).toBe('8.3333');
    expect(divideDecimal('0.00005', 1)).toBe('0.0001');
  });

  it('gives up on anything but a decimal string and a positive integer', () => {
    expect(divideDecimal('1e3', 1)).toBeUndefined();
    expect(divideDecimal(12, 1)).toBeUndefined();
    expect(divideDecimal('12.00', 0)).toBeUndefined();
    expect(divideDecimal('12.00', 1.5)).toBeUndefined();
  });
});
