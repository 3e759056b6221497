import { sql, type Transaction } from 'kysely';
import type {
  Acknowledgment,
  FunctionalAck,
  InboundItem,
  InboundWarning,
  InterchangeAck,
  Invoice,
  ParsedInbound,
  ReceivedGroup,
  Shipment,
} from '../canonical/inbound.ts';
import type { PurchaseOrder } from '../canonical/purchase-order.ts';
import type { PoStatus } from '../canonical/states.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { HubError, errorMessage } from '../errors.ts';
import { X12EnvelopeError, X12FileError, productIdGroup } from '../formats/x12/read/index.ts';
import type { Hub } from '../hub.ts';
import { resolveCarrier, trackingUrls } from '../notify/carriers.ts';
import { newId, sha256Hex, toBuffer } from '../store/ids.ts';
import { recordEvent } from '../store/orders.ts';
import type { Database, PurchaseOrderRow } from '../store/schema.ts';
import { purchaseOrderStatus } from '../store/reroutes.ts';
import { openBackorderDeadline, rerouteRejectedLines } from './auto-reroute.ts';
import { meetExpectation } from './expectations.ts';
import { enqueueFunctionalAcks, enqueueInterchangeAcks } from './acks.ts';
import { enqueueInboundAnswers } from './answers.ts';
import { enqueueRetailerEvent, notifyShipment } from './notify.ts';
import { syncOrderStatus } from './order-status.ts';
import { readSupplierBytes } from './parse-file.ts';
import { assertShipmentRoom, parsedForStorage } from './inbound-limits.ts';
import { inboundLimits } from '../limits.ts';
import { applyInventoryFeed, feedTime } from './inventory-feed.ts';
import { stockChanged } from './stock-changed.ts';

/** A file that parsed but cannot be applied (unknown PO, unknown SKU...): it is quarantined. */
export class ApplyError extends HubError {
  constructor(message: string, details?: unknown) {
    super('validation_failed', message, { details });
  }
}

export interface InboundResult {
  documentId: string;
  /** applied; duplicate (same content seen before, under another name); seen (this very file again); failed (quarantined). */
  status: 'applied' | 'duplicate' | 'seen' | 'failed';
  error?: string;
  items?: number;
}

/**
 * Applies one supplier file exactly once. The ledger row (supplier, content hash) is written in the
 * same transaction as everything the file changes, so a file is either wholly applied and recorded,
 * or not at all; the same bytes again (re-listed after a crash, or re-sent under another name) are
 * recognised and not applied twice. A file that cannot be parsed or matched is kept with its reason
 * (status `failed`) and never blocks the files after it.
 */
