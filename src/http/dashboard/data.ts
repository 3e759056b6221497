/**
 * What the dashboard pages show, read straight from the store. Every function returns plain,
 * already-shaped rows so that the views only lay them out.
 */
import { sql } from 'kysely';
import { listUnmatchedFiles, type UnmatchedFile } from '../../store/unmatched-files.ts';
import { ORDER_STATES, type OrderStatus } from '../../canonical/states.ts';
import type { Hub } from '../../hub.ts';
import { toBuffer } from '../../store/ids.ts';
import { contentPreview } from '../content-preview.ts';
import { redactUrlsIn } from '../../logger.ts';

const LIST_LIMIT = 200;
const HOUR_MS = 3_600_000;
/** How far back the home page's activity chart reaches. */
export const CHART_HOURS = 48;

export interface OrderListItem {
  id: string;
  orderNumber: string;
  externalId: string;
  retailerId: string;
  status: string;
  statusReason: string | null;
  updatedAt: Date;
}

export interface DocumentListItem {
  id: string;
  direction: string;
  kind: string;
  format: string;
  supplierId: string | null;
  retailerId: string | null;
  orderId: string | null;
  orderNumber: string | null;
  filename: string;
  status: string;
  attempts: number;
  lastError: string | null;
  updatedAt: Date;
}

export interface OverdueItem {
  orderId: string;
  orderNumber: string;
  poNumber: string;
  supplierId: string;
  expected: string;
  dueAt: Date;
}

export interface SupplierHealth {
  supplierId: string;
  name: string;
  transport: string;
  lastPollOkAt: Date | null;
  lastPollAt: Date | null;
  lastPollError: string | null;
  lastDeliveryAt: Date | null;
  /** false for suppliers that push to us (HTTP) or have no inbound folder: no poll to report. */
  polled: boolean;
  /** The newest document received from the supplier (any time, polled or pushed). */
  lastReceivedAt: Date | null;
  documents24h: number;
  failed24h: number;
}

export interface HourBucket {
  /** Start of the hour. */
  hour: Date;
  orders: number;
  shipments: number;
}

export interface HomeData {
  counts: Record<OrderStatus, number>;
  exceptions: (OrderListItem & { failedDocuments: DocumentListItem[] })[];
  overdue: OverdueItem[];
  failedDocuments: DocumentListItem[];
  suppliers: SupplierHealth[];
  activity: HourBucket[];
  /** Files in suppliers' inbound folders that no rule matches (src/store/unmatched-files.ts). */
  unmatchedFiles: UnmatchedFile[];
}

function documentsQuery(hub: Hub) {
  return hub.store.db
    .selectFrom('documents')
    .leftJoin('orders', 'orders.id', 'documents.order_id')
    .select([
      'documents.id', 'documents.direction', 'documents.kind', 'documents.format', 'documents.supplier_id',
      'documents.retailer_id', 'documents.order_id', 'orders.order_number', 'documents.filename', 'documents.status',
      'documents.attempts', 'documents.last_error', 'documents.updated_at',
    ]);
}

type DocumentListRow = Awaited<ReturnType<ReturnType<typeof documentsQuery>['execute']>>[number];

function toDocumentItem(d: DocumentListRow): DocumentListItem {
  return {
    id: d.id,
    direction: d.direction,
    kind: d.kind,
    format: d.format,
    supplierId: d.supplier_id,
    retailerId: d.retailer_id,
    orderId: d.order_id,
    orderNumber: d.order_number,
    filename: d.filename,
    status: d.status,
    attempts: d.attempts,
    // URLs in an error are shown without their credentials (issue 18 item 6).
    lastError: d.last_error === null ? null : redactUrlsIn(d.last_error),
    updatedAt: d.updated_at,
  };
}

function toOrderItem(o: {
  id: string; order_number: string; external_id: string; retailer_id: string; status: string; status_reason: string | null; updated_at: Date;
}): OrderListItem {
  return {
    id: o.id,
    orderNumber: o.order_number,
    externalId: o.external_id,
    retailerId: o.retailer_id,
    status: o.status,
    statusReason: o.status_reason,
    updatedAt: o.updated_at,
  };
}

