/**
 * The per-process counters behind the mailbox's limits: a token bucket for request rates and a
 * counter of open connections by key. Lockouts are not here: they must hold across processes, so
 * they live in the database (src/store/mailbox.ts).
 */

/** `rate` requests a second on average, `burst` at once; a request over it waits its turn. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  /** Requests that had to wait. */
  delayed = 0;

  constructor(
    private readonly rate: number,
    private readonly burst = rate,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; returns how long (ms) the request must wait for it (0: go now). */
  take(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    this.delayed++;
    return (-this.tokens / this.rate) * 1000;
  }
}

/** Open things counted by key (connections per address, sessions per supplier). */
export class Counter {
  private readonly counts = new Map<string, number>();

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Adds one unless `key` already has `max`; returns the release function, or undefined when full. */
  acquire(key: string, max: number): (() => void) | undefined {
    const current = this.get(key);
    if (current >= max) return undefined;
    this.counts.set(key, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.get(key) - 1;
      if (left <= 0) this.counts.delete(key);
      else this.counts.set(key, left);
    };
  }
}
