/**
 * The dashboard's sign-in and form protection.
 *
 * Signing in with HUB_ADMIN_TOKEN sets the ADMIN_COOKIE (http-only, SameSite=Strict) to a value
 * derived from the token (never the token itself), which `isAdmin` accepts for the dashboard and
 * for reading the admin API. Every state-changing form also carries a token
 * derived from the admin token (an HMAC, so it changes when the admin token does and cannot be
 * made without it), and a POST whose Origin, Referer or Sec-Fetch-Site says it came from another
 * site is refused: SameSite alone does not cover old browsers or same-site sub-domains.
 */
import { createHmac } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { Hub } from '../../hub.ts';
import { ADMIN_COOKIE, secretsEqual, sessionValue } from '../request.ts';

/** How long a sign-in lasts. */
const SESSION_SECONDS = 12 * 3600;

export function formToken(hub: Hub): string {
  const token = hub.env.HUB_ADMIN_TOKEN ?? '';
  return createHmac('sha256', token).update('dropship-hub dashboard form').digest('base64url');
}

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

export function signIn(c: Context, token: string): void {
  setCookie(c, ADMIN_COOKIE, sessionValue(token), {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    maxAge: SESSION_SECONDS,
    secure: isHttps(c),
  });
}

export function signOut(c: Context): void {
  deleteCookie(c, ADMIN_COOKIE, { path: '/', secure: isHttps(c) });
}

function sameHost(c: Context, url: string): boolean {
  try {
    return new URL(url).host === new URL(c.req.url).host;
  } catch {
    return false;
  }
}

/** Did this POST come from one of the dashboard's own pages? (Origin/Referer, then the form token.) */
export function fromOwnPage(hub: Hub, c: Context, given: string | undefined): boolean {
  if (c.req.header('sec-fetch-site') === 'cross-site') return false;
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== 'null' && !sameHost(c, origin)) return false;
  if (origin === 'null') return false;
  const referer = c.req.header('referer');
  if (origin === undefined && referer !== undefined && !sameHost(c, referer)) return false;
  return given !== undefined && secretsEqual(given, formToken(hub));
}

/**
 * A path on this site to go back to after a form (`/orders/ord_1?x=y`), or `fallback`: never
 * another host (`//evil.example`, `/\evil.example`, `https://…`).
 */
export function localPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length > 2000) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\') || /[\u0000-\u001f\u007f]/.test(value)) return fallback;
  return value;
}

/** `path` with `notice=<code>` set in its query. */
export function withNotice(path: string, notice: string): string {
  const url = new URL(path, 'http://dashboard.invalid');
  url.searchParams.set('notice', notice);
  return `${url.pathname}${url.search}`;
}
