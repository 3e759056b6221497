import type { Transaction } from "kysely";
import type { CanonicalOrder } from '../canonical/order.ts';
import type { PurchaseOrder } from '../canonical/purchase-order.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { HubError, errorMessage } from '../errors.ts';
import { renderOutbound, usesControlNumbers } from '../formats/outbound.ts';
import type { Hub } from '../hub.ts';
import { routeOrder } from '../routing/index.ts';
import { nextControlNumber } from '../store/control-numbers.ts';
import { newId } from '../store/ids.ts';
import { setOrderStatus, transitionOrder, type TimelineEvent } from '../store/orders.ts';
import type { Database, DocumentRow } from '../store/schema.ts';
import { insertOutbound } from './documents.ts';
import { enqueueRetailerEvent } from './notify.ts';

/**
 * Renders one purchase order into the supplier's format and puts it in the outbox, in the caller's
 * transaction. X12 control numbers come from the supplier's counter in the same transaction, so a
 * rollback returns them; the document keeps them, so a resend is byte-identical.
 */
export async function enqueuePurchaseOrder(
  trx: Transaction<Database>,
  hub: Hub,
  loaded: LoadedMapping,
  po: PurchaseOrder,
  poId: string,
  claimForMs?: number,
): Promise<DocumentRow> {
  const partner = loaded.mapping.supplier;
  let numbers;
  if (usesControlNumbers(loaded.mapping)) {
    const n = await nextControlNumber(trx, partner);
    numbers = { isa13: n, gs06: n, st02: 1 };
  }
  const rendered = await renderOutbound(loaded, po, numbers);
  return insertOutbound(trx, {
    ...(claimForMs === undefined ? {} : { claimForMs }),
    kind: po.purpose === 'cancel' ? 'po_cancel' : 'po',
    format: loaded.mapping.outbound.format,
    filename: rendered.filename,
    content: rendered.content,
    contentType: rendered.contentType,
    supplierId: partner,
    orderId: po.orderId,
    poId,
    maxAttempts: loaded.mapping.transport.retry.maxAttempts,
    controlNumbers: numbers ? { ...numbers, partner } : undefined,
    parsed: { poNumber: po.poNumber, purpose: po.purpose },
  });
}

/**
 * The router: takes paid orders in `received`, splits them per supplier, renders each purchase order
 * and queues it, all in one transaction per order. An order no supplier can take, or whose document
 * cannot be rendered, goes to `exception` with the reason. Returns how many orders it handled.
 */
export interface RouteOptions {
  max?: number;
  /** Routers side by side (SKIP LOCKED gives each its own order). */
  parallel?: number;
  /**
   * The caller delivers the new purchase orders itself, as soon as they are committed: they are
   * inserted already claimed for `leaseMs` and handed to `deliver`, which saves a claim and a wake.
   */
  handOff?: { leaseMs: number; deliver(documents: DocumentRow[]): void };
}

