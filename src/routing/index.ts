export { routeOrder, toCancellation, type RouteInput, type RouteOptions, type RouteResult, type UnroutableLine } from './route-order.ts';
export { claims, sourceLookup, sourceOf, sourcesFor, supplierTerms, suppliersFor } from './claims.ts';
export { defaultPoNumber, cleanOrderNumber, type PoNumberContext } from './po-number.ts';
export { toUnits, fromUnits, totalOf, lineAmount } from './money.ts';
export {
  decide,
  stockSnapshot,
  type Allocation,
  type Candidate,
  type DecideInput,
  type Decision,
  type DecisionLine,
  type Exclusion,
  type LineDecision,
  type StockLevel,
  type StockRow,
  type StockSnapshot,
} from './decide.ts';
export { explainDecision, type CandidateExplanation, type LineExplanation } from './explain.ts';
export {
  BUILT_IN_POLICIES,
  BUILT_IN_POLICY,
  ROUTING_RULES,
  policyFor,
  type RoutingPolicies,
  type RoutingPolicy,
  type RoutingRule,
} from './policy.ts';
export { checkRoutingPolicy, loadRoutingPolicy } from './policy-loader.ts';
export { CATALOG_COLUMNS, CatalogError, readCatalog, type CatalogRow, type Source, type SupplierTerms } from './sources.ts';
