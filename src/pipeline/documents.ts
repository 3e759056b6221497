import { sql, type Transaction } from 'kysely';
import type { Database, DocumentRow, NewDocument } from '../store/schema.ts';
import { newId, sha256Hex } from '../store/ids.ts';

export interface OutboundDocumentInput {
  /** Given by a caller that needs it fixed beforehand (a purchase order's: see poDocumentId); random otherwise. */
  id?: string;
  kind: 'po' | 'po_cancel' | 'fa_997' | 'ta1' | 'contrl' | 'event' | 'shopify_fulfillment' | 'as2_mdn';
  format: string;
  filename: string;
  content: Buffer;
  contentType: string;
  supplierId?: string | null;
  retailerId?: string | null;
  orderId?: string | null;
  poId?: string | null;
  /** Undefined or 0: no limit on attempts (a supplier's `retry.for` bounds the retries in time). */
  maxAttempts: number | undefined;
  controlNumbers?: { isa13: number; gs06: number; st02: number; partner: string } | undefined;
  /** Kept beside the bytes: what the document was made from. */
  parsed?: unknown;
  notBefore?: Date;
  /**
   * Claimed for this long by the caller, who delivers it itself right after the commit (the
   * router's hand-off). Should the caller die first, the claim runs out and any worker takes it.
   */
  claimForMs?: number;
}

/** Records a document in the outbox (inside the caller's transaction). Wake the outbox after commit. */
export async function enqueueOutbound(trx: Transaction<Database>, input: OutboundDocumentInput): Promise<string> {
  return (await insertOutbound(trx, input)).id;
}

/** Like enqueueOutbound, and gives back the whole row (for a caller that delivers it itself). */
export async function insertOutbound(trx: Transaction<Database>, input: OutboundDocumentInput): Promise<DocumentRow> {
  return trx.insertInto('documents').values(outboundRow(input)).returningAll().executeTakeFirstOrThrow();
}

/**
 * Queues a retailer event unless the same one is queued already: its file name carries the event
 * id, derived from the fact it reports, and the unique (retailer, file name) index of events drops
 * the second copy. True when this call queued it.
 */
export async function enqueueEventOnce(trx: Transaction<Database>, input: OutboundDocumentInput & { kind: 'event' }): Promise<boolean> {
  const inserted = await trx
    .insertInto('documents')
    .values(outboundRow(input))
    .onConflict((oc) => oc.columns(['retailer_id', 'filename']).where('kind', '=', 'event').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** The outbox row for a document, id included (for a caller that writes it in a statement of its own). */
export function outboundRow(input: OutboundDocumentInput) {
  const row: NewDocument = {
    id: input.id ?? newId('doc'),
    direction: 'out',
    kind: input.kind,
    format: input.format,
    supplier_id: input.supplierId ?? null,
    retailer_id: input.retailerId ?? null,
    order_id: input.orderId ?? null,
    po_id: input.poId ?? null,
    filename: input.filename,
    content: input.content,
    content_type: input.contentType,
    content_hash: sha256Hex(input.content),
    size: input.content.length,
    status: 'pending',
    max_attempts: input.maxAttempts ?? 0,
    isa13: input.controlNumbers?.isa13 ?? null,
    gs06: input.controlNumbers?.gs06 ?? null,
    st02: input.controlNumbers?.st02 ?? null,
    partner: input.controlNumbers?.partner ?? null,
    parsed: input.parsed === undefined ? null : JSON.stringify(input.parsed),
  };
  // Due now, by the database's clock: a new document waits behind due retries, not ahead of them.
  return {
    ...row,
    next_attempt_at: input.notBefore ?? sql<Date>`now()`,
    ...(input.claimForMs === undefined ? {} : { locked_until: sql<Date>`now() + (${input.claimForMs} * interval '1 millisecond')` }),
  };
}
