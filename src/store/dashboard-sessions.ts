/**
 * Dashboard sign-ins, in the database so that every hub process sees them: random sessions with
 * an expiry, their own form (CSRF) tokens and a real sign-out; and the count of wrong admin tokens
 * per client address that the sign-in rate limit reads.
 *
 * The cookie holds a random value; the table holds only its SHA-256, so a copy of the table gives
 * no usable cookie. Each session remembers a tag of the admin token it was opened with: a new
 * HUB_ADMIN_TOKEN ends every older session.
 *
 * @example
 *   const opened = await openSession(db, { adminTag, now, ttlMs: 12 * 3600_000 });
 *   setCookie(c, ADMIN_COOKIE, opened.cookie);
 *   const session = await findSession(db, cookieValue, { adminTag, now });  // { csrf } or undefined
 *   await endSession(db, cookieValue);
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sha256Hex } from './ids.ts';
import type { Database } from './schema.ts';

export interface DashboardSession {
  /** The form token every POST of this session must carry. */
  csrf: string;
  expiresAt: Date;
}

/** Opens a session; `cookie` is the only copy of its value (shown once, to the browser). */
export async function openSession(
  db: Kysely<Database>,
  input: { adminTag: string; now: Date; ttlMs: number },
): Promise<DashboardSession & { cookie: string }> {
  const cookie = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const expiresAt = new Date(input.now.getTime() + input.ttlMs);
  // Expired sessions are useless; clearing them here keeps the table small without a schedule.
  await db.deleteFrom('dashboard_sessions').where('expires_at', '<=', input.now).execute();
  await db
    .insertInto('dashboard_sessions')
    .values({ id_hash: sha256Hex(cookie), csrf, admin_tag: input.adminTag, expires_at: expiresAt })
    .execute();
  return { cookie, csrf, expiresAt };
}

/** The live session a cookie value names, or undefined (unknown, signed out, expired, older admin token). */
export async function findSession(
  db: Kysely<Database>,
  cookie: string,
  input: { adminTag: string; now: Date },
): Promise<DashboardSession | undefined> {
  if (cookie.length === 0 || cookie.length > 200) return undefined;
  const row = await db
    .selectFrom('dashboard_sessions')
    .select(['csrf', 'expires_at'])
    .where('id_hash', '=', sha256Hex(cookie))
    .where('admin_tag', '=', input.adminTag)
    .where('expires_at', '>', input.now)
    .executeTakeFirst();
  return row && { csrf: row.csrf, expiresAt: new Date(row.expires_at) };
}

/** Signs a session out, in every process. */
export async function endSession(db: Kysely<Database>, cookie: string): Promise<void> {
  if (cookie.length === 0 || cookie.length > 200) return;
  await db.deleteFrom('dashboard_sessions').where('id_hash', '=', sha256Hex(cookie)).execute();
}

export interface SignInLimit {
  /** Wrong tokens allowed from one address within `windowMs`. */
  maxFailures: number;
  windowMs: number;
}

/** When an address may try again (it has used up its wrong tokens for the window), or undefined. */
export async function signInBlockedUntil(db: Kysely<Database>, address: string, now: Date, limit: SignInLimit): Promise<Date | undefined> {
  const row = await db
    .selectFrom('dashboard_sign_in_failures')
    .select(['failures', 'window_started_at'])
    .where('address', '=', address)
    .executeTakeFirst();
  if (!row) return undefined;
  const until = new Date(new Date(row.window_started_at).getTime() + limit.windowMs);
  return row.failures >= limit.maxFailures && until > now ? until : undefined;
}

/** Counts one wrong token from an address (a window that has run out starts again). */
export async function recordSignInFailure(db: Kysely<Database>, address: string, now: Date, limit: SignInLimit): Promise<void> {
  const windowStart = new Date(now.getTime() - limit.windowMs);
  await db
    .insertInto('dashboard_sign_in_failures')
    .values({ address, failures: 1, window_started_at: now })
    .onConflict((oc) =>
      oc.column('address').doUpdateSet((eb) => ({
        failures: eb
          .case()
          .when('dashboard_sign_in_failures.window_started_at', '<', windowStart)
          .then(1)
          .else(eb('dashboard_sign_in_failures.failures', '+', 1))
          .end(),
        window_started_at: eb
          .case()
          .when('dashboard_sign_in_failures.window_started_at', '<', windowStart)
          .then(now)
          .else(eb.ref('dashboard_sign_in_failures.window_started_at'))
          .end(),
      })),
    )
    .execute();
}

/** A right token from an address clears its count. */
export async function clearSignInFailures(db: Kysely<Database>, address: string): Promise<void> {
  await db.deleteFrom('dashboard_sign_in_failures').where('address', '=', address).execute();
}
