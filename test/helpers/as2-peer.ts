/**
 * An independent AS2 partner for tests and the benchmark: OpenSSL's `cms` command (run as a child
 * process) signs, verifies, encrypts and decrypts; a plain `node:http` server receives and a plain
 * `node:http` client sends. Nothing here uses the hub's AS2 code or its CMS library, so what the
 * hub writes is read by someone else's implementation and the other way round.
 *
 * @example
 * ```ts
 * const certs = await makeAs2Certificates();               // openssl req, in a temp folder
 * const peer = await startAs2Peer({ certs, as2Id: 'ACME', hubId: 'DROPHUB' });
 * // ... the hub's mapping points at peer.url with certs.partner as partnerCertificate ...
 * expect(peer.received[0]?.content.toString()).toContain('ISA*');
 * const answer = await peer.send({ url: `${hubUrl}/v1/as2`, content: Buffer.from(x12), filename: 'ASN_1.856' });
 * expect(answer.mdn?.disposition).toMatch(/processed$/);
 * await peer.close();
 * ```
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const OPENSSL = '/usr/bin/openssl';

export interface CertificatePair {
  cert: string;
  key: string;
}

export interface As2Certificates {
  dir: string;
  /** The hub's certificate and key. */
  hub: CertificatePair;
  /** The partner's (the peer's). */
  partner: CertificatePair;
  /** A third party's, for "wrong certificate" tests. */
  other: CertificatePair;
  remove(): void;
}

