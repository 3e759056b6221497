import { sql, type Kysely } from 'kysely';

// Frozen: never import from src/. Dashboard sign-ins (issue 18 item 5): random server-side sessions
// that every hub process sees, with expiry and a real sign-out, and a count of wrong tokens per
// address for the sign-in rate limit.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('dashboard_sessions')
    // sha-256 (hex) of the random value in the cookie: the table never holds a usable cookie.
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    // The form (CSRF) token of this session, random.
    .addColumn('csrf', 'text', (c) => c.notNull())
    // Derived from the admin token the session was opened with: a new admin token ends old sessions.
    .addColumn('admin_tag', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dashboard_sessions_expires_idx').on('dashboard_sessions').column('expires_at').execute();
  await db.schema
    .createTable('dashboard_sign_in_failures')
    .addColumn('address', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_started_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('dashboard_sign_in_failures').execute();
  await db.schema.dropTable('dashboard_sessions').execute();
}
