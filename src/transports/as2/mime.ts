/**
 * The little MIME that AS2 needs (RFC 2045/2046/1847): header blocks, Content-Type parameters,
 * multipart bodies split with each part's exact bytes (a signature covers them byte for byte), and
 * transfer encodings. Pure: no I/O. Everything read here comes from a partner, so every count and
 * size is bounded and every failure is a ParseError naming what was wrong.
 */
import { createHash } from 'node:crypto';
import { ParseError } from '../../errors.ts';

/** A partner's bytes that are not the MIME the message claims to be. */
export function mimeError(message: string): ParseError {
  return new ParseError('AS2 message', message);
}

/** A MIME entity: lower-case header names → values (unfolded), and the raw body bytes. */
export interface MimeEntity {
  headers: Map<string, string>;
  body: Buffer;
  /** The entity's bytes as received (headers, blank line, body). */
  raw: Buffer;
}

export interface ContentType {
  /** Lower case, e.g. `multipart/signed`. */
  type: string;
  /** Parameter names lower case; values unquoted. */
  params: Map<string, string>;
}

const CRLF = Buffer.from('\r\n');
const MAX_HEADERS = 100;
const MAX_HEADER_BLOCK = 64 * 1024;
const MAX_PARTS = 16;

/** Serialises a header block: `Name: value\r\n` each, then the blank line. */
export function headerBlock(headers: [string, string][]): Buffer {
  for (const [name, value] of headers) {
    if (!/^[A-Za-z0-9-]+$/.test(name) || /[\r\n]/.test(value)) throw mimeError(`cannot write header ${JSON.stringify(name)}`);
  }
  return Buffer.from(`${headers.map(([n, v]) => `${n}: ${v}`).join('\r\n')}\r\n\r\n`, 'latin1');
}

/** A MIME entity's bytes: its headers, a blank line and the body. */
export function entity(headers: [string, string][], body: Buffer): Buffer {
  return Buffer.concat([headerBlock(headers), body]);
}

/**
 * Splits an entity into headers and body. The blank line may be CRLF CRLF or (from sloppy senders)
 * LF LF; folded header lines are unfolded.
 */
export function parseEntity(raw: Buffer): MimeEntity {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  let headerEnd: number;
  let bodyStart: number;
  if (raw.subarray(0, 2).toString('latin1') === '\r\n') {
    headerEnd = 0;
    bodyStart = 2;
  } else if (crlf >= 0 && (lf < 0 || crlf < lf)) {
    headerEnd = crlf;
    bodyStart = crlf + 4;
  } else if (lf >= 0) {
    headerEnd = lf;
    bodyStart = lf + 2;
  } else {
    throw mimeError('the MIME entity has no blank line after its headers (cut short?)');
  }
  if (headerEnd > MAX_HEADER_BLOCK) throw mimeError(`the MIME headers are longer than ${MAX_HEADER_BLOCK} bytes`);
  return { headers: parseHeaders(raw.subarray(0, headerEnd).toString('latin1')), body: raw.subarray(bodyStart), raw };
}

/** Parses `Name: value` lines (folded lines joined); names lower case; later duplicates ignored. */
export function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  let current: [string, string] | undefined;
  const flush = () => {
    if (current && !headers.has(current[0])) headers.set(current[0], current[1].trim());
  };
  for (const line of lines) {
    if (line === '') continue;
    if (/^[ \t]/.test(line) && current) {
      current[1] += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    if (colon <= 0) throw mimeError(`a MIME header line has no name: ${JSON.stringify(line.slice(0, 60))}`);
    current = [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1)];
    if (headers.size >= MAX_HEADERS) throw mimeError(`more than ${MAX_HEADERS} MIME headers`);
  }
  flush();
  return headers;
}

/** `multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="x"`. */
export function parseContentType(value: string | undefined): ContentType {
  if (!value) return { type: 'text/plain', params: new Map() };
  const params = new Map<string, string>();
  const [head, ...rest] = splitOutsideQuotes(value, ';');
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let v = part.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    if (!params.has(name)) params.set(name, v);
  }
  return { type: (head ?? '').trim().toLowerCase(), params };
}

