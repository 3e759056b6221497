import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  signHubPayload,
  verifyHubSignature,
  verifyShopifyHmac,
  verifyWooCommerceSignature,
} from '../../src/intake/signatures.ts';

const secret = 'shpss_5a1f0c9e2b7d4c8a';
const body = Buffer.from('{"id":5843391627431,"name":"#1001","line_items":[{"sku":"ACME-TRUCK-01"}]}');
/** Computed independently of the module under test, the way the sender does it. */
const base64Of = (raw: Buffer, key: string) => createHmac('sha256', key).update(raw).digest('base64');

describe.each([
  ['Shopify', verifyShopifyHmac],
  ['WooCommerce', verifyWooCommerceSignature],
])('%s base64 HMAC-SHA256', (_name, verify) => {
  const header = base64Of(body, secret);

  it('accepts the signature of the exact raw body', () => {
    expect(verify(body, secret, header)).toBe(true);
    expect(verify(body, Buffer.from(secret), header)).toBe(true);
  });

  it('refuses a one-byte change to the body', () => {
    const changed = Buffer.from(body);
    changed[10] = changed[10]! ^ 0x01;
    expect(verify(changed, secret, header)).toBe(false);
  });

  it('refuses a body re-serialised by a JSON parser (whitespace differs)', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
    expect(verify(reserialised, secret, header)).toBe(false);
  });

  it('refuses a one-byte change to the secret', () => {
    expect(verify(body, `${secret.slice(0, -1)}b`, header)).toBe(false);
  });

  it('refuses a missing header or an empty secret', () => {
    expect(verify(body, secret, undefined)).toBe(false);
    expect(verify(body, secret, '')).toBe(false);
    expect(verify(body, '', base64Of(body, ''))).toBe(false);
    expect(verify(body, undefined, header)).toBe(false);
  });

  it('refuses truncated, padded-away, over-long and wrong-length headers', () => {
    expect(verify(body, secret, header.slice(0, -1))).toBe(false);
    expect(verify(body, secret, header.slice(0, 20))).toBe(false);
    expect(verify(body, secret, `${header}AAAA`)).toBe(false);
    expect(verify(body, secret, createHmac('sha1', secret).update(body).digest('base64'))).toBe(false);
    expect(verify(body, secret, createHmac('sha512', secret).update(body).digest('base64'))).toBe(false);
  });

  it('refuses non-base64 and hex headers without throwing', () => {
    expect(verify(body, secret, '!!!!not base64 at all!!!!')).toBe(false);
    expect(verify(body, secret, header.replace(/.$/, '*'))).toBe(false);
    expect(verify(body, secret, createHmac('sha256', secret).update(body).digest('hex'))).toBe(false);
    expect(verify(body, secret, `sha256=${header}`)).toBe(false);
    expect(verify(body, secret, header.replace(/=$/, ''))).toBe(false);
    expect(verify(body, secret, 'x'.repeat(100_000))).toBe(false);
  });
});

describe('the hub signature (X-Hub-Signature-256)', () => {
  it('is sha256= and the hex HMAC of the raw body', () => {
    const expected = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    expect(signHubPayload(body, secret)).toBe(expected);
    expect(verifyHubSignature(body, secret, expected)).toBe(true);
    expect(verifyHubSignature(body, secret, expected.toUpperCase().replace('SHA256=', 'sha256='))).toBe(true);
  });

  it('refuses tampering, other secrets and malformed headers', () => {
    const header = signHubPayload(body, secret);
    expect(verifyHubSignature(Buffer.concat([body, Buffer.from(' ')]), secret, header)).toBe(false);
    expect(verifyHubSignature(body, 'other', header)).toBe(false);
    expect(verifyHubSignature(body, secret, undefined)).toBe(false);
    expect(verifyHubSignature(body, secret, header.slice(7))).toBe(false);
    expect(verifyHubSignature(body, secret, header.slice(0, -2))).toBe(false);
    expect(verifyHubSignature(body, secret, `${header}00`)).toBe(false);
    expect(verifyHubSignature(body, secret, 'sha256=zz' + header.slice(9))).toBe(false);
    expect(verifyHubSignature(body, '', signHubPayload(body, ''))).toBe(false);
  });
});
