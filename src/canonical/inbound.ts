/**
 * What the hub reads out of supplier files, whatever their format (X12 856/855/997/810/846, tracking
 * CSV/XML, JSON): the inbound parsers produce these, the pipeline applies them to purchase orders.
 */

/** One product/service id pair as the file gave it: `VN` and the supplier's SKU, `UP` and a UPC, … */
export interface ProductId {
  qualifier: string;
  value: string;
}

export interface ShipmentLine {
  /** Every product id pair of the line (LIN02/03 …), in file order, read or not. */
  ids?: ProductId[];
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
    ids?: ProductId[];
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
    ids?: ProductId[];
    quantity: number;
    unitPrice?: string;
  }[];
}

export interface InventoryItem {
  supplierSku: string;
  sku?: string;
  upc?: string;
  ids?: ProductId[];
  available: number;
  /**
   * When the figure holds, where the file says (EDIFACT INVRPT DTM 366/137): an ISO date, or a
   * date-time without zone (EDIFACT times carry none). Undefined: as of the file's arrival.
   */
  asOf?: string;
  /** Where the item is in its file, for errors: a CSV line, an XML record's line. */
  line?: number;
}

/**
 * One syntax finding about a received transaction set, as a 997 reports it: AK3 names the segment
 * (id, position in the set counting ST as 1, AK304 code), AK4 the element (position, data element
 * reference, AK403 code, the bad value).
 */
export interface SetSyntaxNote {
  /** Plain words, for the document and the operator. */
  message: string;
  /** AK301: the segment id in error (or missing). */
  segment: string;
  /** AK302: its position in the set, ST = 1. */
  position: number;
  /** AK304: 1 unrecognized segment id, 2 unexpected segment, 3 mandatory segment missing, 8 data element errors. */
  segmentCode?: string;
  element?: {
    /** AK401: the element's position in the segment (1-based). */
    position: number;
    /** AK402: the data element reference number, where known. */
    reference?: string;
    /** AK403: 1 mandatory missing, 4 too short, 5 too long, 6 invalid character, 7 invalid code, 8 invalid date, 9 invalid time. */
    code: string;
    /** AK404: a copy of the bad value. */
    value?: string;
  };
}

/** How the hub answers one received transaction set in its 997 (absent: accepted). */
export interface SetAck {
  /** AK501: A accepted, E accepted but errors were noted, R rejected. */
  status: 'A' | 'E' | 'R';
  /** AK502-AK506: 1 set not supported, 2 trailer missing, 3 control numbers differ, 4 segment count wrong, 5 segments in error. */
  codes?: string[];
  notes?: SetSyntaxNote[];
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
  sets: { transactionSet: string; controlNumber: string; ack?: SetAck }[];
  /** GE01 as sent, where it differs from the sets counted. */
  declaredSets?: number;
  /** Group-level syntax errors (AK905-AK909): the group is rejected. */
  errors?: { code: string; message: string }[];
}

/** An interchange whose envelope could be read (ISA), for a TA1. */
export interface ReceivedInterchange {
  senderQualifier: string;
  senderId: string;
  receiverQualifier: string;
  receiverId: string;
  /** ISA09 (YYMMDD) and ISA10 (HHMM) as sent. */
  date: string;
  time: string;
  controlNumber: string;
  /** ISA12. */
  version: string;
  /** ISA14 = 1: the sender asked for a TA1. */
  ackRequested: boolean;
}

/** A TA1 the hub owes: the interchange answered, and how (TA104) and why (TA105). */
export interface InterchangeAck {
  interchange: ReceivedInterchange;
  /** TA104: A accepted, E accepted with errors, R rejected. */
  status: 'A' | 'E' | 'R';
  /** TA105: 000 no error, 001 control numbers differ, 021 group count wrong, 023 premature end of file, 024 invalid content, ... */
  code: string;
  message?: string;
}

/** Something read that did not stop the file: dropped optional values, unknown segments, sets not read. */
export interface InboundWarning {
  message: string;
  /** The POs of the items the warning concerns (for their orders' timelines). */
  poNumbers?: string[];
}

/** One thing found in an inbound file. A file may hold many (several ST sets, several CSV rows). */
export type InboundItem =
  | { kind: 'shipment'; shipment: Shipment }
  | { kind: 'acknowledgment'; acknowledgment: Acknowledgment }
  | { kind: 'functional_ack'; ack: FunctionalAck }
  | { kind: 'invoice'; invoice: Invoice }
  | {
      kind: 'inventory';
      items: InventoryItem[];
      /** How the rule that read the file applies it (`feed` in the mapping); absent: delta. Extension. */
      feed?: 'full' | 'delta';
      /** The feed's own time, where the file gives one for all its items (ISO). Extension. */
      asOf?: string;
    };

export interface ParsedInbound {
  /** `x12`, `csv`, `xml` or `json`. */
  format: string;
  items: InboundItem[];
  /** X12 only: the functional groups read, to be answered with a 997 each. */
  groups: ReceivedGroup[];
  /** X12 only: the interchanges that asked for a TA1 (ISA14 = 1), answered. */
  interchangeAcks?: InterchangeAck[];
  /** What was dropped or not read without refusing the file; kept with the document. */
  warnings?: InboundWarning[];
}
