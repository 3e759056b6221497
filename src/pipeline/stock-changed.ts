/**
 * What happens once a stock feed is committed: the one call site for everything that follows a
 * change of stock, so that feeds of every format (846, JSON, CSV, XML, INVRPT; pulled or pushed)
 * trigger the same things.
 *
 * - The stock goes back to the retailers' stores: the feed marked its supplier in its own
 *   transaction; this asks the process's pusher for a pass (src/pipeline/stock-push.ts).
 * - Lines waiting for stock (routing policy `unfillable: partial`) that a source of this supplier
 *   can now take are routed (`routeBackorders`, one transaction per order; a failure is logged, the
 *   worker's next overdue pass tries again).
 */
import type { Hub } from '../hub.ts';
import { routeBackorders } from './backorders.ts';
import { kickStockPush } from './stock-push.ts';

/** Called after the commit of a transaction that applied a stock feed of `supplierId`. */
export async function stockChanged(hub: Hub, supplierId: string): Promise<void> {
  kickStockPush(hub);
  try {
    await routeBackorders(hub, { supplierId });
  } catch (error) {
    hub.logger.error({ err: error, supplier: supplierId }, 'routing waiting lines after a stock feed failed');
  }
}
