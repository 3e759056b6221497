/**
 * The keys an inbound rule of the hub's first formats (`x12`, `csv`, `xml`, `json`) may hold besides
 * `match` and `format`: what a CSV/XML file holds (`document`), how inventory in it is applied
 * (`feed`), CSV columns, the XML record path and fields, the CSV delimiter. One shape for the four,
 * as the mapping schema always had it (a rule's keys a format does not read are ignored by it);
 * `checkRuleColumns` checks the columns against the document.
 */
import { z } from 'zod';

/** The fields of a tracking file's `columns` (CSV) or `fields` (XML); the first two are required with `columns`. */
export const TRACKING_COLUMN_FIELDS = ['poNumber', 'trackingNumber', 'sku', 'supplierSku', 'quantity', 'carrier', 'service', 'shippedAt'] as const;
/** The fields of an inventory file's `columns` / `fields` (contract, second wave); the first two are required. */
export const INVENTORY_COLUMN_FIELDS = ['supplierSku', 'available', 'sku', 'asOf'] as const;

/**
 * How the inventory in files of a rule is applied: `full` (the supplier's whole stock: SKUs missing
 * from the feed go to 0) or `delta` (only the SKUs listed change). Default `delta`. For X12 846,
 * JSON `inventory` documents, EDIFACT INVRPT and inventory CSV/XML files alike.
 */
export const InventoryFeed = z.enum(['full', 'delta']);

export const TrackingRuleKeys = z.object({
  /**
   * What a csv/xml file holds: `tracking` (absent: tracking) or `inventory`, a stock feed
   * (contract, second wave). X12 and JSON files say what they hold themselves.
   */
  document: z.enum(['tracking', 'inventory']).optional(),
  feed: InventoryFeed.optional(),
  /**
   * csv: canonical field → column header. Tracking: poNumber and trackingNumber required, and
   * sku, supplierSku, quantity, carrier, service, shippedAt. Inventory: supplierSku and available
   * required, and sku, asOf.
   */
  columns: z.record(z.string(), z.string().min(1)).optional(),
  /** xml: the path of the repeated record element (dot-separated, e.g. `Shipments.Shipment`). */
  records: z.string().min(1).optional(),
  /** xml: canonical field → dot path below the record element. */
  fields: z.record(z.string(), z.string().min(1)).optional(),
  delimiter: z.string().length(1).default(','),
});
export type TrackingRuleKeys = z.output<typeof TrackingRuleKeys>;

/** The checks across keys of one rule: `document` against the format, `columns` against the document. */
export function checkRuleColumns(file: { format: string; document?: string; columns?: Record<string, string> }, ctx: z.RefinementCtx): void {
  const inventory = file.document === 'inventory';
  if (inventory && file.format !== 'csv' && file.format !== 'xml') {
    ctx.addIssue({ code: 'custom', path: ['document'], message: `document: inventory is for csv and xml files; an ${file.format} file says what it holds itself (use feed: full or delta for its inventory)` });
  }
  if (!file.columns) return;
  const known: readonly string[] = inventory ? INVENTORY_COLUMN_FIELDS : TRACKING_COLUMN_FIELDS;
  const what = inventory ? 'an inventory file' : 'a tracking file';
  for (const key of Object.keys(file.columns)) {
    if (!known.includes(key)) ctx.addIssue({ code: 'custom', path: ['columns', key], message: `unknown field "${key}" for ${what}; the fields are ${known.join(', ')}` });
  }
  for (const key of known.slice(0, 2)) {
    if (!file.columns[key]) ctx.addIssue({ code: 'custom', path: ['columns', key], message: `${what} needs the column of ${key}` });
  }
}
