/**
 * Inbound files → what the hub applies. Which rule a file falls under (`matchInboundFile`), then the
 * rule's format from the registry (`parseInbound`). Pure: bytes in, ParsedInbound out, or a
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
import type { InboundStreamResult } from './format.ts';
import { INBOUND_FORMATS, inboundFormat } from './registry.ts';
import { parseX12Stream } from './x12/plugin.ts';

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

/** Parses one inbound file by its rule, through the rule's format in the registry. */
export function parseInbound(
  file: InboundFileConfig,
  inbound: InboundConfig,
  bytes: Buffer,
  filename?: string,
  limits?: InboundLimits,
): ParsedInbound {
  const parsed = inboundFormat(file.format).parse(bytes, file, { inbound, ...(filename === undefined ? {} : { filename }), ...(limits ? { limits } : {}) });
  // The rule says how the inventory read under it is applied (X12 846, JSON, CSV, XML, INVRPT alike).
  const feed = 'feed' in file ? file.feed : undefined;
  if (feed) {
    for (const item of parsed.items) if (item.kind === 'inventory' && item.feed === undefined) item.feed = feed;
  }
  return parsed;
}

/** The rule says how the inventory read under it is applied, on paths that do not go through parseInbound (sliced reads). */
export function stampFeed(parsed: ParsedInbound, file: InboundFileConfig): ParsedInbound {
  const feed = 'feed' in file ? file.feed : undefined;
  if (feed) {
    for (const item of parsed.items) if (item.kind === 'inventory' && item.feed === undefined) item.feed = feed;
  }
  return parsed;
}

/** What a streamed X12 read ends with, once every item has been yielded. */
export type X12StreamResult = InboundStreamResult;

/** Streams a large X12 file (see `parseX12Stream`). */
export function parseX12InboundStream(
  inbound: InboundConfig,
  source: AsyncIterable<Buffer | Uint8Array | string>,
  filename?: string,
  limits?: InboundLimits,
): AsyncGenerator<InboundItem, X12StreamResult, undefined> {
  return parseX12Stream(source, inbound.trackingFrom, filename, limits);
}

/**
 * The rule for a file no rule's `match` fits, from its first bytes: the first registered format
 * whose `sniff` recognises them (X12 begins with ISA, EDIFACT with UNA or UNB, JSON with `{` or
 * `[`), with that format's defaults. Suppliers pushing over HTTP rarely name files.
 */
export function sniffInboundRule(head: Buffer): InboundFileConfig | undefined {
  const text = head.subarray(0, 64).toString('latin1').replace(/^\xEF\xBB\xBF/, '').trimStart();
  const format = INBOUND_FORMATS.find((f) => 'sniff' in f && f.sniff?.(text));
  if (!format) return undefined;
  return { match: '*', format: format.name, ...format.rule.parse({}) } as InboundFileConfig;
}
