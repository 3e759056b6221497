import type { Kysely } from 'kysely';

// Frozen: never import from src/. The retry budget as a duration (issue 14): since when an outbound
// document has been failing (its budget runs from there), and when the operator was alerted about it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('documents').addColumn('failing_since', 'timestamptz').execute();
  await db.schema.alterTable('documents').addColumn('alerted_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('documents').dropColumn('alerted_at').execute();
  await db.schema.alterTable('documents').dropColumn('failing_since').execute();
}