/** Runs `openssl` with the arguments; stdin from `input`; resolves with stdout, rejects with stderr. */
export function openssl(args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(OPENSSL, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`openssl ${args[0]} ${args[1] ?? ''} failed (${code}): ${Buffer.concat(err).toString().trim().split('\n')[0]}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}

/** Three self-signed RSA-2048 certificates made with `openssl req` in a fresh temp folder. */
export async function makeAs2Certificates(): Promise<As2Certificates> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-as2-'));
  const make = async (name: string): Promise<CertificatePair> => {
    const pair = { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
    await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', pair.key, '-out', pair.cert, '-days', '2', '-subj', `/CN=${name} AS2 test/O=dropship-hub tests`]);
    return pair;
  };
  const [hub, partner, other] = await Promise.all([make('hub'), make('partner'), make('other')]);
  return { dir, hub, partner, other, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// ---- plain MIME, just what the peer needs --------------------------------------------------

function splitEntity(raw: Buffer): { headers: Map<string, string>; body: Buffer } {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error('peer: no blank line after the MIME headers');
  const headers = new Map<string, string>();
  for (const line of raw.subarray(0, end).toString('latin1').replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.subarray(end + 4) };
}

function boundaryOf(contentType: string): string {
  const match = /boundary="?([^";]+)"?/i.exec(contentType);
  if (!match) throw new Error(`peer: no boundary in ${contentType}`);
  return match[1]!;
}

/** The two parts of a multipart/signed body: the signed bytes and the signature (DER). */
function splitSigned(body: Buffer, contentType: string): { signed: Buffer; signature: Buffer } {
  const delimiter = `--${boundaryOf(contentType)}`;
  const first = body.indexOf(`${delimiter}\r\n`);
  const second = body.indexOf(`\r\n${delimiter}\r\n`, first);
  const close = body.indexOf(`\r\n${delimiter}--`, second + 2);
  if (first < 0 || second < 0 || close < 0) throw new Error('peer: malformed multipart/signed body');
  const signed = body.subarray(first + delimiter.length + 2, second);
  const sigPart = splitEntity(body.subarray(second + delimiter.length + 4, close));
  const encoding = sigPart.headers.get('content-transfer-encoding') ?? 'binary';
  const signature = /base64/i.test(encoding) ? Buffer.from(sigPart.body.toString('latin1'), 'base64') : sigPart.body;
  return { signed, signature };
}

function signedBody(signedEntity: Buffer, signature: Buffer): { body: Buffer; contentType: string } {
  const boundary = `peer-${randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\n`),
    signedEntity,
    Buffer.from(`\r\n--${boundary}\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\n`),
    Buffer.from(`${signature.toString('base64').replace(/(.{76})/g, '$1\r\n')}\r\n`),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="${boundary}"` };
}

/** The MIC in the digest the sender asked for (`signed-receipt-micalg`), sha-256 by default. */
function mic(bytes: Buffer, options?: string): string {
  const asked = /signed-receipt-micalg\s*=\s*[^,;]+,\s*([^,;\s]+)/i.exec(options ?? '')?.[1]?.toLowerCase() ?? 'sha-256';
  const digest = ({ sha1: 'sha1', 'sha-1': 'sha1', 'sha-384': 'sha384', 'sha-512': 'sha512' } as Record<string, string>)[asked] ?? 'sha256';
  return `${createHash(digest).update(bytes).digest('base64')}, ${digest === 'sha1' ? 'sha1' : `sha-${digest.slice(3)}`}`;
}

function as2Id(id: string): string {
  return /^[A-Za-z0-9._-]+$/.test(id) ? id : `"${id}"`;
}

// ---- the peer ---------------------------------------------------------------------------------

/** How the peer answers the hub's messages (tests change it between sends). */
export interface PeerBehaviour {
  /** HTTP status instead of an MDN (e.g. 500). */
  status?: number;
  /** A negative MDN with this description (e.g. `decryption-failed`). */
  negative?: string;
  /** Sign the MDN with the `other` key instead of the partner's. */
  signMdnWith?: 'other';
  /** Report this MIC instead of the true one. */
  wrongMic?: boolean;
  /** Send the MDN unsigned (a bare multipart/report). */
  unsigned?: boolean;
  /** Asynchronous MDNs: do not send them at all (the hub must send again). */
  dropAsyncMdn?: boolean;
}

export interface ReceivedMessage {
  messageId: string;
  as2From: string;
  as2To: string;
  contentType: string;
  filename: string | undefined;
  content: Buffer;
  /** The payload entity's MIC as the peer computed it. */
  mic: string;
  duplicate: boolean;
  headers: Record<string, string>;
  /** What went wrong reading it (then a negative MDN was returned). */
  error?: string;
}

export interface ReceivedMdn {
  originalMessageId: string;
  disposition: string;
  mic: string | undefined;
  verified: boolean;
}

export interface PeerSendOptions {
  url: string;
  content: Buffer;
  filename?: string;
  contentType?: string;
  messageId?: string;
  /** `sync` (default), `async` (the MDN to `asyncUrl`), or `none`. */
  mdn?: 'sync' | 'async' | 'none';
  asyncUrl?: string;
  keyEncryption?: 'pkcs1' | 'oaep';
  encoding?: 'binary' | 'base64';
  /** Tampering: change the content after signing; flip a bit of the signature; sign with the other key; cut the body in half. */
  tamper?: 'content' | 'signature' | 'signer' | 'truncate';
  /** Skip encryption (to test the hub's refusal of unencrypted messages). */
  plain?: boolean;
  /** Override the AS2 ids. */
  as2From?: string;
  as2To?: string;
}

export interface PeerSendResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The synchronous MDN, read and verified with the hub's certificate by OpenSSL. */
  mdn?: ReceivedMdn;
  messageId: string;
  /** The MIC the peer expects back. */
  mic: string;
}

