/**
 * The AS2 outbound channel: one HTTP POST per document, signed then encrypted, asking for a signed
 * MDN (RFC 4130). The PO counts as delivered only once that MDN is verified: signed with the
 * partner's certificate, about this Message-ID, carrying the MIC of what was sent, and positive.
 *
 * - `mdn: sync`: the MDN is the HTTP answer and is checked here; `deliver` resolves only for a good
 *   one and rejects with a classified TransportError otherwise.
 * - `mdn: async`: the partner answers 2xx at once and posts the MDN later to the hub's
 *   `POST /v1/as2`; `deliver` returns `awaitingMdn` and the outbox keeps the document in
 *   `awaiting_mdn` until the MDN arrives (src/transports/as2/inbound.ts) or its time runs out, when
 *   the same message goes again under the same Message-ID.
 *
 * The Message-ID is derived from the document id, so every retry of a document carries the same one
 * and the partner recognises it as a duplicate.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { As2TransportConfig } from '../../config/mapping-schema.ts';
import { TransportError, errorMessage } from '../../errors.ts';
import { parseRetryAfter } from '../retry-after.ts';
import type { DeliveryReceipt, OutboundFile, ProbeStep, RemoteFile, SupplierTransport, TransportErrorCode, TransportLogger, TransportOptions } from '../transport.ts';
import { As2SecurityError } from './cms.ts';
import { loadCredentials, validity, type As2Credentials } from './credentials.ts';
import { computeMic, digestFromMicName, isPositive, micName, parseMdn, type MdnFields } from './mdn.ts';
import { packMessage, payloadEntity, unpackMessage } from './message.ts';
import { parseEntity } from './mime.ts';

/** The largest MDN (sync answer) read. */
const MAX_MDN_BYTES = 1024 * 1024;
const MESSAGE_ID_DOMAIN = 'dropship-hub.as2';

/** `<doc_…@dropship-hub.as2>`: the same for every send of a document. */
export function messageIdFor(documentId: string): string {
  return `<${documentId.replace(/[^A-Za-z0-9._-]/g, '_')}@${MESSAGE_ID_DOMAIN}>`;
}

/** The outbox document an Original-Message-ID names, when it is one of the hub's. */
export function documentIdFromMessageId(messageId: string | undefined): string | undefined {
  const match = /^<?(doc_[0-9a-f]{32})@dropship-hub\.as2>?$/.exec((messageId ?? '').trim());
  return match?.[1];
}