export async function receiveInboundFile(
  hub: Hub,
  loaded: LoadedMapping,
  file: { name: string; content: Buffer; via: 'sftp' | 'http' | 'as2' | 'mailbox' },
  /** `pause`: how reading gives the event loop back between slices (parse-file.ts; default setImmediate). */
  options: { pause?: () => Promise<void> } = {},
): Promise<InboundResult> {
  const supplier = loaded.supplier;
  const hash = sha256Hex(file.content);
  const seen = await hub.store.db
    .selectFrom('inbound_ledger')
    .select(['document_id', 'filename'])
    .where('supplier_id', '=', supplier)
    .where('content_hash', '=', hash)
    .executeTakeFirst();
  if (seen) return recordDuplicate(hub, loaded, file, hash, seen);

  let parsed: ParsedInbound;
  try {
    parsed = await readSupplierBytes(loaded, file.name, file.content, inboundLimits(hub.env), options.pause);
  } catch (error) {
    // A refused X12 file still carries what was read: its 997s answer every set truthfully.
    return quarantine(hub, loaded, file, hash, error instanceof X12FileError ? error.parsed : undefined, error);
  }
  const documentId = newId('doc');
  try {
    const applied = await hub.store.db.transaction().execute(async (trx) => {
      const ledger = await trx
        .insertInto('inbound_ledger')
        .values({ supplier_id: supplier, content_hash: hash, filename: file.name, size: file.content.length, document_id: documentId })
        .onConflict((oc) => oc.columns(['supplier_id', 'content_hash']).doNothing())
        .returning('document_id')
        .executeTakeFirst();
      if (!ledger) return false; // another process applied the same bytes a moment ago
      await insertInboundDocument(trx, loaded, file, hash, documentId, parsed, 'applied');
      await applyItems(trx, hub, loaded, documentId, file.name, parsed.items, parsed.warnings);
      await enqueueFunctionalAcks(trx, hub, loaded, parsed.groups);
      await enqueueInterchangeAcks(trx, hub, loaded, parsed.interchangeAcks ?? []);
      await enqueueInboundAnswers(trx, hub, loaded, file, parsed);
      return true;
    });
    if (!applied) {
      const again = await hub.store.db.selectFrom('inbound_ledger').select(['document_id', 'filename']).where('supplier_id', '=', supplier).where('content_hash', '=', hash).executeTakeFirstOrThrow();
      return recordDuplicate(hub, loaded, file, hash, again);
    }
  } catch (error) {
    if (!(error instanceof HubError)) throw error;
    return quarantine(hub, loaded, file, hash, parsed, error, documentId);
  }
  await hub.store.wakeOutbox();
  if (parsed.items.some((i) => i.kind === 'inventory')) await stockChanged(hub, supplier);
  hub.metrics.documentsReceived.inc({ supplier, format: parsed.format });
  hub.logger.info({ supplier, documentId, file: file.name, items: parsed.items.length }, 'inbound file applied');
  return { documentId, status: 'applied', items: parsed.items.length };
}

async function recordDuplicate(
  hub: Hub,
  loaded: LoadedMapping,
  file: { name: string; content: Buffer; via: string },
  hash: string,
  seen: { document_id: string; filename: string },
): Promise<InboundResult> {
  if (seen.filename === file.name) return { documentId: seen.document_id, status: 'seen' };
  const documentId = newId('doc');
  await hub.store.db.transaction().execute(async (trx) => {
    await insertInboundDocument(trx, loaded, file, hash, documentId, undefined, 'duplicate', `same content as ${seen.filename} (${seen.document_id})`);
  });
  hub.logger.warn({ supplier: loaded.supplier, file: file.name, original: seen.filename }, 'duplicate inbound file not applied');
  return { documentId, status: 'duplicate' };
}

async function quarantine(
  hub: Hub,
  loaded: LoadedMapping,
  file: { name: string; content: Buffer; via: string },
  hash: string,
  parsed: ParsedInbound | undefined,
  error: unknown,
  documentId = newId('doc'),
): Promise<InboundResult> {
  const message = errorMessage(error);
  await hub.store.db.transaction().execute(async (trx) => {
    const ledger = await trx
      .insertInto('inbound_ledger')
      .values({ supplier_id: loaded.supplier, content_hash: hash, filename: file.name, size: file.content.length, document_id: documentId })
      .onConflict((oc) => oc.columns(['supplier_id', 'content_hash']).doNothing())
      .returning('document_id')
      .executeTakeFirst();
    if (!ledger) return;
    await insertInboundDocument(trx, loaded, file, hash, documentId, parsed, 'failed', message, error instanceof HubError ? error.code : 'internal');
    // What could be read is acknowledged as it was read: sets in error rejected, the others accepted
    // (a 997 speaks of syntax: a file quarantined for an unknown PO is still answered A).
    if (parsed) await enqueueFunctionalAcks(trx, hub, loaded, parsed.groups);
    await enqueueInterchangeAcks(trx, hub, loaded, interchangeAcksOf(parsed, error));
    await enqueueInboundAnswers(trx, hub, loaded, file, parsed ?? error);
  });
  await hub.store.wakeOutbox();
  hub.metrics.documentsFailed.inc({ supplier: loaded.supplier, format: parsed?.format ?? 'unknown', direction: 'in' });
  hub.logger.warn({ supplier: loaded.supplier, documentId, file: file.name, error: message }, 'inbound file quarantined');
  return { documentId, status: 'failed', error: message };
}

