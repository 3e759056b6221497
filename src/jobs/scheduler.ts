import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { Hub } from '../hub.ts';
import { pollSupplier } from '../pipeline/poll.ts';
import { releaseLease, tryTakeLease } from './lease.ts';

/**
 * A poll holds its supplier's lease for this long and renews it while it runs, so that a process
 * that dies mid-poll blocks that supplier for fifteen seconds at most.
 */
const POLL_LEASE_MS = 15_000;
const POLL_LEASE_RENEW_MS = 5_000;

/**
 * One node-cron task per supplier with an inbound folder. A tick that finds the previous poll still
 * running is skipped (no overlap in a process), and a database lease makes it one poll per supplier
 * across processes.
 */
export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly holder = `${process.pid}-${randomUUID()}`;

  constructor(private readonly hub: Hub) {}

  start(): void {
    for (const loaded of this.hub.mappings.values()) {
      const { mapping } = loaded;
      if (mapping.transport.type !== 'sftp' || !mapping.transport.inboundDir || mapping.inbound.files.length === 0) continue;
      const task = cron.schedule(mapping.inbound.schedule, () => void this.runOnce(mapping.supplier), {
        name: `poll-${mapping.supplier}`,
        noOverlap: true,
      });
      this.tasks.push(task);
    }
  }

  /** One inbound pass for a supplier, unless one is already running here or elsewhere. */
  async runOnce(supplierId: string): Promise<'ran' | 'busy'> {
    if (this.running.has(supplierId)) return 'busy';
    const lease = `poll:${supplierId}`;
    const run = (async () => {
      if (!(await tryTakeLease(this.hub.store, lease, this.holder, POLL_LEASE_MS))) return 'busy' as const;
      const renew = setInterval(() => {
        tryTakeLease(this.hub.store, lease, this.holder, POLL_LEASE_MS).catch(() => {});
      }, POLL_LEASE_RENEW_MS);
      try {
        await pollSupplier(this.hub, supplierId);
        return 'ran' as const;
      } finally {
        clearInterval(renew);
        await releaseLease(this.hub.store, lease, this.holder).catch(() => {});
      }
    })();
    this.running.set(supplierId, run);
    try {
      return await run;
    } catch (error) {
      this.hub.logger.error({ supplier: supplierId, err: error }, 'inbound poll failed');
      return 'ran';
    } finally {
      this.running.delete(supplierId);
    }
  }

  async stop(): Promise<void> {
    for (const task of this.tasks) await task.stop();
    await Promise.allSettled(this.running.values());
  }
}
