/**
 * The demo suppliers' side of the conversation: what their systems read from the purchase orders
 * the hub sends (X12 850, Initech's CSV, Umbrella's JSON) and what they write back (X12 997 / 855 /
 * 856, tracking CSVs). Written from the X12 structure by hand, not with the hub's own writer, so that
 * the demo exercises the hub's readers on files it did not make.
 */
import { parse as parseCsv } from 'csv-parse/sync';

/** One line of a purchase order, as the supplier sees it. */
export interface ReceivedLine {
  lineNumber: number;
  quantity: number;
  /** The supplier's item number (X12 PO1 `VN`, Initech's `Item`, Umbrella's `sku`). */
  supplierSku: string;
  unitPrice?: string;
}

/** A purchase order as the supplier's system reads it. */
export interface ReceivedPo {
  poNumber: string;
  /** `cancel` for an X12 BEG01 `01`, Initech's `CANCEL` action, Umbrella's `"action": "cancel"`. */
  purpose: 'original' | 'cancel';
  orderNumber?: string;
  lines: ReceivedLine[];
  /** X12 only: what a 997 / 855 / 856 needs to answer it. */
  x12?: {
    version: string;
    groupControlNumber: string;
    transactionControlNumber: string;
    /** The hub's interchange id (the 850's sender): the receiver of our answers. */
    hub: { qualifier: string; id: string };
    /** Ours (the 850's receiver). */
    us: { qualifier: string; id: string };
  };
}

// ---- reading the hub's files ------------------------------------------------------------------

/** Splits an X12 interchange into segments (arrays of elements), with the delimiters its ISA gives. */
export function x12Segments(text: string): string[][] {
  const start = text.indexOf('ISA');
  if (start < 0) throw new Error('not an X12 interchange: no ISA');
  const body = text.slice(start);
  const element = body[3]!;
  // ISA has 16 elements: the segment terminator is the character after ISA16.
  let at = 0;
  for (let n = 0; n < 16; n++) {
    at = body.indexOf(element, at + 1);
    if (at < 0) throw new Error('ISA segment has fewer than 16 elements');
  }
  const terminator = body[at + 2]!;
  return body
    .split(terminator)
    .map((s) => s.replace(/^[\r\n]+|[\r\n]+$/g, ''))
    .filter((s) => s.length > 0)
    .map((s) => s.split(element));
}

/** Reads an X12 850; undefined for any other transaction set (the hub's own 997s land in the same folder). */
export function read850(text: string): ReceivedPo | undefined {
  const segments = x12Segments(text);
  const st = segments.find((s) => s[0] === 'ST');
  if (!st || st[1] !== '850') return undefined;
  const isa = segments[0]!;
  const gs = segments.find((s) => s[0] === 'GS')!;
  const beg = segments.find((s) => s[0] === 'BEG');
  if (!beg) throw new Error('850 without BEG');
  const lines: ReceivedLine[] = [];
  for (const seg of segments.filter((s) => s[0] === 'PO1')) {
    const ids = new Map<string, string>();
    for (let i = 6; i + 1 < seg.length; i += 2) if (seg[i] && seg[i + 1]) ids.set(seg[i]!, seg[i + 1]!);
    lines.push({
      lineNumber: Number(seg[1]) || lines.length + 1,
      quantity: Number(seg[2]),
      supplierSku: ids.get('VN') ?? ids.get('SK') ?? ids.get('BP') ?? '',
      ...(seg[4] ? { unitPrice: seg[4] } : {}),
    });
  }
  const orderNumber = segments.find((s) => s[0] === 'REF' && s[1] === 'CO')?.[2];
  return {
    poNumber: beg[3]!,
    purpose: beg[1] === '01' ? 'cancel' : 'original',
    ...(orderNumber ? { orderNumber } : {}),
    lines,
    x12: {
      version: gs[8] ?? '004010',
      groupControlNumber: gs[6]!,
      transactionControlNumber: st[2]!,
      hub: { qualifier: isa[5]!, id: isa[6]!.trim() },
      us: { qualifier: isa[7]!, id: isa[8]!.trim() },
    },
  };
}

