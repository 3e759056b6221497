import type { CanonicalOrder } from '../canonical/order.ts';
import { OrderDraft } from './draft.ts';

/**
 * `POST /v1/orders`: the body is already a canonical order; it is validated as it is, and a bad
 * field is named by its canonical path (`lines.0.quantity`). Unknown keys are refused (the schema is
 * strict), so that a typo such as `shipto` is reported instead of silently dropped.
 */
export function parseCanonicalOrder(body: unknown): CanonicalOrder {
  return new OrderDraft('order').finish(body);
}
