/**
 * What a retailer is told when automatic reroute runs out of suppliers for a line: a stable `code`
 * on `order.exception` and a sentence fit for a retailer (no supplier names, hosts or file names;
 * the operator's detail stays on the timeline and the dashboard). Meant to join the hub's table of
 * exception reasons (`exception-reasons.ts`) as one more entry; the sentence here names the lines.
 */

import type { ExceptionCode } from './exception-reasons.ts';

/** `order.exception` `code` when no source is left for a line after a reroute. */
export const NO_SOURCE_LEFT = 'no_source_left' satisfies ExceptionCode;

/** The retailer's sentence: which lines, and that every supplier that could ship them was tried. */
export function noSourceLeftReason(lines: readonly { lineId: string; sku: string }[], why: 'rejected' | 'late' | 'backordered'): string {
  const named = lines.map((l) => `line ${l.lineId} (SKU ${l.sku})`).join(', ');
  const cause =
    why === 'rejected'
      ? 'the supplier cannot fill it'
      : why === 'backordered'
        ? 'the supplier has it on backorder for longer than allowed'
        : 'the supplier has not confirmed it in time';
  return `${named}: ${cause}, and no other supplier can ship it now`;
}