/**
 * The TA1s a file earns: those of the interchanges read (A 000), or, for an interchange whose
 * envelope broke after a readable ISA, a rejection with the reason (TA105).
 */
function interchangeAcksOf(parsed: ParsedInbound | undefined, error: unknown): InterchangeAck[] {
  if (parsed?.interchangeAcks) return parsed.interchangeAcks;
  if (error instanceof X12EnvelopeError && error.interchange?.ackRequested) {
    return [{ interchange: error.interchange, status: 'R', code: error.ta1Code, message: error.message }];
  }
  return [];
}

async function insertInboundDocument(
  trx: Transaction<Database>,
  loaded: LoadedMapping,
  file: { name: string; content: Buffer; via: string },
  hash: string,
  id: string,
  parsed: ParsedInbound | undefined,
  status: string,
  error?: string,
  errorCode?: string,
): Promise<void> {
  const kind = parsed ? inboundKind(parsed.items) : 'unknown';
  const orderId = parsed ? await firstOrderId(trx, loaded.supplier, parsed.items) : undefined;
  await trx
    .insertInto('documents')
    .values({
      id,
      direction: 'in',
      kind,
      format: parsed?.format ?? 'unknown',
      supplier_id: loaded.supplier,
      order_id: orderId ?? null,
      filename: file.name,
      content: file.content,
      content_type: 'application/octet-stream',
      content_hash: hash,
      size: file.content.length,
      status,
      last_error: error ?? null,
      error_code: errorCode ?? null,
      parsed: parsed ? JSON.stringify(parsedForStorage(parsed)) : null,
      receipt: JSON.stringify({ via: file.via }),
      done_at: sql`now()`,
    })
    .execute();
}

function inboundKind(items: InboundItem[]): string {
  const kinds = new Set(items.map((i) => i.kind));
  return kinds.size === 1 ? [...kinds][0]! : kinds.size === 0 ? 'empty' : 'mixed';
}

async function firstOrderId(trx: Transaction<Database>, supplier: string, items: InboundItem[]): Promise<string | undefined> {
  const po = items.map(poNumberOf).find((p) => p !== undefined);
  if (!po) {
    // A 997 names our group (GS06), not a PO: its order is that of the document it acknowledges.
    const ack = items.find((i) => i.kind === 'functional_ack');
    if (ack?.kind !== 'functional_ack') return undefined;
    const acked = await trx
      .selectFrom('documents')
      .select('order_id')
      .where('partner', '=', supplier)
      .where('gs06', '=', ack.ack.groupControlNumber)
      .where('direction', '=', 'out')
      .executeTakeFirst();
    return acked?.order_id ?? undefined;
  }
  const row = await trx.selectFrom('purchase_orders').select('order_id').where('supplier_id', '=', supplier).where('po_number', '=', po).executeTakeFirst();
  return row?.order_id;
}

function poNumberOf(item: InboundItem): string | undefined {
  switch (item.kind) {
    case 'shipment':
      return item.shipment.poNumber;
    case 'acknowledgment':
      return item.acknowledgment.poNumber;
    case 'invoice':
      return item.invoice.poNumber;
    case 'functional_ack':
    case 'inventory':
      return undefined;
    default: {
      const never: never = item;
      return never;
    }
  }
}

async function applyItems(
  trx: Transaction<Database>,
  hub: Hub,
  loaded: LoadedMapping,
  documentId: string,
  filename: string,
  items: InboundItem[],
  warnings: readonly InboundWarning[] = [],
): Promise<void> {
  const touched = new Set<string>();
  // Retailer notices go out after the order's status is settled, so they carry the new status.
  const notices: (() => Promise<void>)[] = [];
  for (const item of items) {
    switch (item.kind) {
      case 'shipment':
        touched.add(await applyShipment(trx, hub, loaded, documentId, filename, item.shipment, notices));
        break;
      case 'acknowledgment':
        touched.add(await applyAcknowledgment(trx, hub, loaded, filename, item.acknowledgment, notices));
        break;
      case 'functional_ack':
        touched.add(await applyFunctionalAck(trx, hub, loaded, filename, item.ack, notices));
        break;
      case 'invoice':
        touched.add(await applyInvoice(trx, loaded, documentId, filename, item.invoice));
        break;
      case 'inventory':
        await applyInventory(trx, hub, loaded, documentId, item);
        break;
      default: {
        const never: never = item;
        throw new ApplyError(`unknown inbound item ${JSON.stringify(never)}`);
      }
    }
  }
  await recordWarnings(trx, loaded, documentId, filename, warnings);
  for (const orderId of touched) await syncOrderStatus(trx, hub, orderId, `supplier file ${filename}`);
  for (const notice of notices) await notice();
}