/** An AS2 id in a header: quoted when it holds anything but letters, digits and `-._` (RFC 4130 §6.2). */
export function formatAs2Id(id: string): string {
  return /^[A-Za-z0-9!#$%&'*+\-./=?^_`{|}~]+$/.test(id) ? id : `"${id.replace(/(["\\])/g, '\\$1')}"`;
}

export function parseAs2Id(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return value.slice(1, -1).replace(/\\(.)/g, '$1');
  return value;
}

/** What the receipt of an AS2 delivery keeps (documents.receipt). */
export interface As2Receipt {
  messageId: string;
  mic: string;
  mdn: 'sync' | 'async';
  disposition?: string;
  warning?: string;
}

/** What a good MDN said, once checked. */
export interface CheckedMdn {
  dispositionLine: string;
  warning: string | undefined;
}

/**
 * Judges an MDN against the message it answers: the error says what the partner said, and whether
 * trying again can help (a refusal of the content or of our credentials cannot).
 */
export function judgeMdn(supplierId: string, fields: MdnFields, expected: { messageId: string; mic: string }, signed: boolean): CheckedMdn {
  const details = { as2: { messageId: expected.messageId, disposition: fields.dispositionLine, ...(fields.text ? { text: fields.text } : {}) } };
  if (fields.originalMessageId !== undefined && normaliseId(fields.originalMessageId) !== normaliseId(expected.messageId)) {
    throw new TransportError('transport_rejected', `AS2 ${supplierId}: the MDN answers another message (${fields.originalMessageId}, not ${expected.messageId})`, { details });
  }
  if (!isPositive(fields.disposition)) {
    const description = (fields.disposition.description ?? '').toLowerCase();
    const said = `${fields.disposition.type}${fields.disposition.modifier ? `/${fields.disposition.modifier}: ${fields.disposition.description}` : ''}`;
    const message = `AS2 ${supplierId}: the partner's MDN says ${said}${fields.text ? ` (${oneLine(fields.text)})` : ''}${signed ? '' : ' [unsigned MDN]'}`;
    if (description.includes('authentication-failed')) throw new TransportError('transport_auth_failed', message, { details });
    if (description.includes('unexpected-processing-error')) throw new TransportError('transport_failed', message, { details, retryable: true });
    throw new TransportError('transport_rejected', message, { details });
  }
  if (!signed) {
    throw new TransportError('transport_auth_failed', `AS2 ${supplierId}: the MDN is not signed, though a signed receipt was asked for; the delivery cannot be confirmed`, { details });
  }
  if (fields.originalMessageId === undefined) {
    throw new TransportError('transport_rejected', `AS2 ${supplierId}: the MDN has no Original-Message-ID; the delivery cannot be confirmed`, { details });
  }
  const [expectedValue, expectedAlg] = expected.mic.split(',').map((s) => s.trim());
  const sameAlgorithm = fields.mic !== undefined && digestFromMicName(fields.mic.algorithm) === digestFromMicName(expectedAlg ?? '');
  if (!fields.mic || !sameAlgorithm || !equalText(fields.mic.value, expectedValue ?? '')) {
    throw new TransportError(
      'transport_rejected',
      `AS2 ${supplierId}: the MDN's MIC ${fields.mic ? `${fields.mic.value}, ${fields.mic.algorithm}` : '(none)'} is not that of the message sent (${expected.mic}): the partner received something else`,
      { details },
    );
  }
  return { dispositionLine: fields.dispositionLine, warning: fields.disposition.modifier === 'warning' ? fields.disposition.description : undefined };
}

/** Reads a (signed) MDN: verifies the signature with the partner's certificate when signed. */
export function readMdn(body: Buffer, contentType: string | undefined, credentials: As2Credentials): { fields: MdnFields; signed: boolean } {
  const unpacked = unpackMessage(body, { contentType }, credentials.hub, credentials.partner);
  return { fields: parseMdn(unpacked.payload.raw), signed: unpacked.signed };
}

function normaliseId(id: string): string {
  return id.trim().replace(/^<|>$/g, '');
}

/** Constant-time comparison of two texts (their digests compared, so that the length says nothing either). */
function equalText(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** The AS2 transport of one supplier (outbound channel: deliver, probe). */
export class As2Transport implements SupplierTransport {
  readonly type = 'as2';
  private readonly logger: TransportLogger;
  private loading: Promise<As2Credentials> | undefined;

  constructor(
    readonly supplierId: string,
    readonly config: As2TransportConfig,
    options: TransportOptions = {},
    private readonly now: () => Date = () => new Date(),
  ) {
    this.logger = options.logger ?? { debug() {}, warn() {} };
  }

  /** The partnership's certificates and key, read on first use. */
  credentials(): Promise<As2Credentials> {
    this.loading ??= loadCredentials(this.supplierId, this.config).catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  async deliver(file: OutboundFile): Promise<DeliveryReceipt> {
    const credentials = await this.credentials();
    const messageId = messageIdFor(file.documentId);
    const asynchronous = this.config.mdn === 'async';
    const payload = payloadEntity(file);
    const { answer, mic } = await this.send(credentials, messageId, payload, asynchronous);
    if (asynchronous) {
      this.logger.debug({ supplier: this.supplierId, messageId, status: answer.status }, 'as2 message sent, asynchronous MDN awaited');
      const as2: As2Receipt = { messageId, mic, mdn: 'async' };
      return { status: answer.status, as2, awaitingMdn: { messageId, timeoutMs: this.config.asyncMdnTimeoutMs } };
    }
    const checked = this.checkSyncMdn(answer, credentials, { messageId, mic });
    this.logger.debug({ supplier: this.supplierId, messageId, disposition: checked.dispositionLine }, 'as2 message delivered, MDN verified');
    const as2: As2Receipt = { messageId, mic, mdn: 'sync', disposition: checked.dispositionLine, ...(checked.warning ? { warning: checked.warning } : {}) };
    return { status: answer.status, as2 };
  }

  /** Signs, encrypts and posts one message; rejects on a network failure or a non-2xx answer. */
  private async send(credentials: As2Credentials, messageId: string, payload: Buffer, asynchronous: boolean): Promise<{ answer: Answer; mic: string }> {
    const config = this.config;
    const packed = packMessage(payload, credentials.hub, credentials.partner, {
      digest: config.signing,
      cipher: config.encryption,
      keyEncryption: config.keyEncryption,
      transferEncoding: config.transferEncoding,
      signingTime: this.now(),
    });
    const headers: Record<string, string> = {
      'AS2-Version': '1.0',
      'AS2-From': formatAs2Id(config.as2From),
      'AS2-To': formatAs2Id(config.as2To),
      'Message-ID': messageId,
      Date: this.now().toUTCString(),
      Subject: 'EDI document from dropship-hub',
      'MIME-Version': '1.0',
      'Content-Type': packed.contentType,
      'Content-Transfer-Encoding': packed.transferEncoding,
      'Content-Disposition': 'attachment; filename="smime.p7m"',
      'Disposition-Notification-To': formatAs2Id(config.as2From),
      'Disposition-Notification-Options': `signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, ${micName(config.signing)}`,
      'User-Agent': 'dropship-hub',
      ...(asynchronous && config.asyncMdnUrl ? { 'Receipt-Delivery-Option': config.asyncMdnUrl } : {}),
    };
    return { answer: await this.post(config.url, headers, packed.body), mic: packed.mic };
  }

  private checkSyncMdn(answer: Answer, credentials: As2Credentials, expected: { messageId: string; mic: string }): CheckedMdn {
    if (answer.body.length === 0) {
      throw new TransportError('transport_rejected', `AS2 ${this.supplierId}: the partner answered ${answer.status} without an MDN, though a synchronous one was asked for (is it set up for asynchronous MDNs?)`, {
        details: { status: answer.status, as2: { messageId: expected.messageId } },
      });
    }
    let read: { fields: MdnFields; signed: boolean };
    try {
      read = readMdn(answer.body, answer.headers.get('content-type') ?? undefined, credentials);
    } catch (error) {
      const why = error instanceof As2SecurityError ? 'its signature does not verify' : 'it cannot be read';
      throw new TransportError('transport_auth_failed', `AS2 ${this.supplierId}: the MDN is unverifiable: ${why}: ${errorMessage(error)}`, {
        details: { status: answer.status, as2: { messageId: expected.messageId } },
        cause: error,
      });
    }
    return judgeMdn(this.supplierId, read.fields, expected, read.signed);
  }

  private async post(url: string, headers: Record<string, string>, body: Buffer): Promise<Answer> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers,
        body: body as Uint8Array<ArrayBuffer>,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
    } catch (error) {
      throw this.networkError(error, url);
    }
    let content: Buffer;
    try {
      content = await readBounded(response, MAX_MDN_BYTES);
    } catch (error) {
      throw this.networkError(error, url);
    }
    const status = response.status;
    if (status >= 200 && status < 300) return { status, headers: response.headers, body: content };
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
    const text = content.subarray(0, 2000).toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 300);
    const details = { status, responseBody: text, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    const summary = `AS2 ${this.supplierId}: POST ${safeUrl(url)} answered ${status}${text ? `: ${text}` : ''}`;
    if (status === 408 || status === 429 || status >= 500) throw new TransportError('transport_failed', summary, { details, retryable: true });
    if (status === 401 || status === 403) throw new TransportError('transport_auth_failed', summary, { details });
    throw new TransportError('transport_rejected', summary, { details });
  }

  private networkError(error: unknown, url: string): TransportError {
    const name = (error as { name?: string } | undefined)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new TransportError('transport_timeout', `AS2 ${this.supplierId}: POST ${safeUrl(url)}: no answer within ${this.config.timeoutMs} ms`, { details: { timeoutMs: this.config.timeoutMs }, cause: error });
    }
    const cause = (error as { cause?: unknown } | undefined)?.cause;
    return new TransportError('transport_failed', `AS2 ${this.supplierId}: POST ${safeUrl(url)}: ${errorMessage(cause ?? error)}`, { cause: error, retryable: true });
  }

  async listInbound(): Promise<RemoteFile[]> {
    return [];
  }

  async download(name: string): Promise<Buffer> {
    throw new TransportError('transport_rejected', `AS2 partner ${this.supplierId} pushes its messages to POST /v1/as2; there is no folder to download ${name} from`);
  }

  async moveInbound(name: string): Promise<void> {
    throw new TransportError('transport_rejected', `AS2 partner ${this.supplierId} pushes its messages to POST /v1/as2; there is no folder to move ${name} in`);
  }

  /**
   * `hub suppliers test`: reads the certificates and key, sends a signed and encrypted test message
   * (a short text/plain `.hub-probe-…` file) asking for a synchronous signed MDN, and verifies that
   * MDN. Stops at the first failing step. Never rejects.
   */
  async probe(): Promise<ProbeStep[]> {
    const steps: ProbeStep[] = [];
    const step = async <T>(name: ProbeStep['step'], run: () => Promise<{ value: T; detail: string; ok?: boolean }>): Promise<T | undefined> => {
      const started = Date.now();
      try {
        const { value, detail, ok } = await run();
        steps.push({ step: name, ok: ok ?? true, detail, ms: Date.now() - started });
        return ok === false ? undefined : value;
      } catch (error) {
        const te = error instanceof TransportError ? error : new TransportError('transport_failed', errorMessage(error), { cause: error });
        steps.push({ step: name, ok: false, detail: te.message, ms: Date.now() - started, error: { code: te.code as TransportErrorCode, retryable: te.retryable } });
        return undefined;
      }
    };
    const credentials = await step('certificates', async () => {
      const value = await this.credentials();
      const now = this.now();
      const hub = validity(value.hub.certificate, now);
      const partner = validity(value.partner, now);
      return {
        value,
        ok: hub.ok && partner.ok,
        detail: `hub certificate ${value.hub.certificate.x509.subject.replace(/\n/g, ', ')} ${hub.text}, key matches; partner certificate ${value.partner.x509.subject.replace(/\n/g, ', ')} ${partner.text}`,
      };
    });
    if (!credentials) return steps;
    const messageId = `<probe-${randomBytes(8).toString('hex')}@${MESSAGE_ID_DOMAIN}>`;
    const filename = `.hub-probe-${randomBytes(6).toString('hex')}.txt`;
    const payload = payloadEntity({
      content: Buffer.from(`AS2 connectivity test from ${this.config.as2From} to ${this.config.as2To} at ${this.now().toISOString()}\r\n`),
      contentType: 'text/plain',
      filename,
    });
    const sent = await step('send', async () => {
      const result = await this.send(credentials, messageId, payload, false);
      return { value: result, detail: `POST ${safeUrl(this.config.url)} (signed ${micName(this.config.signing)}, ${this.config.encryption}, ${this.config.keyEncryption}) answered ${result.answer.status}` };
    });
    if (!sent) return steps;
    await step('mdn', async () => {
      const checked = this.checkSyncMdn(sent.answer, credentials, { messageId, mic: computeMic(payload, this.config.signing) });
      return { value: checked, detail: `signed MDN verified, MIC matches: ${checked.dispositionLine}` };
    });
    return steps;
  }

  async close(): Promise<void> {}
}

