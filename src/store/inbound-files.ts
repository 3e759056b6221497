/**
 * Inbound files the hub refused without reading them (over the size limit): recorded once, in the
 * inbound ledger and as a failed document, so that the operator is alerted once and later polls
 * know the file.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface RefusedInboundFile {
  documentId: string;
  supplierId: string;
  filename: string;
  /** What the file is known by while unread: its name, size and time (sha256 hex, see oversizeKey). */
  key: string;
  /** Plain words: why it was refused. */
  reason: string;
  errorCode: string;
  receipt: Record<string, unknown>;
}

/**
 * Records a refused file once: `recorded` when this call did, else the document of the time it was
 * (the same name, size and time refused before). The document keeps no content (none was read).
 */
export async function recordRefusedInboundFile(db: Kysely<Database>, file: RefusedInboundFile): Promise<{ recorded: boolean; documentId: string }> {
  return db.transaction().execute(async (trx) => {
    const ledger = await trx
      .insertInto('inbound_ledger')
      .values({ supplier_id: file.supplierId, content_hash: file.key, filename: file.filename, size: 0, document_id: file.documentId })
      .onConflict((oc) => oc.columns(['supplier_id', 'content_hash']).doNothing())
      .returning('document_id')
      .executeTakeFirst();
    if (!ledger) {
      const known = await trx.selectFrom('inbound_ledger').select('document_id').where('supplier_id', '=', file.supplierId).where('content_hash', '=', file.key).executeTakeFirstOrThrow();
      return { recorded: false, documentId: known.document_id };
    }
    await trx
      .insertInto('documents')
      .values({
        id: file.documentId,
        direction: 'in',
        kind: 'unknown',
        format: 'unknown',
        supplier_id: file.supplierId,
        filename: file.filename,
        content: Buffer.alloc(0),
        content_type: 'application/octet-stream',
        content_hash: file.key,
        size: 0,
        status: 'failed',
        last_error: file.reason,
        error_code: file.errorCode,
        receipt: JSON.stringify(file.receipt),
        done_at: sql`now()`,
      })
      .execute();
    return { recorded: true, documentId: file.documentId };
  });
}
