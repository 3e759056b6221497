/**
 * The AS2 building blocks against OpenSSL and against hostile bytes: the outbound channel's
 * options (OAEP, base64 bodies, other digests) read by the OpenSSL peer, and a property: no input,
 * however mangled, makes the message reader throw anything but the project's ParseError.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { As2Transport as As2TransportSchema } from '../../../src/config/mapping-schema.ts';
import { ParseError, TransportError } from '../../../src/errors.ts';
import { As2SecurityError, decryptWith, encryptFor, readCertificate, readPrivateKey } from '../../../src/transports/as2/cms.ts';
import { As2Transport, messageIdFor } from '../../../src/transports/as2/client.ts';
import { loadCredentials } from '../../../src/transports/as2/credentials.ts';
import { packMessage, payloadEntity, unpackMessage, type As2Identity } from '../../../src/transports/as2/message.ts';
import { parseContentType, splitMultipart } from '../../../src/transports/as2/mime.ts';
import { OPENSSL, makeAs2Certificates, openssl, startAs2Peer, type As2Certificates, type As2Peer } from '../../helpers/as2-peer.ts';
import { runHub } from '../../helpers/hub-process.ts';
import { writeMappingDir } from '../../helpers/mappings.ts';

/** The peer needs OpenSSL's command (Debian's `openssl`; CI installs it). */
const HAS_OPENSSL = existsSync(OPENSSL);

let certs: As2Certificates;
let peer: As2Peer;
let hub: As2Identity;
let partner: As2Identity;

beforeAll(async () => {
  if (!HAS_OPENSSL) return;
  certs = await makeAs2Certificates();
  peer = await startAs2Peer({ certs, as2Id: 'ACME', hubId: 'DROPHUB' });
  const load = (pair: { cert: string; key: string }) => ({ certificate: readCertificate(readFileSync(pair.cert), pair.cert), key: readPrivateKey(readFileSync(pair.key), pair.key) });
  hub = load(certs.hub);
  partner = load(certs.partner);
});
afterAll(async () => {
  await peer?.close();
  certs?.remove();
});

function transport(overrides: Record<string, unknown> = {}): As2Transport {
  const config = As2TransportSchema.parse({
    type: 'as2',
    url: peer.url,
    as2From: 'DROPHUB',
    as2To: 'ACME',
    partnerCertificate: certs.partner.cert,
    certificate: certs.hub.cert,
    privateKey: certs.hub.key,
    ...overrides,
  });
  return new As2Transport('acme', config);
}

const file = { filename: 'PO_1001.edi', content: Buffer.from('ISA*00*          *00*          *ZZ*DROPHUB~\r\nIEA*1*000000001~\r\n'), contentType: 'application/edi-x12', documentId: 'doc_0123456789abcdef0123456789abcdef' };

describe.skipIf(!HAS_OPENSSL)('AS2 outbound options, read by OpenSSL', () => {
  it('OAEP key transport, base64 body, AES-128 and SHA-512: the peer decrypts and verifies, the MDN checks out', async () => {
    const receipt = await transport({ keyEncryption: 'rsa-oaep', transferEncoding: 'base64', encryption: 'aes128-cbc', signing: 'sha512' }).deliver(file);
    const got = peer.received.find((m) => m.messageId === messageIdFor(file.documentId))!;
    expect(got.error).toBeUndefined();
    expect(got.content.equals(file.content)).toBe(true);
    expect(got.headers['content-transfer-encoding']).toBe('base64');
    expect(receipt.as2).toMatchObject({ mdn: 'sync', disposition: expect.stringMatching(/processed/) });
  });

  it('a partner that is down is a retryable transport error; a missing key file names the mapping key, not its content', async () => {
    await peer.close().catch(() => undefined);
    peer = await startAs2Peer({ certs, as2Id: 'ACME', hubId: 'DROPHUB' });
    const down = transport({ url: 'http://127.0.0.1:9/as2', timeoutMs: 2000 });
    const error = await down.deliver(file).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).retryable).toBe(true);
    const missing = await loadCredentials('acme', { certificate: certs.hub.cert, privateKey: '/nonexistent/hub.key', partnerCertificate: certs.partner.cert }).then(() => undefined, (e: unknown) => e);
    expect((missing as TransportError).code).toBe('transport_auth_failed');
    expect((missing as TransportError).message).toMatch(/transport\.privateKey file \/nonexistent\/hub\.key cannot be read \(ENOENT\)/);
    const mismatched = await loadCredentials('acme', { certificate: certs.hub.cert, privateKey: certs.other.key, partnerCertificate: certs.partner.cert }).then(() => undefined, (e: unknown) => e);
    expect((mismatched as TransportError).message).toMatch(/does not belong to transport\.certificate/);
    expect((mismatched as TransportError).message).not.toMatch(/BEGIN/);
  });

  it('reads what OpenSSL encrypts with PKCS#1 v1.5 (which Node 20 refuses to unwrap by itself) and OAEP', async () => {
    const content = Buffer.from('Content-Type: text/plain\r\n\r\nhello');
    for (const extra of [[], ['-keyopt', 'rsa_padding_mode:oaep']]) {
      const der = await openssl(['cms', '-encrypt', '-binary', '-aes192', '-outform', 'DER', '-recip', certs.hub.cert, ...extra], content);
      expect(decryptWith(der, hub).content.equals(content)).toBe(true);
    }
  });

  it('a corrupted wrapped key fails exactly like a wrong recipient key: decryption-failed, no padding oracle', () => {
    const content = Buffer.from('Content-Type: text/plain\r\n\r\nhello');
    const der = encryptFor(content, hub.certificate, { cipher: 'aes256-cbc', keyEncryption: 'rsa-pkcs1' });
    const errors: string[] = [];
    for (let i = 0; i < 20; i++) {
      const bad = Buffer.from(der);
      // The wrapped key sits well before the content; flip one of its bytes.
      const at = bad.indexOf(Buffer.from([0x04, 0x82, 0x01, 0x00])) + 4 + i * 7;
      bad[at] = bad[at]! ^ 0x5a;
      try {
        decryptWith(bad, hub);
        errors.push('decrypted');
      } catch (error) {
        expect(error).toBeInstanceOf(As2SecurityError);
        errors.push(`${(error as As2SecurityError).failure}: ${(error as Error).message}`);
      }
    }
    expect(new Set(errors)).toEqual(new Set(["decryption-failed: AS2 message: the message cannot be decrypted with the hub's key (encrypted for another certificate, or corrupted)"]));
  });
});

