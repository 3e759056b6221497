/**
 * The 850 Purchase Order, hub → supplier: one PO in one interchange.
 *
 *   BEG*00*DS*<PO>**<date>  CUR*BY*<currency>  REF*IA*<vendor number>  TD5 carrier/service
 *   N9*L1*NOTES + MSG (004010) or MTX (004030, 005010): order notes, gift messages
 *   N1*ST ship-to (N2 company, N3 street, N4 city/state/postal/country, PER phone/email)
 *   N1*BT the retailer
 *   PO1*<n>*<qty>*EA*<price>**VN*<supplier SKU>*SK*<retailer SKU>[*UP*<upc>] + PID*F****<title>
 *   CTT*<lines>*<Σ qty>  AMT*TT*<total>
 *
 * Mapping overrides (already evaluated, see `resolveOverrides` in formats/outbound.ts) replace or
 * remove single elements, and may add REF/DTM segments by qualifier. Every segment is checked
 * against the version's 850 table (elements.ts): a segment the version does not define in the 850
 * (MSG in 005010, MTX in 004010) is a RenderError, not a file a strict partner rejects.
 *
 * Identifiers (PO number, SKUs, UPC, vendor number, REF values) go out exactly or not at all; free
 * text changed on the way (transliterated, cut, left out) is reported in `warnings`.
 */
import type { PurchaseOrder, PurchaseOrderLine } from '../../../canonical/purchase-order.ts';
import type { ControlNumbers } from '../../../canonical/purchase-order.ts';
import type { X12EnvelopeConfig } from '../../../config/mapping-schema.ts';
import { RenderError } from '../../../errors.ts';
import type { SegmentSpec, SegmentTag, VersionTable } from './elements.ts';
import { X12Writer, beginInterchange, endInterchange, stamp, type ElementValue, type RenderWarning, type SegmentOptions } from './writer.ts';

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
  /** See SegmentOptions.fields. */
  fields?: (string | undefined)[];
}

/** Notes longer than this are cut (20 MSG segments of 264 characters; two MTX of 4096 hold it). */
const MAX_NOTES = 20 * 264;
const SCAC = /^[A-Z]{2,4}$/;
const SERVICE_LEVEL_CODE = /^[A-Z0-9]{2}$/;

/**
 * The 850 for one PO, in the mapping's X12 version. `warnings`, when given, receives a warning for
 * each text value changed, cut or left out on the way.
 */
export function render850(
  po: PurchaseOrder,
  env: X12EnvelopeConfig,
  numbers: ControlNumbers,
  overrides?: Overrides850,
  warnings?: RenderWarning[],
): string {
  const writer = X12Writer.forEnvelope(env, { upperCase: env.upperCase, document: '850' });
  // Overrides edit the header segments before they are written, so only then are they collected
  // as drafts; otherwise they are written as they are made (after the envelope's own checks).
  let header: Draft[] | undefined;
  if (overrides?.header.length) {
    header = [];
    const drafts = header;
    headerSegments(po, env, writer, (tag, values, options) =>
      drafts.push({ tag, values, optionalAfter: options?.optionalAfter, fields: options?.fields ? [...options.fields] : [] }),
    );
    applyOverrides(header, overrides.header, true, writer.table);
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
      const drafts = lineDrafts(line, i);
      applyOverrides(drafts, lineOverrides, false, writer.table);
      for (const draft of drafts) write(writer, draft);
    } else {
      writer.segment('PO1', po1Values(line), po1Options(i));
      if (line.title) writer.segment('PID', ['F', null, null, null, line.title], pidOptions(i));
    }
  }
  writer.segment('CTT', [po.lines.length, quantity]);
  writer.segment('AMT', ['TT', po.total], AMT_OPTIONS);
  endInterchange(writer, open);
  if (warnings) warnings.push(...writer.warnings);
  return writer.toString();
}

const AMT_OPTIONS: SegmentOptions = { fields: [undefined, 'total'] };

