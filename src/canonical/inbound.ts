/**
 * What the hub reads out of supplier files, whatever their format (X12 856/855/997/810/846, tracking
 * CSV/XML, JSON): the inbound parsers produce these, the pipeline applies them to purchase orders.
 */

export interface ShipmentLine {
  /** Retailer SKU where the file gives it (LIN SK), else undefined. */
  sku?: string;
  /** Supplier SKU where the file gives it (LIN VN). */
  supplierSku?: string;
  /** UPC/GTIN where the file gives it (LIN UP). */
  upc?: string;
  /** PO line number where the file gives it. */
  lineNumber?: number;
  quantity: number;
}

export interface Shipment {
  poNumber: string;
  /** The supplier's shipment id (BSN02), where given. */
  shipmentId?: string;
  /** Carrier as sent: SCAC code (TD503) or a name from a CSV. */
  carrier?: string;
  service?: string;
  /** ISO date (YYYY-MM-DD) or timestamp. */
  shippedAt?: string;
  trackingNumbers: string[];
  lines: ShipmentLine[];
}

export type LineAckStatus =
  | 'accepted'
  | 'backordered'
  | 'rejected'
  | 'quantity_changed'
  | 'deleted'
  | 'substituted'
  | 'other';

export interface Acknowledgment {
  poNumber: string;
  status: 'accepted' | 'accepted_with_changes' | 'rejected';
  /** BAK02 as sent. */
  code: string;
  lines: {
    lineNumber?: number;
    sku?: string;
    supplierSku?: string;
    upc?: string;
    status: LineAckStatus;
    /** ACK01 as sent. */
    code: string;
    quantity?: number;
    reason?: string;
  }[];
}

/** A 997 or 999: reconciles one of our functional groups by its GS06. */
export interface FunctionalAck {
  /** AK101: the acknowledged group's functional id (PO, ...). */
  functionalId: string;
  /** AK102: the acknowledged group's control number (our GS06). */
  groupControlNumber: number;
  /** AK901: A accepted, E accepted with errors, P partially accepted, R rejected. */
  status: 'A' | 'E' | 'P' | 'R' | 'M' | 'W' | 'X';
  sets: { transactionSet: string; controlNumber: string; status: string; errors: string[] }[];
}

export interface Invoice {
  invoiceNumber: string;
  poNumber: string;
  invoiceDate?: string;
  /** Decimal string. */
  total?: string;
  lines: {
    lineNumber?: number;
    supplierSku?: string;
    sku?: string;
    upc?: string;
    quantity: number;
    unitPrice?: string;
  }[];
}

export interface InventoryItem {
  supplierSku: string;
  sku?: string;
  upc?: string;
  available: number;
  /**
   * When the figure holds, where the file says (EDIFACT INVRPT DTM 366/137): an ISO date, or a
   * date-time without zone (EDIFACT times carry none). Undefined: as of the file's arrival.
   */
  asOf?: string;
}

/** The envelope of one X12 functional group we received: what the 997 we send back must echo. */
export interface ReceivedGroup {
  /** ISA05/ISA06 and ISA07/ISA08 of the interchange that carried the group (trimmed). */
  interchange: {
    senderQualifier: string;
    senderId: string;
    receiverQualifier: string;
    receiverId: string;
    controlNumber: string;
    /** ISA12, e.g. 00401. */
    version: string;
  };
  functionalId: string;
  senderId: string;
  receiverId: string;
  controlNumber: string;
  /** GS08, e.g. 004010. */
  version: string;
  sets: { transactionSet: string; controlNumber: string }[];
}

/** One thing found in an inbound file. A file may hold many (several ST sets, several CSV rows). */
export type InboundItem =
  | { kind: 'shipment'; shipment: Shipment }
  | { kind: 'acknowledgment'; acknowledgment: Acknowledgment }
  | { kind: 'functional_ack'; ack: FunctionalAck }
  | { kind: 'invoice'; invoice: Invoice }
  | { kind: 'inventory'; items: InventoryItem[] };

export interface ParsedInbound {
  /** `x12`, `csv`, `xml` or `json`. */
  format: string;
  items: InboundItem[];
  /** X12 only: the functional groups read, to be answered with a 997 each. */
  groups: ReceivedGroup[];
}
