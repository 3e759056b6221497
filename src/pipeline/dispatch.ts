import { sql, type Transaction } from 'kysely';
import { durationMs } from '../config/mapping-schema.ts';
import { HubError, TransportError, errorMessage } from '../errors.ts';
import type { Hub } from '../hub.ts';
import { crashPoint } from '../crash.ts';
import { toBuffer } from '../store/ids.ts';
import { recordEvent } from '../store/orders.ts';
import { extendDocumentClaim } from '../store/outbox.ts';
import { purchaseOrderLineIds } from '../store/reroutes.ts';
import type { Database, DocumentRow } from '../store/schema.ts';
import { deliverToRetailer } from './retailer-delivery.ts';
import { syncOrderStatus } from './order-status.ts';
import { openExpectations } from './expectations.ts';
import { postQueuedMdn } from '../transports/as2/client.ts';
import type { DeliveryReceipt } from '../transports/transport.ts';

export interface DeliveryOutcome {
  documentId: string;
  /** `awaiting_mdn`: sent over AS2, counted as delivered once the partner's asynchronous MDN is verified. */
  outcome: 'sent' | 'retry' | 'failed' | 'skipped' | 'awaiting_mdn';
  error?: string;
}

/**
 * The outbox. Due documents are claimed with `FOR UPDATE SKIP LOCKED` and a lease (`locked_until`),
 * then delivered outside any transaction. A worker that dies mid-delivery leaves the lease to run
 * out; the document is then delivered again under the same file name with the same bytes and
 * control numbers (an SFTP rename replaces, HTTP carries an Idempotency-Key), so the supplier ends
 * up with exactly one copy.
 */
export async function claimDueDocuments(hub: Hub, limit: number, leaseMs: number): Promise<DocumentRow[]> {
  const result = await sql<DocumentRow>`
    update documents
       set locked_until = now() + (${leaseMs} * interval '1 millisecond'), updated_at = now()
     where id in (
       select id from documents
        where status = 'pending' and direction = 'out' and next_attempt_at <= now()
          and (locked_until is null or locked_until < now())
        order by next_attempt_at, created_at
        limit ${limit}
        for update skip locked)
    returning *`.execute(hub.store.db);
  return result.rows;
}

/**
 * Delivers a claimed document and records the outcome. With `leaseMs` (the claim's lease), the claim
 * is extended while the delivery is in flight: a slow supplier or retailer (slower than the lease)
 * is never sent the same document again by another process meanwhile. A process that dies stops
 * extending it, and the lease runs out as before.
 */
export async function deliverDocument(hub: Hub, doc: DocumentRow, leaseMs?: number): Promise<DeliveryOutcome> {
  const target = doc.supplier_id ?? `retailer:${doc.retailer_id}`;
  const end = hub.metrics.deliveryDuration.startTimer({ target });
  try {
    const receipt = await whileClaimed(hub, doc.id, leaseMs, () => send(hub, doc));
    crashPoint('after-upload');
    end();
    const awaiting = (receipt as DeliveryReceipt | undefined)?.awaitingMdn;
    if (awaiting) {
      hub.metrics.deliveryAttempts.inc({ target, outcome: 'awaiting_mdn' });
      const applied = await markAwaitingMdn(hub, doc, receipt as DeliveryReceipt, awaiting.timeoutMs);
      return { documentId: doc.id, outcome: applied ? 'awaiting_mdn' : 'skipped' };
    }
    hub.metrics.deliveryAttempts.inc({ target, outcome: 'sent' });
    const applied = await markSent(hub, doc, receipt);
    if (applied) {
      hub.logger.info(
        { documentId: doc.id, orderId: doc.order_id, poId: doc.po_id, supplier: doc.supplier_id, file: doc.filename },
        'document delivered',
      );
    }
    return { documentId: doc.id, outcome: applied ? 'sent' : 'skipped' };
  } catch (error) {
    end();
    return recordFailure(hub, doc, error, target);
  }
}