/**
 * Puts what was read but not used (an optional value dropped, an unknown segment, a set not read)
 * on the timeline of each order the warning concerns; every warning is kept with the document too.
 */
async function recordWarnings(
  trx: Transaction<Database>,
  loaded: LoadedMapping,
  documentId: string,
  filename: string,
  warnings: readonly InboundWarning[],
): Promise<void> {
  const byPo = new Map<string, string[]>();
  for (const w of warnings) for (const po of w.poNumbers ?? []) byPo.set(po, [...(byPo.get(po) ?? []), w.message]);
  for (const [poNumber, messages] of byPo) {
    const row = await trx.selectFrom('purchase_orders').select(['id', 'order_id']).where('supplier_id', '=', loaded.supplier).where('po_number', '=', poNumber).executeTakeFirst();
    if (!row) continue;
    await recordEvent(trx, row.order_id, {
      type: 'supplier_file_warnings',
      cause: `supplier file ${filename}`,
      data: { documentId, poId: row.id, poNumber, warnings: messages },
    });
  }
}

async function purchaseOrder(trx: Transaction<Database>, supplier: string, poNumber: string): Promise<PurchaseOrderRow> {
  const found = await trx
    .selectFrom('purchase_orders')
    .select(['id', 'order_id'])
    .where('supplier_id', '=', supplier)
    .where('po_number', '=', poNumber)
    .executeTakeFirst();
  if (!found) throw new ApplyError(`unknown purchase order "${poNumber}" for supplier ${supplier}`, { poNumber });
  return lockPurchaseOrder(trx, found.id, found.order_id);
}

/** Locks the PO's order, then the PO: the one lock order the whole hub uses (no deadlocks). */
async function lockPurchaseOrder(trx: Transaction<Database>, poId: string, orderId: string): Promise<PurchaseOrderRow> {
  await trx.selectFrom('orders').select('id').where('id', '=', orderId).forUpdate().execute();
  return trx.selectFrom('purchase_orders').selectAll().where('id', '=', poId).forUpdate().executeTakeFirstOrThrow();
}

async function setPoStatus(trx: Transaction<Database>, poId: string, status: PoStatus, reason: string | null = null): Promise<void> {
  await trx.updateTable('purchase_orders').set({ status, status_reason: reason, updated_at: sql`now()` }).where('id', '=', poId).execute();
}

/**
 * Matches a shipped line to a PO line by the mapping's `inbound.lineMatch`, in its order: `line`
 * (line number), `sku` (our SKU under SK, BP, IN, PI, CB), `supplierSku` (theirs under VN, VP, VA,
 * VC, MG; our own SKU quoted there matches too), `upc` (UP, EN, UK, UA, UI, UN, N4), or one named
 * qualifier (compared with the field of its group; a qualifier the hub does not read with the
 * supplier SKU, then ours). The first that finds a line wins.
 */