export interface As2Peer {
  /** Where the hub sends (`http://127.0.0.1:<port>/as2`). */
  url: string;
  /** Where the peer takes asynchronous MDNs from the hub. */
  mdnUrl: string;
  received: ReceivedMessage[];
  /** MDNs the hub posted to `mdnUrl`. */
  mdns: ReceivedMdn[];
  behaviour: PeerBehaviour;
  /** Asynchronous MDNs the peer has sent to the hub (with the HTTP status the hub answered). */
  asyncSent: { messageId: string; status: number }[];
  send(options: PeerSendOptions): Promise<PeerSendResult>;
  /** Posts a signed MDN of the peer's own making (e.g. for a message nobody sent). */
  postMdn(url: string, originalMessageId: string, disposition: string, micValue?: string): Promise<{ status: number; body: Buffer }>;
  /** Resolves once `count` messages (or MDNs) have arrived. */
  waitFor(what: 'messages' | 'mdns' | 'asyncSent', count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startAs2Peer(options: { certs: As2Certificates; as2Id: string; hubId: string }): Promise<As2Peer> {
  const { certs } = options;
  const work = mkdtempSync(path.join(certs.dir, 'peer-'));
  let fileCounter = 0;
  const tempFile = (data: Buffer): string => {
    const file = path.join(work, `f${++fileCounter}`);
    writeFileSync(file, data);
    return file;
  };
  const received: ReceivedMessage[] = [];
  const mdns: ReceivedMdn[] = [];
  const asyncSent: { messageId: string; status: number }[] = [];
  const seen = new Set<string>();
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());
  const peer: As2Peer = { url: '', mdnUrl: '', received, mdns, asyncSent, behaviour: {}, send, postMdn, waitFor, close };

  const verify = async (signed: Buffer, signature: Buffer, cert: string): Promise<boolean> => {
    const contentFile = tempFile(signed);
    try {
      await openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-content', contentFile, '-nointern', '-certfile', cert, '-CAfile', cert, '-purpose', 'any', '-out', '/dev/null'], signature);
      return true;
    } catch {
      return false;
    } finally {
      rmSync(contentFile, { force: true });
    }
  };
  const sign = (entity: Buffer, pair: CertificatePair): Promise<Buffer> =>
    openssl(['cms', '-sign', '-binary', '-md', 'sha256', '-signer', pair.cert, '-inkey', pair.key, '-outform', 'DER'], entity);

  async function buildMdn(originalMessageId: string, micValue: string | undefined, disposition: string): Promise<{ body: Buffer; contentType: string }> {
    const boundary = `report-${randomBytes(6).toString('hex')}`;
    const report = [
      `Reporting-UA: openssl-peer`,
      `Original-Recipient: rfc822; ${options.as2Id}`,
      `Final-Recipient: rfc822; ${options.as2Id}`,
      `Original-Message-ID: ${originalMessageId}`,
      ...(micValue ? [`Received-Content-MIC: ${micValue}`] : []),
      `Disposition: automatic-action/MDN-sent-automatically; ${disposition}`,
    ].join('\r\n');
    const entity = Buffer.from(
      `Content-Type: multipart/report; report-type=disposition-notification; boundary="${boundary}"\r\n\r\n` +
        `--${boundary}\r\nContent-Type: text/plain\r\n\r\nThe message was received.\r\n` +
        `--${boundary}\r\nContent-Type: message/disposition-notification\r\n\r\n${report}\r\n` +
        `--${boundary}--\r\n`,
    );
    if (peer.behaviour.unsigned) {
      const split = splitEntity(entity);
      return { body: split.body, contentType: split.headers.get('content-type')! };
    }
    const signature = await sign(entity, peer.behaviour.signMdnWith === 'other' ? certs.other : certs.partner);
    return signedBody(entity, signature);
  }

  /** Reads one AS2 message from the hub: decrypt, verify, MIC. */
  async function readMessage(headers: http.IncomingHttpHeaders, body: Buffer): Promise<{ message: ReceivedMessage; disposition: string }> {
    const header = (name: string) => String(headers[name] ?? '');
    const base = { messageId: header('message-id'), as2From: header('as2-from'), as2To: header('as2-to'), headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])) };
    let der = body;
    if (/base64/i.test(header('content-transfer-encoding'))) der = Buffer.from(body.toString('latin1'), 'base64');
    let decrypted: Buffer;
    try {
      decrypted = await openssl(['cms', '-decrypt', '-binary', '-inform', 'DER', '-recip', certs.partner.cert, '-inkey', certs.partner.key], der);
    } catch (error) {
      return { message: { ...base, contentType: '', filename: undefined, content: Buffer.alloc(0), mic: '', duplicate: false, error: String(error) }, disposition: 'processed/error: decryption-failed' };
    }
    const outer = splitEntity(decrypted);
    const { signed, signature } = splitSigned(outer.body, outer.headers.get('content-type') ?? '');
    const ok = await verify(signed, signature, certs.hub.cert);
    const payload = splitEntity(signed);
    const disposition = payload.headers.get('content-disposition') ?? '';
    const message: ReceivedMessage = {
      ...base,
      contentType: payload.headers.get('content-type') ?? '',
      filename: /filename="?([^";]+)"?/.exec(disposition)?.[1],
      content: payload.body,
      mic: mic(signed, header('disposition-notification-options')),
      duplicate: seen.has(base.messageId),
      ...(ok ? {} : { error: 'signature does not verify' }),
    };
    if (!ok) return { message, disposition: 'processed/error: authentication-failed' };
    if (message.duplicate) return { message, disposition: 'processed/warning: duplicate-document' };
    seen.add(base.messageId);
    return { message, disposition: 'processed' };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        if (req.url === '/mdn') {
          const contentType = String(req.headers['content-type'] ?? '');
          const { signed, signature } = splitSigned(body, contentType);
          const verified = await verify(signed, signature, certs.hub.cert);
          mdns.push({ ...readReport(signed), verified });
          res.writeHead(200).end('thanks\n');
          notify();
          return;
        }
        const behaviour = { ...peer.behaviour };
        if (behaviour.status) {
          res.writeHead(behaviour.status, { 'content-type': 'text/plain' }).end('peer says no\n');
          return;
        }
        const { message, disposition } = await readMessage(req.headers, body);
        received.push(message);
        notify();
        const micValue = behaviour.wrongMic ? mic(Buffer.from('something else')) : message.mic || undefined;
        const mdnDisposition = behaviour.negative ? `processed/error: ${behaviour.negative}` : disposition;
        const mdn = await buildMdn(message.messageId, micValue, mdnDisposition);
        const mdnHeaders = {
          'AS2-Version': '1.0',
          'AS2-From': as2Id(options.as2Id),
          'AS2-To': as2Id(options.hubId),
          'Message-ID': `<peer-mdn-${randomBytes(8).toString('hex')}@openssl-peer>`,
          'Content-Type': mdn.contentType,
        };
        const asyncUrl = req.headers['receipt-delivery-option'];
        if (typeof asyncUrl === 'string' && asyncUrl) {
          res.writeHead(200, { 'content-type': 'text/plain' }).end('accepted; MDN follows\n');
          if (behaviour.dropAsyncMdn) return;
          const answer = await post(asyncUrl, mdnHeaders, mdn.body);
          asyncSent.push({ messageId: message.messageId, status: answer.status });
          notify();
          return;
        }
        res.writeHead(200, mdnHeaders).end(mdn.body);
      })().catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(`peer failed: ${String(error)}\n`);
      });
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  peer.url = `http://127.0.0.1:${port}/as2`;
  peer.mdnUrl = `http://127.0.0.1:${port}/mdn`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

  function post(url: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const request = http.request(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(body.length) }, agent }, (response) => {
        const parts: Buffer[] = [];
        response.on('data', (c: Buffer) => parts.push(c));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k, String(v)])), body: Buffer.concat(parts) }),
        );
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end(body);
    });
  }

  async function send(send: PeerSendOptions): Promise<PeerSendResult> {
    const messageId = send.messageId ?? `<peer-${randomBytes(8).toString('hex')}@openssl-peer>`;
    const filename = send.filename ?? 'ASN.856';
    let entity = Buffer.concat([
      Buffer.from(`Content-Type: ${send.contentType ?? 'application/edi-x12'}\r\nContent-Disposition: attachment; filename="${filename}"\r\n\r\n`),
      send.content,
    ]);
    const expectedMic = mic(entity);
    const signature = await sign(entity, send.tamper === 'signer' ? certs.other : certs.partner);
    // The RSA signature value ends the DER: flipping its last bit leaves a well-formed, wrong signature.
    if (send.tamper === 'signature') signature[signature.length - 1] = signature.at(-1)! ^ 0x01;
    if (send.tamper === 'content') entity = Buffer.concat([entity.subarray(0, -1), Buffer.from(entity.at(-1) === 0x31 ? '2' : '1')]);
    const signed = signedBody(entity, signature);
    const signedEntity = Buffer.concat([Buffer.from(`Content-Type: ${signed.contentType}\r\n\r\n`), signed.body]);
    let body: Buffer;
    let contentType: string;
    if (send.plain) {
      body = signed.body;
      contentType = signed.contentType;
    } else {
      const args = ['cms', '-encrypt', '-binary', '-aes256', '-outform', 'DER', '-recip', certs.hub.cert];
      if (send.keyEncryption === 'oaep') args.push('-keyopt', 'rsa_padding_mode:oaep');
      body = await openssl(args, signedEntity);
      contentType = 'application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m';
      if (send.encoding === 'base64') body = Buffer.from(body.toString('base64').replace(/(.{76})/g, '$1\r\n'));
    }
    if (send.tamper === 'truncate') body = body.subarray(0, Math.floor(body.length / 2));
    const mode = send.mdn ?? 'sync';
    const headers: Record<string, string> = {
      'AS2-Version': '1.0',
      'AS2-From': as2Id(send.as2From ?? options.as2Id),
      'AS2-To': as2Id(send.as2To ?? options.hubId),
      'Message-ID': messageId,
      'MIME-Version': '1.0',
      'Content-Type': contentType,
      ...(send.encoding === 'base64' ? { 'Content-Transfer-Encoding': 'base64' } : {}),
      ...(mode === 'none'
        ? {}
        : {
            'Disposition-Notification-To': 'edi@peer.example',
            'Disposition-Notification-Options': 'signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256',
          }),
      ...(mode === 'async' ? { 'Receipt-Delivery-Option': send.asyncUrl ?? peer.mdnUrl } : {}),
    };
    const answer = await post(send.url, headers, body);
    const result: PeerSendResult = { ...answer, messageId, mic: expectedMic };
    const type = answer.headers['content-type'] ?? '';
    if (mode === 'sync' && /multipart\/signed/i.test(type)) {
      const { signed: mdnEntity, signature: mdnSignature } = splitSigned(answer.body, type);
      const verified = await verify(mdnEntity, mdnSignature, certs.hub.cert);
      result.mdn = { ...readReport(mdnEntity), verified };
    }
    return result;
  }

  async function postMdn(url: string, originalMessageId: string, disposition: string, micValue?: string): Promise<{ status: number; body: Buffer }> {
    const mdn = await buildMdn(originalMessageId, micValue, disposition);
    const headers = {
      'AS2-Version': '1.0',
      'AS2-From': as2Id(options.as2Id),
      'AS2-To': as2Id(options.hubId),
      'Message-ID': `<peer-mdn-${randomBytes(8).toString('hex')}@openssl-peer>`,
      'Content-Type': mdn.contentType,
    };
    const answer = await post(url, headers, mdn.body);
    return { status: answer.status, body: answer.body };
  }

  function waitFor(what: 'messages' | 'mdns' | 'asyncSent', count: number, timeoutMs = 30_000): Promise<void> {
    const list = what === 'messages' ? received : what === 'mdns' ? mdns : asyncSent;
    return new Promise((resolve, reject) => {
      const check = () => {
        if (list.length >= count) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`peer: timed out waiting for ${count} ${what} (have ${list.length})`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  }

  async function close(): Promise<void> {
    agent.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(work, { recursive: true, force: true });
  }

  return peer;
}

/** The fields of an MDN's message/disposition-notification part. */
function readReport(mdnEntity: Buffer): Omit<ReceivedMdn, 'verified'> {
  const text = mdnEntity.toString('latin1');
  const field = (name: string) => new RegExp(`^${name}:\\s*(.+?)\\s*$`, 'im').exec(text)?.[1];
  const disposition = field('Disposition') ?? '';
  return {
    originalMessageId: field('Original-Message-ID') ?? '',
    disposition: disposition.replace(/^.*?;\s*/, ''),
    mic: field('Received-Content-MIC'),
  };
}
