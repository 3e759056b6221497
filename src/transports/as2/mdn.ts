/**
 * Message Disposition Notifications (RFC 3798, as AS2 uses them: RFC 4130 §7): the receipt a
 * partner returns for an AS2 message, a multipart/report whose second part says what became of the
 * message (`Disposition`) and proves what was received (`Received-Content-MIC`). Pure.
 */
import { createHash } from 'node:crypto';
import type { As2Failure, DigestName } from './cms.ts';
import { boundaryFor, decodeBody, entity, mimeError, multipartBody, parseContentType, parseEntity, parseHeaders, quoteParam, splitMultipart } from './mime.ts';

/** `processed`, `processed/warning: duplicate-document`, `processed/error: decryption-failed`, `failed/failure: …`. */
export interface Disposition {
  type: 'processed' | 'failed';
  modifier?: 'error' | 'warning' | 'failure';
  /** The words after the colon, as sent (e.g. `decryption-failed`). */
  description?: string;
}

export interface MdnFields {
  originalMessageId: string | undefined;
  /** `Received-Content-MIC`: the digest (base64) and its algorithm as named there. */
  mic: { value: string; algorithm: string } | undefined;
  disposition: Disposition;
  /** The raw `Disposition` line. */
  dispositionLine: string;
  /** The human-readable first part, trimmed (for error messages). */
  text: string;
}

/** The AS2 names of digests in `micalg` and `Received-Content-MIC` (RFC 5751 and RFC 4130 spellings). */
const MIC_NAMES: Record<string, DigestName> = {
  sha1: 'sha1',
  'sha-1': 'sha1',
  sha256: 'sha256',
  'sha-256': 'sha256',
  sha384: 'sha384',
  'sha-384': 'sha384',
  sha512: 'sha512',
  'sha-512': 'sha512',
};

export function digestFromMicName(name: string): DigestName | undefined {
  return MIC_NAMES[name.trim().toLowerCase()];
}

export function micName(digest: DigestName): string {
  return digest === 'sha1' ? 'sha1' : `sha-${digest.slice(3)}`;
}

/** A MIC as `Received-Content-MIC` carries it: `<base64 digest>, sha-256`. */
export function computeMic(signedEntity: Buffer, digest: DigestName): string {
  return `${createHash(digest).update(signedEntity).digest('base64')}, ${micName(digest)}`;
}

export function dispositionLine(disposition: Disposition): string {
  const tail = disposition.modifier ? `/${disposition.modifier}: ${disposition.description ?? ''}` : '';
  return `automatic-action/MDN-sent-automatically; ${disposition.type}${tail}`;
}

export function parseDisposition(line: string): Disposition {
  const match = /;\s*(processed|failed)\s*(?:\/\s*(error|warning|failure)\s*:\s*(.*))?$/i.exec(line.trim());
  if (!match) throw mimeError(`the MDN's Disposition is not understood: ${JSON.stringify(line.slice(0, 120))}`);
  const type = match[1]!.toLowerCase() as Disposition['type'];
  const modifier = match[2]?.toLowerCase() as Disposition['modifier'];
  return { type, ...(modifier ? { modifier, description: (match[3] ?? '').trim() } : {}) };
}

/** Whether a disposition says the message was received and is the partner's now (warnings included). */
export function isPositive(disposition: Disposition): boolean {
  return disposition.type === 'processed' && (disposition.modifier === undefined || disposition.modifier === 'warning');
}

export interface MdnInput {
  /** The AS2 id of whoever sends the MDN (the receiver of the original message). */
  reportingId: string;
  originalMessageId: string;
  mic: string | undefined;
  disposition: Disposition;
  /** One or two sentences for a person. */
  text: string;
}

/** The MDN as a MIME entity (multipart/report with its Content-Type header), ready to be signed. */
export function buildMdn(input: MdnInput): Buffer {
  const humanPart = entity([['Content-Type', 'text/plain; charset=us-ascii'], ['Content-Transfer-Encoding', '7bit']], Buffer.from(`${ascii(input.text)}\r\n`, 'latin1'));
  const fields = [
    ['Reporting-UA', 'dropship-hub'],
    ['Original-Recipient', `rfc822; ${input.reportingId}`],
    ['Final-Recipient', `rfc822; ${input.reportingId}`],
    ['Original-Message-ID', input.originalMessageId],
    ...(input.mic ? [['Received-Content-MIC', input.mic]] : []),
    ['Disposition', dispositionLine(input.disposition)],
  ].map(([name, value]) => `${name}: ${ascii(value!)}`);
  const reportPart = entity(
    [['Content-Type', 'message/disposition-notification'], ['Content-Transfer-Encoding', '7bit']],
    Buffer.from(`${fields.join('\r\n')}\r\n`, 'latin1'),
  );
  const boundary = boundaryFor(humanPart, reportPart);
  return entity(
    [['Content-Type', `multipart/report; report-type=disposition-notification; boundary=${quoteParam(boundary)}`]],
    multipartBody(boundary, [humanPart, reportPart]),
  );
}

/** Reads an MDN entity (multipart/report, or a bare message/disposition-notification part). */
export function parseMdn(raw: Buffer): MdnFields {
  const top = parseEntity(raw);
  const type = parseContentType(top.headers.get('content-type'));
  let text = '';
  let report: Buffer | undefined;
  if (type.type === 'multipart/report') {
    for (const partBytes of splitMultipart(top.body, type.params.get('boundary') ?? '')) {
      const part = parseEntity(partBytes);
      const partType = parseContentType(part.headers.get('content-type')).type;
      if (partType === 'message/disposition-notification') report = decodeBody(part);
      else if (partType === 'text/plain' && !text) text = decodeBody(part).toString('utf8').trim().slice(0, 500);
    }
  } else if (type.type === 'message/disposition-notification') {
    report = decodeBody(top);
  }
  if (!report) throw mimeError('the answer is not an MDN (no message/disposition-notification part)');
  const fields = parseHeaders(report.toString('latin1'));
  const line = fields.get('disposition');
  if (!line) throw mimeError('the MDN has no Disposition field');
  const micField = fields.get('received-content-mic');
  let mic: MdnFields['mic'];
  if (micField) {
    const [value, algorithm] = micField.split(',').map((s) => s.trim());
    if (value && algorithm) mic = { value, algorithm };
  }
  return { originalMessageId: fields.get('original-message-id'), mic, disposition: parseDisposition(line), dispositionLine: line, text };
}

export interface DispositionOptions {
  /** A signed receipt was asked for. */
  signed: boolean;
  /** The digest to compute the MIC with: the first of the partner's list that the hub supports. */
  micDigest: DigestName | undefined;
}

/**
 * `Disposition-Notification-Options: signed-receipt-protocol=optional, pkcs7-signature;
 * signed-receipt-micalg=optional, sha-256, sha1`.
 */
export function parseDispositionOptions(value: string | undefined): DispositionOptions {
  if (!value) return { signed: false, micDigest: undefined };
  let signed = false;
  let micDigest: DigestName | undefined;
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    const values = part.slice(eq + 1).split(',').map((v) => v.trim().toLowerCase());
    if (name === 'signed-receipt-protocol') signed = values.includes('pkcs7-signature');
    if (name === 'signed-receipt-micalg') micDigest = values.slice(1).map(digestFromMicName).find((d) => d !== undefined);
  }
  return { signed, micDigest };
}

/** The MDN's failure for an AS2 failure. */
export function failureDisposition(failure: As2Failure): Disposition {
  return { type: 'processed', modifier: 'error', description: failure };
}

function ascii(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
