import type { Hub } from '../hub.ts';
import { crashPoint } from '../crash.ts';
import type { OrderOffer } from '../store/database.ts';
import type { DocumentRow } from '../store/schema.ts';
import { claimDueDocuments, deliverDocument, requeueUnconfirmedDeliveries } from './dispatch.ts';
import { checkOverdue } from './expectations.ts';
import { routeAcceptedOrder, routeReceivedOrders, type RenderedPurchaseOrder, type Staging } from './route.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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
 * An order this process has just accepted is offered to it directly and routed and delivered from
 * memory, up to `concurrency` such orders at once (more wait for the router).
 */
export class Worker {
  private running = false;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private overdueTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private idle: Promise<void> = Promise.resolve();
  /** Orders taken from the intake and being routed here; the router leaves them alone. */
  private readonly accepted = new Set<string>();
  private readonly acceptedRuns = new Set<Promise<void>>();

  constructor(private readonly hub: Hub, private readonly options: WorkerOptions) {}

  start(): void {
    const unwake = this.hub.store.onOutboxWake(() => this.kick());
    const unoffer = this.hub.store.onOrderOffered((offer) => this.take(offer));
    this.unsubscribe = () => {
      unwake();
      unoffer();
    };
    // AS2 suppliers with asynchronous MDNs: documents whose MDN is overdue go out again.
    const awaitsMdns = [...this.hub.mappings.values()].some((m) => m.mapping.transport.type === 'as2' && m.mapping.transport.mdn === 'async');
    this.timer = setInterval(() => {
      if (awaitsMdns) requeueUnconfirmedDeliveries(this.hub).catch((error) => this.hub.logger.error({ err: error }, 'requeueing unconfirmed AS2 deliveries failed'));
      this.kick();
    }, this.options.pollIntervalMs);
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

  /**
   * Routes and delivers an order the intake has just stored, unless stopping or busy. One it cannot
   * route here (see routeAcceptedOrder) goes back to the routers, woken in every process.
   */
  private take(offer: OrderOffer): boolean {
    // Counted until delivered, so that a burst does not pile up uploads (and outlive their leases).
    if (this.stopped || this.acceptedRuns.size >= this.options.concurrency) return false;
    this.accepted.add(offer.id);
    const run: Promise<void> = routeAcceptedOrder(this.hub, offer, this.options.leaseMs, (rendered) => this.stage(rendered))
      .then(async (documents) => {
        this.accepted.delete(offer.id);
        // Left to the routers: wake them all, here and in other processes (this one may be stopping).
        if (!documents) return this.hub.store.wakeOutbox();
        await Promise.all(documents.map((doc) => deliverDocument(this.hub, doc, this.options.leaseMs)));
      })
      .catch((error) => this.hub.logger.error({ err: error, orderId: offer.id }, 'routing an accepted order failed'))
      .finally(() => {
        this.accepted.delete(offer.id);
        this.acceptedRuns.delete(run);
      });
    this.acceptedRuns.add(run);
    return true;
  }

  /**
   * Uploads the rendered purchase orders ahead, under their temporary names, while the routing
   * records them: after the commit, delivering each is one rename. A failed upload costs nothing
   * (the delivery uploads the file itself).
   */
  private stage(rendered: RenderedPurchaseOrder[]): Staging {
    // Every transport first (building one can throw), then the uploads: none is left running unawaited.
    const targets = rendered.map(({ supplierId, file }) => ({ file, transport: this.hub.transports.get(supplierId) }));
    const uploads = targets.flatMap(({ file, transport }) =>
      transport.stage ? [{ file, transport, done: transport.stage(file).catch(() => false) }] : [],
    );
    return {
      settled: Promise.all(uploads.map((u) => u.done)).then((staged) => {
        if (staged.includes(true)) crashPoint('after-stage');
      }),
      takeBack: async () => {
        await Promise.all(uploads.map(async ({ file, transport, done }) => {
          await done;
          await transport.unstage?.(file);
        }));
      },
    };
  }

  /** Resolves when the current pass (if any) and the accepted orders in hand are over. */
  async settled(): Promise<void> {
    await Promise.all([this.idle, ...this.acceptedRuns]);
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
      const delivery: Promise<unknown> = deliverDocument(this.hub, doc, leaseMs)
        .catch((error) => this.hub.logger.error({ err: error, documentId: doc.id }, 'delivery failed unexpectedly'))
        .finally(() => inflight.delete(delivery));
      inflight.add(delivery);
    };
    // What the router has just committed goes out at once, already claimed (no claim, no wake).
    const route = routeReceivedOrders(this.hub, {
      max: 10_000,
      parallel: Math.min(4, concurrency),
      handOff: { leaseMs, deliver: (documents) => documents.forEach(start) },
      exclude: this.accepted,
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
    await this.settled();
  }
}
