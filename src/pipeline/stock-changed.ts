/**
 * What happens once a stock feed is committed: the one call site for everything that follows a
 * change of stock, so that feeds of every format (846, JSON, CSV, XML, INVRPT; pulled or pushed)
 * trigger the same things.
 *
 * Today: nothing waits here but the hook itself. Issue 12 hangs two things on it: backordered lines
 * routed again (helper `routing`: `routeBackorders(hub, supplierId)`), and the stock pushed back to
 * the retailers' stores (src/pipeline/stock-push.ts).
 */
import type { Hub } from '../hub.ts';

/** Called after the commit of a transaction that applied a stock feed of `supplierId`. */
export async function stockChanged(hub: Hub, supplierId: string): Promise<void> {
  void hub;
  void supplierId;
}
