import type { Address } from './order.ts';

/**
 * One purchase order: the part of a retailer order that one supplier ships. This is what the
 * outbound formats (X12 850, XML, CSV, JSON) render, and what mapping-file JSONata expressions see.
 */
export interface PurchaseOrder {
  /** Our PO number (BEG03 / PRF01); what suppliers quote back. */
  poNumber: string;
  /** `original` for a new PO, `cancel` for its cancellation (850 BEG01 `01`). */
  purpose: 'original' | 'cancel';
  supplierId: string;
  orderId: string;
  orderNumber: string;
  externalId: string;
  retailer: { id: string; name: string };
  /** ISO timestamp the order was placed. */
  placedAt: string;
  /** ISO timestamp this document was created (BEG05 / ISA09 date): injected, so outputs are stable. */
  createdAt: string;
  currency: string;
  customer: { name: string; email?: string | null; phone?: string | null };
  shipTo: Address;
  shipping: { method?: string | null; carrier?: string | null; serviceLevel?: string | null };
  notes?: string | null;
  lines: PurchaseOrderLine[];
  /** Sum of quantity × unitPrice as a decimal string. */
  total: string;
}

export interface PurchaseOrderLine {
  /** 1-based line number within this PO (PO101). */
  lineNumber: number;
  /** The retailer's line id. */
  lineId: string;
  /** The retailer's SKU (PO1 SK). */
  sku: string;
  /** The supplier's SKU (PO1 VN); the retailer SKU where the catalog has no translation. */
  supplierSku: string;
  upc?: string | null;
  title?: string | null;
  quantity: number;
  unitPrice: string;
  /** Supplier cost from the catalog, where known. */
  cost?: string | null;
}

/** The control numbers of one X12 interchange: drawn from the per-partner counter, reused on a resend. */
export interface ControlNumbers {
  isa13: number;
  gs06: number;
  st02: number;
}
