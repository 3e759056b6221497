/**
 * Tracking XML from suppliers → Shipments.
 *
 * Safety first: a document declaring entities (`<!ENTITY`: external entities, "billion laughs") is
 * refused before anything parses it, and so is one nested deeper than 64 elements. The document is
 * then checked with `XMLValidator.validate` (fast-xml-parser's parser alone accepts malformed XML)
 * and parsed with `parseTagValue: false`, so values stay text (ZIP 02134 stays 02134, tracking
 * numbers keep their leading zeros). Only the five XML entities and character references are
 * decoded.
 *
 * The mapping's `records` is the dot path of the repeated shipment element from the root
 * (`Shipments.Shipment`); `fields` maps canonical names to dot paths below a record (`@name` for an
 * attribute): `poNumber`, `trackingNumber` (several matches = several tracking numbers), `carrier`,
 * `service`, `shippedAt`, `shipmentId`, and for lines either `sku`/`supplierSku`/`quantity` below the
 * record, or `lines` (the path of the repeated line element) with `sku`/`supplierSku`/`quantity`
 * below each line. Without `fields`, element names are the canonical names.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Shipment } from '../canonical/inbound.ts';
import type { TrackingRuleKeys } from './tracking-rule.ts';
import { ParseError, errorMessage } from '../errors.ts';
import { groupShipments, trackingRecord, type TrackingField, type TrackingRecord } from './tracking-csv.ts';

export const MAX_XML_DEPTH = 64;

const RECORD_FIELDS = ['poNumber', 'trackingNumber', 'carrier', 'service', 'shippedAt', 'shipmentId'] as const;
const LINE_FIELDS = ['sku', 'supplierSku', 'quantity'] as const;
export const XML_FIELDS = [...RECORD_FIELDS, 'lines', ...LINE_FIELDS] as const;

export interface TrackingXmlOptions {
  file?: string;
}

/** Line numbers for offsets into one text: the newlines are found once, then binary-searched. */
export class LineIndex {
  private newlines: number[] | undefined;
  constructor(private readonly text: string) {}

  lineAt(index: number): number {
    if (!this.newlines) {
      this.newlines = [];
      for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1)) this.newlines.push(i);
    }
    let low = 0;
    let high = this.newlines.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.newlines[mid]! < index) low = mid + 1;
      else high = mid;
    }
    return low + 1;
  }
}

function lineAt(text: string, index: number): number {
  return new LineIndex(text).lineAt(index);
}

/** Refuses entity declarations and excessive nesting, before any parser sees the document. */
export function guard(text: string, file: string | undefined): void {
  const entity = text.search(/<!ENTITY/i);
  if (entity !== -1) {
    throw new ParseError(
      'xml',
      'entity declarations (<!ENTITY) are refused: no external entities or entity expansion',
      { file, line: lineAt(text, entity) },
    );
  }
  let depth = 0;
  let i = 0;
  const n = text.length;
  while ((i = text.indexOf('<', i)) !== -1) {
    if (text.startsWith('<!--', i)) {
      const e = text.indexOf('-->', i + 4);
      if (e === -1) return; // malformed: the validator says where
      i = e + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const e = text.indexOf(']]>', i + 9);
      if (e === -1) return;
      i = e + 3;
    } else if (text.startsWith('<?', i)) {
      const e = text.indexOf('?>', i + 2);
      if (e === -1) return;
      i = e + 2;
    } else if (text.startsWith('<!', i)) {
      // DOCTYPE (without entities, see above): skip it with its internal subset.
      let bracket = 0;
      let j = i + 2;
      for (; j < n; j++) {
        const c = text.charCodeAt(j);
        if (c === 91) bracket++;
        else if (c === 93) bracket--;
        else if (c === 62 && bracket <= 0) break;
      }
      i = j + 1;
    } else if (text.charCodeAt(i + 1) === 47) {
      depth--;
      const e = text.indexOf('>', i);
      if (e === -1) return;
      i = e + 1;
    } else {
      let j = i + 1;
      let quote = 0;
      for (; j < n; j++) {
        const c = text.charCodeAt(j);
        if (quote) {
          if (c === quote) quote = 0;
        } else if (c === 34 || c === 39) quote = c;
        else if (c === 62) break;
      }
      if (j >= n) return;
      if (text.charCodeAt(j - 1) !== 47 && ++depth > MAX_XML_DEPTH) {
        throw new ParseError('xml', `elements nested deeper than ${MAX_XML_DEPTH} levels`, { file, line: lineAt(text, i) });
      }
      i = j + 1;
    }
  }
}

export function decode(bytes: Buffer | string): string {
  if (typeof bytes === 'string') return bytes.replace(/^\uFEFF/, '');
  const head = bytes.subarray(0, 200).toString('latin1');
  const declared = /^(?:\uFEFF|\xEF\xBB\xBF)?<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase();
  const latin1 = declared === 'iso-8859-1' || declared === 'latin1' || declared === 'windows-1252' || declared === 'us-ascii';
  return bytes.toString(latin1 ? 'latin1' : 'utf8').replace(/^\uFEFF/, '');
}