describe.skipIf(!HAS_OPENSSL)('hub suppliers test <as2 supplier>', () => {
  const env = () => {
    const dir = writeMappingDir({
      supplier: 'acme',
      name: 'ACME over AS2',
      skus: { prefixes: ['ACME-'] },
      transport: { type: 'as2', url: '${ACME_AS2_URL}', as2From: 'DROPHUB', as2To: 'ACME', partnerCertificate: '${ACME_AS2_CERT}', certificate: '${HUB_AS2_CERT}', privateKey: '${HUB_AS2_KEY}' },
      outbound: { format: 'json', filename: 'PO_{poNumber}.json', template: '$' },
    });
    return { HUB_MAPPINGS_DIR: dir, ACME_AS2_URL: peer.url, ACME_AS2_CERT: certs.partner.cert, HUB_AS2_CERT: certs.hub.cert, HUB_AS2_KEY: certs.hub.key };
  };

  it('reads the certificates, sends a signed test message and verifies its MDN', async () => {
    const ok = await runHub(['suppliers', 'test', 'acme'], env());
    expect(ok.code, ok.stderr).toBe(0);
    for (const step of ['certificates', 'send', 'mdn']) expect(ok.stdout).toMatch(new RegExp(`ok\\s+${step}`));
    expect(ok.stdout).not.toMatch(/PRIVATE KEY/);
  });

  it('fails clearly when the partner certificate is the wrong one', async () => {
    const wrong = await runHub(['suppliers', 'test', 'acme'], { ...env(), ACME_AS2_CERT: certs.other.cert });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/FAIL\s+mdn .*unverifiable/);
  });
});

describe.skipIf(!HAS_OPENSSL)('AS2 reading hostile bytes', () => {
  it('never throws anything but a ParseError, whatever is cut, flipped or inserted', () => {
    const payload = payloadEntity({ content: Buffer.from('ISA*00*test~'), contentType: 'application/edi-x12', filename: 'x.edi' });
    const packed = packMessage(payload, partner, hub.certificate, { digest: 'sha256', cipher: 'aes128-cbc', keyEncryption: 'rsa-pkcs1', transferEncoding: 'binary', signingTime: new Date(0) });
    const base64 = packMessage(payload, partner, hub.certificate, { digest: 'sha256', cipher: 'aes128-cbc', keyEncryption: 'rsa-oaep', transferEncoding: 'base64', signingTime: new Date(0) });
    expect(unpackMessage(packed.body, { contentType: packed.contentType }, hub, partner.certificate).content.toString()).toBe('ISA*00*test~');
    const mutation = fc.record({
      source: fc.constantFrom(packed.body, base64.body),
      cut: fc.nat(),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
      insert: fc.uint8Array({ maxLength: 16 }),
      type: fc.constantFrom(packed.contentType, 'multipart/signed; boundary=x', 'application/pkcs7-mime; smime-type=compressed-data', 'text/plain', ''),
    });
    fc.assert(
      fc.property(mutation, ({ source, cut, flips, insert, type }) => {
        const body = Buffer.from(source.subarray(0, source.length - (cut % 64)));
        for (const [at, xor] of flips) body[at % body.length] = body[at % body.length]! ^ xor;
        const mangled = Buffer.concat([body.subarray(0, 40), Buffer.from(insert), body.subarray(40)]);
        try {
          unpackMessage(mangled, { contentType: type }, hub, partner.certificate);
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('splits multipart bodies exactly, with a preamble, LF line ends and quoted boundaries', () => {
    const type = parseContentType('multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="a b;c"');
    expect(type.type).toBe('multipart/signed');
    expect(type.params.get('boundary')).toBe('a b;c');
    const body = Buffer.from('preamble\r\n--a b;c\r\nfirst\r\n--a b;c\nsecond\n--a b;c--\r\n');
    expect(splitMultipart(body, 'a b;c').map((p) => p.toString())).toEqual(['first', 'second']);
    expect(() => splitMultipart(Buffer.from('--a\r\nfirst\r\n--a\r\nsecond'), 'a')).toThrow(/not closed.*cut short/);
  });
});
