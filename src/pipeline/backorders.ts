/**
 * Lines that wait for stock (routing policy `unfillable: partial`) are routed when stock arrives or
 * a mapping changes: `routeBackorders` decides each waiting order's open lines again with the live
 * stock (locked, as for a new order) and sends what can go now as new purchase orders, in one
 * transaction per order. What still cannot go keeps waiting, untouched.
 *
 * The stock helper calls it after applying an inventory feed (`routeBackorders(hub, { supplierId })`);
 * the worker calls it on its overdue pass; `hub routing backorders` runs it by hand.
 *
 * @example
 *   const routed = await routeBackorders(hub, { supplierId: 'acme-toys' });   // orders that got POs
 */
import type { CanonicalOrder } from '../canonical/order.ts';
import type { PurchaseOrder } from '../canonical/purchase-order.ts';
import type { OrderStatus } from '../canonical/states.ts';
import type { Hub } from '../hub.ts';
import { sourceLookup } from '../routing/claims.ts';
import { newId } from '../store/ids.ts';
import { recordEvent, setOrderStatus } from '../store/orders.ts';
import { openBackordersOf, ordersWithBackorders } from '../store/routing-decisions.ts';
import type { DocumentRow } from '../store/schema.ts';
import { enqueuePurchaseOrder, uniquePoNumber } from './route.ts';
import { decideWithStock, recordRoutingOutcome } from './stock-routing.ts';

/** Orders in these states may still get purchase orders for their waiting lines. */
const OPEN: readonly OrderStatus[] = ['backordered', 'routed', 'sent', 'acknowledged', 'partially_shipped', 'shipped'];

export interface BackorderOptions {
  /** Only lines a source of this supplier could take (its feed was just applied). */
  supplierId?: string;
  /** At most this many waiting orders looked at (oldest wait first); default 200. */
  max?: number;
}

/** Routes what it can of the orders with waiting lines; returns the ids of the orders that got POs. */
export async function routeBackorders(hub: Hub, options: BackorderOptions = {}): Promise<string[]> {
  const orderIds = await ordersWithBackorders(hub.store.db, options.max ?? 200);
  const routed: string[] = [];
  for (const orderId of orderIds) {
    if (await routeOrderBackorders(hub, orderId, options.supplierId)) routed.push(orderId);
  }
  if (routed.length) await hub.store.wakeOutbox();
  return routed;
}

async function routeOrderBackorders(hub: Hub, orderId: string, supplierId: string | undefined): Promise<boolean> {
  return hub.store.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('orders')
      .innerJoin('retailers', 'retailers.id', 'orders.retailer_id')
      .select(['orders.id', 'orders.data', 'orders.status', 'orders.retailer_id', 'retailers.name as retailer_name'])
      .where('orders.id', '=', orderId)
      .forUpdate('orders')
      .skipLocked()
      .executeTakeFirst();
    if (!row || !OPEN.includes(row.status as OrderStatus)) return false;
    let waiting = await openBackordersOf(trx, orderId);
    if (supplierId !== undefined) {
      const sources = sourceLookup([...hub.mappings.values()]);
      waiting = waiting.filter((w) => sources(w.sku).some((s) => s.supplier === supplierId));
    }
    if (waiting.length === 0) return false;
    const { routed } = await decideWithStock(
      trx,
      hub,
      {
        orderId,
        retailer: { id: row.retailer_id, name: row.retailer_name },
        order: row.data as CanonicalOrder,
        createdAt: hub.clock().toISOString(),
        lineIds: waiting.map((w) => w.lineId),
      },
      'lock',
    );
    if (!routed.ok || routed.purchaseOrders.length === 0) return false; // still waiting; nothing changes
    const documents: DocumentRow[] = [];
    for (const planned of routed.purchaseOrders) {
      const po: PurchaseOrder = { ...planned, poNumber: await uniquePoNumber(trx, planned.supplierId, planned.poNumber) };
      const poId = newId('po');
      await trx
        .insertInto('purchase_orders')
        .values({ id: poId, order_id: orderId, supplier_id: po.supplierId, po_number: po.poNumber, status: 'pending', data: JSON.stringify(po) })
        .execute();
      const document = await enqueuePurchaseOrder(trx, hub.mappings.get(po.supplierId)!, po, poId);
      documents.push(document);
      await recordEvent(trx, orderId, {
        type: 'po_created',
        cause: 'router',
        data: { poId, poNumber: po.poNumber, supplier: po.supplierId, documentId: document.id, lines: po.lines.length, backorder: true },
      });
    }
    if (row.status === 'backordered') await setOrderStatus(trx, orderId, 'routed', 'router');
    await recordRoutingOutcome(trx, hub, orderId, routed.decision, routed.waiting, documents, 'backorder');
    hub.logger.info({ orderId, purchaseOrders: routed.purchaseOrders.map((p) => p.supplierId) }, 'backordered lines routed');
    return true;
  });
}
