import { sql, type Transaction } from 'kysely';
import type { CanonicalOrder } from '../canonical/order.ts';
import type { PurchaseOrder } from '../canonical/purchase-order.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { HubError, errorMessage } from '../errors.ts';
import { renderOutbound, usesControlNumbers } from '../formats/outbound.ts';
import type { Hub } from '../hub.ts';
import { routeOrder } from '../routing/index.ts';
import { claimOrderAndNumber, nextControlNumber, nextControlNumbers } from '../store/control-numbers.ts';
import type { OrderOffer } from '../store/database.ts';
import type { OutboundFile } from '../transports/transport.ts';
import { newId, sha256Hex } from '../store/ids.ts';
import { eventRow, setOrderStatus, statusChange } from '../store/orders.ts';
import type { Database, DocumentRow } from '../store/schema.ts';
import { insertOutbound, outboundRow, type OutboundDocumentInput } from './documents.ts';
import { enqueueRetailerEvent } from './notify.ts';

/**
 * Renders one purchase order into the supplier's format and puts it in the outbox, in the caller's
 * transaction. X12 control numbers come from the supplier's counter in the same transaction, so a
 * rollback returns them; the document keeps them, so a resend is byte-identical.
 */
export async function enqueuePurchaseOrder(
  trx: Transaction<Database>,
  loaded: LoadedMapping,
  po: PurchaseOrder,
  poId: string,
): Promise<DocumentRow> {
  const n = usesControlNumbers(loaded.mapping) ? await nextControlNumber(trx, loaded.supplier) : undefined;
  return insertOutbound(trx, await purchaseOrderDocument(loaded, po, poId, n));
}

/** The outbox document of a purchase order; `controlNumber`: taken for it in the caller's transaction. */
async function purchaseOrderDocument(
  loaded: LoadedMapping,
  po: PurchaseOrder,
  poId: string,
  controlNumber: number | undefined,
  claimForMs?: number,
): Promise<OutboundDocumentInput> {
  const partner = loaded.mapping.supplier;
  const numbers = controlNumber === undefined ? undefined : { isa13: controlNumber, gs06: controlNumber, st02: 1 };
  const rendered = await renderOutbound(loaded, po, numbers);
  return {
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
    parsed: {
      poNumber: po.poNumber,
      purpose: po.purpose,
      // A cancellation names its lines: one naming only some of the PO's (a reroute) leaves the PO open.
      ...(po.purpose === 'cancel' ? { lines: po.lines.map((l) => l.lineId) } : {}),
      ...(rendered.warnings ? { warnings: rendered.warnings } : {}),
    },
  };
}

/**
 * The id of an order's purchase-order document for a supplier: the same whoever routes the order and
 * however often a routing is rolled back, so that a file staged for a routing that never committed
 * (see SftpTransport.stage) has the temporary name the order's next routing uploads to and renames.
 * An order is routed once, so the id is unique; the primary key would refuse a second routing.
 */
export function poDocumentId(orderId: string, supplierId: string): string {
  return `doc_${sha256Hex(`${orderId}\n${supplierId}\npo`).slice(0, 32)}`;
}

/** A rendered purchase order, before its commit: for a caller that sends it ahead (stages it). */
export interface RenderedPurchaseOrder {
  supplierId: string;
  file: OutboundFile;
}

/** What a caller sending purchase orders ahead started (see `routeAcceptedOrder`). */
export interface Staging {
  /** Resolves when the uploads ahead are over (done or failed): awaited before the commit. */
  settled: Promise<void>;
  /** Removes what was uploaded ahead: the routing is not being committed. */
  takeBack(): Promise<void>;
}

/** The suppliers of these purchase orders whose documents carry X12 control numbers. */
function numberedSuppliers(hub: Hub, purchaseOrders: readonly PurchaseOrder[]): string[] {
  return purchaseOrders.filter((po) => usesControlNumbers(hub.mappings.get(po.supplierId)!.mapping)).map((po) => po.supplierId);
}

/**
 * Records a routed order, in the caller's transaction, which holds the order's row lock and has
 * taken its control `numbers`: one statement moves the order from `received` to `routed`, writes its
 * timeline and inserts its purchase orders and their rendered documents. Should the order not be
 * `received` after all, the statement fails as a whole (its purchase orders would have no order id),
 * and so does a PO number already in use.
 */
