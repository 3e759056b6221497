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

/** Σ quantity × unit price as a decimal string (exact: plain numbers while they stay exact, BigInt beyond). */
export function totalOf(lines: readonly { quantity: number; unitPrice: string }[]): string {
  let sum: Units = 0;
  for (const line of lines) sum = addUnits(sum, timesUnits(line.quantity, unitsOf(line.unitPrice)));
  return formatUnits(sum);
}

/**
 * Money for the routing decision, which compares many amounts per order: exact like the BigInt
 * functions above, but a plain integer number of ten-thousandths while that stays exact (amounts
 * below about 900 billion), a BigInt beyond. `<`, `>` and `===`-free comparisons (`compareUnits`)
 * work across both.
 */
export type Units = number | bigint;

const MAX_NUMBER_WHOLE_DIGITS = 11;

/** "12.40" → 124000 (ten-thousandths). Throws like `toUnits` on anything but a decimal with ≤ 4 places. */
export function unitsOf(amount: string): Units {
  const dot = amount.indexOf('.');
  const whole = dot === -1 ? amount : amount.slice(0, dot);
  if (whole.length > MAX_NUMBER_WHOLE_DIGITS) return toUnits(amount);
  const fraction = dot === -1 ? '' : amount.slice(dot + 1);
  if (whole.length === 0 || fraction.length > SCALE_DIGITS || (dot !== -1 && fraction.length === 0) || !allDigits(whole) || !allDigits(fraction)) {
    throw new RangeError(`not a decimal amount: "${amount}"`);
  }
  let units = Number(whole) * 10_000;
  if (fraction.length) units += Number(fraction) * 10 ** (SCALE_DIGITS - fraction.length);
  return units;
}

function allDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** a + b, exactly. */
export function addUnits(a: Units, b: Units): Units {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  return BigInt(a) + BigInt(b);
}

/** quantity × amount, exactly. */
export function timesUnits(quantity: number, amount: Units): Units {
  if (typeof amount === 'number') {
    const product = quantity * amount;
    if (Number.isSafeInteger(product)) return product;
  }
  return BigInt(quantity) * BigInt(amount);
}

/** Negative, zero or positive as a < b, a = b, a > b. */
export function compareUnits(a: Units, b: Units): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** 124000 → "12.40", like `fromUnits`. */
export function formatUnits(units: Units): string {
  if (typeof units === 'bigint') return fromUnits(units);
  const negative = units < 0;
  const abs = negative ? -units : units;
  const whole = Math.floor(abs / 10_000);
  const rest = abs - whole * 10_000;
  let fraction: string;
  if (rest % 100 === 0) fraction = String(rest / 100).padStart(2, '0');
  else if (rest % 10 === 0) fraction = String(rest / 10).padStart(3, '0');
  else fraction = String(rest).padStart(4, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}
