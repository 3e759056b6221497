/**
 * The AS2 repository: what partners sent the hub, by Message-ID (table `as2_messages`), and the
 * asynchronous MDNs the hub owes them, queued in the outbox. Routes and the AS2 inbound channel
 * speak these verbs, never SQL.
 */
import type { Kysely, Transaction } from 'kysely';
import { enqueueOutbound } from '../pipeline/documents.ts';
import { toBuffer } from './ids.ts';
import type { As2MessagesTable, Database } from './schema.ts';

export interface As2MessageRecord {
  supplierId: string;
  kind: As2MessagesTable['kind'];
  messageId: string;
  documentId: string | null;
  contentHash: string;
  mic: string | null;
  disposition: string;
  mdnMode: 'sync' | 'async' | 'none' | null;
  mdn: Buffer | null;
  mdnDocumentId?: string | null;
}

/** A message or MDN this partner already sent under this Message-ID, if any. */
export async function findAs2Message(
  db: Kysely<Database>,
  supplierId: string,
  kind: As2MessagesTable['kind'],
  messageId: string,
): Promise<(As2MessageRecord & { receivedAt: Date }) | undefined> {
  const row = await db
    .selectFrom('as2_messages')
    .selectAll()
    .where('supplier_id', '=', supplierId)
    .where('kind', '=', kind)
    .where('message_id', '=', messageId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    supplierId: row.supplier_id,
    kind: row.kind,
    messageId: row.message_id,
    documentId: row.document_id,
    contentHash: row.content_hash,
    mic: row.mic,
    disposition: row.disposition,
    mdnMode: row.mdn_mode as As2MessageRecord['mdnMode'],
    mdn: row.mdn === null ? null : toBuffer(row.mdn),
    mdnDocumentId: row.mdn_document_id,
    receivedAt: row.received_at,
  };
}

/** Records a message or MDN; false when one with the same Message-ID was recorded first (a concurrent replay). */
export async function recordAs2Message(trx: Transaction<Database> | Kysely<Database>, record: As2MessageRecord): Promise<boolean> {
  const inserted = await trx
    .insertInto('as2_messages')
    .values({
      supplier_id: record.supplierId,
      kind: record.kind,
      message_id: record.messageId,
      document_id: record.documentId,
      content_hash: record.contentHash,
      mic: record.mic,
      disposition: record.disposition,
      mdn_mode: record.mdnMode,
      mdn: record.mdn,
      mdn_document_id: record.mdnDocumentId ?? null,
    })
    .onConflict((oc) => oc.columns(['supplier_id', 'kind', 'message_id']).doNothing())
    .returning('message_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Queues an asynchronous MDN in the outbox (kind `as2_mdn`, content: the whole HTTP request as
 * `message/http`), so that it survives a crash and is retried like any delivery. Wake the outbox
 * after the commit.
 */
export async function queueAs2Mdn(
  trx: Transaction<Database>,
  input: { supplierId: string; originalMessageId: string; request: Buffer; maxAttempts: number | undefined },
): Promise<string> {
  return enqueueOutbound(trx, {
    kind: 'as2_mdn',
    format: 'as2-mdn',
    filename: `MDN for ${input.originalMessageId}`.slice(0, 250),
    content: input.request,
    contentType: 'message/http',
    supplierId: input.supplierId,
    maxAttempts: input.maxAttempts,
  });
}
