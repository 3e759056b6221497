import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Extends a worker's claim on an outbound document it is still delivering (`locked_until`, see
 * claimDueDocuments), so that no other process takes it while the delivery is in flight, however
 * long it runs. Only a document still pending and claimed is touched: once it is settled (sent,
 * failed) nothing changes. True when the claim was extended.
 */
export async function extendDocumentClaim(db: Kysely<Database>, documentId: string, leaseMs: number): Promise<boolean> {
  const updated = await db
    .updateTable('documents')
    .set({ locked_until: sql<Date>`now() + (${leaseMs} * interval '1 millisecond')` })
    .where('id', '=', documentId)
    .where('status', '=', 'pending')
    .where('locked_until', 'is not', null)
    .returning('id')
    .executeTakeFirst();
  return updated !== undefined;
}
