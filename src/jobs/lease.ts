import { sql } from 'kysely';
import type { Store } from '../store/database.ts';

/**
 * A named lease in the database, so that one poll per supplier runs at a time across every hub
 * process (works the same on PostgreSQL and PGlite). A holder that dies loses it when it expires.
 */
export async function tryTakeLease(store: Store, name: string, holder: string, ms: number): Promise<boolean> {
  const result = await sql<{ name: string }>`
    insert into leases (name, holder, expires_at) values (${name}, ${holder}, now() + (${ms} * interval '1 millisecond'))
    on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
      where leases.expires_at < now() or leases.holder = excluded.holder
    returning name`.execute(store.db);
  return result.rows.length === 1;
}

export async function releaseLease(store: Store, name: string, holder: string): Promise<void> {
  await store.db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
}
