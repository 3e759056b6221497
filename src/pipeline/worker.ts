import type { Hub } from '../hub.ts';
import type { DocumentRow } from '../store/schema.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
import { claimDueDocuments, deliverDocument } from './dispatch.ts';
import { checkOverdue } from './expectations.ts';
import { routeReceivedOrders } from './route.ts';

export interface WorkerOptions {
  /** Fallback poll when no wake-up arrives (LISTEN/NOTIFY is the fast path). */
  pollIntervalMs: number;
  overdueIntervalMs: number;
  concurrency: number;
  /** How long a claimed document stays claimed: longer than the slowest delivery. */
  leaseMs: number;
}

/**
 * The background worker of one process: routes paid orders, delivers due outbox documents and checks
 * overdue expectations. Woken at once by the store's outbox signal; a timer covers missed signals.
 */
export class Worker {
  private running = false;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private overdueTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private idle: Promise<void> = Promise.resolve();

  constructor(private readonly hub: Hub, private readonly options: WorkerOptions) {}

  start(): void {
    this.unsubscribe = this.hub.store.onOutboxWake(() => this.kick());
    this.timer = setInterval(() => this.kick(), this.options.pollIntervalMs);
    this.overdueTimer = setInterval(() => {
      checkOverdue(this.hub).catch((error) => this.hub.logger.error({ err: error }, 'overdue check failed'));
    }, this.options.overdueIntervalMs);
    this.kick();
  }

  /** Run a pass now (or again right after the one running). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.idle = this.loop().finally(() => {
      this.running = false;
    });
  }

  /** Resolves when the current pass (if any) is over. */
  async settled(): Promise<void> {
    await this.idle;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.pass();
      } catch (error) {
        this.hub.logger.error({ err: error }, 'worker pass failed');
        await new Promise((r) => setTimeout(r, 500));
      }
    } while (this.again && !this.stopped);
  }

  /**
   * One pass: route what is waiting while delivering what is due, until neither has work. Deliveries
   * run as a pipeline (a new one starts as soon as one finishes), up to `concurrency` at once.
   */
  async pass(): Promise<void> {
    const { concurrency, leaseMs } = this.options;
    let routing = true;
    const inflight = new Set<Promise<unknown>>();
    const start = (doc: DocumentRow): void => {
      const delivery: Promise<unknown> = deliverDocument(this.hub, doc)
        .catch((error) => this.hub.logger.error({ err: error, documentId: doc.id }, 'delivery failed unexpectedly'))
        .finally(() => inflight.delete(delivery));
      inflight.add(delivery);
    };
    // What the router has just committed goes out at once, already claimed (no claim, no wake).
    const route = routeReceivedOrders(this.hub, {
      max: 10_000,
      parallel: Math.min(4, concurrency),
      handOff: { leaseMs, deliver: (documents) => documents.forEach(start) },
    }).finally(() => {
      routing = false;
    });
    // Its failure (the database away, say) is reported by the final await below; until then it must
    // not count as an unhandled rejection, which would end the process.
    route.catch(() => {});
    while (!this.stopped) {
      const free = concurrency - inflight.size;
      const docs = free > 0 ? await claimDueDocuments(this.hub, free, leaseMs) : [];
      docs.forEach(start);
      if (docs.length > 0 && inflight.size < concurrency) continue;
      if (inflight.size === 0 && !routing) break;
      // Wait for a delivery to finish, or (while orders are still being routed) for new documents.
      await Promise.race([...inflight, ...(routing ? [route, sleep(5)] : [])]);
    }
    await Promise.all([route, ...inflight]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearInterval(this.timer);
    clearInterval(this.overdueTimer);
    await this.idle;
  }
}