/** Reads Initech's PO CSV (one row per line; headers as in mappings/initech.yaml `outbound.columns`). */
export function readInitechCsv(text: string): ReceivedPo | undefined {
  const rows = parseCsv(text, { columns: true, bom: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  const first = rows[0];
  if (!first?.['PO Number']) return undefined;
  return {
    poNumber: first['PO Number'],
    purpose: first['Action'] === 'CANCEL' ? 'cancel' : 'original',
    lines: rows.map((row, i) => ({
      lineNumber: Number(row['Line']) || i + 1,
      quantity: Number(row['Qty']),
      supplierSku: row['Item'] ?? '',
      ...(row['Unit Cost'] ? { unitPrice: row['Unit Cost'] } : {}),
    })),
  };
}

/** Reads Umbrella's JSON order (mappings/umbrella.yaml `outbound.template`). */
export function readUmbrellaJson(body: unknown): ReceivedPo | undefined {
  const order = body as {
    action?: string;
    orderReference?: string;
    retailerOrder?: string;
    items?: { line?: number; sku?: string; quantity?: number }[];
  };
  if (!order || typeof order.orderReference !== 'string' || !Array.isArray(order.items)) return undefined;
  return {
    poNumber: order.orderReference,
    purpose: order.action === 'cancel' ? 'cancel' : 'original',
    ...(order.retailerOrder ? { orderNumber: order.retailerOrder } : {}),
    lines: order.items.map((item, i) => ({
      lineNumber: item.line ?? i + 1,
      quantity: Number(item.quantity),
      supplierSku: String(item.sku ?? ''),
    })),
  };
}

// ---- writing the answers ----------------------------------------------------------------------

function pad(value: string, width: number): string {
  return value.padEnd(width, ' ').slice(0, width);
}

function x12Date(at: Date): { ccyymmdd: string; yymmdd: string; hhmm: string } {
  const iso = at.toISOString();
  const ccyymmdd = iso.slice(0, 10).replaceAll('-', '');
  return { ccyymmdd, yymmdd: ccyymmdd.slice(2), hhmm: iso.slice(11, 16).replace(':', '') };
}

/**
 * One interchange from the supplier back to the hub: ISA/GS/…/GE/IEA around the given transaction
 * sets, the parties swapped from the 850 it answers, in the 850's X12 version.
 */
export function interchange(
  po: ReceivedPo,
  controlNumber: number,
  functionalId: 'FA' | 'PR' | 'SH' | 'IB',
  sets: { id: string; body: string[] }[],
  at = new Date(),
): string {
  const x12 = po.x12;
  if (!x12) throw new Error(`purchase order ${po.poNumber} did not come as X12`);
  const v5 = x12.version.startsWith('005');
  const n = String(controlNumber).padStart(9, '0');
  const d = x12Date(at);
  const isa = [
    'ISA', '00', pad('', 10), '00', pad('', 10),
    x12.us.qualifier, pad(x12.us.id, 15), x12.hub.qualifier, pad(x12.hub.id, 15),
    d.yymmdd, d.hhmm, v5 ? '^' : 'U', v5 ? '00501' : '00401', n, '0', 'P', '>',
  ].join('*');
  const lines = [isa, ['GS', functionalId, x12.us.id, x12.hub.id, d.ccyymmdd, d.hhmm, String(controlNumber), 'X', x12.version].join('*')];
  sets.forEach((set, i) => {
    const st02 = String(i + 1).padStart(4, '0');
    lines.push(`ST*${set.id}*${st02}`, ...set.body, `SE*${set.body.length + 2}*${st02}`);
  });
  lines.push(`GE*${sets.length}*${controlNumber}`, `IEA*1*${n}`);
  return lines.map((l) => `${l}~`).join('\n') + '\n';
}

/** A 997 accepting the 850's functional group (AK1 = PO + the hub's GS06). */
export function functionalAck997(po: ReceivedPo, controlNumber: number): string {
  const x12 = po.x12!;
  const body = [`AK1*PO*${x12.groupControlNumber}`, `AK2*850*${x12.transactionControlNumber}`, 'AK5*A', 'AK9*A*1*1*1'];
  return interchange(po, controlNumber, 'FA', [{ id: '997', body }]);
}

/**
 * An 855: every line accepted (IA) except the backordered ones (IB, with a promised ship date) and
 * the rejected ones (IR, out of stock, with the reason in a MSG).
 */
export function poAck855(
  po: ReceivedPo,
  controlNumber: number,
  backordered: ReadonlySet<number>,
  at = new Date(),
  rejected: ReadonlySet<number> = new Set(),
): string {
  const d = x12Date(at);
  const later = x12Date(new Date(at.getTime() + 3 * 86_400_000));
  const body = [`BAK*00*${backordered.size || rejected.size ? 'AC' : 'AD'}*${po.poNumber}*${d.ccyymmdd}`];
  for (const line of po.lines) {
    body.push(`PO1*${line.lineNumber}*${line.quantity}*EA*${line.unitPrice ?? ''}**VN*${line.supplierSku}`);
    if (rejected.has(line.lineNumber)) body.push(`ACK*IR*${line.quantity}*EA`, 'MSG*OUT OF STOCK');
    else if (backordered.has(line.lineNumber)) body.push(`ACK*IB*${line.quantity}*EA*068*${later.ccyymmdd}`);
    else body.push(`ACK*IA*${line.quantity}*EA`);
  }
  body.push(`CTT*${po.lines.length}`);
  return interchange(po, controlNumber, 'PR', [{ id: '855', body }], at);
}

/**
 * An 846 inventory advice the supplier sends on its own (no PO to answer): one LIN (VN, SK) with
 * its QTY*33 per item. `parties` are the ISA ids: the supplier's (`us`) and the hub's.
 */
export function inventory846(
  parties: { us: { qualifier: string; id: string }; hub: { qualifier: string; id: string }; version: string },
  controlNumber: number,
  items: readonly { supplierSku: string; sku?: string; available: number }[],
  at = new Date(),
): string {
  const d = x12Date(at);
  const body = [`BIA*00*DD*INV${controlNumber}*${d.ccyymmdd}`];
  for (const item of items) body.push(`LIN**VN*${item.supplierSku}${item.sku ? `*SK*${item.sku}` : ''}`, `QTY*33*${item.available}*EA`);
  body.push(`CTT*${items.length}`);
  const po: ReceivedPo = { poNumber: '', purpose: 'original', lines: [], x12: { ...parties, groupControlNumber: '', transactionControlNumber: '' } };
  return interchange(po, controlNumber, 'IB', [{ id: '846', body }], at);
}

export interface Parcel {
  trackingNumber: string;
  lines: { lineNumber: number; supplierSku: string; quantity: number }[];
}

/**
 * An 856 in Shipment/Order/Pack/Item form for one PO: the carrier's SCAC in TD503, one pack (HL P)
 * per parcel with its tracking number where this supplier's guide puts it (`MAN*CP` for ACME,
 * `REF*CN` for Globex: the mapping's `inbound.trackingFrom`), the items it holds under it.
 */
export function shipNotice856(
  po: ReceivedPo,
  controlNumber: number,
  shipmentId: string,
  carrier: { scac: string; service: string },
  parcels: Parcel[],
  trackingAt: string = 'MAN*CP',
  at = new Date(),
): string {
  const [segment, qualifier] = trackingAt.split('*');
  const d = x12Date(at);
  const body = [
    `BSN*00*${shipmentId}*${d.ccyymmdd}*${d.hhmm}*0001`,
    'HL*1**S',
    `TD1*CTN25*${parcels.length}`,
    `TD5**2*${carrier.scac}*U*${carrier.service}`,
    `DTM*011*${d.ccyymmdd}`,
    'HL*2*1*O',
    `PRF*${po.poNumber}`,
  ];
  let hl = 2;
  for (const parcel of parcels) {
    const packHl = ++hl;
    body.push(`HL*${packHl}*2*P`, `${segment}*${qualifier}*${parcel.trackingNumber}`);
    for (const line of parcel.lines) {
      body.push(`HL*${++hl}*${packHl}*I`, `LIN*${line.lineNumber}*VN*${line.supplierSku}`, `SN1**${line.quantity}*EA`);
    }
  }
  body.push(`CTT*${hl}`);
  return interchange(po, controlNumber, 'SH', [{ id: '856', body }], at);
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A tracking CSV with the headers a mapping's `inbound.files[].columns` names (our field → their
 * header): one row per shipped line.
 */
export function trackingCsv(columns: Record<string, string | undefined>, rows: Record<string, string | number>[]): string {
  const fields = Object.keys(columns).filter((f) => columns[f] !== undefined);
  const out = [fields.map((f) => csvCell(columns[f]!)).join(',')];
  for (const row of rows) out.push(fields.map((f) => csvCell(row[f] ?? '')).join(','));
  return `${out.join('\r\n')}\r\n`;
}