const ORDER_COLUMNS = ['id', 'order_number', 'external_id', 'retailer_id', 'status', 'status_reason', 'updated_at'] as const;

export async function loadHome(hub: Hub): Promise<HomeData> {
  const db = hub.store.db;
  const now = hub.clock();
  const [states, exceptionRows, overdueRows, failedRows, suppliers, activity] = await Promise.all([
    db.selectFrom('orders').select(['status', db.fn.countAll<string>().as('n')]).groupBy('status').execute(),
    db.selectFrom('orders').select(ORDER_COLUMNS).where('status', '=', 'exception').orderBy('updated_at', 'desc').limit(LIST_LIMIT).execute(),
    db
      .selectFrom('expectations')
      .innerJoin('purchase_orders', 'purchase_orders.id', 'expectations.po_id')
      .innerJoin('orders', 'orders.id', 'expectations.order_id')
      .select(['expectations.order_id', 'orders.order_number', 'purchase_orders.po_number', 'purchase_orders.supplier_id', 'expectations.kind', 'expectations.due_at'])
      .where('expectations.status', '=', 'overdue')
      .orderBy('expectations.due_at')
      .limit(LIST_LIMIT)
      .execute(),
    documentsQuery(hub).where('documents.status', '=', 'failed').orderBy('documents.updated_at', 'desc').limit(LIST_LIMIT).execute(),
    loadSupplierHealth(hub, now),
    loadActivity(hub, now),
  ]);

  const counts = Object.fromEntries(ORDER_STATES.map((s) => [s, 0])) as Record<OrderStatus, number>;
  for (const row of states) if (row.status in counts) counts[row.status as OrderStatus] = Number(row.n);

  const failedDocuments = failedRows.map(toDocumentItem);
  const exceptionIds = exceptionRows.map((o) => o.id);
  // The failed documents of the orders in exception, also the ones beyond the failed list's limit.
  const failedByOrder = new Map<string, DocumentListItem[]>();
  if (exceptionIds.length) {
    const rows = await documentsQuery(hub)
      .where('documents.status', '=', 'failed')
      .where('documents.order_id', 'in', exceptionIds)
      .orderBy('documents.created_at')
      .execute();
    for (const d of rows.map(toDocumentItem)) {
      const list = failedByOrder.get(d.orderId!) ?? [];
      list.push(d);
      failedByOrder.set(d.orderId!, list);
    }
  }

  return {
    counts,
    exceptions: exceptionRows.map((o) => ({ ...toOrderItem(o), failedDocuments: failedByOrder.get(o.id) ?? [] })),
    overdue: overdueRows.map((r) => ({
      orderId: r.order_id,
      orderNumber: r.order_number,
      poNumber: r.po_number,
      supplierId: r.supplier_id,
      expected: r.kind,
      dueAt: r.due_at,
    })),
    failedDocuments,
    suppliers,
    activity,
    unmatchedFiles: await listUnmatchedFiles(db, undefined, LIST_LIMIT),
  };
}