export function matchLine(po: PurchaseOrder, line: Shipment['lines'][number], order: readonly string[]) {
  const ids = line.ids ?? [];
  const bySupplierSku = (v: string) => po.lines.find((l) => l.supplierSku === v) ?? po.lines.find((l) => l.sku === v);
  const bySku = (v: string) => po.lines.find((l) => l.sku === v);
  const byUpc = (v: string) => po.lines.find((l) => !!l.upc && l.upc === v);
  for (const key of order) {
    let found: PurchaseOrder['lines'][number] | undefined;
    switch (key) {
      case 'line':
        found = line.lineNumber !== undefined ? po.lines.find((l) => l.lineNumber === line.lineNumber) : undefined;
        break;
      case 'sku':
        found = firstMatch([line.sku, ...ids.filter((p) => productIdGroup(p.qualifier) === 'sku').map((p) => p.value)], bySku);
        break;
      case 'supplierSku':
        found = firstMatch([line.supplierSku, ...ids.filter((p) => productIdGroup(p.qualifier) === 'supplierSku').map((p) => p.value)], bySupplierSku);
        break;
      case 'upc':
        found = firstMatch([line.upc, ...ids.filter((p) => productIdGroup(p.qualifier) === 'upc').map((p) => p.value)], byUpc);
        break;
      default: {
        const values = ids.filter((p) => p.qualifier === key).map((p) => p.value);
        const group = productIdGroup(key);
        found = firstMatch(values, group === 'sku' ? bySku : group === 'upc' ? byUpc : bySupplierSku);
      }
    }
    if (found) return found;
  }
  return undefined;
}

function firstMatch<T>(values: readonly (string | undefined)[], find: (value: string) => T | undefined): T | undefined {
  for (const v of values) {
    if (v === undefined) continue;
    const found = find(v);
    if (found) return found;
  }
  return undefined;
}

/** How an inbound line names its item, for an error: every id it carries. */
function describeLine(line: Shipment['lines'][number]): string {
  const ids = line.ids?.length ? line.ids.map((p) => `${p.qualifier} ${p.value}`).join(', ') : [line.sku, line.supplierSku, line.upc].filter(Boolean).join(', ');
  return ids ? `${ids}${line.lineNumber !== undefined ? ` (line ${line.lineNumber})` : ''}` : `line ${line.lineNumber ?? '(no number, no id)'}`;
}

