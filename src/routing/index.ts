export { routeOrder, toCancellation, type RouteInput, type RouteResult, type UnroutableLine } from './route-order.ts';
export { claims, suppliersFor } from './claims.ts';
export { defaultPoNumber, cleanOrderNumber, type PoNumberContext } from './po-number.ts';
export { toUnits, fromUnits, totalOf, lineAmount } from './money.ts';
