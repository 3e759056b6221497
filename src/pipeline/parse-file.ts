import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import type { InboundItem, ParsedInbound } from '../canonical/inbound.ts';
import type { InboundFileConfig } from '../config/mapping-schema.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { ParseError } from '../errors.ts';
import { matchInboundFile, parseInbound, sniffInboundRule } from '../formats/inbound.ts';
import { inboundFormat } from '../formats/registry.ts';
import { megabytes, Progress } from '../progress.ts';

/** Inbound files larger than this are refused (the reader streams, but the ledger keeps the bytes). */
export const MAX_INBOUND_BYTES = 64 * 1024 * 1024;

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

/** Parses one supplier file by the mapping's rules, without applying it. */
export function parseSupplierBytes(loaded: LoadedMapping, filename: string, content: Buffer): ParsedInbound {
  if (content.length > MAX_INBOUND_BYTES) {
    throw new ParseError('inbound', `file is ${content.length} bytes; the limit is ${MAX_INBOUND_BYTES}`, { file: filename });
  }
  const rule = inboundRule(loaded, filename, content);
  return parseInbound(rule, loaded.mapping.inbound, content, filename);
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