async function applyShipment(
  trx: Transaction<Database>,
  hub: Hub,
  loaded: LoadedMapping,
  documentId: string,
  filename: string,
  shipment: Shipment,
  notices: (() => Promise<void>)[],
): Promise<string> {
  const row = await purchaseOrder(trx, loaded.supplier, shipment.poNumber);
  if (row.status === 'cancelled') throw new ApplyError(`purchase order ${row.po_number} was cancelled but a shipment arrived for it`);
  await assertShipmentRoom(trx, hub, row, filename);
  const po = row.data as PurchaseOrder;
  const shipped: Record<string, number> = { ...row.shipped };
  // A ship notice without item detail ships whatever is still open.
  const lines = shipment.lines.length
    ? shipment.lines.map((line) => {
        const match = matchLine(po, line, loaded.mapping.inbound.lineMatch);
        if (!match) throw new ApplyError(`shipment for ${row.po_number}: no line of the PO matches ${describeLine(line)} (matched by ${loaded.mapping.inbound.lineMatch.join(', ')})`);
        return { po: match, quantity: line.quantity };
      })
    : po.lines.map((l) => ({ po: l, quantity: l.quantity - (shipped[l.lineNumber] ?? 0) })).filter((l) => l.quantity > 0);
  if (!lines.some((l) => l.quantity > 0)) throw new ApplyError(`shipment for ${row.po_number} ships nothing that is still open`);
  // Shipping more than was ordered is a discrepancy for the operator, not a state that undoes the
  // shipment: the PO stays shipped, and the retailer hears only of goods not reported before.
  const over: { sku: string; ordered: number; shipped: number }[] = [];
  const news: { po: PurchaseOrder['lines'][number]; quantity: number }[] = [];
  for (const line of lines) {
    const before = shipped[line.po.lineNumber] ?? 0;
    const total = before + line.quantity;
    if (total > line.po.quantity) over.push({ sku: line.po.sku, ordered: line.po.quantity, shipped: total });
    news.push({ po: line.po, quantity: Math.min(line.quantity, Math.max(0, line.po.quantity - before)) });
    shipped[line.po.lineNumber] = total;
  }
  const carrier = resolveCarrier(shipment.carrier || 'UNKNOWN');
  const urls = trackingUrls(carrier, shipment.trackingNumbers);
  const shipmentId = newId('shp');
  const lineOf = (l: { po: PurchaseOrder['lines'][number]; quantity: number }) => ({ lineNumber: l.po.lineNumber, lineId: l.po.lineId, sku: l.po.sku, supplierSku: l.po.supplierSku, quantity: l.quantity });
  const shippedLines = lines.filter((l) => l.quantity > 0).map(lineOf);
  const newLines = news.filter((l) => l.quantity > 0).map(lineOf);
  await trx
    .insertInto('shipments')
    .values({
      id: shipmentId,
      po_id: row.id,
      order_id: row.order_id,
      document_id: documentId,
      carrier: shipment.carrier ?? null,
      carrier_name: shipment.carrier ? carrier.name : null,
      service: shipment.service ?? null,
      tracking_numbers: JSON.stringify(shipment.trackingNumbers),
      tracking_urls: JSON.stringify(urls),
      lines: JSON.stringify(shippedLines),
      shipped_at: shipment.shippedAt ?? null,
    })
    .execute();
  const complete = po.lines.every((l) => (shipped[l.lineNumber] ?? 0) >= l.quantity);
  await trx.updateTable('purchase_orders').set({ shipped: JSON.stringify(shipped), updated_at: sql`now()` }).where('id', '=', row.id).execute();
  await setPoStatus(trx, row.id, complete ? 'shipped' : 'partially_shipped');
  if (over.length) {
    const summary = over.map((o) => `${o.sku}: ${o.shipped} shipped of ${o.ordered} ordered`).join('; ');
    await recordEvent(trx, row.order_id, {
      type: 'shipment_discrepancy',
      cause: `supplier file ${filename} shipped above ordered (${summary})`,
      data: { shipmentId, documentId, poId: row.id, poNumber: row.po_number, supplier: loaded.supplier, reason: `shipped above ordered: ${summary}`, lines: over },
    });
    hub.logger.warn({ supplier: loaded.supplier, poNumber: row.po_number, file: filename, lines: over }, `shipment above the quantity ordered on ${row.po_number}: ${summary}`);
  }
  await meetExpectation(trx, row.id, '856');
  const data = {
    shipmentId,
    poId: row.id,
    poNumber: row.po_number,
    supplier: loaded.supplier,
    carrier: shipment.carrier ?? null,
    carrierName: shipment.carrier ? carrier.name : null,
    service: shipment.service ?? null,
    trackingNumbers: shipment.trackingNumbers,
    trackingUrls: urls,
    shippedAt: shipment.shippedAt ?? null,
    lines: shippedLines,
  };
  await recordEvent(trx, row.order_id, { type: 'shipment_received', cause: `supplier file ${filename}`, data });
  // Goods the retailer was told about already are not announced again (an over-shipment).
  if (newLines.length === 0) return row.order_id;
  notices.push(() => notifyShipment(trx, hub, row.order_id, {
    id: shipmentId,
    poNumber: row.po_number,
    carrier,
    service: shipment.service ?? null,
    shippedAt: shipment.shippedAt ?? null,
    trackingNumbers: shipment.trackingNumbers,
    lines: newLines,
  }));
  return row.order_id;
}