/**
 * Sends an asynchronous MDN that the hub queued in the outbox (documents of kind `as2_mdn`, whose
 * content is the whole HTTP request as `message/http`: request line, headers, body).
 */
export async function postQueuedMdn(request: Buffer, timeoutMs: number): Promise<DeliveryReceipt> {
  const { url, headers, body } = parseHttpRequest(request);
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body: body as Uint8Array<ArrayBuffer>, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const name = (error as { name?: string } | undefined)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') throw new TransportError('transport_timeout', `AS2 MDN to ${safeUrl(url)}: no answer within ${timeoutMs} ms`, { cause: error });
    throw new TransportError('transport_failed', `AS2 MDN to ${safeUrl(url)}: ${errorMessage((error as { cause?: unknown }).cause ?? error)}`, { cause: error, retryable: true });
  }
  const text = (await readBounded(response, 64 * 1024).catch(() => Buffer.alloc(0))).toString('utf8').slice(0, 300);
  const status = response.status;
  if (status >= 200 && status < 300) return { status, responseBody: text };
  const summary = `AS2 MDN to ${safeUrl(url)} answered ${status}${text ? `: ${text.replace(/\s+/g, ' ').trim()}` : ''}`;
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
  const details = { status, responseBody: text, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  if (status === 408 || status === 429 || status >= 500) throw new TransportError('transport_failed', summary, { details, retryable: true });
  throw new TransportError('transport_rejected', summary, { details });
}

/** `POST <url> HTTP/1.1` CRLF headers CRLF CRLF body. */
export function httpRequestBytes(url: string, headers: [string, string][], body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`POST ${url} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}`).join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

function parseHttpRequest(request: Buffer): { url: string; headers: Record<string, string>; body: Buffer } {
  const lineEnd = request.indexOf('\r\n');
  const match = /^POST (\S+) HTTP\/1\.1$/.exec(request.subarray(0, Math.max(0, lineEnd)).toString('latin1'));
  if (!match) throw new TransportError('transport_rejected', 'a queued AS2 MDN is not a stored HTTP request');
  const rest = parseEntity(request.subarray(lineEnd + 2));
  const headers: Record<string, string> = {};
  for (const [name, value] of rest.headers) headers[name] = value;
  return { url: match[1]!, headers, body: rest.body };
}

async function readBounded(response: Response, limit: number): Promise<Buffer> {
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) throw new TransportError('transport_rejected', `the answer is larger than ${limit} bytes`);
      chunks.push(value);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks);
}

/** The URL without user-info or query string. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(bad URL)';
  }
}

