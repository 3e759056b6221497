/**
 * The AS2 inbound channel (`POST /v1/as2`): a partner's AS2 message, or its asynchronous MDN for a
 * message the hub sent.
 *
 * A message: the partner is identified by AS2-To (a supplier mapping's `as2From`) and AS2-From (its
 * `as2To`); the body is decrypted with the hub's key, the signature verified with the supplier's
 * certificate as configured, the MIC computed; a Message-ID seen before is answered as a duplicate
 * and not applied again; otherwise the payload goes through the inbound ledger
 * (`receiveInboundFile`, `via: 'as2'`) exactly like a file picked up over SFTP. The answer is a
 * signed MDN: in the HTTP response (synchronous), or queued in the outbox for the partner's
 * Receipt-Delivery-Option URL (asynchronous; committed before the HTTP answer, so a crash cannot
 * lose it). A message that fails a check changes nothing and gets a negative MDN saying why
 * (RFC 4130 §7.4.3), or, when it asked for none, an HTTP error.
 *
 * An MDN: verified with the supplier's certificate, matched to the hub's document by its
 * Original-Message-ID, its MIC compared with that of the document sent; a positive one completes
 * the delivery, a negative one fails (or retries) it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { LoadedMapping } from '../../config/mapping-loader.ts';
import { crashPoint } from '../../crash.ts';
import type { As2TransportConfig } from '../../config/mapping-schema.ts';
import { HubError, ParseError, TransportError, ValidationError, errorMessage } from '../../errors.ts';
import type { Hub } from '../../hub.ts';
import { receiveInboundFile } from '../../pipeline/apply.ts';
import { confirmAwaitedDelivery, failAwaitedDelivery } from '../../pipeline/dispatch.ts';
import { findAs2Message, queueAs2Mdn, recordAs2Message } from '../../store/as2-messages.ts';
import { sha256Hex, toBuffer } from '../../store/ids.ts';
import type { Database } from '../../store/schema.ts';
import { assertSafeRemoteName } from '../remote-names.ts';
import { As2SecurityError, type As2Failure, type DigestName } from './cms.ts';
import { As2Transport, documentIdFromMessageId, formatAs2Id, httpRequestBytes, judgeMdn, messageIdFor, parseAs2Id } from './client.ts';
import type { As2Credentials } from './credentials.ts';
import { buildMdn, computeMic, dispositionLine, failureDisposition, parseDispositionOptions, parseMdn, type Disposition } from './mdn.ts';
import { payloadEntity, signEntity, unpackMessage, type Unpacked } from './message.ts';

/** The largest AS2 request accepted (bigger ones: 413 before they are read). */
export const MAX_AS2_BODY_BYTES = 20 * 1024 * 1024;

/** A request as the HTTP layer hands it over. */
export interface As2Request {
  header(name: string): string | undefined;
  body: Buffer;
}

/** What to answer. */
export interface As2Answer {
  status: 200;
  headers: Record<string, string>;
  body: string | Buffer;
}

type MdnMode = { mode: 'none' } | { mode: 'sync' } | { mode: 'async'; url: string };

/** The supplier whose mapping names these AS2 ids (AS2-To is the hub's id, AS2-From the supplier's). */
export function findAs2Partner(hub: Hub, as2From: string, as2To: string): LoadedMapping | undefined {
  for (const loaded of hub.mappings.values()) {
    const transport = loaded.mapping.transport;
    if (transport.type === 'as2' && transport.as2From === as2To && transport.as2To === as2From) return loaded;
  }
  return undefined;
}

/**
 * Authenticates the sender by its AS2 ids and hands over what the request is: a message, or an MDN.
 * Throws HubError (an HTTP error) only where the RFC has no MDN to answer with.
 */