async function recordRouting(
  trx: Transaction<Database>,
  hub: Hub,
  orderId: string,
  purchaseOrders: PurchaseOrder[],
  numbers: ReadonlyMap<string, number>,
  options: { claimForMs?: number; onRendered?: (rendered: RenderedPurchaseOrder[]) => Staging } = {},
): Promise<DocumentRow[]> {
  const mapping = (po: PurchaseOrder) => hub.mappings.get(po.supplierId)!;
  const planned = await Promise.all(
    purchaseOrders.map(async (po) => {
      const poId = newId('po');
      const input = await purchaseOrderDocument(mapping(po), po, poId, numbers.get(po.supplierId), options.claimForMs);
      const document = outboundRow({ ...input, id: poDocumentId(orderId, po.supplierId) });
      return { po, poId, document };
    }),
  );
  const { events } = statusChange('received', 'routed', 'router', {
    data: { suppliers: purchaseOrders.map((po) => po.supplierId) },
    events: planned.map(({ po, poId, document }) => ({
      type: 'po_created',
      cause: 'router',
      data: { poId, poNumber: po.poNumber, supplier: po.supplierId, documentId: document.id, lines: po.lines.length },
    })),
  });
  const write = trx
    .with('routed', (db) =>
      db
        .updateTable('orders')
        .set({ status: 'routed', status_reason: null, updated_at: sql`now()` })
        .where('id', '=', orderId)
        .where('status', '=', 'received')
        .returning('id'),
    )
    .with('pos', (db) =>
      db.insertInto('purchase_orders').values(
        planned.map(({ po, poId }) => ({
          id: poId,
          order_id: sql<string>`(select id from routed)`,
          supplier_id: po.supplierId,
          po_number: po.poNumber,
          status: 'pending',
          data: JSON.stringify(po),
        })),
      ),
    )
    .with('events', (db) => db.insertInto('order_events').values(events.map((event) => eventRow(orderId, event))))
    .insertInto('documents')
    .values(planned.map(({ document }) => document))
    .returningAll();
  // Started right before the statement (nothing in between can throw and leave it running unawaited).
  const staging = options.onRendered?.(
    planned.map(({ po, document }) => ({
      supplierId: po.supplierId,
      file: { filename: document.filename, content: document.content, contentType: document.content_type, documentId: document.id },
    })),
  );
  let documents: DocumentRow[];
  try {
    documents = await write.execute();
  } catch (error) {
    // The transaction still holds the order's row lock (it rolls back after this), so no other
    // router can route the order, and upload to the same temporary names, before this is undone.
    await staging?.takeBack();
    throw error;
  }
  // Uploads ahead are over before the commit, still under the lock: nothing of this routing is left
  // running once another could start.
  await staging?.settled;
  hub.logger.info(
    { orderId, purchaseOrders: purchaseOrders.map((p) => ({ po: p.poNumber, supplier: p.supplierId })) },
    'order routed',
  );
  return documents;
}

export interface RouteOptions {
  max?: number;
  /** Routers side by side (SKIP LOCKED gives each its own order). */
  parallel?: number;
  /**
   * The caller delivers the new purchase orders itself, as soon as they are committed: they are
   * inserted already claimed for `leaseMs` and handed to `deliver`, which saves a claim and a wake.
   */
  handOff?: { leaseMs: number; deliver(documents: DocumentRow[]): void };
  /** Orders to leave alone: this process is routing them from memory (`routeAcceptedOrder`). */
  exclude?: ReadonlySet<string>;
}

/**
 * The router: takes paid orders in `received`, splits them per supplier, renders each purchase order
 * and queues it, all in one transaction per order. An order no supplier can take, or whose document
 * cannot be rendered, goes to `exception` with the reason. Returns how many orders it handled.
 */