function po1Values(line: PurchaseOrderLine): ElementValue[] {
  return [line.lineNumber, line.quantity, 'EA', line.unitPrice, null, 'VN', line.supplierSku, 'SK', line.sku, line.upc ? 'UP' : null, line.upc];
}

/** Field names of a PO1's values, for errors: `lines[2].supplierSku`. Cached per line index. */
const PO1_FIELDS: (string | undefined)[][] = [];
function po1Fields(i: number): (string | undefined)[] {
  return (PO1_FIELDS[i] ??= [
    `lines[${i}].lineNumber`, `lines[${i}].quantity`, undefined, `lines[${i}].unitPrice`, undefined,
    undefined, `lines[${i}].supplierSku`, undefined, `lines[${i}].sku`, undefined, `lines[${i}].upc`,
  ]);
}
const PID_FIELDS: (string | undefined)[][] = [];
function pidFields(i: number): (string | undefined)[] {
  return (PID_FIELDS[i] ??= [undefined, undefined, undefined, undefined, `lines[${i}].title`]);
}
/** The segment options of line i's PO1 and PID, made once per line index (not once per PO). */
const PO1_OPTIONS: SegmentOptions[] = [];
function po1Options(i: number): SegmentOptions {
  return (PO1_OPTIONS[i] ??= { fields: po1Fields(i) });
}
const PID_OPTIONS: SegmentOptions[] = [];
function pidOptions(i: number): SegmentOptions {
  return (PID_OPTIONS[i] ??= { optionalAfter: 1, fields: pidFields(i) });
}

function lineDrafts(line: PurchaseOrderLine, i: number): Draft[] {
  return [
    { tag: 'PO1', values: po1Values(line), fields: [...po1Fields(i)] },
    { tag: 'PID', values: ['F', null, null, null, line.title], optionalAfter: 1, fields: [...pidFields(i)] },
  ];
}

function write(writer: X12Writer, draft: Draft): void {
  writer.segment(draft.tag, draft.values, {
    ...(draft.optionalAfter === undefined ? {} : { optionalAfter: draft.optionalAfter }),
    ...(draft.fields ? { fields: draft.fields } : {}),
  });
}

type EmitSegment = (tag: SegmentTag, values: ElementValue[], options?: SegmentOptions) => void;

/** The header segments, BEG to N1*BT, in order. */
function headerSegments(po: PurchaseOrder, env: X12EnvelopeConfig, writer: X12Writer, emit: EmitSegment): void {
  emit('BEG', [po.purpose === 'cancel' ? '01' : '00', 'DS', po.poNumber, null, stamp(po.createdAt, 'BEG05').ccyymmdd], BEG_OPTIONS);
  emit('CUR', ['BY', po.currency], CUR_OPTIONS);
  emit('REF', ['IA', env.vendorNumber], REF_IA_OPTIONS);
  emit('TD5', td5(po.shipping), TD5_OPTIONS);
  notes(po, writer, emit);
  const ship = po.shipTo;
  const phone = ship.phone || po.customer.phone;
  const email = po.customer.email;
  const per: ElementValue[] = ['IC', null];
  const perFields: (string | undefined)[] = [undefined, undefined];
  if (phone) {
    per.push('TE', phone);
    perFields.push(undefined, ship.phone ? 'shipTo.phone' : 'customer.phone');
  }
  if (email) {
    per.push('EM', email);
    perFields.push(undefined, 'customer.email');
  }
  emit('N1', ['ST', ship.name], N1_ST_OPTIONS);
  emit('N2', [ship.company], N2_OPTIONS);
  emit('N3', [ship.address1, ship.address2], N3_OPTIONS);
  emit('N4', [ship.city, ship.region, ship.postalCode, ship.country], N4_OPTIONS);
  emit('PER', per, { optionalAfter: 1, fields: perFields });
  emit('N1', ['BT', po.retailer.name, '92', po.retailer.id], N1_BT_OPTIONS);
}

