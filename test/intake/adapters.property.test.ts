import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanonicalOrder } from '../../src/canonical/order.ts';
import { HubError, ValidationError } from '../../src/errors.ts';
import { intakeAdapters } from '../../src/intake/index.ts';

const fixture = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8'));

const bodies = {
  api: fixture('shopify/order-create.canonical.json'),
  shopify: fixture('shopify/order-create.json'),
  woocommerce: fixture('woocommerce/order-created.json'),
};

/** The adapter either returns a valid canonical order or throws the project's ValidationError. */
function judge(adapter: (body: unknown) => unknown, body: unknown): void {
  try {
    const order = adapter(body);
    expect(CanonicalOrder.safeParse(order).success).toBe(true);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toBeInstanceOf(HubError);
    expect((error as ValidationError).issues.length).toBeGreaterThan(0);
  }
}

/** Replaces one key of an object (nested a level into arrays/objects) with arbitrary JSON. */
const mutated = (base: Record<string, unknown>) =>
  fc
    .record({
      key: fc.constantFrom(...Object.keys(base)),
      value: fc.jsonValue(),
      inner: fc.option(fc.string({ maxLength: 12 })),
    })
    .map(({ key, value, inner }) => {
      const copy = structuredClone(base);
      const current = copy[key];
      if (inner !== null && Array.isArray(current) && typeof current[0] === 'object' && current[0] !== null) {
        (current[0] as Record<string, unknown>)[inner] = value;
      } else if (inner !== null && typeof current === 'object' && current !== null && !Array.isArray(current)) {
        (current as Record<string, unknown>)[inner] = value;
      } else {
        copy[key] = value;
      }
      return copy;
    });

describe.each(Object.keys(bodies) as (keyof typeof bodies)[])('the %s adapter on arbitrary input', (source) => {
  const adapter = intakeAdapters[source];

  it('never throws anything but a ValidationError for arbitrary JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), (body) => judge(adapter, body)), { numRuns: 300 });
  });

  it('never throws anything but a ValidationError for a realistic body with one field mangled', () => {
    fc.assert(fc.property(mutated(bodies[source]), (body) => judge(adapter, body)), { numRuns: 400 });
  });
});
