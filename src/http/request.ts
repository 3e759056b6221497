import type { Context, MiddlewareHandler } from 'hono';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { loneSurrogatePath } from '../canonical/safe-parse.ts';
import { HubError, UnauthorizedError, ValidationError } from '../errors.ts';
import type { Hub } from '../hub.ts';
import { sha256Hex } from '../store/ids.ts';
import { retailerByApiKey } from '../store/retailers.ts';
import type { RetailerRow } from '../store/schema.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

export type AppEnv = { Variables: { retailer: RetailerRow; rawBody: Buffer } };

const tooLarge = (maxSize: number) => new HubError('payload_too_large', `request body is larger than ${maxSize} bytes`);

/**
 * 413 before anything is read when Content-Length says the body is too large. A body without one
 * (chunked), or with a lying one, is counted as it is read (readBody) and refused past the limit.
 */
export const limitBody = (maxSize = MAX_BODY_BYTES): MiddlewareHandler => async (c, next) => {
  const length = c.req.header('content-length');
  if (length !== undefined && Number(length) > maxSize) throw tooLarge(maxSize);
  await next();
};

/**
 * The request body's bytes, at most `maxBytes` (413 past it, also for a chunked body). Under
 * @hono/node-server it reads Node's request stream directly (no web Request/stream objects on the
 * hot path); elsewhere (in-process tests) the standard body.
 */
export async function readBody(c: Context, maxBytes = MAX_BODY_BYTES): Promise<Buffer> {
  const incoming = (c.env as { incoming?: NodeJS.ReadableStream & { readableEnded?: boolean } } | undefined)?.incoming;
  if (!incoming || typeof incoming.on !== 'function' || incoming.readableEnded) {
    const body = Buffer.from(await c.req.arrayBuffer());
    if (body.length > maxBytes) throw tooLarge(maxBytes);
    return body;
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer | string): void => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > maxBytes) {
        // Stop keeping it, but let the rest drain: destroying the request would also kill the
        // socket before the 413 reaches the client.
        incoming.off('data', onData);
        incoming.off('end', onEnd);
        incoming.resume();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(buffer);
    };
    const onEnd = (): void => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('error', reject);
  });
}

/** The raw bytes (for signatures) and the parsed JSON of a request body. */
export async function readJson(c: Context): Promise<{ raw: Buffer; json: unknown }> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type.trim())) {
    throw new HubError('unsupported_media_type', `Content-Type must be application/json (was "${type || 'missing'}")`);
  }
  const raw = await readBody(c);
  return { raw, json: parseJson(raw) };
}

export function parseJson(raw: Buffer): unknown {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new ValidationError('malformed JSON', [{ path: '', message: (error as Error).message }]);
  }
  // "\ud800" is valid JSON but not text the database can store: refuse it here, naming the field.
  const path = loneSurrogatePath(value);
  if (path !== undefined) {
    throw new ValidationError('invalid text in the JSON body', [{ path, message: 'holds a broken character: a \\ud800-\\udfff escape without its pair' }]);
  }
  return value;
}

function bearer(c: Context): string | undefined {
  const header = c.req.header('authorization');
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/** How long a verified API key is remembered (a retailer row changes rarely; intake is hot). */
const AUTH_CACHE_MS = 30_000;
const AUTH_CACHE_MAX = 10_000;

/** Retailer routes: `Authorization: Bearer <api key>`. */
export function retailerAuth(hub: Hub): MiddlewareHandler<AppEnv> {
  // Keyed by the key's SHA-256, like the table: the cache never holds a key itself.
  const cache = new Map<string, { retailer: RetailerRow; until: number }>();
  return async (c, next) => {
    const key = bearer(c);
    if (!key || key.length > 200) throw new UnauthorizedError();
    const hash = sha256Hex(key);
    const cached = cache.get(hash);
    let retailer = cached && cached.until > Date.now() ? cached.retailer : undefined;
    if (!retailer) {
      retailer = await retailerByApiKey(hub.store.db, key);
      if (!retailer) throw new UnauthorizedError();
      if (cache.size >= AUTH_CACHE_MAX) cache.clear();
      cache.set(hash, { retailer, until: Date.now() + AUTH_CACHE_MS });
    }
    c.set('retailer', retailer);
    await next();
  };
}

/** Constant-time comparison of two secrets of any length. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  // Compare against itself when lengths differ, so the time does not say how long the secret is.
  return timingSafeEqual(a.length === b.length ? a : b, b) && a.length === b.length;
}

/**
 * What the dashboard's cookie holds: derived from the admin token (so it changes with it), never the
 * token itself, so that a leaked cookie does not give the bearer token for the API.
 */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('dropship-hub dashboard session').digest('base64url');
}

/** Admin routes: `Authorization: Bearer <HUB_ADMIN_TOKEN>` or the dashboard's cookie. Unset token: refuse all. */
export function isAdmin(hub: Hub, c: Context): boolean {
  const token = hub.env.HUB_ADMIN_TOKEN;
  if (!token) return false;
  const given = bearer(c);
  if (given !== undefined) return secretsEqual(given, token);
  const cookie = readCookie(c, ADMIN_COOKIE);
  return cookie !== undefined && secretsEqual(cookie, sessionValue(token));
}

export const ADMIN_COOKIE = 'hub_admin';

export function readCookie(c: Context, name: string): string | undefined {
  const header = c.req.header('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export function adminAuth(hub: Hub): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // The dashboard's cookie may read; changes through the JSON API need the bearer token itself
    // (the dashboard's own forms carry a form token: src/http/dashboard/session.ts).
    const viaBearer = bearer(c) !== undefined;
    if (!isAdmin(hub, c) || (c.req.method !== 'GET' && !viaBearer)) throw new UnauthorizedError('admin token required');
    await next();
  };
}
