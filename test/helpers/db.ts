import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/database.ts';

/** Which engine the tests run on: real PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise. */
export const DATABASE_URL = process.env.DATABASE_URL || undefined;
export const ENGINE = DATABASE_URL ? 'postgres' : 'pglite';

/**
 * A fresh, migrated store for one test file (or one test): its own PostgreSQL schema, dropped by
 * `close()`, or its own in-memory PGlite.
 */
export async function openTestStore(): Promise<Store & { schema?: string }> {
  if (!DATABASE_URL) return openStore({ dataDir: 'memory://' });
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const store = await openStore({ databaseUrl: DATABASE_URL, schema, poolSize: 20 });
  return {
    ...store,
    schema,
    async close() {
      await store.close();
      const admin = new pg.Client({ connectionString: DATABASE_URL });
      await admin.connect();
      try {
        await admin.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await admin.end();
      }
    },
  };
}
