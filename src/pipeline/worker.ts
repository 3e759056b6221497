import type { Hub } from '../hub.ts';
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

  /** One pass: route what is waiting, then deliver due documents until none are left. */
  async pass(): Promise<void> {
    await routeReceivedOrders(this.hub);
    for (;;) {
      if (this.stopped) return;
      const docs = await claimDueDocuments(this.hub, this.options.concurrency, this.options.leaseMs);
      if (docs.length === 0) return;
      await Promise.all(docs.map((doc) => deliverDocument(this.hub, doc)));
      await routeReceivedOrders(this.hub);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearInterval(this.timer);
    clearInterval(this.overdueTimer);
    await this.idle;
  }
}
