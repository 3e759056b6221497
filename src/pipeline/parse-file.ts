import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import type { InboundItem, InventoryItem, ParsedInbound } from '../canonical/inbound.ts';
import type { InboundFileConfig } from '../config/mapping-schema.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { ParseError } from '../errors.ts';
import { matchInboundFile, parseInbound, parseX12InboundStream, sniffInboundRule, stampFeed } from '../formats/inbound.ts';
import { inboundFormat } from '../formats/registry.ts';
import type { TrackingRuleKeys } from '../formats/tracking-rule.ts';
import { X12FileError } from '../formats/x12/read/index.ts';
import { readTrackingCsv } from '../formats/tracking-csv.ts';
import { readInventoryCsv } from '../formats/inventory-file.ts';
import { checkInboundLimits, DEFAULT_INBOUND_LIMITS, type InboundLimits } from '../limits.ts';
import { megabytes, Progress } from '../progress.ts';

/** Inbound files larger than this are refused (the reader streams, but the ledger keeps the bytes); `HUB_LIMIT_INBOUND_BYTES` changes it. */
export const MAX_INBOUND_BYTES = DEFAULT_INBOUND_LIMITS.fileBytes;

/**
 * Which of the mapping's inbound rules a file falls under. A file no rule matches is still read when
 * its content says what it is (X12 begins with ISA, EDIFACT with UNA or UNB, JSON with `{` or `[`):
 * suppliers pushing over HTTP rarely name files.
 */
export function inboundRule(loaded: LoadedMapping, filename: string, content: Buffer): InboundFileConfig {
  const rule = matchInboundFile(loaded.mapping.inbound, filename) ?? sniffInboundRule(content);
  if (rule) return rule;
  throw new ParseError('inbound', `no inbound rule of ${loaded.supplier} matches "${filename}" and its content is not X12, EDIFACT or JSON`, { file: filename });
}

/** Parses one supplier file by the mapping's rules, without applying it; a file over a limit (src/limits.ts) is refused. */
export function parseSupplierBytes(loaded: LoadedMapping, filename: string, content: Buffer, limits: InboundLimits = DEFAULT_INBOUND_LIMITS): ParsedInbound {
  assertInboundSize(filename, content, limits);
  const rule = inboundRule(loaded, filename, content);
  const parsed = parseInbound(rule, loaded.mapping.inbound, content, filename, limits);
  checkInboundLimits(parsed, limits, filename);
  return stampFeed(parsed, rule);
}

function assertInboundSize(filename: string, content: Buffer, limits: InboundLimits): void {
  if (content.length > limits.fileBytes) {
    throw new ParseError('inbound', `file is ${content.length} bytes; the limit is ${limits.fileBytes}`, { file: filename });
  }
}

/** Gives the event loop back: HTTP requests, other suppliers' polls and timers run, then reading goes on. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** How much is read between two yields: 256 KiB of input, or 2,000 sets or rows. */
const SLICE_BYTES = 256 * 1024;
const SLICE_ITEMS = 2_000;

/**
 * What `parseSupplierBytes` returns, read without holding the event loop: X12 and CSV in slices
 * that give it back (`pause`) between them, so that a big or hostile file never freezes the API or
 * other suppliers' work while it is read; the limits are checked as it is read, so a file over one
 * stops being read there. XML and JSON are read whole (their readers need the whole document).
 */
export async function readSupplierBytes(
  loaded: LoadedMapping,
  filename: string,
  content: Buffer,
  limits: InboundLimits = DEFAULT_INBOUND_LIMITS,
  pause: () => Promise<void> = yieldToEventLoop,
): Promise<ParsedInbound> {
  assertInboundSize(filename, content, limits);
  const rule = inboundRule(loaded, filename, content);
  let parsed: ParsedInbound;
  if (rule.format === 'x12') {
    parsed = await readX12Sliced(loaded, filename, content, limits, pause);
  } else if (rule.format === 'csv' && rule.document === 'inventory') {
    parsed = await readInventorySliced(rule, filename, content, pause);
  } else if (rule.format === 'csv') {
    const shipments = await readTrackingCsv(rule, content, { file: filename, maxRecords: limits.recordsPerFile, pause, sliceBytes: SLICE_BYTES, sliceRows: SLICE_ITEMS });
    parsed = { format: 'csv', items: shipments.map((shipment) => ({ kind: 'shipment', shipment })), groups: [] };
  } else {
    await pause();
    parsed = parseInbound(rule, loaded.mapping.inbound, content, filename, limits);
  }
  checkInboundLimits(parsed, limits, filename);
  return stampFeed(parsed, rule);
}

/** An inventory CSV, read as a stream of slices (rows checked as they come; see src/formats/inventory-file.ts). */
async function readInventorySliced(rule: TrackingRuleKeys, filename: string, content: Buffer, pause: () => Promise<void>): Promise<ParsedInbound> {
  const source = (async function* () {
    for (let at = 0; at < content.length; at += SLICE_BYTES) {
      yield content.subarray(at, at + SLICE_BYTES);
      await pause();
    }
  })();
  const items: InventoryItem[] = [];
  for await (const batch of readInventoryCsv(rule, source, { file: filename })) for (const item of batch) items.push(item);
  return { format: 'csv', items: [{ kind: 'inventory', items, ...(rule.feed ? { feed: rule.feed } : {}) }], groups: [] };
}

async function readX12Sliced(loaded: LoadedMapping, filename: string, content: Buffer, limits: InboundLimits, pause: () => Promise<void>): Promise<ParsedInbound> {
  const source = (async function* () {
    for (let at = 0; at < content.length; at += SLICE_BYTES) {
      yield content.subarray(at, at + SLICE_BYTES);
      await pause();
    }
  })();
  const items: InboundItem[] = [];
  const stream = parseX12InboundStream(loaded.mapping.inbound, source, filename, limits);
  try {
    for (;;) {
      const next = await stream.next();
      if (next.done) return { format: 'x12', items, ...next.value };
      items.push(next.value);
      if (items.length % SLICE_ITEMS === 0) await pause();
    }
  } catch (error) {
    // A refused file keeps what was read (its kind and order on the document, its 997s).
    if (error instanceof X12FileError) error.parsed.items = items;
    throw error;
  }
}

/**
 * `hub documents parse`: what the hub would extract from a local file. Formats that stream (X12,
 * EDIFACT) are read chunk by chunk (memory stays at one transaction set or message, however big the
 * file), with progress on stderr for a big file.
 */
export async function parseSupplierFile(loaded: LoadedMapping, filename: string, localPath: string): Promise<ParsedInbound> {
  const { size } = await stat(localPath);
  const head = Buffer.alloc(Math.min(size, 64));
  const handle = await open(localPath);
  try {
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  const rule = inboundRule(loaded, filename, head);
  const format = inboundFormat(rule.format);
  if (!format.parseStream) return parseSupplierBytes(loaded, filename, await readFile(localPath));
  const progress = new Progress(`reading ${filename}`, size, megabytes);
  let read = 0;
  const source = (async function* () {
    for await (const chunk of createReadStream(localPath, { highWaterMark: 1024 * 1024 })) {
      read += (chunk as Buffer).length;
      progress.update(read);
      yield chunk as Buffer;
    }
  })();
  const items: InboundItem[] = [];
  const stream = format.parseStream(source, rule, { inbound: loaded.mapping.inbound, filename });
  for (;;) {
    const next = await stream.next();
    if (next.done) {
      progress.finish(read);
      return { format: rule.format, items, ...next.value };
    }
    items.push(next.value);
  }
}
