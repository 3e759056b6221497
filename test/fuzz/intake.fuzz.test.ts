/**
 * Fuzz: the intake adapters never throw anything but the hub's own errors (HubError subclasses), never
 * take more than limits.perRunMs on one input, never pollute Object.prototype. Bounded: each
 * property stops after its runs or about 2 s. Longer: `npx tsx bench/fuzz-long.ts --runs 100000`.
 */
import { describe, it } from 'vitest';
import { intakeProperties, assertProperty } from './properties.ts';

describe('fuzz: intake adapters', () => {
  for (const property of intakeProperties.filter((p) => !p.longOnly)) {
    it(property.name, () => {
      assertProperty(property, { numRuns: property.suiteRuns, timeLimitMs: 2_000 });
    });
  }
});
