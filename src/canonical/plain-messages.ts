/**
 * zod's issues in plain words, for every message a person reads (API validation errors, mapping
 * files, routing.yaml, the environment): "required", "must be a whole number", "must be one of
 * "sftp", "http"", never "Invalid discriminator value" or "expected string, received undefined".
 * Installed once for the whole process by src/canonical/safe-parse.ts (`z.config`); a message
 * written on a schema itself (`.regex(re, 'must be …')`) still wins.
 *
 * @example
 *   plainMessage({ code: 'invalid_type', expected: 'object', input: undefined })  // "required (a group of keys)"
 *   plainMessage({ code: 'too_small', origin: 'array', minimum: 1, inclusive: true })  // "must have at least 1 item"
 */

/** The parts of a raw zod issue the words are made from (zod's `$ZodRawIssue`, loosely typed). */
export interface RawIssue {
  code?: string;
  input?: unknown;
  expected?: string;
  values?: readonly unknown[];
  options?: readonly unknown[];
  discriminator?: string;
  note?: string;
  format?: string;
  pattern?: string | RegExp;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  exact?: boolean;
  divisor?: number | bigint;
  keys?: readonly string[];
}

const NOUNS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  object: 'a group of keys (key: value)',
  array: 'a list',
  date: 'a date',
  null: 'empty (null)',
  literal: 'a fixed value',
};

const FORMATS: Record<string, string> = {
  url: 'a URL such as "https://example.com/path"',
  email: 'an email address such as "ada@example.com"',
  datetime: 'a date and time such as "2026-11-26T10:00:00Z"',
  date: 'a date such as "2026-11-26"',
  time: 'a time such as "10:00:00"',
  uuid: 'a UUID',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  base64: 'base64 text',
};

/** A short description of a value as the user wrote it, for "…, not 12". */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'empty (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a group of keys';
  if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 37)}…"` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return typeof value;
}

const quoteAll = (values: readonly unknown[]) => values.map((v) => (typeof v === 'string' ? `"${v}"` : String(v))).join(', ');
const plural = (n: number | bigint, word: string) => `${n} ${word}${Number(n) === 1 ? '' : 's'}`;

function sizeWord(origin: string | undefined, n: number | bigint): string {
  switch (origin) {
    case 'string':
      return plural(n, 'character');
    case 'array':
    case 'set':
      return plural(n, 'item');
    case 'file':
      return plural(n, 'byte');
    default:
      return String(n);
  }
}

/** The plain sentence for one raw zod issue; undefined leaves zod's own (never reached for the codes zod has today). */
export function plainMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      const wanted = NOUNS[issue.expected ?? ''] ?? issue.expected ?? 'something else';
      if (issue.input === undefined) return `required (${wanted.replace(/ \(key: value\)$/, '')})`;
      if (issue.expected === 'int' && typeof issue.input === 'number') return `must be a whole number, not ${issue.input}`;
      return `must be ${wanted}, not ${describeValue(issue.input)}`;
    }
    case 'invalid_value': {
      const values = issue.values ?? [];
      if (values.length === 1) return `must be ${quoteAll(values)}, not ${describeValue(issue.input)}`;
      return `must be one of ${quoteAll(values)}, not ${describeValue(issue.input)}`;
    }
    case 'invalid_union': {
      if (issue.discriminator !== undefined) {
        const options = issue.options ?? [];
        const got = (issue.input as Record<string, unknown> | null | undefined)?.[issue.discriminator];
        return got === undefined
          ? `required: say which kind with one of ${quoteAll(options)}`
          : `must be one of ${quoteAll(options)}, not ${describeValue(got)}`;
      }
      return issue.input === undefined ? 'required' : `${describeValue(issue.input)} matches none of the accepted forms`;
    }
    case 'invalid_format': {
      if (issue.format === 'regex') return `${describeValue(issue.input)} does not have the expected form (${String(issue.pattern)})`;
      if (issue.format === 'starts_with' || issue.format === 'ends_with' || issue.format === 'includes') return `${describeValue(issue.input)} does not have the expected form`;
      return `must be ${FORMATS[issue.format ?? ''] ?? `a valid ${issue.format}`}, not ${describeValue(issue.input)}`;
    }
    case 'too_small': {
      const n = issue.minimum ?? 0;
      if (issue.origin === 'number' || issue.origin === 'bigint' || issue.origin === 'date') {
        return issue.inclusive === false ? `must be more than ${n}, not ${describeValue(issue.input)}` : `must be at least ${n}, not ${describeValue(issue.input)}`;
      }
      if (issue.origin === 'string' && Number(n) === 1) return 'must not be empty';
      if (issue.origin === 'array' && Number(n) === 1) return 'must have at least one item';
      return issue.exact ? `must have exactly ${sizeWord(issue.origin, n)}` : `must have at least ${sizeWord(issue.origin, n)}`;
    }
    case 'too_big': {
      const n = issue.maximum ?? 0;
      if (issue.origin === 'number' || issue.origin === 'bigint' || issue.origin === 'date') {
        return issue.inclusive === false ? `must be less than ${n}, not ${describeValue(issue.input)}` : `must be at most ${n}, not ${describeValue(issue.input)}`;
      }
      return issue.exact ? `must have exactly ${sizeWord(issue.origin, n)}` : `must have at most ${sizeWord(issue.origin, n)}`;
    }
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}, not ${describeValue(issue.input)}`;
    case 'unrecognized_keys': {
      const keys = issue.keys ?? [];
      return `unknown key${keys.length === 1 ? '' : 's'} ${quoteAll(keys)}`;
    }
    case 'invalid_key':
      return `the key ${describeValue(issue.input)} is not allowed here`;
    case 'invalid_element':
      return `${describeValue(issue.input)} is not allowed here`;
    case 'custom':
      return 'is not valid';
    default:
      return undefined;
  }
}
