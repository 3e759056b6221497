/**
 * The 850 Purchase Order, hub → supplier: one PO in one interchange.
 *
 *   BEG*00*DS*<PO>**<date>  CUR*BY*<currency>  REF*IA*<vendor number>  TD5 carrier/service
 *   N9*L1*NOTES + MSG (order notes, gift messages)
 *   N1*ST ship-to (N2 company, N3 street, N4 city/state/postal/country, PER phone/email)
 *   N1*BT the retailer
 *   PO1*<n>*<qty>*EA*<price>**VN*<supplier SKU>*SK*<retailer SKU>[*UP*<upc>] + PID*F****<title>
 *   CTT*<lines>*<Σ qty>  AMT*TT*<total>
 *
 * Mapping overrides (already evaluated, see `resolveOverrides` in formats/outbound.ts) replace or
 * remove single elements, and may add REF/DTM segments by qualifier.
 */
import type { PurchaseOrder, PurchaseOrderLine } from '../../../canonical/purchase-order.ts';
import type { ControlNumbers } from '../../../canonical/purchase-order.ts';
import type { X12EnvelopeConfig } from '../../../config/mapping-schema.ts';
import { RenderError } from '../../../errors.ts';
import { SEGMENTS, type SegmentTag } from './elements.ts';
import { X12Writer, beginInterchange, endInterchange, stamp, type ElementValue, type SegmentOptions } from './writer.ts';

/** One evaluated override: `N1*ST.02` → { segment: N1, qualifier: ST, element: 2, value }. */
export interface ResolvedOverride {
  key: string;
  segment: string;
  qualifier?: string;
  element: number;
  /** null or '' removes the element. */
  value: string | null;
}

export interface Overrides850 {
  header: ResolvedOverride[];
  /** Per PO line (same order as po.lines): overrides of PO1 and PID. */
  lines: ResolvedOverride[][];
}

/** Segments that belong to a PO1 loop. */
export const LINE_SEGMENTS = new Set(['PO1', 'PID']);

interface Draft {
  tag: SegmentTag;
  values: ElementValue[];
  /** See SegmentOptions.optionalAfter. */
  optionalAfter?: number;
}

const NOTE_CHUNK = 264;
const MAX_NOTE_SEGMENTS = 20;
const SCAC = /^[A-Z]{2,4}$/;
const SERVICE_LEVEL_CODE = /^[A-Z0-9]{2}$/;

export function render850(
  po: PurchaseOrder,
  env: X12EnvelopeConfig,
  numbers: ControlNumbers,
  overrides?: Overrides850,
): string {
  const writer = X12Writer.forEnvelope(env, { upperCase: env.upperCase });
  // Overrides edit the header segments before they are written, so only then are they collected
  // as drafts; otherwise they are written as they are made (after the envelope's own checks).
  let header: Draft[] | undefined;
  if (overrides?.header.length) {
    header = [];
    const drafts = header;
    headerSegments(po, env, writer, (tag, values, options) => drafts.push({ tag, values, optionalAfter: options?.optionalAfter }));
    applyOverrides(header, overrides.header, true);
  } else {
    stamp(po.createdAt, 'BEG05'); // a bad createdAt is reported as BEG05 (before the envelope's checks), as always
  }

  const open = beginInterchange(writer, {
    senderQualifier: env.senderQualifier,
    senderId: env.senderId,
    receiverQualifier: env.receiverQualifier,
    receiverId: env.receiverId,
    groupSenderId: env.groupSenderId || undefined,
    groupReceiverId: env.groupReceiverId || undefined,
    usage: env.usage,
    requestTa1: env.requestTa1,
    functionalId: 'PO',
    transactionSet: '850',
    version: env.version,
    createdAt: po.createdAt,
    isa13: numbers.isa13,
    gs06: numbers.gs06,
    st02: numbers.st02,
  });
  if (header) for (const draft of header) write(writer, draft);
  else headerSegments(po, env, writer, (tag, values, options) => writer.segment(tag, values, options));
  let quantity = 0;
  for (let i = 0; i < po.lines.length; i++) {
    const line = po.lines[i]!;
    quantity += line.quantity;
    const lineOverrides = overrides?.lines[i];
    if (lineOverrides?.length) {
      const drafts = lineDrafts(line);
      applyOverrides(drafts, lineOverrides, false);
      for (const draft of drafts) write(writer, draft);
    } else {
      writer.segment('PO1', po1Values(line));
      if (line.title) writer.segment('PID', ['F', null, null, null, line.title], OPTIONAL_AFTER_1);
    }
  }
  writer.segment('CTT', [po.lines.length, quantity]);
  writer.segment('AMT', ['TT', po.total]);
  endInterchange(writer, open);
  return writer.toString();
}

const OPTIONAL_AFTER_0: SegmentOptions = { optionalAfter: 0 };
const OPTIONAL_AFTER_1: SegmentOptions = { optionalAfter: 1 };

