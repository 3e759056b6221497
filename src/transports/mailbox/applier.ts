/**
 * Applies what suppliers upload, at once: each upload recorded by the mailbox (the inbox,
 * `mailbox_uploads`) is handed here straight after its CLOSE was answered, and goes through the
 * hub's exactly-once inbound ledger (`inbox.receive`: src/pipeline/apply.ts) in the order it came,
 * one at a time per supplier.
 *
 * Nothing is lost if this process stops: an upload is leased to the process that recorded it, and
 * one whose lease ran out unapplied (the process died, or the database was away) is claimed by a
 * sweep in any process serving that supplier. Nothing is applied twice: the ledger recognises the
 * same bytes, and only the first "applied" mark of an upload counts.
 */
import type { EventEmitter } from 'node:events';
import type { Kysely } from 'kysely';
import { errorMessage } from '../../errors.ts';
import { claimWaitingUploads, markUploadApplied, releaseUploads, type MailboxAuditEntry, type RecordedUpload } from '../../store/mailbox.ts';
import type { Database } from '../../store/schema.ts';
import type { TransportLogger } from '../transport.ts';

/** What became of a file the supplier finished uploading (src/pipeline/apply.ts's InboundResult). */
export interface InboxReceipt {
  documentId: string;
  status: 'applied' | 'duplicate' | 'seen' | 'failed';
  error?: string;
}

/** The pushed inbound channel: where a complete upload goes, to be applied exactly once. */
export interface MailboxInbox {
  receive(supplierId: string, file: { name: string; content: Buffer }): Promise<InboxReceipt>;
}

export interface ApplierOptions {
  db: Kysely<Database>;
  clock: () => Date;
  inbox: MailboxInbox;
  logger: TransportLogger;
  /** Where 'audit' events go (the server's emitter). */
  events: EventEmitter;
  /** The suppliers this process serves (it sweeps only theirs). */
  supplierIds: string[];
  /** How long an upload stays this process's to apply. */
  leaseMs: number;
  /** How often uploads nobody applies are looked for. */
  sweepMs: number;
}

/** Uploads claimed per sweep. */
const SWEEP_BATCH = 100;

export class MailboxApplier {
  private readonly queues = new Map<string, RecordedUpload[]>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly known = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private stopped = false;
  /** Uploads applied by this process so far. */
  applied = 0;

  constructor(private readonly options: ApplierOptions) {}

  /** Looks for waiting uploads now, then every `sweepMs`. */
  start(): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.options.sweepMs);
    this.timer.unref();
  }

  /** The lease an upload recorded now gets. */
  leaseUntil(at: Date): Date {
    return new Date(at.getTime() + this.options.leaseMs);
  }

  /** An upload just recorded by this process: applied next, after the supplier's earlier ones. */
  enqueue(upload: RecordedUpload): void {
    if (this.stopped || this.known.has(upload.id)) return;
    this.known.add(upload.id);
    const queue = this.queues.get(upload.supplierId) ?? [];
    queue.push(upload);
    this.queues.set(upload.supplierId, queue);
    if (!this.running.has(upload.supplierId)) {
      this.running.set(
        upload.supplierId,
        this.run(upload.supplierId).finally(() => this.running.delete(upload.supplierId)),
      );
    }
  }

  /** Claims the uploads nobody is applying and applies them; resolves with how many were claimed. */
  sweep(): Promise<number> {
    this.sweeping ??= (async () => {
      try {
        const at = this.options.clock();
        const claimed = await claimWaitingUploads(this.options.db, { at, leaseUntil: this.leaseUntil(at), supplierIds: this.options.supplierIds, limit: SWEEP_BATCH });
        for (const upload of claimed) this.enqueue(upload);
        if (claimed.length) this.options.logger.warn({ uploads: claimed.length }, 'mailbox: applying uploads another process (or an earlier run) left unapplied');
        return claimed.length;
      } catch (error) {
        this.options.logger.warn({ error: errorMessage(error) }, 'mailbox: could not look for waiting uploads');
        return 0;
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }

  /** Resolves once every upload handed over so far is applied (or given up for the sweep). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all(this.running.values());
  }

  /** Finishes the upload being applied; gives the others back, for any process to take. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.sweeping;
    await Promise.all(this.running.values());
    const left = [...this.queues.values()].flat().map((u) => u.id);
    this.queues.clear();
    await releaseUploads(this.options.db, left).catch((error: unknown) =>
      this.options.logger.warn({ error: errorMessage(error), uploads: left.length }, 'mailbox: could not give back unapplied uploads (their lease will run out)'),
    );
  }

  private async run(supplierId: string): Promise<void> {
    const queue = this.queues.get(supplierId)!;
    while (!this.stopped && queue.length) {
      const upload = queue.shift()!;
      await this.apply(upload);
      this.known.delete(upload.id);
    }
    if (queue.length === 0) this.queues.delete(supplierId);
  }

  private async apply(upload: RecordedUpload): Promise<void> {
    const { db, clock, inbox, logger, events } = this.options;
    let receipt: InboxReceipt;
    try {
      receipt = await inbox.receive(upload.supplierId, { name: upload.name, content: upload.content });
    } catch (error) {
      // Nothing was recorded (the ledger and the apply are one transaction): the lease runs out and a sweep tries again.
      logger.warn({ supplier: upload.supplierId, file: upload.name, error: errorMessage(error) }, 'mailbox: an upload could not be applied yet');
      return;
    }
    const at = clock();
    const outcome = receipt.error ? `${receipt.status}: ${receipt.error}` : receipt.status;
    try {
      const first = await markUploadApplied(db, { uploadId: upload.id, documentId: receipt.documentId, outcome, at, username: upload.supplierId });
      if (!first) return;
    } catch (error) {
      // Applied, not marked: the sweep applies it again, the ledger answers "seen", and it is marked then.
      logger.warn({ supplier: upload.supplierId, file: upload.name, error: errorMessage(error) }, 'mailbox: an applied upload could not be marked');
      return;
    }
    this.applied++;
    const entry: MailboxAuditEntry = {
      at,
      supplierId: upload.supplierId,
      username: upload.supplierId,
      address: upload.address,
      sessionId: upload.sessionId,
      event: 'upload_applied',
      path: `/to-hub/${upload.name}`,
      bytes: upload.content.length,
      documentId: receipt.documentId,
      detail: outcome,
    };
    events.emit('audit', entry);
  }
}