export async function routeReceivedOrders(hub: Hub, options: RouteOptions = {}): Promise<number> {
  const { max = 50, parallel = 1, handOff, exclude } = options;
  let handled = 0;
  let done = false;
  const router = async (): Promise<void> => {
    while (!done && handled < max) {
      const routed = await routeNextOrder(hub, handOff?.leaseMs, exclude);
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

async function routeNextOrder(
  hub: Hub,
  claimForMs?: number,
  exclude?: ReadonlySet<string>,
): Promise<{ orderId: string; documents: DocumentRow[] } | undefined> {
  let claimed: string | undefined;
  try {
    return await hub.store.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('orders')
        .innerJoin('retailers', 'retailers.id', 'orders.retailer_id')
        .select(['orders.id', 'orders.data', 'orders.retailer_id', 'retailers.name as retailer_name'])
        .where('orders.status', '=', 'received')
        .$if(exclude !== undefined && exclude.size > 0, (q) => q.where('orders.id', 'not in', [...exclude!]))
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
        await setOrderStatus(trx, row.id, 'exception', 'router', { reason: routed.reason, data: { code: 'unroutable_sku' } });
        await enqueueRetailerEvent(trx, hub, row.id, { type: 'order.exception', data: { reason: routed.reason, code: 'unroutable_sku', poNumber: null } });
        return { orderId: row.id, documents: [] };
      }
      const purchaseOrders: PurchaseOrder[] = [];
      for (const planned of routed.purchaseOrders) {
        purchaseOrders.push({ ...planned, poNumber: await uniquePoNumber(trx, planned.supplierId, planned.poNumber) });
      }
      const numbers = await nextControlNumbers(trx, numberedSuppliers(hub, purchaseOrders));
      const documents = await recordRouting(trx, hub, row.id, purchaseOrders, numbers, claimForMs === undefined ? {} : { claimForMs });
      return { orderId: row.id, documents: claimForMs === undefined ? [] : documents };
    });
  } catch (error) {
    if (claimed === undefined) throw error;
    // Another router committed the same PO number for the supplier after uniquePoNumber looked: not
    // the order's fault. It is still `received`; the next look (right away) sees the number taken.
    if (isPoNumberTaken(error)) return { orderId: claimed, documents: [] };
    if (!isOrderFault(error)) throw error;
    // The order's own data was refused (a mandatory value missing, text the database cannot hold...):
    // park it with the reason, so that it does not hold up the orders behind it.
    const reason = `cannot render purchase order: ${errorMessage(error)}`;
    const orderId = claimed;
    await hub.store.db.transaction().execute(async (trx) => {
      await trx.selectFrom('orders').select('id').where('id', '=', orderId).forUpdate().execute();
      await setOrderStatus(trx, orderId, 'exception', 'router', { reason, data: { code: 'render_failed' } });
      await enqueueRetailerEvent(trx, hub, orderId, { type: 'order.exception', data: { reason, code: 'render_failed', poNumber: null } });
    });
    hub.logger.warn({ orderId, err: error }, 'order parked in exception');
    return { orderId, documents: [] };
  }
}

/**
 * Routes an order this process has just accepted (offered by the intake: see `Store.offerOrder`).
 * Its data is in memory, so there is nothing to look for: one transaction claims it by id and
 * takes its control numbers in one statement (SKIP LOCKED: a router that holds it already wins), then
 * records it in another. Returns its purchase orders' documents, claimed for `claimForMs` for the
 * caller to deliver, or undefined when it leaves
 * the order to the router: unroutable, a PO number in use, data that cannot be rendered, routed by
 * someone else, the database away. The router then deals with it, reasons and all.
 *
 * `onRendered` sees the documents rendered, before the statement that records them, to send them
 * ahead (SftpTransport.stage) while it runs: what it starts is over before the commit, and taken
 * back if the statement fails, both while the order is still locked.
 */
export async function routeAcceptedOrder(
  hub: Hub,
  offer: OrderOffer,
  claimForMs: number,
  onRendered?: (rendered: RenderedPurchaseOrder[]) => Staging,
): Promise<DocumentRow[] | undefined> {
  try {
    const routed = await routeOrder(
      { orderId: offer.id, retailer: offer.retailer, order: offer.order, createdAt: hub.clock().toISOString() },
      [...hub.mappings.values()],
    );
    if (!routed.ok) return undefined;
    return await hub.store.db.transaction().execute(async (trx) => {
      const numbers = await claimOrderAndNumber(trx, offer.id, numberedSuppliers(hub, routed.purchaseOrders));
      return numbers && recordRouting(trx, hub, offer.id, routed.purchaseOrders, numbers, { claimForMs, ...(onRendered ? { onRendered } : {}) });
    });
  } catch (error) {
    hub.logger.debug({ orderId: offer.id, err: error }, 'order left to the router');
    return undefined;
  }
}

function isPoNumberTaken(error: unknown): boolean {
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === 'purchase_orders_supplier_po_uq';
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