/** Per loaded mapping: last good poll and delivery, and how many of its documents failed in the last 24 h. */
async function loadSupplierHealth(hub: Hub, now: Date): Promise<SupplierHealth[]> {
  const ids = [...hub.mappings.keys()].sort();
  if (ids.length === 0) return [];
  const db = hub.store.db;
  const since = new Date(now.getTime() - 24 * HOUR_MS);
  const [activity, received, documents] = await Promise.all([
    db.selectFrom('supplier_activity').selectAll().where('supplier_id', 'in', ids).execute(),
    db
      .selectFrom('documents')
      .select(['supplier_id', db.fn.max('created_at').as('at')])
      .where('supplier_id', 'in', ids)
      .where('direction', '=', 'in')
      .groupBy('supplier_id')
      .execute(),
    db
      .selectFrom('documents')
      .select([
        'supplier_id',
        db.fn.countAll<string>().as('total'),
        sql<string>`count(*) filter (where status = 'failed')`.as('failed'),
      ])
      .where('supplier_id', 'in', ids)
      .where('created_at', '>=', since)
      .groupBy('supplier_id')
      .execute(),
  ]);
  const activityBy = new Map(activity.map((a) => [a.supplier_id, a]));
  const documentsBy = new Map(documents.map((d) => [d.supplier_id, d]));
  const receivedBy = new Map(received.map((r) => [r.supplier_id, r.at]));
  return ids.map((id) => {
    const { mapping } = hub.mappings.get(id)!;
    const polled = mapping.transport.type === 'sftp' && Boolean(mapping.transport.inboundDir) && mapping.inbound.files.length > 0;
    const lastReceived = receivedBy.get(id);
    const a = activityBy.get(id);
    const d = documentsBy.get(id);
    return {
      supplierId: id,
      name: mapping.name,
      // Only the transport's type: hosts, users and secrets stay out of the page.
      transport: mapping.transport.type,
      lastPollOkAt: a?.last_poll_ok_at ?? null,
      lastPollAt: a?.last_poll_at ?? null,
      lastPollError: a?.last_poll_error ?? null,
      lastDeliveryAt: a?.last_delivery_at ?? null,
      polled,
      lastReceivedAt: lastReceived ? new Date(lastReceived) : null,
      documents24h: Number(d?.total ?? 0),
      failed24h: Number(d?.failed ?? 0),
    };
  });
}

/** Orders received and shipments recorded per hour over the last CHART_HOURS hours (oldest first). */
async function loadActivity(hub: Hub, now: Date): Promise<HourBucket[]> {
  const db = hub.store.db;
  const currentHour = Math.floor(now.getTime() / HOUR_MS);
  const first = currentHour - CHART_HOURS + 1;
  const since = new Date(first * HOUR_MS);
  const bucket = sql<string>`floor(extract(epoch from created_at) / 3600)`;
  const [orders, shipments] = await Promise.all([
    db.selectFrom('orders').select([bucket.as('h'), db.fn.countAll<string>().as('n')]).where('created_at', '>=', since).groupBy('h').execute(),
    db.selectFrom('shipments').select([bucket.as('h'), db.fn.countAll<string>().as('n')]).where('created_at', '>=', since).groupBy('h').execute(),
  ]);
  const buckets: HourBucket[] = Array.from({ length: CHART_HOURS }, (_, i) => ({ hour: new Date((first + i) * HOUR_MS), orders: 0, shipments: 0 }));
  const add = (rows: { h: string; n: string }[], key: 'orders' | 'shipments') => {
    for (const row of rows) {
      const index = Number(row.h) - first;
      if (index >= 0 && index < CHART_HOURS) buckets[index]![key] += Number(row.n);
    }
  };
  add(orders, 'orders');
  add(shipments, 'shipments');
  return buckets;
}

export interface SearchResult {
  order: OrderListItem;
  /** What matched: "order number", "external id", "PO number", "tracking number", "order id". */
  matched: string[];
}

/**
 * Orders matching an order number (with or without its "#"), an external id, an order id, a PO
 * number or a tracking number: exact matches, then order numbers starting with the text.
 */