export async function receiveAs2(hub: Hub, request: As2Request): Promise<As2Answer> {
  const missing = ['AS2-From', 'AS2-To', 'Message-ID', 'Content-Type'].filter((name) => !request.header(name)?.trim());
  if (missing.length) {
    throw new ValidationError(`an AS2 request needs the header${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, missing.map((name) => ({ path: `headers.${name}`, message: 'required' })));
  }
  const as2From = parseAs2Id(request.header('AS2-From'))!;
  const as2To = parseAs2Id(request.header('AS2-To'))!;
  const messageId = request.header('Message-ID')!.trim();
  if (messageId.length > 250 || !/^[\x21-\x7e]+$/.test(messageId)) {
    throw new ValidationError('the Message-ID must be 1 to 250 printable characters without spaces', [{ path: 'headers.Message-ID', message: 'malformed' }]);
  }
  const loaded = findAs2Partner(hub, as2From, as2To);
  if (!loaded) {
    hub.logger.warn({ as2From: as2From.slice(0, 128), as2To: as2To.slice(0, 128), messageId }, 'AS2 request from an unknown partner refused');
    throw new HubError('forbidden', `unknown AS2 partner: no supplier's mapping has as2To "${as2From.slice(0, 128)}" and as2From "${as2To.slice(0, 128)}"`);
  }
  const config = loaded.mapping.transport as As2TransportConfig;
  const transport = hub.transports.get(loaded.supplier);
  if (!(transport instanceof As2Transport)) throw new HubError('internal', `supplier ${loaded.supplier} has no AS2 transport`);
  let credentials: As2Credentials;
  try {
    credentials = await transport.credentials();
  } catch (error) {
    // The hub's own set-up: told to the operator in full, to the partner without paths.
    hub.logger.error({ supplier: loaded.supplier, err: error }, 'AS2 certificates or key cannot be read');
    throw new HubError('internal', 'the hub cannot read its AS2 certificates for this partnership; its operator is told', { cause: error });
  }

  const wantsMdn = request.header('Disposition-Notification-To') !== undefined;
  let unpacked: Unpacked | undefined;
  let failure: { failure: As2Failure; message: string } | undefined;
  try {
    unpacked = unpackMessage(request.body, { contentType: request.header('Content-Type'), transferEncoding: request.header('Content-Transfer-Encoding') }, credentials.hub, credentials.partner);
  } catch (error) {
    if (error instanceof As2SecurityError) failure = { failure: error.failure, message: error.message };
    else if (error instanceof ParseError) failure = { failure: 'unexpected-processing-error', message: error.message };
    else throw error;
  }
  if (unpacked?.payloadType === 'multipart/report' && !wantsMdn) return receiveMdn(hub, loaded, config, credentials, messageId, request, unpacked);

  const context: MessageContext = { hub, loaded, config, credentials, messageId, request, mdnMode: mdnMode(request, config, wantsMdn) };
  if (!failure && unpacked && (!unpacked.encrypted || !unpacked.signed)) {
    failure = { failure: 'insufficient-message-security', message: `AS2 messages to the hub must be signed and encrypted (this one is ${unpacked.signed ? '' : 'not signed'}${!unpacked.signed && !unpacked.encrypted ? ' and ' : ''}${unpacked.encrypted ? '' : 'not encrypted'})` };
  }
  if (failure || !unpacked) return refuse(context, failure ?? { failure: 'unexpected-processing-error', message: 'unreadable message' });
  return accept(context, unpacked);
}

interface MessageContext {
  hub: Hub;
  loaded: LoadedMapping;
  config: As2TransportConfig;
  credentials: As2Credentials;
  messageId: string;
  request: As2Request;
  mdnMode: MdnMode;
}

/** How the partner wants its MDN; a Receipt-Delivery-Option is only followed to the partner's own hosts. */
function mdnMode(request: As2Request, config: As2TransportConfig, wantsMdn: boolean): MdnMode {
  if (!wantsMdn) return { mode: 'none' };
  const option = request.header('Receipt-Delivery-Option')?.trim();
  if (!option) return { mode: 'sync' };
  let url: URL;
  try {
    url = new URL(option.split(',')[0]!.trim());
  } catch {
    throw new ValidationError('Receipt-Delivery-Option is not a URL', [{ path: 'headers.Receipt-Delivery-Option', message: 'not a URL' }]);
  }
  const allowed = new Set([new URL(config.url).hostname.toLowerCase(), ...config.mdnHosts.map((h) => h.toLowerCase())]);
  if (!/^https?:$/.test(url.protocol) || !allowed.has(url.hostname.toLowerCase())) {
    throw new HubError('forbidden', `Receipt-Delivery-Option ${url.protocol}//${url.host} is not one of this partner's hosts (${[...allowed].join(', ')}; see transport.mdnHosts)`, {
      details: { path: 'headers.Receipt-Delivery-Option' },
    });
  }
  return { mode: 'async', url: url.toString() };
}

async function accept(context: MessageContext, unpacked: Unpacked): Promise<As2Answer> {
  const { hub, loaded, messageId, request } = context;
  const options = parseDispositionOptions(request.header('Disposition-Notification-Options'));
  const micDigest: DigestName = options.micDigest ?? unpacked.signatureDigest ?? 'sha256';
  const mic = computeMic(unpacked.signedContent, micDigest);
  const contentHash = sha256Hex(request.body);
  const filename = inboundName(unpacked, messageId);

  let disposition: Disposition = { type: 'processed' };
  let documentId: string | null = null;
  let text: string;
  const seen = await findAs2Message(hub.store.db, loaded.supplier, 'message', messageId);
  if (seen) {
    disposition = { type: 'processed', modifier: 'warning', description: 'duplicate-document' };
    text = `Message ${messageId} was received before (${seen.receivedAt.toISOString()}); it is not processed again.`;
    hub.logger.warn({ supplier: loaded.supplier, messageId }, 'AS2 message replayed: answered as a duplicate, not applied again');
  } else if (filename.startsWith('.hub-probe-')) {
    text = `Test message ${messageId} received and verified; not processed.`;
  } else {
    const result = await receiveInboundFile(hub, loaded, { name: filename, content: unpacked.content, via: 'as2' });
    documentId = result.documentId;
    if (result.status === 'duplicate' || result.status === 'seen') disposition = { type: 'processed', modifier: 'warning', description: 'duplicate-document' };
    text = `Message ${messageId} (${filename}) was received, decrypted and its signature verified${result.status === 'failed' ? '; the hub could not read its content and keeps it for an operator' : ''}.`;
  }

  const answer = await answerWithMdn(context, { mic, disposition, text, micDigest }, async (trx, mdn, mdnDocumentId) => {
    if (seen) return;
    await recordAs2Message(trx, {
      supplierId: loaded.supplier,
      kind: 'message',
      messageId,
      documentId,
      contentHash,
      mic,
      disposition: dispositionLine(disposition),
      mdnMode: context.mdnMode.mode,
      mdn,
      mdnDocumentId,
    });
  });
  hub.logger.info({ supplier: loaded.supplier, messageId, documentId, file: filename, mdn: context.mdnMode.mode, disposition: dispositionLine(disposition) }, 'AS2 message received');
  return answer;
}

/** A message that failed a check: nothing is applied or recorded; the partner is told why. */
async function refuse(context: MessageContext, failure: { failure: As2Failure; message: string }): Promise<As2Answer> {
  const { hub, loaded, messageId } = context;
  hub.logger.warn({ supplier: loaded.supplier, messageId, failure: failure.failure, reason: failure.message }, 'AS2 message refused');
  if (context.mdnMode.mode === 'none') {
    if (failure.failure === 'authentication-failed') throw new HubError('forbidden', failure.message, { details: { as2: failure.failure } });
    throw new ParseError('AS2 message', `${failure.failure}: ${failure.message.replace(/^AS2 message: /, '')}`);
  }
  return answerWithMdn(context, { mic: undefined, disposition: failureDisposition(failure.failure), text: failure.message.replace(/^AS2 message: /, ''), micDigest: 'sha256' });
}

/**
 * Builds and signs the MDN and sends it the way the partner asked: in this answer, or queued in
 * the outbox (in the same transaction as `record`) before this answer is given.
 */
async function answerWithMdn(
  context: MessageContext,
  mdn: { mic: string | undefined; disposition: Disposition; text: string; micDigest: DigestName },
  record?: (trx: Transaction<Database>, mdn: Buffer | null, mdnDocumentId: string | null) => Promise<void>,
): Promise<As2Answer> {
  const { hub, loaded, config, credentials, messageId } = context;
  const mode = context.mdnMode;
  let signed: { contentType: string; body: Buffer } | undefined;
  let headers: Record<string, string> = {};
  if (mode.mode !== 'none') {
    const entity = buildMdn({ reportingId: config.as2From, originalMessageId: messageId, mic: mdn.mic, disposition: mdn.disposition, text: mdn.text });
    signed = signEntity(entity, credentials.hub, config.signing, hub.clock());
    headers = {
      'AS2-Version': '1.0',
      'AS2-From': formatAs2Id(config.as2From),
      'AS2-To': formatAs2Id(config.as2To),
      'Message-ID': `<mdn-${randomBytes(12).toString('hex')}@dropship-hub.as2>`,
      'MIME-Version': '1.0',
      'Content-Type': signed.contentType,
      'User-Agent': 'dropship-hub',
    };
  }
  let mdnDocumentId: string | null = null;
  await hub.store.db.transaction().execute(async (trx) => {
    if (mode.mode === 'async' && signed) {
      const requestBytes = httpRequestBytes(mode.url, Object.entries(headers), signed.body);
      mdnDocumentId = await queueAs2Mdn(trx, { supplierId: loaded.supplier, originalMessageId: messageId, request: requestBytes, maxAttempts: config.retry.maxAttempts });
    }
    await record?.(trx, signed ? Buffer.concat([Buffer.from(`Content-Type: ${signed.contentType}\r\n\r\n`), signed.body]) : null, mdnDocumentId);
  });
  crashPoint('after-as2-commit');
  if (mdnDocumentId) await hub.store.wakeOutbox();
  if (mode.mode === 'sync' && signed) return { status: 200, headers, body: signed.body };
  const note = mode.mode === 'async' ? `received; the MDN (${dispositionLine(mdn.disposition)}) follows to ${new URL(mode.url).host}` : `received: ${dispositionLine(mdn.disposition)}`;
  return { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: `${note}\n` };
}

/** The name the payload gets in the inbound ledger: its Content-Disposition filename when safe. */
function inboundName(unpacked: Unpacked, messageId: string): string {
  const given = unpacked.filename?.trim();
  if (given && given.length <= 200) {
    try {
      assertSafeRemoteName(given);
      return given;
    } catch {
      // an unsafe name: the generated one below
    }
  }
  const ext = /x12/.test(unpacked.payloadType) ? '.edi' : /edifact/.test(unpacked.payloadType) ? '.edi' : /json/.test(unpacked.payloadType) ? '.json' : /xml/.test(unpacked.payloadType) ? '.xml' : /csv/.test(unpacked.payloadType) ? '.csv' : '.dat';
  return `as2_${createHash('sha256').update(messageId).digest('hex').slice(0, 16)}${ext}`;
}

/** A partner's asynchronous MDN for a message the hub sent. */
async function receiveMdn(
  hub: Hub,
  loaded: LoadedMapping,
  config: As2TransportConfig,
  credentials: As2Credentials,
  messageId: string,
  request: As2Request,
  unpacked: Unpacked,
): Promise<As2Answer> {
  if (!unpacked.signed) throw new HubError('forbidden', 'an asynchronous MDN must be signed with the partner certificate');
  const fields = parseMdn(unpacked.payload.raw);
  const documentId = documentIdFromMessageId(fields.originalMessageId);
  const doc = documentId
    ? await hub.store.db.selectFrom('documents').selectAll().where('id', '=', documentId).where('supplier_id', '=', loaded.supplier).where('direction', '=', 'out').executeTakeFirst()
    : undefined;
  if (!doc) throw new HubError('not_found', `the MDN answers ${fields.originalMessageId ?? '(no Original-Message-ID)'}, which the hub did not send to ${loaded.supplier}`);
  if (await findAs2Message(hub.store.db, loaded.supplier, 'mdn', messageId)) {
    return { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: `MDN ${messageId} was received before\n` };
  }
  const sentEntity = payloadEntity({ content: toBuffer(doc.content), contentType: doc.content_type, filename: doc.filename });
  const expected = { messageId: messageIdFor(doc.id), mic: computeMic(sentEntity, config.signing) };
  let outcome: string;
  try {
    const checked = judgeMdn(loaded.supplier, fields, expected, true);
    const confirmed = await confirmAwaitedDelivery(hub, doc.id, {
      as2: { messageId: expected.messageId, mic: expected.mic, mdn: 'async', disposition: checked.dispositionLine, ...(checked.warning ? { warning: checked.warning } : {}) },
    });
    outcome = confirmed ? 'delivered' : 'already settled';
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    const failed = await failAwaitedDelivery(hub, doc.id, error);
    outcome = failed ? `${failed.outcome}: ${errorMessage(error)}` : 'already settled';
  }
  await recordAs2Message(hub.store.db, {
    supplierId: loaded.supplier,
    kind: 'mdn',
    messageId,
    documentId: doc.id,
    contentHash: sha256Hex(request.body),
    mic: fields.mic ? `${fields.mic.value}, ${fields.mic.algorithm}` : null,
    disposition: fields.dispositionLine,
    mdnMode: null,
    mdn: Buffer.concat([Buffer.from(`Content-Type: ${request.header('Content-Type')}\r\n\r\n`), request.body]),
  });
  hub.logger.info({ supplier: loaded.supplier, documentId: doc.id, messageId, disposition: fields.dispositionLine, outcome }, 'AS2 asynchronous MDN received');
  return { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: `MDN for ${fields.originalMessageId}: ${outcome}\n` };
}