/** Runs `work`, extending the document's claim every third of its lease until it settles. */
async function whileClaimed<T>(hub: Hub, documentId: string, leaseMs: number | undefined, work: () => Promise<T>): Promise<T> {
  if (leaseMs === undefined) return work();
  const timer = setInterval(() => {
    extendDocumentClaim(hub.store.db, documentId, leaseMs).catch((error) =>
      hub.logger.warn({ err: error, documentId }, 'could not extend the claim on a document being delivered'),
    );
  }, Math.max(1, Math.floor(leaseMs / 3)));
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

async function send(hub: Hub, doc: DocumentRow): Promise<unknown> {
  const content = toBuffer(doc.content);
  if (doc.kind === 'event' || doc.kind === 'shopify_fulfillment') {
    return deliverToRetailer(hub, doc, content);
  }
  if (!doc.supplier_id) throw new HubError('internal', `document ${doc.id} has no target`);
  if (doc.kind === 'as2_mdn') {
    const transport = hub.mappings.get(doc.supplier_id)?.mapping.transport;
    return postQueuedMdn(content, transport?.type === 'as2' ? transport.timeoutMs : 60_000);
  }
  const transport = hub.transports.get(doc.supplier_id);
  return transport.deliver({ filename: doc.filename, content, contentType: doc.content_type, documentId: doc.id });
}

async function markSent(hub: Hub, doc: DocumentRow, receipt: unknown, from: readonly string[] = ['pending']): Promise<boolean> {
  const applied = await hub.store.db.transaction().execute(async (trx) => {
    // Locks are taken order first, then purchase order, everywhere: no deadlock with an inbound apply.
    if (doc.order_id) await trx.selectFrom('orders').select('id').where('id', '=', doc.order_id).forUpdate().execute();
    const updated = await trx
      .updateTable('documents')
      .set({
        status: 'sent',
        attempts: sql`attempts + 1`,
        receipt: JSON.stringify(receipt ?? null),
        last_error: null,
        error_code: null,
        locked_until: null,
        failing_since: null,
        alerted_at: null,
        done_at: sql`now()`,
        updated_at: sql`now()`,
      })
      .where('id', '=', doc.id)
      .where('status', 'in', from)
      .returning('id')
      .executeTakeFirst();
    if (!updated) return false; // another worker finished it first (its lease had run out)
    if (doc.supplier_id) {
      await trx
        .insertInto('supplier_activity')
        .values({ supplier_id: doc.supplier_id, last_delivery_at: new Date() })
        .onConflict((oc) => oc.column('supplier_id').doUpdateSet({ last_delivery_at: new Date() }))
        .execute();
    }
    if (doc.order_id && doc.kind !== 'event' && doc.kind !== 'shopify_fulfillment') {
      await recordEvent(trx, doc.order_id, {
        type: 'document_sent',
        cause: `delivered to ${doc.supplier_id}`,
        data: { documentId: doc.id, kind: doc.kind, filename: doc.filename, controlNumber: doc.isa13 === null ? null : Number(doc.isa13) },
      });
    }
    if (doc.po_id && (doc.kind === 'po' || doc.kind === 'po_cancel')) await afterPurchaseOrderSent(trx, hub, doc);
    return true;
  });
  if (applied && doc.supplier_id) hub.metrics.documentsSent.inc({ supplier: doc.supplier_id, format: doc.format });
  return applied;
}

async function afterPurchaseOrderSent(trx: Transaction<Database>, hub: Hub, doc: DocumentRow): Promise<void> {
  const poId = doc.po_id!;
  if (doc.kind === 'po_cancel') {
    // A cancellation of some lines only (a reroute moved them) leaves the PO and its other lines open.
    if (!(await cancelsSomeLinesOnly(trx, doc))) {
      await trx.updateTable('purchase_orders').set({ status: 'cancelled', updated_at: sql`now()` }).where('id', '=', poId).execute();
      await trx.updateTable('expectations').set({ status: 'cancelled' }).where('po_id', '=', poId).where('status', 'in', ['open', 'overdue']).execute();
    }
  } else {
    await trx
      .updateTable('purchase_orders')
      .set({ status: 'sent', status_reason: null, updated_at: sql`now()` })
      .where('id', '=', poId)
      .where('status', 'in', ['pending', 'failed'])
      .execute();
    const mapping = hub.mappings.get(doc.supplier_id!)?.mapping;
    if (mapping) await openExpectations(trx, hub, mapping, poId, doc.order_id!);
  }
  await syncOrderStatus(trx, hub, doc.order_id!, `document ${doc.filename} delivered`);
}

async function cancelsSomeLinesOnly(trx: Transaction<Database>, doc: DocumentRow): Promise<boolean> {
  const cancelled = (doc.parsed as { lines?: unknown } | null)?.lines;
  if (!Array.isArray(cancelled)) return false;
  return (await purchaseOrderLineIds(trx, doc.po_id!)).some((lineId) => !cancelled.includes(lineId));
}

function backoffMs(hub: Hub, doc: DocumentRow, attempts: number, error: unknown): number {
  const retryAfter = (error as { details?: { retryAfterMs?: unknown } }).details?.retryAfterMs;
  const retry = doc.supplier_id ? hub.mappings.get(doc.supplier_id)?.mapping.transport.retry : undefined;
  const base = retry?.baseDelayMs ?? hub.env.HUB_RETAILER_RETRY_BASE_MS;
  const cap = retry?.maxDelayMs ?? 600_000;
  const exponential = Math.min(cap, base * 2 ** Math.max(0, attempts - 1));
  const jittered = exponential / 2 + Math.random() * (exponential / 2);
  return typeof retryAfter === 'number' && retryAfter >= 0 ? Math.min(Math.max(retryAfter, jittered / 4), 3_600_000) : jittered;
}

async function recordFailure(
  hub: Hub,
  doc: DocumentRow,
  error: unknown,
  target: string,
  from: readonly string[] = ['pending'],
  attempts = doc.attempts + 1,
): Promise<DeliveryOutcome> {
  const retryable = error instanceof HubError ? error.retryable : true;
  const message = errorMessage(error);
  const code = error instanceof HubError ? error.code : 'internal';
  const now = hub.clock();
  const failingSince = doc.failing_since ?? now;
  const budget = retryBudget(hub, doc);
  const giveUp = !retryable || budgetSpent(hub, doc, attempts, failingSince, now);
  // The operator hears of a delivery that keeps failing long before the retailer does (at give-up).
  const alert = !giveUp && budget !== undefined && doc.alerted_at === null && now.getTime() - failingSince.getTime() >= budget.alertAfterMs;
  hub.metrics.deliveryAttempts.inc({ target, outcome: giveUp ? 'failed' : 'retry' });
  const details = error instanceof TransportError ? error.details : undefined;
  await hub.store.db.transaction().execute(async (trx) => {
    if ((giveUp || alert) && doc.order_id) await trx.selectFrom('orders').select('id').where('id', '=', doc.order_id).forUpdate().execute();
    const updated = await trx
      .updateTable('documents')
      .set({
        attempts,
        last_error: message,
        error_code: code,
        locked_until: null,
        updated_at: sql`now()`,
        receipt: details === undefined ? null : JSON.stringify(details),
        failing_since: failingSince,
        ...(alert ? { alerted_at: now } : {}),
        ...(giveUp
          ? { status: 'failed', done_at: sql`now()` }
          : { status: 'pending', next_attempt_at: new Date(Date.now() + backoffMs(hub, doc, attempts, error)) }),
      })
      .where('id', '=', doc.id)
      .where('status', 'in', from)
      .returning('id')
      .executeTakeFirst();
    if (updated && alert && doc.order_id) {
      await recordEvent(trx, doc.order_id, {
        type: 'delivery_delayed',
        cause: `delivery of ${doc.filename} to ${doc.supplier_id} failing since ${failingSince.toISOString()}; retried until ${new Date(failingSince.getTime() + budget!.forMs).toISOString()}, then the retailer is told`,
        data: { documentId: doc.id, supplier: doc.supplier_id, attempts, error: message, code, failingSince: failingSince.toISOString() },
      });
    }
    if (!updated || !giveUp) return;
    const reason = `delivery of ${doc.filename} to ${doc.supplier_id ?? `retailer ${doc.retailer_id}`} failed after ${attempts} attempt(s): ${message}`;
    if (doc.order_id && doc.kind !== 'event') {
      await recordEvent(trx, doc.order_id, { type: 'document_failed', cause: 'outbox', data: { documentId: doc.id, error: message, code } });
    }
    if (doc.po_id && (doc.kind === 'po' || doc.kind === 'po_cancel')) {
      await trx
        .updateTable('purchase_orders')
        .set({ status: 'failed', status_reason: reason, updated_at: sql`now()` })
        .where('id', '=', doc.po_id)
        .execute();
      const po = await trx.selectFrom('purchase_orders').select('po_number').where('id', '=', doc.po_id).executeTakeFirst();
      await syncOrderStatus(trx, hub, doc.order_id!, 'outbox gave up', { reason, code: 'delivery_failed', poNumber: po?.po_number ?? null });
    }
  });
  if (alert) {
    hub.metrics.deliveryAlerts.inc({ supplier: doc.supplier_id ?? 'unknown' });
    hub.logger.error(
      { documentId: doc.id, orderId: doc.order_id, supplier: doc.supplier_id, code, attempts, failingSince },
      `delivery to ${doc.supplier_id} failing since ${failingSince.toISOString()} (${attempts} attempt(s)); still retrying: ${message}`,
    );
  }
  if (giveUp) {
    hub.metrics.documentsFailed.inc({ supplier: doc.supplier_id ?? 'retailer', format: doc.format, direction: 'out' });
    hub.logger.error({ documentId: doc.id, orderId: doc.order_id, code, attempts }, `document dead-lettered: ${message}`);
  } else {
    hub.logger.warn({ documentId: doc.id, orderId: doc.order_id, code, attempts }, `delivery failed, will retry: ${message}`);
  }
  return { documentId: doc.id, outcome: giveUp ? 'failed' : 'retry', error: message };
}

/** A supplier's retry budget (its mapping's `retry.for` and `retry.alertAfter`); none for retailer documents. */
function retryBudget(hub: Hub, doc: DocumentRow): { forMs: number; alertAfterMs: number } | undefined {
  const retry = doc.supplier_id ? hub.mappings.get(doc.supplier_id)?.mapping.transport.retry : undefined;
  return retry ? { forMs: durationMs(retry.for), alertAfterMs: durationMs(retry.alertAfter) } : undefined;
}

/**
 * Whether a failing document has had its chances: its attempts (when the document has a limit) or
 * its supplier's `retry.for`, counted from its first failure (injected clock).
 */
function budgetSpent(hub: Hub, doc: DocumentRow, attempts: number, failingSince: Date, now: Date): boolean {
  if (doc.max_attempts > 0 && attempts >= doc.max_attempts) return true;
  const budget = retryBudget(hub, doc);
  return budget !== undefined && now.getTime() - failingSince.getTime() >= budget.forMs;
}

/**
 * AS2 with an asynchronous MDN: the message went out and the partner will confirm it later. The
 * document waits in `awaiting_mdn` (the PO stays `pending`: not delivered yet) until the MDN is
 * verified (confirmAwaitedDelivery) or its time runs out (requeueUnconfirmedDeliveries).
 */
async function markAwaitingMdn(hub: Hub, doc: DocumentRow, receipt: DeliveryReceipt, timeoutMs: number): Promise<boolean> {
  return hub.store.db.transaction().execute(async (trx) => {
    if (doc.order_id) await trx.selectFrom('orders').select('id').where('id', '=', doc.order_id).forUpdate().execute();
    const updated = await trx
      .updateTable('documents')
      .set({
        status: 'awaiting_mdn',
        attempts: sql`attempts + 1`,
        receipt: JSON.stringify(receipt),
        last_error: null,
        error_code: null,
        locked_until: null,
        next_attempt_at: sql<Date>`now() + (${timeoutMs} * interval '1 millisecond')`,
        updated_at: sql`now()`,
      })
      .where('id', '=', doc.id)
      .where('status', '=', 'pending')
      .returning('id')
      .executeTakeFirst();
    if (!updated) return false; // the MDN was quicker than this commit, or another worker finished it
    if (doc.order_id) {
      await recordEvent(trx, doc.order_id, {
        type: 'document_awaiting_mdn',
        cause: `sent to ${doc.supplier_id} over AS2; its asynchronous MDN is awaited`,
        data: { documentId: doc.id, kind: doc.kind, filename: doc.filename, messageId: receipt.awaitingMdn?.messageId ?? null },
      });
    }
    return true;
  });
}

/**
 * A verified positive MDN for a document the hub sent: the document is delivered (as if `deliver`
 * had returned), whether it was awaiting its MDN or being sent again meanwhile. False when it was
 * settled already (a replayed MDN, or one for a document given up).
 */
export async function confirmAwaitedDelivery(hub: Hub, documentId: string, receipt: unknown): Promise<boolean> {
  const doc = await hub.store.db.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirst();
  if (!doc) return false;
  const applied = await markSent(hub, doc, receipt, ['awaiting_mdn', 'pending']);
  if (applied) {
    hub.metrics.deliveryAttempts.inc({ target: doc.supplier_id ?? 'unknown', outcome: 'sent' });
    hub.logger.info({ documentId: doc.id, orderId: doc.order_id, supplier: doc.supplier_id, file: doc.filename }, 'document delivered (asynchronous MDN verified)');
  }
  return applied;
}

/** A negative asynchronous MDN: retried when the error is retryable, dead-lettered otherwise. */
export async function failAwaitedDelivery(hub: Hub, documentId: string, error: unknown): Promise<DeliveryOutcome | undefined> {
  const doc = await hub.store.db.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirst();
  if (!doc || (doc.status !== 'awaiting_mdn' && doc.status !== 'pending')) return undefined;
  const outcome = await recordFailure(hub, doc, error, doc.supplier_id ?? 'unknown', ['awaiting_mdn', 'pending'], Math.max(doc.attempts, 1));
  await hub.store.wakeOutbox();
  return outcome;
}

/**
 * Documents whose asynchronous MDN did not come in time: sent again (same bytes, same Message-ID)
 * while attempts remain, dead-lettered after that. Run by the worker's timer.
 */
export async function requeueUnconfirmedDeliveries(hub: Hub): Promise<number> {
  const overdue = await hub.store.db
    .selectFrom('documents')
    .selectAll()
    .where('status', '=', 'awaiting_mdn')
    .where('next_attempt_at', '<=', sql<Date>`now()`)
    .limit(500)
    .execute();
  let again = 0;
  for (const doc of overdue) {
    if (budgetSpent(hub, doc, doc.attempts, doc.failing_since ?? doc.created_at, hub.clock())) {
      const error = new TransportError('transport_timeout', `no MDN from ${doc.supplier_id} after ${doc.attempts} send(s) of ${doc.filename}`, { retryable: false });
      await recordFailure(hub, doc, error, doc.supplier_id ?? 'unknown', ['awaiting_mdn'], doc.attempts);
      continue;
    }
    const requeued = await hub.store.db
      .updateTable('documents')
      .set({ status: 'pending', next_attempt_at: sql<Date>`now()`, last_error: 'no MDN in time; sending again', error_code: 'transport_timeout', updated_at: sql`now()` })
      .where('id', '=', doc.id)
      .where('status', '=', 'awaiting_mdn')
      .returning('id')
      .executeTakeFirst();
    if (requeued) again++;
  }
  if (again) await hub.store.wakeOutbox();
  return again;
}

/**
 * An operator's retry of a failed document (outbound: send again, same bytes and control numbers;
 * inbound: apply again, e.g. after a mapping fix). Returns the document's new status.
 */
export async function retryOutboundDocument(hub: Hub, documentId: string): Promise<void> {
  await hub.store.db.transaction().execute(async (trx) => {
    const owner = await trx.selectFrom('documents').select('order_id').where('id', '=', documentId).executeTakeFirst();
    if (owner?.order_id) await trx.selectFrom('orders').select('id').where('id', '=', owner.order_id).forUpdate().execute();
    const doc = await trx.selectFrom('documents').selectAll().where('id', '=', documentId).forUpdate().executeTakeFirst();
    if (!doc) throw new HubError('not_found', `document ${documentId} not found`);
    if (doc.status !== 'failed') throw new HubError('state_conflict', `document ${documentId} is ${doc.status}, not failed`);
    await trx
      .updateTable('documents')
      .set({ status: 'pending', attempts: 0, next_attempt_at: new Date(0), locked_until: null, done_at: null, failing_since: null, alerted_at: null, updated_at: sql`now()` })
      .where('id', '=', documentId)
      .execute();
    if (doc.po_id && (doc.kind === 'po' || doc.kind === 'po_cancel')) {
      await trx
        .updateTable('purchase_orders')
        .set({ status: 'pending', status_reason: null, updated_at: sql`now()` })
        .where('id', '=', doc.po_id)
        .where('status', '=', 'failed')
        .execute();
    }
    if (doc.order_id) {
      await recordEvent(trx, doc.order_id, { type: 'retry_requested', cause: 'operator', data: { documentId } });
      if (doc.po_id) await syncOrderStatus(trx, hub, doc.order_id, 'operator retry');
    }
  });
  await hub.store.wakeOutbox();
}