/** Every value at a dot path below `node`, arrays flattened at each step. */
export function atPath(node: unknown, path: string): unknown[] {
  let current: unknown[] = [node];
  for (const key of path.split('.')) {
    const next: unknown[] = [];
    for (const c of current) {
      if (c === null || typeof c !== 'object' || Array.isArray(c)) continue;
      if (!Object.prototype.hasOwnProperty.call(c, key)) continue;
      const v = (c as Record<string, unknown>)[key];
      if (Array.isArray(v)) next.push(...v);
      else next.push(v);
    }
    current = next;
  }
  return current;
}

export function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value !== null && typeof value === 'object' && '#text' in value) return text((value as Record<string, unknown>)['#text']);
  return '';
}

/** The parser's settings for partner XML: values stay text, no entity expansion beyond the five, nesting bounded. */
export const SAFE_XML_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: { enabled: true, maxEntityCount: 0, maxTotalExpansions: 10_000, maxExpandedLength: 1_000_000 },
  htmlEntities: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_XML_DEPTH + 1,
  captureMetaData: true,
} as const;

const META = XMLParser.getMetaDataSymbol();

export function startLine(lines: LineIndex, node: unknown): number | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const meta = (node as Record<symbol, { startIndex?: number } | undefined>)[META as symbol];
  return meta?.startIndex === undefined ? undefined : lines.lineAt(meta.startIndex);
}

/** Reads a tracking XML file by the file's `records` and `fields`. */
export function parseTrackingXml(
  file: Pick<TrackingRuleKeys, 'records' | 'fields'>,
  bytes: Buffer | string,
  options: TrackingXmlOptions = {},
): Shipment[] {
  const where = { file: options.file };
  if (!file.records) throw new ParseError('xml', 'the mapping gives no `records` path for this XML file', where);
  const fields: Record<string, string> = file.fields ?? Object.fromEntries(XML_FIELDS.filter((f) => f !== 'lines').map((f) => [f, f]));
  for (const name of Object.keys(fields)) {
    if (!(XML_FIELDS as readonly string[]).includes(name)) {
      throw new ParseError('xml', `mapping field ${JSON.stringify(name)} is not one of ${XML_FIELDS.join(', ')}`, where);
    }
  }
  for (const required of ['poNumber', 'trackingNumber'] as const) {
    if (!fields[required]) throw new ParseError('xml', `the mapping's fields give no path for ${required}`, where);
  }

  const source = decode(bytes);
  const lines = new LineIndex(source);
  guard(source, options.file);
  const valid = XMLValidator.validate(source);
  if (valid !== true) {
    throw new ParseError('xml', `not well-formed: ${valid.err.msg}`, { ...where, line: valid.err.line });
  }
  let doc: unknown;
  try {
    doc = new XMLParser(SAFE_XML_OPTIONS).parse(source);
  } catch (error) {
    throw new ParseError('xml', errorMessage(error), where, { cause: error });
  }

  const path = file.records.split('.');
  const parentPath = path.slice(0, -1).join('.');
  const parents = parentPath ? atPath(doc, parentPath) : [doc];
  if (parents.length === 0) {
    throw new ParseError('xml', `no <${path.join('><')}> element: the records path ${JSON.stringify(file.records)} matches nothing`, where);
  }
  const records = atPath(doc, file.records);

  const out: TrackingRecord[] = [];
  records.forEach((record, n) => {
    const at = { path: `${file.records}[${n + 1}]`, line: startLine(lines, record) };
    const values: Partial<Record<TrackingField, string | string[]>> = {};
    for (const f of RECORD_FIELDS) {
      const p = fields[f];
      if (!p || f === 'shipmentId') continue;
      const found = atPath(record, p).map(text);
      values[f] = f === 'trackingNumber' ? found : (found[0] ?? '');
    }
    const names = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v]));
    const shipmentId = fields.shipmentId ? text(atPath(record, fields.shipmentId)[0]).trim() : '';
    const linesPath = fields.lines;
    const lineNodes = linesPath ? atPath(record, linesPath) : [record];
    const before = out.length;
    for (const [i, lineNode] of lineNodes.entries()) {
      const lineValues = { ...values };
      for (const f of LINE_FIELDS) {
        const p = fields[f];
        if (p) lineValues[f] = text(atPath(lineNode, p)[0]);
      }
      const lineWhere = linesPath ? { ...at, path: `${at.path}.${linesPath}[${i + 1}]`, line: startLine(lines, lineNode) ?? at.line } : at;
      const r = trackingRecord('xml', lineValues, names, lineWhere, options.file);
      if (r) out.push(r);
    }
    if (out.length === before) {
      // No lines (or an empty lines list): the record still says the PO shipped with this tracking.
      const r = trackingRecord('xml', values, names, at, options.file);
      if (!r) throw new ParseError('xml', `${at.path}: empty record`, { file: options.file, line: at.line });
      out.push(r);
    }
    if (shipmentId) for (const r of out.slice(before)) r.shipmentId = shipmentId;
  });
  return groupShipments(out);
}
