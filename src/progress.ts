/**
 * Progress for long CLI work, on stderr (stdout stays clean for JSON): a line rewritten in place on
 * a terminal, a line every few seconds otherwise. Silent for work that finishes quickly.
 */
export class Progress {
  private last = 0;
  private shown = false;
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    private readonly total: number | undefined,
    private readonly unit: (n: number) => string = String,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number): void {
    const now = Date.now();
    const interval = this.stream.isTTY ? 100 : 2_000;
    if (now - this.started < 500 || now - this.last < interval) return;
    this.last = now;
    this.write(done);
  }

  finish(done: number): void {
    if (this.shown) this.write(done, true);
  }

  private write(done: number, final = false): void {
    this.shown = true;
    const of = this.total === undefined ? '' : ` of ${this.unit(this.total)}`;
    const pct = this.total ? ` (${Math.floor((100 * done) / this.total)}%)` : '';
    const text = `${this.label}: ${this.unit(done)}${of}${pct}, ${((Date.now() - this.started) / 1000).toFixed(1)} s`;
    if (this.stream.isTTY) this.stream.write(`\r${text}\x1b[K${final ? '\n' : ''}`);
    else this.stream.write(`${text}\n`);
  }
}

export const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
