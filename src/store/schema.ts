import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Kysely's view of the tables created by migrations/. Timestamps read back as Date. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;
/** bigint columns come back as strings from pg and as numbers or strings from PGlite: read with Number(). */
type BigIntColumn = ColumnType<string | number | null, number | bigint | null | undefined, number | bigint | null>;

export interface RetailersTable {
  id: string;
  name: string;
  api_key_hash: string;
  webhook_url: string | null;
  webhook_secret: string | null;
  shopify_secret: string | null;
  woocommerce_secret: string | null;
  shopify_shop_url: string | null;
  shopify_access_token: string | null;
  /** Stock back to a WooCommerce store (migrations/2026-12-03T0702-stock-push.ts). */
  woocommerce_url: Generated<string | null>;
  woocommerce_key: Generated<string | null>;
  woocommerce_secret_key: Generated<string | null>;
  created_at: Timestamp;
  /** An order number used again under a new external id: `warn` (accept, flag) or `refuse` (409). */
  duplicate_order_numbers: Generated<'warn' | 'refuse'>;
}

export interface OrdersTable {
  id: string;
  retailer_id: string;
  external_id: string;
  order_number: string;
  source: string;
  body_hash: string;
  data: Json<unknown>;
  status: string;
  status_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrderEventsTable {
  id: Generated<string>;
  order_id: string;
  at: Timestamp;
  type: string;
  status: string | null;
  cause: string;
  data: Json<unknown> | null;
}

export interface WebhookReceiptsTable {
  retailer_id: string;
  source: string;
  webhook_id: string;
  order_id: string | null;
  received_at: Timestamp;
}

export interface PurchaseOrdersTable {
  id: string;
  order_id: string;
  supplier_id: string;
  po_number: string;
  status: string;
  status_reason: string | null;
  data: Json<unknown>;
  /** line number → quantity shipped so far */
  shipped: ColumnType<Record<string, number>, string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DocumentsTable {
  id: string;
  direction: 'in' | 'out';
  kind: string;
  format: string;
  supplier_id: string | null;
  retailer_id: string | null;
  order_id: string | null;
  po_id: string | null;
  filename: string;
  content: Buffer;
  content_type: string;
  content_hash: string;
  size: number;
  status: string;
  attempts: Generated<number>;
  /** 0: no limit on attempts (the supplier's `retry.for` decides). */
  max_attempts: Generated<number>;
  next_attempt_at: NullableTimestamp;
  /** Since when delivery has been failing (the retry budget runs from here); null once delivered. */
  failing_since: NullableTimestamp;
  /** When the operator was alerted that delivery keeps failing (once per failing streak). */
  alerted_at: NullableTimestamp;
  locked_until: NullableTimestamp;
  last_error: string | null;
  error_code: string | null;
  isa13: BigIntColumn;
  gs06: BigIntColumn;
  st02: number | null;
  partner: string | null;
  receipt: Json<unknown> | null;
  parsed: Json<unknown> | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  done_at: NullableTimestamp;
}

export interface ControlCountersTable {
  partner: string;
  value: ColumnType<string | number, number, number>;
}

export interface InboundLedgerTable {
  supplier_id: string;
  content_hash: string;
  filename: string;
  size: number;
  document_id: string;
  received_at: Timestamp;
}

export interface ShipmentsTable {
  id: string;
  po_id: string;
  order_id: string;
  document_id: string | null;
  carrier: string | null;
  carrier_name: string | null;
  service: string | null;
  tracking_numbers: Json<string[]>;
  tracking_urls: Json<string[]>;
  lines: Json<unknown>;
  shipped_at: string | null;
  created_at: Timestamp;
}

export interface InvoicesTable {
  id: string;
  po_id: string;
  supplier_id: string;
  invoice_number: string;
  total: string | null;
  data: Json<unknown>;
  document_id: string | null;
  created_at: Timestamp;
}

export interface InventoryTable {
  supplier_id: string;
  supplier_sku: string;
  sku: string | null;
  available: number;
  updated_at: Timestamp;
  /** The feed's own timestamp (null only for rows written before the ledger existed). */
  as_of: NullableTimestamp;
  document_id: string | null;
}

/** Routed to a supplier and not shipped yet; live while released_at is null. */
export interface StockReservationsTable {
  id: string;
  order_id: string;
  line_id: string;
  po_id: string | null;
  supplier_id: string;
  supplier_sku: string;
  quantity: number;
  created_at: Timestamp;
  released_at: NullableTimestamp;
  release_reason: string | null;
}

/** Every routing decision of an order with its explanation (migrations/2026-12-03T0801-routing-decisions.ts). */
export interface RoutingDecisionsTable {
  id: string;
  seq: Generated<string>;
  order_id: string;
  created_at: Timestamp;
  /** route (the order's first routing), backorder (waiting lines routed later), reroute. */
  cause: string;
  outcome: string;
  /** LineExplanation[] (src/routing/explain.ts) of the lines this decision decided. */
  explanation: Json<unknown>;
}

/** Lines waiting for stock (unfillable: partial); open while closed_at is null. */
export interface BackordersTable {
  order_id: string;
  line_id: string;
  sku: string;
  quantity: number;
  reason: string;
  since: Timestamp;
  closed_at: NullableTimestamp;
  closed_reason: string | null;
}

/** A line moved away from a purchase order by automatic reroute (migrations/2026-12-03T0802-line-reroutes.ts). */
export interface LineReroutesTable {
  id: string;
  order_id: string;
  line_id: string;
  sku: string;
  quantity: number;
  from_supplier: string;
  from_po_id: string;
  /** Null: no source was left, the order went to exception. */
  to_supplier: string | null;
  to_po_id: string | null;
  trigger: string;
  reason: string;
  at: Timestamp;
}

export interface ExpectationsTable {
  id: Generated<string>;
  po_id: string;
  order_id: string;
  kind: string;
  due_at: Timestamp;
  status: string;
  met_at: NullableTimestamp;
  overdue_at: NullableTimestamp;
}

export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: Timestamp;
}

export interface SupplierActivityTable {
  supplier_id: string;
  last_poll_at: NullableTimestamp;
  last_poll_ok_at: NullableTimestamp;
  last_poll_error: string | null;
  last_delivery_at: NullableTimestamp;
}

/** A supplier file no inbound rule matches: listed and alerted once, never read, moved or deleted. */
export interface UnmatchedFilesTable {
  supplier_id: string;
  name: string;
  size: string | number | null;
  modified_at: NullableTimestamp;
  first_seen_at: Generated<Date>;
  last_seen_at: Generated<Date>;
  alerted_at: NullableTimestamp;
  gone_at: NullableTimestamp;
}

export interface MailboxFilesTable {
  supplier_id: string;
  folder: string;
  name: string;
  document_id: string;
  size: number;
  modified_at: Timestamp;
  downloaded_at: NullableTimestamp;
  downloads: Generated<number>;
  removed_at: NullableTimestamp;
}

export interface MailboxUploadsTable {
  id: string;
  supplier_id: string;
  name: string;
  content: Buffer | null;
  size: number;
  received_at: Timestamp;
  address: string;
  session_id: string | null;
  status: string;
  locked_until: NullableTimestamp;
  document_id: string | null;
  applied_at: NullableTimestamp;
}

export interface MailboxAuditTable {
  id: Generated<string>;
  at: Timestamp;
  supplier_id: string | null;
  username: string;
  address: string;
  session_id: string | null;
  event: string;
  path: string | null;
  bytes: BigIntColumn;
  document_id: string | null;
  detail: string | null;
}

export interface MailboxLoginFailuresTable {
  key: string;
  failures: number;
  window_started_at: Timestamp;
  locked_until: NullableTimestamp;
}

/** AS2 messages and asynchronous MDNs partners sent (migrations/2026-12-03T0301-as2-messages.ts). */
export interface As2MessagesTable {
  supplier_id: string;
  kind: 'message' | 'mdn';
  message_id: string;
  document_id: string | null;
  content_hash: string;
  mic: string | null;
  disposition: string;
  mdn_mode: string | null;
  mdn: Buffer | null;
  mdn_document_id: string | null;
  received_at: Timestamp;
}

/** Dashboard sign-ins (migrations/2026-12-03T0101-dashboard-sessions.ts). */
export interface DashboardSessionsTable {
  id_hash: string;
  csrf: string;
  admin_tag: string;
  created_at: Generated<Date>;
  expires_at: Date;
}

export interface DashboardSignInFailuresTable {
  address: string;
  failures: number;
  window_started_at: Date;
}

/** Suppliers whose stock changed since the last push to the stores (2026-12-03T0702-stock-push). */
export interface StockPushDirtyTable {
  supplier_id: string;
  since: Timestamp;
}

/** Per retailer and SKU: what its store should show, what it was last told, the store's id for it. */
export interface StoreStockTable {
  retailer_id: string;
  sku: string;
  quantity: number;
  pushed_quantity: number | null;
  pushed_at: NullableTimestamp;
  store_ref: string | null;
  attempts: Generated<number>;
  next_attempt_at: NullableTimestamp;
  last_error: string | null;
}

export interface Database {
  retailers: RetailersTable;
  orders: OrdersTable;
  order_events: OrderEventsTable;
  webhook_receipts: WebhookReceiptsTable;
  purchase_orders: PurchaseOrdersTable;
  documents: DocumentsTable;
  control_counters: ControlCountersTable;
  inbound_ledger: InboundLedgerTable;
  shipments: ShipmentsTable;
  invoices: InvoicesTable;
  inventory: InventoryTable;
  stock_reservations: StockReservationsTable;
  routing_decisions: RoutingDecisionsTable;
  backorders: BackordersTable;
  stock_push_dirty: StockPushDirtyTable;
  store_stock: StoreStockTable;
  line_reroutes: LineReroutesTable;
  expectations: ExpectationsTable;
  leases: LeasesTable;
  supplier_activity: SupplierActivityTable;
  unmatched_files: UnmatchedFilesTable;
  mailbox_files: MailboxFilesTable;
  mailbox_uploads: MailboxUploadsTable;
  mailbox_audit: MailboxAuditTable;
  mailbox_login_failures: MailboxLoginFailuresTable;
  as2_messages: As2MessagesTable;
  dashboard_sessions: DashboardSessionsTable;
  dashboard_sign_in_failures: DashboardSignInFailuresTable;
}

export type RetailerRow = Selectable<RetailersTable>;
export type OrderRow = Selectable<OrdersTable>;
export type OrderEventRow = Selectable<OrderEventsTable>;
export type PurchaseOrderRow = Selectable<PurchaseOrdersTable>;
export type DocumentRow = Selectable<DocumentsTable>;
export type NewDocument = Insertable<DocumentsTable>;
export type DocumentUpdate = Updateable<DocumentsTable>;
export type ShipmentRow = Selectable<ShipmentsTable>;
export type LineRerouteRow = Selectable<LineReroutesTable>;