export async function routeReceivedOrders(hub: Hub, options: RouteOptions = {}): Promise<number> {
  const { max = 50, parallel = 1, handOff } = options;
  let handled = 0;
  let done = false;
  const router = async (): Promise<void> => {
    while (!done && handled < max) {
      const routed = await routeNextOrder(hub, handOff?.leaseMs);
      if (routed === undefined) done = true;
      else {
        handled++;
        if (handOff && routed.documents.length) handOff.deliver(routed.documents);
        else await hub.store.wakeOutbox(); // its documents can go out while the next order is routed
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, router));
  return handled;
}

async function routeNextOrder(hub: Hub, claimForMs?: number): Promise<{ orderId: string; documents: DocumentRow[] } | undefined> {
  let claimed: string | undefined;
  try {
    return await hub.store.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('orders')
        .innerJoin('retailers', 'retailers.id', 'orders.retailer_id')
        .select(['orders.id', 'orders.data', 'orders.retailer_id', 'retailers.name as retailer_name'])
        .where('orders.status', '=', 'received')
        .orderBy('orders.created_at')
        .limit(1)
        .forUpdate('orders')
        .skipLocked()
        .executeTakeFirst();
      if (!row) return undefined;
      claimed = row.id;
      const order = row.data as CanonicalOrder;
      const routed = await routeOrder(
        {
          orderId: row.id,
          retailer: { id: row.retailer_id, name: row.retailer_name },
          order,
          createdAt: hub.clock().toISOString(),
        },
        [...hub.mappings.values()],
      );
      if (!routed.ok) {
        hub.logger.warn({ orderId: row.id, reason: routed.reason }, 'order cannot be routed');
        await setOrderStatus(trx, row.id, 'exception', 'router', { reason: routed.reason });
        await enqueueRetailerEvent(trx, hub, row.id, { type: 'order.exception', data: { reason: routed.reason, code: 'unroutable_sku', poNumber: null } });
        return { orderId: row.id, documents: [] };
      }
      const documents: DocumentRow[] = [];
      const events: TimelineEvent[] = [];
      for (const planned of routed.purchaseOrders) {
        const loaded = hub.mappings.get(planned.supplierId)!;
        const po = { ...planned, poNumber: await uniquePoNumber(trx, planned.supplierId, planned.poNumber) };
        const poId = newId('po');
        await trx
          .insertInto('purchase_orders')
          .values({
            id: poId,
            order_id: row.id,
            supplier_id: po.supplierId,
            po_number: po.poNumber,
            status: 'pending',
            data: JSON.stringify(po),
          })
          .execute();
        const document = await enqueuePurchaseOrder(trx, hub, loaded, po, poId, claimForMs);
        documents.push(document);
        const documentId = document.id;
        events.push({
          type: 'po_created',
          cause: 'router',
          data: { poId, poNumber: po.poNumber, supplier: po.supplierId, documentId, lines: po.lines.length },
        });
      }
      // The order is locked (claimed above) and `received`: one statement moves it and writes its timeline.
      await transitionOrder(trx, row.id, 'received', 'routed', 'router', {
        data: { suppliers: routed.purchaseOrders.map((p) => p.supplierId) },
        events,
      });
      hub.logger.info(
        { orderId: row.id, purchaseOrders: routed.purchaseOrders.map((p) => ({ po: p.poNumber, supplier: p.supplierId })) },
        'order routed',
      );
      return { orderId: row.id, documents: claimForMs === undefined ? [] : documents };
    });
  } catch (error) {
    if (claimed === undefined || !isOrderFault(error)) throw error;
    // The order's own data was refused (a mandatory value missing, text the database cannot hold...):
    // park it with the reason, so that it does not hold up the orders behind it.
    const reason = `cannot render purchase order: ${errorMessage(error)}`;
    const orderId = claimed;
    await hub.store.db.transaction().execute(async (trx) => {
      await trx.selectFrom('orders').select('id').where('id', '=', orderId).forUpdate().execute();
      await setOrderStatus(trx, orderId, 'exception', 'router', { reason });
      await enqueueRetailerEvent(trx, hub, orderId, { type: 'order.exception', data: { reason, code: 'render_failed', poNumber: null } });
    });
    hub.logger.warn({ orderId, err: error }, 'order parked in exception');
    return { orderId, documents: [] };
  }
}


/** Errors caused by the order itself (as opposed to the database or the network being away). */
function isOrderFault(error: unknown): boolean {
  if (error instanceof HubError) return error.code !== 'internal';
  // PostgreSQL's data exceptions (22xxx) and integrity violations (23xxx) come from the data.
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

/**
 * PO numbers are unique per supplier. Order numbers are not unique across retailers (every Shopify
 * store starts at #1001), nor always within one: a number already used gets `-2`, `-3`, ...
 */
async function uniquePoNumber(trx: Transaction<Database>, supplierId: string, poNumber: string): Promise<string> {
  const taken = new Set(
    (
      await trx
        .selectFrom('purchase_orders')
        .select('po_number')
        .where('supplier_id', '=', supplierId)
        .where((eb) => eb.or([eb('po_number', '=', poNumber), eb('po_number', 'like', `${poNumber.replace(/[\\%_]/g, '\\$&')}-%`)]))
        .execute()
    ).map((r) => r.po_number),
  );
  if (!taken.has(poNumber)) return poNumber;
  for (let n = 2; ; n++) if (!taken.has(`${poNumber}-${n}`)) return `${poNumber}-${n}`;
}
