/**
 * Why an order is in `exception`, as a retailer is told it: a stable code (`data.code` of
 * `order.exception`, `statusReason` of the retailer's API) and a sentence written for a store, never
 * the operator's detail (a supplier's SFTP host and port, host-key fingerprints, "update
 * transport.hostKey", a parser's message). That detail stays on the order for operators: the admin
 * API, the dashboard and the timeline. docs/retailers.md lists the codes.
 *
 * Adding a code is one line in EXCEPTION_REASONS (and one row in docs/retailers.md).
 *
 * @example
 *   retailerException('delivery_failed', 'PO-1001-1')
 *   // { code: 'delivery_failed', reason: 'We could not pass this order on to its supplier…', poNumber: 'PO-1001-1' }
 */

export const EXCEPTION_REASONS = {
  unroutable_sku: 'No supplier is set up for one or more items of this order. We have been alerted and will route it or contact you.',
  render_failed: 'This order could not be turned into a purchase order for its supplier. We have been alerted and will fix it or contact you.',
  supplier_rejected: 'The supplier declined this order, or part of it. We have been alerted and will contact you about what happens next.',
  delivery_failed: 'We could not pass this order on to its supplier yet. We have been alerted and are working on it; nothing is needed from you.',
  no_source_left: 'No supplier can ship one or more items of this order now: every supplier that carries them declined, backordered or did not confirm in time. We have been alerted and will contact you.',
} as const satisfies Record<string, string>;

export type ExceptionCode = keyof typeof EXCEPTION_REASONS;

export const EXCEPTION_CODES = Object.keys(EXCEPTION_REASONS) as [ExceptionCode, ...ExceptionCode[]];

/** For a code the hub does not know (an older row): still words fit for a retailer. */
const GENERIC_REASON = 'This order needs attention. We have been alerted and will contact you if anything is needed from you.';

export function isExceptionCode(code: unknown): code is ExceptionCode {
  return typeof code === 'string' && Object.hasOwn(EXCEPTION_REASONS, code);
}

/** The sentence a retailer reads for a code. */
export function retailerReason(code: string | null | undefined): string {
  return isExceptionCode(code) ? EXCEPTION_REASONS[code] : GENERIC_REASON;
}

/** The data of an `order.exception` event: the code, its sentence and the PO it concerns. */
export function retailerException(code: ExceptionCode, poNumber: string | null): { code: ExceptionCode; reason: string; poNumber: string | null } {
  return { code, reason: EXCEPTION_REASONS[code], poNumber };
}
