/**
 * Fuzz: the X12 reader and transaction-set parsers never throw anything but the hub's own errors (HubError subclasses), never
 * take more than limits.perRunMs on one input, never pollute Object.prototype. Bounded: each
 * property stops after its runs or about 2 s. Longer: `npx tsx bench/fuzz-long.ts --runs 100000`.
 */
import { describe, it } from 'vitest';
import { x12Properties, assertProperty } from './properties.ts';

describe('fuzz: X12 reader and transaction-set parsers', () => {
  for (const property of x12Properties.filter((p) => !p.longOnly)) {
    it(property.name, () => {
      assertProperty(property, { numRuns: property.suiteRuns, timeLimitMs: 2_000 });
    });
  }
});
