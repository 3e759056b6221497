/**
 * The dashboard's sign-in and form protection.
 *
 * Signing in with HUB_ADMIN_TOKEN opens a random server-side session (src/store/dashboard-sessions.ts:
 * in the database, so every hub process knows it) and sets the ADMIN_COOKIE (http-only,
 * SameSite=Strict) to its random value, never anything derived from the token. The session ends
 * after SESSION_SECONDS, at Sign out (in every process), or when HUB_ADMIN_TOKEN changes. Each
 * session has its own random form token that every state-changing form carries, and a POST whose
 * Origin, Referer or Sec-Fetch-Site says it came from another site is refused: SameSite alone does
 * not cover old browsers or same-site sub-domains. Wrong tokens are counted per client address:
 * past SIGN_IN_LIMIT the sign-in form refuses that address until its window ends.
 */
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { Hub } from '../../hub.ts';
import { endSession, openSession, type SignInLimit } from '../../store/dashboard-sessions.ts';
import { ADMIN_COOKIE, adminTag, readCookie, secretsEqual } from '../request.ts';

/** How long a sign-in lasts. */
const SESSION_SECONDS = 12 * 3600;

/** Wrong admin tokens one address may try before the sign-in form refuses it for the rest of the window. */
export const SIGN_IN_LIMIT: SignInLimit = { maxFailures: 10, windowMs: 15 * 60_000 };

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

/**
 * The address a sign-in comes from, for the rate limit: the TCP peer (a forwarded-for header is
 * anyone's to write). In-process requests (tests) have none and share one count.
 */
export function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'local';
}

/** Opens a session for a right token and sets its cookie. */
export async function signIn(hub: Hub, c: Context, token: string): Promise<void> {
  const opened = await openSession(hub.store.db, { adminTag: adminTag(token), now: hub.clock(), ttlMs: SESSION_SECONDS * 1000 });
  setCookie(c, ADMIN_COOKIE, opened.cookie, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    maxAge: SESSION_SECONDS,
    secure: isHttps(c),
  });
}

/** Ends the session (in every process) and clears its cookie. */
export async function signOut(hub: Hub, c: Context): Promise<void> {
  const cookie = readCookie(c, ADMIN_COOKIE);
  if (cookie) await endSession(hub.store.db, cookie);
  deleteCookie(c, ADMIN_COOKIE, { path: '/', secure: isHttps(c) });
}

function sameHost(c: Context, url: string): boolean {
  try {
    return new URL(url).host === new URL(c.req.url).host;
  } catch {
    return false;
  }
}

/** Did this POST come from one of the dashboard's own pages? (Origin/Referer, then the session's form token.) */
export function fromOwnPage(c: Context, given: string | undefined, session: { csrf: string } | undefined): boolean {
  if (!session) return false;
  if (c.req.header('sec-fetch-site') === 'cross-site') return false;
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== 'null' && !sameHost(c, origin)) return false;
  if (origin === 'null') return false;
  const referer = c.req.header('referer');
  if (origin === undefined && referer !== undefined && !sameHost(c, referer)) return false;
  return given !== undefined && secretsEqual(given, session.csrf);
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