function po1Values(line: PurchaseOrderLine): ElementValue[] {
  return [line.lineNumber, line.quantity, 'EA', line.unitPrice, null, 'VN', line.supplierSku, 'SK', line.sku, line.upc ? 'UP' : null, line.upc];
}

function lineDrafts(line: PurchaseOrderLine): Draft[] {
  return [
    { tag: 'PO1', values: po1Values(line) },
    { tag: 'PID', values: ['F', null, null, null, line.title], optionalAfter: 1 },
  ];
}

function write(writer: X12Writer, draft: Draft): void {
  writer.segment(draft.tag, draft.values, draft.optionalAfter === undefined ? {} : { optionalAfter: draft.optionalAfter });
}

type EmitSegment = (tag: SegmentTag, values: ElementValue[], options?: SegmentOptions) => void;

/** The header segments, BEG to N1*BT, in order. */
function headerSegments(po: PurchaseOrder, env: X12EnvelopeConfig, writer: X12Writer, emit: EmitSegment): void {
  emit('BEG', [po.purpose === 'cancel' ? '01' : '00', 'DS', po.poNumber, null, stamp(po.createdAt, 'BEG05').ccyymmdd]);
  emit('CUR', ['BY', po.currency]);
  emit('REF', ['IA', env.vendorNumber], OPTIONAL_AFTER_1);
  emit('TD5', td5(po.shipping), OPTIONAL_AFTER_0);
  const notes = po.notes ? writer.cleanText(po.notes) : '';
  if (notes) {
    emit('N9', ['L1', 'NOTES']);
    for (const chunk of chunks(notes, NOTE_CHUNK).slice(0, MAX_NOTE_SEGMENTS)) emit('MSG', [chunk]);
  }
  const ship = po.shipTo;
  const phone = ship.phone || po.customer.phone;
  const email = po.customer.email;
  const per: ElementValue[] = ['IC', null];
  if (phone) per.push('TE', phone);
  if (email) per.push('EM', email);
  emit('N1', ['ST', ship.name]);
  emit('N2', [ship.company], OPTIONAL_AFTER_0);
  emit('N3', [ship.address1, ship.address2]);
  emit('N4', [ship.city, ship.region, ship.postalCode, ship.country]);
  emit('PER', per, OPTIONAL_AFTER_1);
  emit('N1', ['BT', po.retailer.name, '92', po.retailer.id]);
}

function td5(shipping: PurchaseOrder['shipping']): ElementValue[] {
  const carrier = shipping.carrier?.trim() ?? '';
  const service = shipping.serviceLevel?.trim() ?? '';
  const scac = SCAC.test(carrier) ? carrier : '';
  const code = SERVICE_LEVEL_CODE.test(service) ? service : '';
  const routing = [scac ? '' : carrier, code ? '' : service].filter(Boolean).join(' ') || shipping.method?.trim() || '';
  return [null, scac ? '2' : null, scac || null, null, routing || null, null, null, null, null, null, null, code || null];
}

/** Splits text into pieces of at most `size` characters, at spaces where possible. */
function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > size) {
    let cut = rest.lastIndexOf(' ', size);
    if (cut < size / 2) cut = size;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) out.push(rest);
  return out;
}

/** Where REF and DTM segments added by an override go: after the last of these tags. */
const INSERT_AFTER: Partial<Record<string, SegmentTag[]>> = {
  REF: ['BEG', 'CUR', 'REF'],
  DTM: ['BEG', 'CUR', 'REF', 'DTM'],
};

function applyOverrides(drafts: Draft[], overrides: readonly ResolvedOverride[], header: boolean): void {
  for (const override of overrides) {
    const spec = SEGMENTS[override.segment as SegmentTag];
    if (!spec || LINE_SEGMENTS.has(override.segment) === header) continue;
    if (override.element > spec.elements.length) {
      throw new RenderError(`outbound.overrides.${override.key}: ${override.segment} has only ${spec.elements.length} elements`, {
        override: override.key,
      });
    }
    const targets = drafts.filter(
      (d) => d.tag === override.segment && (override.qualifier === undefined || d.values[0] === override.qualifier),
    );
    if (!targets.length) {
      if (override.value === null || override.value === '') continue;
      const after = INSERT_AFTER[override.segment];
      if (!after || !override.qualifier) {
        throw new RenderError(
          `outbound.overrides.${override.key}: this 850 has no ${override.segment}${override.qualifier ? `*${override.qualifier}` : ''} segment to override (only REF and DTM segments can be added)`,
          { override: override.key },
        );
      }
      let at = 0;
      drafts.forEach((d, i) => {
        if (after.includes(d.tag)) at = i + 1;
      });
      const draft: Draft = { tag: override.segment as SegmentTag, values: [override.qualifier], optionalAfter: 1 };
      drafts.splice(at, 0, draft);
      targets.push(draft);
    }
    for (const draft of targets) {
      while (draft.values.length < override.element) draft.values.push(null);
      draft.values[override.element - 1] = override.value === '' ? null : override.value;
    }
  }
}
