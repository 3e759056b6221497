/**
 * Exact decimal arithmetic on money strings ("19.99"): amounts become BigInt units of 1/10 000,
 * so sums and products never pass through a float.
 */

const SCALE_DIGITS = 4;
const SCALE = 10n ** BigInt(SCALE_DIGITS);
const DECIMAL = /^(\d+)(?:\.(\d{1,4}))?$/;

/** "19.99" → 199900n (ten-thousandths). Throws on anything but a non-negative decimal with ≤ 4 places. */
export function toUnits(amount: string): bigint {
  const match = DECIMAL.exec(amount);
  if (!match) throw new RangeError(`not a decimal amount: "${amount}"`);
  return BigInt(match[1]!) * SCALE + BigInt((match[2] ?? '').padEnd(SCALE_DIGITS, '0'));
}

/** 199900n → "19.99": at least two decimal places, no trailing zeros beyond them. */
export function fromUnits(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / SCALE;
  let fraction = (abs % SCALE).toString().padStart(SCALE_DIGITS, '0');
  while (fraction.length > 2 && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** quantity × unit price, exactly. */
export function lineAmount(quantity: number, unitPrice: string): bigint {
  return BigInt(quantity) * toUnits(unitPrice);
}

/** Σ quantity × unit price as a decimal string. */
export function totalOf(lines: readonly { quantity: number; unitPrice: string }[]): string {
  return fromUnits(lines.reduce((sum, line) => sum + lineAmount(line.quantity, line.unitPrice), 0n));
}
