import { CanonicalOrder } from '../canonical/order.ts';
import { safeParseInput } from '../canonical/safe-parse.ts';
import { ValidationError, type FieldIssue } from '../errors.ts';

/**
 * What the intake adapters share: tolerant readers over a parsed JSON body of unknown shape, exact
 * money conversion, and {@link OrderDraft}, which validates the candidate canonical order with the
 * one CanonicalOrder schema and reports every bad field at its path in the retailer's own body
 * (`line_items.2.price`, not `lines.1.unitPrice`).
 *
 * The adapters never validate field by field themselves: they map what is there (wrong types
 * included) and let the canonical schema judge, so there is one set of rules and one pass that
 * lists every problem at once. Only retailer-specific rules (an unknown `financial_status`, a float
 * price that is not an exact amount) are reported by the adapter.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property of a JSON object (never one inherited from Object.prototype), else undefined. */
export function field(value: unknown, key: string): unknown {
  return isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

/**
 * A text field: trimmed, numbers written as strings (a numeric zip or id), empty and absent as null.
 * Anything else is returned unchanged, so that the canonical schema reports its type.
 */
export function text(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** The first of several candidate values that is non-empty text, else null. */
export function firstText(...values: unknown[]): string | null {
  for (const value of values) {
    const t = text(value);
    if (typeof t === 'string') return t;
  }
  return null;
}

/** "Ada" + "Lovelace" → "Ada Lovelace"; null when both are empty. */
export function fullName(first: unknown, last: unknown): string | null {
  const name = [firstText(first), firstText(last)].filter((part) => part !== null).join(' ');
  return name === '' ? null : name;
}

const DECIMAL = /^\d+(\.\d+)?$/;
const MAX_MONEY_SCALE = 4;

/**
 * A JSON money value as the canonical decimal string. Strings pass through unchanged (the schema
 * judges them: "1e3" is refused). A number is accepted only when its shortest decimal form is an
 * exact amount of at most four decimals: 19.99 → "19.99", but 0.1 + 0.2 is refused rather than
 * written as "0.30000000000000004" or silently rounded.
 */
export function money(value: unknown): { value: unknown; issue?: string } {
  if (typeof value !== 'number') return { value };
  const written = String(value);
  const scale = written.split('.')[1]?.length ?? 0;
  if (!Number.isFinite(value) || value < 0 || !DECIMAL.test(written) || scale > MAX_MONEY_SCALE) {
    return { value, issue: `${written} is not an exact amount; send money as a decimal string such as "19.99"` };
  }
  return { value: scale === 0 ? `${written}.00` : scale === 1 ? `${written}0` : written };
}

/**
 * `amount / divisor` in exact decimal arithmetic, half-up to four decimals where it does not
 * terminate (10.00 / 3 → "3.3333"); at least two decimals. Undefined when `amount` is not a plain
 * decimal string or `divisor` not a positive integer.
 */
export function divideDecimal(amount: unknown, divisor: unknown): string | undefined {
  if (typeof amount !== 'string' || !DECIMAL.test(amount)) return undefined;
  if (typeof divisor !== 'number' || !Number.isSafeInteger(divisor) || divisor <= 0) return undefined;
  const [whole = '', fraction = ''] = amount.split('.');
  const numerator = BigInt(whole + fraction) * 10n ** BigInt(MAX_MONEY_SCALE);
  const denominator = 10n ** BigInt(fraction.length) * BigInt(divisor);
  let units = numerator / denominator;
  if ((numerator % denominator) * 2n >= denominator) units += 1n;
  const digits = units.toString().padStart(MAX_MONEY_SCALE + 1, '0');
  const intPart = digits.slice(0, -MAX_MONEY_SCALE);
  const decimals = digits.slice(-MAX_MONEY_SCALE).replace(/0{1,2}$/, '').replace(/^(\d\d)0$/, '$1');
  return `${intPart}.${decimals}`;
}

/**
 * A canonical order under construction. The adapter records, for each canonical field it fills,
 * where in the retailer's body the value came from; {@link finish} validates and translates.
 *
 * @example
 *   const draft = new OrderDraft('Shopify order');
 *   draft.from('shipTo.country', 'shipping_address.country_code');
 *   return draft.finish({ ...candidate });   // CanonicalOrder, or ValidationError at Shopify paths
 */
export class OrderDraft {
  private readonly origins = new Map<string, string>();
  private readonly issues: FieldIssue[] = [];

  constructor(private readonly label: string) {}

  /** The canonical field (or subtree) at `canonicalPath` came from `sourcePath` in the body. */
  from(canonicalPath: string, sourcePath: string): void {
    this.origins.set(canonicalPath, sourcePath);
  }

  /** A problem the canonical schema cannot see, at a path of the retailer's body. */
  issue(sourcePath: string, message: string): void {
    this.issues.push({ path: sourcePath, message });
  }

  /** Validates with CanonicalOrder; throws one ValidationError listing every issue at source paths. */
  finish(candidate: unknown): CanonicalOrder {
    const result = safeParseInput(CanonicalOrder, candidate);
    const schemaIssues = result.success
      ? []
      : result.error.issues.map((issue) => ({
          path: this.sourcePath(issue.path.map(String).join('.')),
          message: /received (undefined|null)$/.test(issue.message) ? 'required' : issue.message,
        }));
    // The adapter's own issue for a field is the more telling one: drop the schema's at or below it.
    const covered = (path: string) =>
      this.issues.some((own) => own.path === path || own.path === '' || path.startsWith(`${own.path}.`));
    const issues = [...this.issues, ...schemaIssues.filter((issue) => !covered(issue.path))];
    const unique = issues.filter(
      (issue, i) => issues.findIndex((other) => other.path === issue.path && other.message === issue.message) === i,
    );
    if (unique.length > 0 || !result.success) {
      const where = unique.map((issue) => issue.path || '(body)').join(', ');
      throw new ValidationError(`${this.label} is not valid: ${where}`, unique);
    }
    return result.data;
  }

  private sourcePath(canonicalPath: string): string {
    let best: string | undefined;
    for (const key of this.origins.keys()) {
      const matches = key === '' || canonicalPath === key || canonicalPath.startsWith(`${key}.`);
      if (matches && (best === undefined || key.length > best.length)) best = key;
    }
    if (best === undefined) return canonicalPath;
    const source = this.origins.get(best) ?? '';
    const rest = canonicalPath.slice(best.length).replace(/^\./, '');
    return [source, rest].filter(Boolean).join('.');
  }
}
