import { readFile } from 'node:fs/promises';
import type { ParsedInbound } from '../canonical/inbound.ts';
import type { InboundFileConfig } from '../config/mapping-schema.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { ParseError } from '../errors.ts';
import { matchInboundFile, parseInbound } from '../formats/inbound.ts';

/** Inbound files larger than this are refused (the reader streams, but the ledger keeps the bytes). */
export const MAX_INBOUND_BYTES = 64 * 1024 * 1024;

/**
 * Which of the mapping's inbound rules a file falls under. A file no rule matches is still read when
 * its content says what it is (X12 begins with ISA, JSON with `{` or `[`): suppliers pushing over
 * HTTP rarely name files.
 */
export function inboundRule(loaded: LoadedMapping, filename: string, content: Buffer): InboundFileConfig {
  const rule = matchInboundFile(loaded.mapping.inbound, filename);
  if (rule) return rule;
  const head = content.subarray(0, 64).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('ISA')) return { match: '*', format: 'x12', delimiter: ',' };
  if (head.startsWith('{') || head.startsWith('[')) return { match: '*', format: 'json', delimiter: ',' };
  throw new ParseError('inbound', `no inbound rule of ${loaded.supplier} matches "${filename}" and its content is not X12 or JSON`, { file: filename });
}

/** Parses one supplier file by the mapping's rules, without applying it. */
export function parseSupplierBytes(loaded: LoadedMapping, filename: string, content: Buffer): ParsedInbound {
  if (content.length > MAX_INBOUND_BYTES) {
    throw new ParseError('inbound', `file is ${content.length} bytes; the limit is ${MAX_INBOUND_BYTES}`, { file: filename });
  }
  const rule = inboundRule(loaded, filename, content);
  return parseInbound(rule, loaded.mapping.inbound, content, filename);
}

/** `hub documents parse`: what the hub would extract from a local file. */
export async function parseSupplierFile(loaded: LoadedMapping, filename: string, localPath: string): Promise<ParsedInbound> {
  return parseSupplierBytes(loaded, filename, await readFile(localPath));
}
