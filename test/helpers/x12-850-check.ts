/**
 * The 850 structure check, kept at this path for the tests that import it: the check itself, per
 * version and for the 997 and TA1 too, is test/helpers/x12-check.ts.
 */
export { check850 } from './x12-check.ts';
