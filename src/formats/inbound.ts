/**
 * Inbound files → what the hub applies. Which rule a file falls under (`matchInboundFile`), then one
 * switch over the rule's format (`parseInbound`). Pure: bytes in, ParsedInbound out, or a
 * ParseError; nothing is returned from a file with any error in it. X12 files are read through
 * `X12Interpreter`: sets the hub does not read are reported (warnings) rather than refusing the file,
 * and a refused X12 file's ParseError (X12FileError) still carries what the 997 must answer.
 *
 * @example
 *   const rule = matchInboundFile(mapping.inbound, 'ASN_20261127.856');
 *   if (rule) apply(parseInbound(rule, mapping.inbound, bytes, 'ASN_20261127.856'));
 */
import type { InboundItem, ParsedInbound } from '../canonical/inbound.ts';
import type { InboundConfig, InboundFileConfig } from '../config/mapping-schema.ts';
import type { InboundLimits } from '../limits.ts';
import { parseInboundJson } from './inbound-json.ts';
import { parseInventoryCsv, parseInventoryXml } from './inventory-file.ts';
import { parseTrackingCsv } from './tracking-csv.ts';
import { parseTrackingXml } from './tracking-xml.ts';
import { X12Interpreter, interpretX12, readX12, readX12Stream } from './x12/read/index.ts';

/** A glob over a file's base name: `*` any run of characters, `?` one; case-insensitive. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const ch of glob) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

function baseName(filename: string): string {
  const i = Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\'));
  return i === -1 ? filename : filename.slice(i + 1);
}

/** The first of the mapping's inbound rules whose `match` fits the file's base name. */
export function matchInboundFile(inbound: InboundConfig, filename: string): InboundFileConfig | undefined {
  const name = baseName(filename);
  return inbound.files.find((file) => globToRegExp(file.match).test(name));
}

function items(shipments: ReturnType<typeof parseTrackingCsv>): InboundItem[] {
  return shipments.map((shipment) => ({ kind: 'shipment', shipment }));
}

/** Parses one inbound file by its rule. X12 also returns the groups to answer with 997s. */
export function parseInbound(
  file: InboundFileConfig,
  inbound: InboundConfig,
  bytes: Buffer,
  filename?: string,
  limits?: InboundLimits,
): ParsedInbound {
  return stampFeed(parseByFormat(file, inbound, bytes, filename, limits), file);
}

/** The rule says how the inventory read under it is applied (X12 846, JSON, CSV, XML alike). */
export function stampFeed(parsed: ParsedInbound, file: InboundFileConfig): ParsedInbound {
  if (file.feed) {
    for (const item of parsed.items) if (item.kind === 'inventory' && item.feed === undefined) item.feed = file.feed;
  }
  return parsed;
}

function parseByFormat(file: InboundFileConfig, inbound: InboundConfig, bytes: Buffer, filename?: string, limits?: InboundLimits): ParsedInbound {
  const format = file.format;
  const inventory = file.document === 'inventory';
  switch (format) {
    case 'x12':
      return interpretX12(readX12(bytes, { file: filename, recover: true }), { trackingFrom: inbound.trackingFrom, ...(limits ? { limits } : {}) }, filename);
    case 'csv':
      if (inventory) return { format, items: [{ kind: 'inventory', items: parseInventoryCsv(file, bytes, { file: filename }) }], groups: [] };
      return { format, items: items(parseTrackingCsv(file, bytes, { file: filename, ...(limits ? { maxRecords: limits.recordsPerFile } : {}) })), groups: [] };
    case 'xml':
      if (inventory) return { format, items: [{ kind: 'inventory', items: parseInventoryXml(file, bytes, { file: filename }) }], groups: [] };
      return { format, items: items(parseTrackingXml(file, bytes, { file: filename })), groups: [] };
    case 'json':
      return { format, items: parseInboundJson(bytes, { file: filename }), groups: [] };
    default: {
      const unknown: never = format;
      throw new Error(`unhandled inbound format ${String(unknown)}`);
    }
  }
}

/** What a streamed X12 read ends with, once every item has been yielded. */
export type X12StreamResult = Omit<ParsedInbound, 'format' | 'items'>;

/**
 * Streams a large X12 file: yields the items of each transaction set as soon as it is read (only
 * that set in memory) and returns the groups read (with how each set is answered), the warnings and
 * the TA1s owed. Sets already yielded stay valid only if the generator completes: an envelope error
 * later in the file (a bad GE/IEA), or a set refused anywhere, is thrown at the end, so stage what
 * you apply until then.
 */
export async function* parseX12InboundStream(
  inbound: InboundConfig,
  source: AsyncIterable<Buffer | Uint8Array | string>,
  filename?: string,
  limits?: InboundLimits,
): AsyncGenerator<InboundItem, X12StreamResult, undefined> {
  const reader = readX12Stream(source, { file: filename, recover: true });
  const interpreter = new X12Interpreter({ trackingFrom: inbound.trackingFrom, ...(limits ? { limits } : {}) }, false, filename);
  for (;;) {
    const next = await reader.next();
    if (next.done) {
      const { groups, interchangeAcks, warnings } = interpreter.finish(next.value.groups, next.value.ackRequests, filename);
      return { groups, ...(interchangeAcks ? { interchangeAcks } : {}), ...(warnings ? { warnings } : {}) };
    }
    yield* interpreter.add(next.value);
  }
}
