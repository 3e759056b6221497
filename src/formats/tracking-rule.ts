/**
 * The keys an inbound rule of the hub's first formats (`x12`, `csv`, `xml`, `json`) may hold besides
 * `match` and `format`: CSV columns, the XML record path and fields, the CSV delimiter. One shape
 * for the four, as the mapping schema always had it (a rule's keys a format does not read are
 * ignored by it).
 */
import { z } from 'zod';

export const TrackingRuleKeys = z.object({
  /** csv: canonical field → column header. */
  columns: z
    .strictObject({
      poNumber: z.string().min(1),
      sku: z.string().min(1).optional(),
      supplierSku: z.string().min(1).optional(),
      quantity: z.string().min(1).optional(),
      carrier: z.string().min(1).optional(),
      service: z.string().min(1).optional(),
      trackingNumber: z.string().min(1),
      shippedAt: z.string().min(1).optional(),
    })
    .optional(),
  /** xml: the path of the repeated shipment element (dot-separated, e.g. `Shipments.Shipment`). */
  records: z.string().min(1).optional(),
  /** xml: canonical field → dot path below the record element. */
  fields: z.record(z.string(), z.string().min(1)).optional(),
  delimiter: z.string().length(1).default(','),
});
export type TrackingRuleKeys = z.output<typeof TrackingRuleKeys>;