function splitOutsideQuotes(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\' && quoted && i + 1 < value.length) {
      current += ch + value[++i];
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/** A parameter value, quoted when it needs to be. */
export function quoteParam(value: string): string {
  return /^[A-Za-z0-9!#$&.+^_`{}|~-]+$/.test(value) ? value : `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * A boundary derived from the parts it separates (stable for the same parts), that none of them
 * contains.
 */
export function boundaryFor(...parts: Buffer[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  const seed = hash.digest('hex');
  for (let i = 0; ; i++) {
    const boundary = `----=_dropship_hub_${seed.slice(0, 24)}${i === 0 ? '' : `_${i}`}`;
    if (!parts.some((p) => p.includes(boundary))) return boundary;
  }
}

/** A multipart body: each part's bytes (an entity), between `--boundary` lines, then the closing one. */
export function multipartBody(boundary: string, parts: Buffer[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) chunks.push(Buffer.from(`--${boundary}\r\n`, 'latin1'), part, CRLF);
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return Buffer.concat(chunks);
}

/**
 * The parts of a multipart body, each as the exact bytes between its delimiter line and the CRLF
 * before the next delimiter (RFC 2046 §5.1.1): what a multipart/signed signature covers.
 */
export function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  if (!boundary || boundary.length > 200) throw mimeError('the multipart body has no usable boundary');
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Buffer[] = [];
  // The first delimiter may open the body, or follow a preamble's line break.
  let at = body.subarray(0, delimiter.length).equals(delimiter) ? 0 : findDelimiter(body, delimiter, 0);
  if (at < 0) throw mimeError(`the multipart body has no "--${boundary}" line`);
  for (;;) {
    const lineEnd = body.indexOf('\n', at + delimiter.length);
    const after = body.subarray(at + delimiter.length, at + delimiter.length + 2).toString('latin1');
    if (after === '--') return parts;
    if (lineEnd < 0) break;
    const start = lineEnd + 1;
    const next = findDelimiter(body, delimiter, start);
    if (next < 0) break;
    // The CRLF (or LF) before the delimiter belongs to the delimiter.
    let end = next;
    if (body[end - 1] === 0x0a) end--;
    if (body[end - 1] === 0x0d) end--;
    parts.push(body.subarray(start, Math.max(start, end)));
    if (parts.length > MAX_PARTS) throw mimeError(`the multipart body has more than ${MAX_PARTS} parts`);
    at = next;
  }
  throw mimeError(`the multipart body is not closed by "--${boundary}--" (cut short?)`);
}

/** The next `\n--boundary` at or after `from`, as the index of the `--`. */
function findDelimiter(body: Buffer, delimiter: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const found = body.indexOf(delimiter, at);
    if (found < 0) return -1;
    if (found === 0 || body[found - 1] === 0x0a) return found;
    at = found + 1;
  }
}

/** The body of an entity with its Content-Transfer-Encoding undone (base64, quoted-printable, 7bit/8bit/binary). */
export function decodeBody(part: MimeEntity): Buffer {
  const encoding = (part.headers.get('content-transfer-encoding') ?? 'binary').trim().toLowerCase();
  switch (encoding) {
    case 'base64':
      return decodeBase64Strict(part.body);
    case 'quoted-printable':
      return decodeQuotedPrintable(part.body);
    case '7bit':
    case '8bit':
    case 'binary':
      return part.body;
    default:
      throw mimeError(`unknown Content-Transfer-Encoding "${encoding.slice(0, 40)}"`);
  }
}

/** base64 with line breaks allowed; anything else (or a cut-off group) is an error, not silently dropped. */
export function decodeBase64Strict(data: Buffer): Buffer {
  const text = data.toString('latin1').replace(/[\r\n\t ]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw mimeError('the base64 body is malformed or cut short');
  }
  return Buffer.from(text, 'base64');
}

/** Whether bytes look like base64 text rather than DER (which starts with a SEQUENCE tag, 0x30). */
export function looksLikeBase64(data: Buffer): boolean {
  if (data.length === 0 || data[0] === 0x30) return false;
  const head = data.subarray(0, 256).toString('latin1');
  return /^[A-Za-z0-9+/=\r\n\t ]+$/.test(head);
}

function decodeQuotedPrintable(data: Buffer): Buffer {
  const text = data.toString('latin1').replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(text.charCodeAt(i));
    }
  }
  return Buffer.from(out);
}

/** base64 in lines of 76 characters, as MIME wants it. */
export function base64Lines(data: Buffer): Buffer {
  const text = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += 76) lines.push(text.slice(i, i + 76));
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1');
}

/** Lone LFs made CRLF (the canonical form of text), leaving existing CRLFs alone. */
export function canonicalLineEnds(data: Buffer): Buffer {
  if (!data.includes(0x0a)) return data;
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const byte = data[i]!;
    if (byte === 0x0a && (i === 0 || data[i - 1] !== 0x0d)) out.push(0x0d);
    out.push(byte);
  }
  return Buffer.from(out);
}

/** The `filename` of a Content-Disposition header, when present. */
export function dispositionFilename(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const params = parseContentType(value).params;
  return params.get('filename') ?? undefined;
}
