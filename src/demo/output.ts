/**
 * What the demo prints: timeline lines as things happen, and the summary table at the end. Coloured
 * when stdout is a terminal (and NO_COLOR is not set), plain otherwise.
 */

export interface Printer {
  color: boolean;
  line(text?: string): void;
  dim(text: string): string;
  bold(text: string): string;
  status(status: string): string;
  paint(code: number, text: string): string;
  /** Seconds since the demo started, as `+  3.2s`. */
  elapsed(): string;
}

export function createPrinter(out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout, started = Date.now()): Printer {
  const color = out.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const STATUS_COLOR: Record<string, number> = {
    received: 37,
    awaiting_payment: 33,
    routed: 36,
    sent: 34,
    acknowledged: 35,
    partially_shipped: 33,
    shipped: 32,
    cancelled: 90,
    exception: 31,
  };
  return {
    color,
    line: (text = '') => out.write(`${text}\n`),
    dim: (text) => paint(2, text),
    bold: (text) => paint(1, text),
    paint,
    status: (status) => paint(STATUS_COLOR[status] ?? 37, status),
    elapsed: () => `+${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`,
  };
}

/** Pads a string that may hold colour codes to a visible width. */
export function padVisible(text: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  const visible = text.replace(/\x1b\[[0-9;]*m/g, '').length;
  return visible >= width ? text : text + ' '.repeat(width - visible);
}

type EventData = Record<string, unknown> | null;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One timeline event in a few words. */
export function describeEvent(type: string, cause: string, data: EventData): string {
  const d = data ?? {};
  switch (type) {
    case 'order_received':
      return `order received (${cause.replace(/ intake$/, '')}; payment ${String(d.payment ?? '?')})`;
    case 'payment_captured':
      return `payment captured (${cause})`;
    case 'status_changed':
      return `${String(d.from ?? '?')} → ${String(d.to ?? '?')}${d.reason ? `: ${String(d.reason)}` : ''}`;
    case 'po_created':
      return `PO ${String(d.poNumber)} for ${String(d.supplier)} (${plural(Number(d.lines ?? 0), 'line')})`;
    case 'document_sent':
      return `${d.kind === 'po' ? 'PO' : String(d.kind)} ${String(d.filename)} ${cause}`;
    case 'document_failed':
      return `delivery failed: ${String(d.error ?? '')}`;
    case 'document_downloaded':
      return `${String(d.filename)} downloaded by ${String(d.supplier)} from the hub's mailbox`;
    case 'functional_ack_received':
      return `997 from supplier: group ${String(d.groupControlNumber)} ${d.status === 'A' ? 'accepted' : String(d.status)}`;
    case 'acknowledgment_received': {
      const lines = Array.isArray(d.lines) ? (d.lines as { status?: string }[]) : [];
      const backordered = lines.filter((l) => l.status === 'backordered').length;
      return `855 for ${String(d.poNumber)}: ${String(d.status)}${backordered ? `, ${plural(backordered, 'line')} backordered` : ''}`;
    }
    case 'shipment_received': {
      const lines = Array.isArray(d.lines) ? (d.lines as { quantity?: number }[]) : [];
      const units = lines.reduce((n, l) => n + Number(l.quantity ?? 0), 0);
      const numbers = Array.isArray(d.trackingNumbers) ? (d.trackingNumbers as string[]).join(', ') : '';
      return `shipped ${plural(units, 'unit')} of ${String(d.poNumber)}: ${String(d.carrierName ?? d.carrier ?? '?')} ${numbers} (${cause.replace(/^supplier file /, '')})`;
    }
    case 'line_rerouted': {
      const to = Array.isArray(d.to) ? (d.to as { supplier?: string; poNumber?: string }[]).map((t) => `${String(t.supplier)} (PO ${String(t.poNumber)})`).join(', ') : '?';
      return `line ${String(d.lineId)} (${String(d.sku)}) moved from ${String(d.from)} to ${to}: ${String(d.reason)}`;
    }
    case 'line_reroute_failed':
      return `line ${String(d.lineId)} (${String(d.sku)}) cannot move from ${String(d.from)}: ${String(d.why)}`;
    case 'po_cancel_queued':
      return `cancellation of PO ${String(d.poNumber)} queued (${cause})`;
    default:
      return `${type} (${cause})`;
  }
}

export interface SummaryRow {
  orderNumber: string;
  status: string;
  pos: string[];
  carriers: string[];
  tracking: string[];
}

/** The end-of-run table: one row per order (tracking numbers one per line). */
export function summaryTable(p: Printer, rows: SummaryRow[]): string[] {
  const headers = ['order', 'status', 'purchase orders', 'carriers', 'tracking numbers'];
  const cells = rows.map((r) => [r.orderNumber, r.status, r.pos.join(', '), [...new Set(r.carriers)].join(', '), r.tracking.join(', ')]);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const fmt = (values: string[], style?: (v: string, i: number) => string) =>
    '  ' + values.map((v, i) => padVisible(style ? style(v, i) : v, widths[i]!)).join('  ').trimEnd();
  const out = [fmt(headers, (v) => p.bold(v)), '  ' + widths.map((w) => '─'.repeat(w)).join('  ')];
  for (const c of cells) out.push(fmt(c, (v, i) => (i === 1 ? p.status(v) : v)));
  return out;
}
