/**
 * `schema.safeParse` for input from outside (request bodies, mapping files, supplier files).
 *
 * zod 4 runs its length checks (`.min`, `.max` on strings and arrays) on any value that has a
 * `length` property, even after the type check failed; a hostile `length` such as
 * `{"toString": 0}` then makes the comparison throw a TypeError instead of an issue. Here that
 * becomes a failed parse, at the path of the first such object, like any other bad value.
 */
import { z } from 'zod';
import { plainMessage, type RawIssue } from './plain-messages.ts';

// Every zod message a person reads is in plain words (src/canonical/plain-messages.ts), whichever
// schema produced it; messages written on a schema itself still win.
z.config({ customError: (issue) => plainMessage(issue as RawIssue) });

export function safeParseInput<T extends z.ZodType>(schema: T, value: unknown): z.ZodSafeParseResult<z.output<T>> {
  try {
    return schema.safeParse(value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    const path = hostileLength(value, []) ?? [];
    return {
      success: false,
      error: new z.ZodError([{ code: 'custom', path, input: undefined, message: 'expected text or a list, got an object with a "length"' }]) as z.ZodError<z.output<T>>,
    };
  }
}

/** The path of the first object (not an array, not a string) with a `length` that is not a number. */
function hostileLength(value: unknown, path: (string | number)[], depth = 0): (string | number)[] | undefined {
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  if (!Array.isArray(value) && Object.hasOwn(value, 'length') && typeof (value as { length: unknown }).length !== 'number') return path;
  for (const [key, child] of Object.entries(value)) {
    const found = hostileLength(child, [...path, Array.isArray(value) ? Number(key) : key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** An unpaired UTF-16 surrogate: JSON's `"\ud800"` parses to one, and PostgreSQL refuses to store it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The path (`lines.0.title`; `""` for the value itself) of the first key or text holding a lone
 * UTF-16 surrogate, or undefined when there is none. Walks without recursion, so any depth that
 * `JSON.parse` accepted is covered.
 *
 * @example
 *   loneSurrogatePath(JSON.parse('{"lines":[{"title":"\\ud800"}]}')) // → "lines.0.title"
 */
export function loneSurrogatePath(value: unknown): string | undefined {
  const stack: { value: unknown; path: string }[] = [{ value, path: '' }];
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  while (stack.length) {
    const next = stack.pop()!;
    if (typeof next.value === 'string') {
      if (LONE_SURROGATE.test(next.value)) return next.path;
      continue;
    }
    if (next.value === null || typeof next.value !== 'object') continue;
    const entries = Object.entries(next.value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      if (LONE_SURROGATE.test(key)) return join(next.path, key.replace(LONE_SURROGATE, '\uFFFD'));
      stack.push({ value: child, path: join(next.path, key) });
    }
  }
  return undefined;
}
