import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, in and out. Every check is constant-time over the digest bytes, returns
 * `false` (never throws) for a missing, truncated, over-long, re-encoded or garbage header, and
 * refuses an empty secret: an unconfigured secret must never verify anything.
 *
 * - Shopify (`X-Shopify-Hmac-Sha256`) and WooCommerce (`X-WC-Webhook-Signature`): base64 of the
 *   HMAC-SHA256 of the raw request body.
 * - The hub's own outbound events (`X-Hub-Signature-256`): `sha256=` + hex of the HMAC-SHA256 of the
 *   raw body, the convention GitHub made familiar.
 *
 * @example
 *   if (!verifyShopifyHmac(rawBody, retailer.shopifySecret, c.req.header('x-shopify-hmac-sha256'))) {
 *     throw new UnauthorizedError('bad Shopify HMAC');
 *   }
 */

export type Secret = string | Buffer;
export type RawBody = Buffer | Uint8Array | string;

const SHA256_BYTES = 32;
/** Canonical, padded base64 of 32 bytes: 43 characters and one `=`. */
const BASE64_SHA256 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
const HUB_SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

function hmacSha256(rawBody: RawBody, secret: Secret): Buffer {
  return createHmac('sha256', secret).update(rawBody).digest();
}

function usableSecret(secret: Secret | null | undefined): secret is Secret {
  return (typeof secret === 'string' || Buffer.isBuffer(secret)) && secret.length > 0;
}

function equalDigest(expected: Buffer, given: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(expected, given);
}

/** Base64 HMAC-SHA256 of the raw body (Shopify's and WooCommerce's scheme). */
export function base64Hmac(rawBody: RawBody, secret: Secret): string {
  return hmacSha256(rawBody, secret).toString('base64');
}

function verifyBase64Hmac(rawBody: RawBody, secret: Secret | null | undefined, header: unknown): boolean {
  try {
    if (!usableSecret(secret) || typeof header !== 'string') return false;
    const value = header.trim();
    // Node's base64 decoder skips garbage silently; insist on the exact canonical form first.
    if (!BASE64_SHA256.test(value)) return false;
    return equalDigest(hmacSha256(rawBody, secret), Buffer.from(value, 'base64'));
  } catch {
    return false;
  }
}

/** Checks `X-Shopify-Hmac-Sha256` against the shop's webhook secret (or the app's client secret). */
export function verifyShopifyHmac(
  rawBody: RawBody,
  secret: Secret | null | undefined,
  header: string | undefined,
): boolean {
  return verifyBase64Hmac(rawBody, secret, header);
}

/** Checks `X-WC-Webhook-Signature` against the secret entered on the WooCommerce webhook. */
export function verifyWooCommerceSignature(
  rawBody: RawBody,
  secret: Secret | null | undefined,
  header: string | undefined,
): boolean {
  return verifyBase64Hmac(rawBody, secret, header);
}

/** The value of `X-Hub-Signature-256` for an outbound event body: `sha256=<hex>`. */
export function signHubPayload(rawBody: RawBody, secret: Secret): string {
  return `sha256=${hmacSha256(rawBody, secret).toString('hex')}`;
}

/** What a retailer runs on our events; exported for the tests and the docs' example. */
export function verifyHubSignature(
  rawBody: RawBody,
  secret: Secret | null | undefined,
  header: string | undefined,
): boolean {
  try {
    if (!usableSecret(secret) || typeof header !== 'string') return false;
    const match = HUB_SIGNATURE.exec(header.trim());
    if (!match?.[1]) return false;
    const given = Buffer.from(match[1], 'hex');
    return given.length === SHA256_BYTES && equalDigest(hmacSha256(rawBody, secret), given);
  } catch {
    return false;
  }
}
