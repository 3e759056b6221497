/**
 * What happens once a stock feed is committed: the one call site for everything that follows a
 * change of stock, so that feeds of every format (846, JSON, CSV, XML, INVRPT; pulled or pushed)
 * trigger the same things.
 *
 * - The stock goes back to the retailers' stores: the feed marked its supplier in its own
 *   transaction; this asks the process's pusher for a pass (src/pipeline/stock-push.ts).
 * - Backordered lines should be routed again now that stock arrived: that belongs to helper
 *   `routing` (`routeBackorders(hub, supplierId)`), not merged yet; its call goes here.
 */
import type { Hub } from '../hub.ts';
import { kickStockPush } from './stock-push.ts';

/** Called after the commit of a transaction that applied a stock feed of `supplierId`. */
export async function stockChanged(hub: Hub, supplierId: string): Promise<void> {
  kickStockPush(hub);
  await routeBackorders(hub, supplierId);
}

/** Placeholder for the routing helper's `routeBackorders` (issue 12 item 5): nothing waits yet. */
async function routeBackorders(_hub: Hub, _supplierId: string): Promise<void> {}
