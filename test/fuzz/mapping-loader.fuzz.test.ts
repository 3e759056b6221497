/**
 * Fuzz: the mapping loader (parseMappingSource) never throw anything but the hub's own errors (HubError subclasses), never
 * take more than limits.perRunMs on one input, never pollute Object.prototype. Bounded: each
 * property stops after its runs or about 2 s. Longer: `npx tsx bench/fuzz-long.ts --runs 100000`.
 */
import { describe, it } from 'vitest';
import { mappingProperties, assertProperty } from './properties.ts';

describe('fuzz: mapping loader (parseMappingSource)', () => {
  for (const property of mappingProperties.filter((p) => !p.longOnly)) {
    it(property.name, () => {
      assertProperty(property, { numRuns: property.suiteRuns, timeLimitMs: 2_000 });
    });
  }
});