async function applyAcknowledgment(
  trx: Transaction<Database>,
  hub: Hub,
  loaded: LoadedMapping,
  filename: string,
  ack: Acknowledgment,
  notices: (() => Promise<void>)[],
): Promise<string> {
  const row = await purchaseOrder(trx, loaded.supplier, ack.poNumber);
  const rejectedLines = ack.lines.filter((l) => l.status === 'rejected' || l.status === 'deleted');
  const backordered = ack.lines.filter((l) => l.status === 'backordered');
  await meetExpectation(trx, row.id, '855');
  await recordEvent(trx, row.order_id, {
    type: 'acknowledgment_received',
    cause: `supplier file ${filename}`,
    data: { poId: row.id, poNumber: row.po_number, status: ack.status, code: ack.code, lines: ack.lines },
  });
  // A PO cancelled meanwhile (by the retailer, or its lines moved elsewhere) stays cancelled.
  if (row.status === 'cancelled') return row.order_id;
  // Rejected lines move to their next source where the retailer's policy says so (auto-reroute.ts).
  const rerouted = await rerouteRejectedLines(trx, hub, loaded, row.id, ack, `supplier file ${filename}`);
  const status = rerouted ? await purchaseOrderStatus(trx, row.id) : row.status;
  const early = ['pending', 'sent', 'acknowledged', 'backordered'].includes(status ?? '');
  if (!rerouted && (ack.status === 'rejected' || rejectedLines.length)) {
    const reason =
      ack.status === 'rejected'
        ? `supplier rejected purchase order ${row.po_number} (BAK02 ${ack.code})`
        : `supplier rejected ${rejectedLines.map((l) => `${l.sku ?? l.supplierSku ?? l.upc ?? l.ids?.[0]?.value ?? `line ${l.lineNumber}`}${l.reason ? ` (${l.reason})` : ''}`).join(', ')} on ${row.po_number}`;
    await setPoStatus(trx, row.id, 'rejected', reason);
  } else if (early) {
    await setPoStatus(trx, row.id, backordered.length ? 'backordered' : 'acknowledged');
    // Queued once the order's status is settled: the event carries the state after the change.
    notices.push(() => enqueueRetailerEvent(trx, hub, row.order_id, {
      type: 'order.acknowledged',
      data: {
        poNumber: row.po_number,
        supplierId: loaded.supplier,
        status: ack.status === 'accepted_with_changes' || backordered.length ? 'accepted_with_changes' : 'accepted',
        lines: ack.lines.map((l) => ({ sku: l.sku ?? l.supplierSku ?? l.upc ?? l.ids?.[0]?.value ?? `line ${l.lineNumber ?? '?'}`, status: l.status, quantity: l.quantity ?? null })),
      },
    }).then(() => undefined));
  }
  if (backordered.length) await openBackorderDeadline(trx, hub, row.id);
  return row.order_id;
}

async function applyFunctionalAck(
  trx: Transaction<Database>,
  hub: Hub,
  loaded: LoadedMapping,
  filename: string,
  ack: FunctionalAck,
  notices: (() => Promise<void>)[],
): Promise<string> {
  const doc = await trx
    .selectFrom('documents')
    .select(['id', 'po_id', 'order_id', 'kind', 'filename'])
    .where('partner', '=', loaded.supplier)
    .where('gs06', '=', ack.groupControlNumber)
    .where('direction', '=', 'out')
    .executeTakeFirst();
  if (!doc || !doc.po_id || !doc.order_id) {
    throw new ApplyError(`997 acknowledges group ${ack.groupControlNumber}, which is not a purchase order we sent to ${loaded.supplier}`);
  }
  const row = await lockPurchaseOrder(trx, doc.po_id, doc.order_id);
  await meetExpectation(trx, row.id, '997');
  const accepted = ack.status === 'A' || ack.status === 'E';
  if (!accepted) {
    const errors = ack.sets.flatMap((s) => s.errors);
    await setPoStatus(trx, row.id, 'rejected', `supplier's 997 rejected ${doc.filename} (AK9 ${ack.status})${errors.length ? `: ${errors.join('; ')}` : ''}`);
  } else if (row.status === 'sent' && doc.kind === 'po') {
    await setPoStatus(trx, row.id, 'acknowledged');
    notices.push(() => enqueueRetailerEvent(trx, hub, row.order_id, {
      type: 'order.acknowledged',
      data: { poNumber: row.po_number, supplierId: loaded.supplier, status: 'accepted', lines: [] },
    }).then(() => undefined));
  }
  await recordEvent(trx, row.order_id, {
    type: 'functional_ack_received',
    cause: `supplier file ${filename}`,
    data: { poId: row.id, documentId: doc.id, groupControlNumber: ack.groupControlNumber, status: ack.status },
  });
  return row.order_id;
}