// Where each header value comes from (named in errors and warnings), with the segment's options.
const BEG_OPTIONS: SegmentOptions = { fields: [undefined, undefined, 'poNumber', undefined, 'createdAt'] };
const CUR_OPTIONS: SegmentOptions = { fields: [undefined, 'currency'] };
const REF_IA_OPTIONS: SegmentOptions = { optionalAfter: 1, fields: [undefined, 'outbound.x12.vendorNumber'] };
const TD5_OPTIONS: SegmentOptions = {
  optionalAfter: 0,
  fields: [undefined, undefined, 'shipping.carrier', undefined, 'shipping', undefined, undefined, undefined, undefined, undefined, undefined, 'shipping.serviceLevel'],
};
const N1_ST_OPTIONS: SegmentOptions = { fields: [undefined, 'shipTo.name'] };
const N2_OPTIONS: SegmentOptions = { optionalAfter: 0, fields: ['shipTo.company'] };
const N3_OPTIONS: SegmentOptions = { fields: ['shipTo.address1', 'shipTo.address2'] };
const N4_OPTIONS: SegmentOptions = { fields: ['shipTo.city', 'shipTo.region', 'shipTo.postalCode', 'shipTo.country'] };
const N1_BT_OPTIONS: SegmentOptions = { fields: [undefined, 'retailer.name', undefined, 'retailer.id'] };
const NOTE_FIELDS = ['notes'];
const MTX_FIELDS = [undefined, 'notes'];

/**
 * N9*L1*NOTES and the notes as text segments: MSG (264 characters each) in 004010, MTX (4096) in
 * 004030 and 005010, split at spaces. Notes longer than MAX_NOTES are cut, with a warning.
 */
function notes(po: PurchaseOrder, writer: X12Writer, emit: EmitSegment): void {
  if (!po.notes) return;
  const element = writer.table.noteSegment === 'MSG' ? 'MSG MSG01' : 'MTX MTX02';
  let text = writer.cleanText(po.notes, 'notes', element);
  if (!text) return;
  if (text.length > MAX_NOTES) {
    writer.warn('notes', element, `cut to ${MAX_NOTES} characters (was ${text.length})`);
    text = text.slice(0, MAX_NOTES).trimEnd();
  }
  emit('N9', ['L1', 'NOTES']);
  if (writer.table.noteSegment === 'MSG') {
    for (const chunk of chunks(text, 264)) emit('MSG', [chunk], { fields: NOTE_FIELDS });
  } else {
    for (const chunk of chunks(text, 4096)) emit('MTX', [null, chunk], { fields: MTX_FIELDS });
  }
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

function applyOverrides(drafts: Draft[], overrides: readonly ResolvedOverride[], header: boolean, table: VersionTable): void {
  for (const override of overrides) {
    if (LINE_SEGMENTS.has(override.segment) === header) continue;
    const spec = (table.segments as Record<string, SegmentSpec | undefined>)[override.segment];
    if (!spec || !table.po850.has(override.segment as SegmentTag)) {
      throw new RenderError(
        `outbound.overrides.${override.key}: ${override.segment} is not part of the ${table.version} 850${override.segment === 'MSG' || override.segment === 'MTX' ? ` (its N9 loop carries ${table.noteSegment})` : ''}`,
        { override: override.key, version: table.version },
      );
    }
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
      const draft: Draft = { tag: override.segment as SegmentTag, values: [override.qualifier], optionalAfter: 1, fields: [] };
      drafts.splice(at, 0, draft);
      targets.push(draft);
    }
    for (const draft of targets) {
      while (draft.values.length < override.element) draft.values.push(null);
      draft.values[override.element - 1] = override.value === '' ? null : override.value;
      draft.fields ??= [];
      draft.fields[override.element - 1] = `outbound.overrides.${override.key}`;
    }
  }
}
