/**
 * Bytes each supplier uploaded in the last 24 hours, for its daily quota (`limits.bytesPerDay`).
 * Read from the audit log once a minute per supplier and counted up in between with what this
 * process takes, so that an upload does not cost a sum over the day's log. Uploads taken by other
 * processes meanwhile show at the next read: the quota can be overrun by what other processes take
 * within a minute, never by more.
 */
import type { Kysely } from 'kysely';
import { uploadedBytesSince } from '../../store/mailbox.ts';
import type { Database } from '../../store/schema.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export class QuotaTracker {
  private readonly used = new Map<string, { bytes: number; readAt: number; reading?: Promise<number> }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: () => Date,
    private readonly refreshMs = 60_000,
  ) {}

  /** Bytes `supplierId` uploaded in the last 24 hours. */
  async usedToday(supplierId: string): Promise<number> {
    const now = this.clock().getTime();
    const known = this.used.get(supplierId);
    if (known && now - known.readAt < this.refreshMs) return known.bytes;
    if (known?.reading) return known.reading;
    const entry = known ?? { bytes: 0, readAt: 0 };
    entry.reading = uploadedBytesSince(this.db, supplierId, new Date(now - DAY_MS)).then(
      (bytes) => {
        entry.bytes = bytes;
        entry.readAt = now;
        entry.reading = undefined;
        return bytes;
      },
      (error: unknown) => {
        entry.reading = undefined;
        throw error;
      },
    );
    this.used.set(supplierId, entry);
    return entry.reading;
  }

  /** This process took `bytes` from `supplierId`. */
  add(supplierId: string, bytes: number): void {
    const known = this.used.get(supplierId);
    if (known) known.bytes += bytes;
  }
}