async function applyInvoice(trx: Transaction<Database>, loaded: LoadedMapping, documentId: string, filename: string, invoice: Invoice): Promise<string> {
  const row = await purchaseOrder(trx, loaded.supplier, invoice.poNumber);
  await trx
    .insertInto('invoices')
    .values({
      id: newId('inv'),
      po_id: row.id,
      supplier_id: loaded.supplier,
      invoice_number: invoice.invoiceNumber,
      total: invoice.total ?? null,
      data: JSON.stringify(invoice),
      document_id: documentId,
    })
    .execute();
  await recordEvent(trx, row.order_id, {
    type: 'invoice_received',
    cause: `supplier file ${filename}`,
    data: { poId: row.id, poNumber: row.po_number, invoiceNumber: invoice.invoiceNumber, total: invoice.total ?? null },
  });
  return row.order_id;
}

/** A stock feed (846, JSON, CSV, XML, INVRPT): src/pipeline/inventory-feed.ts. */
async function applyInventory(trx: Transaction<Database>, hub: Hub, loaded: LoadedMapping, documentId: string, item: Extract<InboundItem, { kind: 'inventory' }>): Promise<void> {
  await applyInventoryFeed(trx, loaded, item.items, {
    mode: item.feed ?? 'delta',
    ...(item.asOf === undefined ? {} : { asOf: feedTime(item.asOf) }),
    documentId,
    // COPY pays off from a few thousand rows; below, one insert of unnested arrays is quicker.
    ...(item.items.length > 5_000 && hub.store.copyIn ? { copyIn: hub.store.copyIn } : {}),
  });
}

/** Re-applies a quarantined inbound document (after a mapping fix, or once its PO exists). */
export async function reapplyInboundDocument(hub: Hub, documentId: string): Promise<string> {
  const doc = await hub.store.db.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirst();
  if (!doc) throw new HubError('not_found', `document ${documentId} not found`);
  if (doc.status !== 'failed') throw new HubError('state_conflict', `document ${documentId} is ${doc.status}, not failed`);
  const loaded = doc.supplier_id ? hub.mappings.get(doc.supplier_id) : undefined;
  if (!loaded) throw new HubError('not_found', `no mapping loaded for supplier ${doc.supplier_id}`);
  const content = toBuffer(doc.content);
  let parsed: ParsedInbound;
  try {
    parsed = await readSupplierBytes(loaded, doc.filename, content, inboundLimits(hub.env));
  } catch (error) {
    await markStillFailing(hub, documentId, error);
    return 'failed';
  }
  // The file was answered (997, TA1) when it first came in; re-applying it sends no new ones.
  try {
    await hub.store.db.transaction().execute(async (trx) => {
      const locked = await trx.selectFrom('documents').select('status').where('id', '=', documentId).forUpdate().executeTakeFirstOrThrow();
      if (locked.status !== 'failed') throw new HubError('state_conflict', `document ${documentId} is ${locked.status}, not failed`);
      await applyItems(trx, hub, loaded, documentId, doc.filename, parsed.items, parsed.warnings);
      const orderId = await firstOrderId(trx, loaded.supplier, parsed.items);
      await trx
        .updateTable('documents')
        .set({ status: 'applied', last_error: null, error_code: null, parsed: JSON.stringify(parsed), order_id: orderId ?? null, updated_at: sql`now()`, done_at: sql`now()` })
        .where('id', '=', documentId)
        .execute();
    });
  } catch (error) {
    if (!(error instanceof HubError) || error.code === 'state_conflict') throw error;
    await markStillFailing(hub, documentId, error);
    return 'failed';
  }
  await hub.store.wakeOutbox();
  if (parsed.items.some((i) => i.kind === 'inventory')) await stockChanged(hub, loaded.supplier);
  return 'applied';
}

async function markStillFailing(hub: Hub, documentId: string, error: unknown): Promise<void> {
  await hub.store.db
    .updateTable('documents')
    .set({ last_error: errorMessage(error), updated_at: sql`now()`, attempts: sql`attempts + 1` })
    .where('id', '=', documentId)
    .execute();
}

export type { ReceivedGroup };