export async function searchOrders(hub: Hub, text: string): Promise<SearchResult[]> {
  const q = text.trim();
  if (!q) return [];
  const db = hub.store.db;
  const numbers = q.startsWith('#') ? [q, q.slice(1)] : [q, `#${q}`];
  const prefix = `${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  const [byNumber, byExternal, byId, byPo, byTracking, byPrefix] = await Promise.all([
    db.selectFrom('orders').select('id').where('order_number', 'in', numbers).limit(LIST_LIMIT).execute(),
    db.selectFrom('orders').select('id').where('external_id', '=', q).limit(LIST_LIMIT).execute(),
    db.selectFrom('orders').select('id').where('id', '=', q).execute(),
    db.selectFrom('purchase_orders').select('order_id as id').where('po_number', '=', q).limit(LIST_LIMIT).execute(),
    db
      .selectFrom('shipments')
      .select('order_id as id')
      .where(sql<boolean>`tracking_numbers @> ${JSON.stringify([q])}::jsonb`)
      .limit(LIST_LIMIT)
      .execute(),
    db.selectFrom('orders').select('id').where('order_number', 'ilike', prefix).orderBy('created_at', 'desc').limit(50).execute(),
  ]);
  const matched = new Map<string, Set<string>>();
  const note = (rows: { id: string }[], what: string) => {
    for (const { id } of rows) {
      const set = matched.get(id) ?? new Set<string>();
      set.add(what);
      matched.set(id, set);
    }
  };
  note(byNumber, 'order number');
  note(byExternal, 'external id');
  note(byId, 'order id');
  note(byPo, 'PO number');
  note(byTracking, 'tracking number');
  note(byPrefix, 'order number');
  if (matched.size === 0) return [];
  const orders = await db.selectFrom('orders').select(ORDER_COLUMNS).where('id', 'in', [...matched.keys()]).execute();
  const byIdMap = new Map(orders.map((o) => [o.id, toOrderItem(o)]));
  return [...matched.entries()].flatMap(([id, what]) => {
    const order = byIdMap.get(id);
    return order ? [{ order, matched: [...what] }] : [];
  });
}

export interface DocumentFilters {
  status?: string | undefined;
  direction?: 'in' | 'out' | undefined;
  supplier?: string | undefined;
}

export interface DocumentsPageData {
  documents: DocumentListItem[];
  /** Choices for the filter drop-downs. */
  statuses: string[];
  suppliers: string[];
  limit: number;
}

export async function loadDocuments(hub: Hub, filters: DocumentFilters): Promise<DocumentsPageData> {
  const db = hub.store.db;
  let q = documentsQuery(hub);
  if (filters.status) q = q.where('documents.status', '=', filters.status);
  if (filters.direction) q = q.where('documents.direction', '=', filters.direction);
  if (filters.supplier) q = q.where('documents.supplier_id', '=', filters.supplier);
  const [rows, statuses, suppliers] = await Promise.all([
    q.orderBy('documents.created_at', 'desc').orderBy('documents.id').limit(LIST_LIMIT).execute(),
    db.selectFrom('documents').select('status').distinct().execute(),
    db.selectFrom('documents').select('supplier_id').distinct().where('supplier_id', 'is not', null).execute(),
  ]);
  const supplierIds = new Set([...hub.mappings.keys(), ...suppliers.map((s) => s.supplier_id!)]);
  return {
    documents: rows.map(toDocumentItem),
    statuses: [...new Set(['pending', 'sent', 'failed', 'applied', ...statuses.map((s) => s.status)])].sort(),
    suppliers: [...supplierIds].sort(),
    limit: LIST_LIMIT,
  };
}

export interface DocumentDetail extends DocumentListItem {
  contentType: string;
  size: number;
  contentHash: string;
  controlNumber: number | null;
  errorCode: string | null;
  maxAttempts: number;
  nextAttemptAt: Date | null;
  createdAt: Date;
  doneAt: Date | null;
  poId: string | null;
  /** The raw bytes as text (shown escaped), at most the first 256 KiB. */
  content: string;
  /** Bytes of the raw content not shown (past the first 256 KiB). */
  contentOmittedBytes: number;
  parsed: unknown;
  receipt: unknown;
}

export async function loadDocument(hub: Hub, id: string): Promise<DocumentDetail | undefined> {
  const d = await hub.store.db
    .selectFrom('documents')
    .leftJoin('orders', 'orders.id', 'documents.order_id')
    .selectAll('documents')
    .select('orders.order_number')
    .where('documents.id', '=', id)
    .executeTakeFirst();
  if (!d) return undefined;
  const preview = contentPreview(toBuffer(d.content));
  return {
    ...toDocumentItem(d),
    contentType: d.content_type,
    size: d.size,
    contentHash: d.content_hash,
    controlNumber: d.isa13 === null ? null : Number(d.isa13),
    errorCode: d.error_code,
    maxAttempts: d.max_attempts,
    nextAttemptAt: d.next_attempt_at,
    createdAt: d.created_at,
    doneAt: d.done_at,
    poId: d.po_id,
    content: preview.text,
    contentOmittedBytes: preview.omittedBytes,
    parsed: d.parsed,
    receipt: d.receipt,
  };
}
