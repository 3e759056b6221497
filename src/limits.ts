/**
 * What one supplier file may add to the hub, in one place. A supplier controls every count in its
 * files; without a bound one file could add a million tracking numbers to one shipment, thousands of
 * shipments (and webhooks) to one order, or hundreds of thousands of timeline entries. The defaults
 * are generous for real traffic (a real 856 carries a handful of tracking numbers per order, a real
 * PO a few shipments) and every one can be changed by an operator through its `HUB_LIMIT_*`
 * variable (docs/security.md lists them).
 *
 * A file over a limit is refused whole with an `InboundLimitError` (a ParseError: the file is
 * quarantined with a plain-words reason naming the limit, its value and what the file held); for X12
 * the set over the limit is answered rejected in the 997 (AK5 R), so the supplier is told.
 *
 * @example
 *   const limits = inboundLimits(hub.env);
 *   checkInboundLimits(parsed, limits, 'ASN_1.856'); // throws InboundLimitError when over
 */
import type { InboundItem, ParsedInbound, Shipment } from './canonical/inbound.ts';
import { ParseError } from './errors.ts';

export interface InboundLimits {
  /** Tracking numbers one shipment (one PO in one ship notice) may carry. */
  trackingNumbersPerShipment: number;
  /** Lines one shipment may carry. */
  linesPerShipment: number;
  /** Shipments one purchase order may receive, over all files (more than ordered is a discrepancy, not thousands of shipments). */
  shipmentsPerPo: number;
  /** Sets or records one file may carry for one PO (856s, 855s, 810s, or 997 sets for one of our groups). */
  itemsPerPoPerFile: number;
  /** Sets or records one file may carry that each add an order timeline entry (shipments, 855s, 997s, 810s). */
  timelineEntriesPerFile: number;
  /** Rows or records one tracking file (CSV, XML, JSON) may hold, checked while it is read. */
  recordsPerFile: number;
  /** Bytes one picked-up or re-applied file may have (pushes over HTTP have their own, smaller body limit). */
  fileBytes: number;
}

export const DEFAULT_INBOUND_LIMITS: Readonly<InboundLimits> = Object.freeze({
  trackingNumbersPerShipment: 100,
  linesPerShipment: 1_000,
  shipmentsPerPo: 100,
  itemsPerPoPerFile: 50,
  timelineEntriesPerFile: 20_000,
  recordsPerFile: 50_000,
  fileBytes: 64 * 1024 * 1024,
});

/** The environment variable that overrides each limit. */
export const LIMIT_VARIABLES: Readonly<Record<keyof InboundLimits, string>> = Object.freeze({
  trackingNumbersPerShipment: 'HUB_LIMIT_TRACKING_NUMBERS_PER_SHIPMENT',
  linesPerShipment: 'HUB_LIMIT_LINES_PER_SHIPMENT',
  shipmentsPerPo: 'HUB_LIMIT_SHIPMENTS_PER_PO',
  itemsPerPoPerFile: 'HUB_LIMIT_ITEMS_PER_PO_PER_FILE',
  timelineEntriesPerFile: 'HUB_LIMIT_TIMELINE_ENTRIES_PER_FILE',
  recordsPerFile: 'HUB_LIMIT_RECORDS_PER_FILE',
  fileBytes: 'HUB_LIMIT_INBOUND_BYTES',
});

/** Plain words for each limit, as errors and docs name them. */
const WORDS: Readonly<Record<keyof InboundLimits, string>> = {
  trackingNumbersPerShipment: 'tracking numbers per shipment',
  linesPerShipment: 'lines per shipment',
  shipmentsPerPo: 'shipments per purchase order',
  itemsPerPoPerFile: 'sets or records per purchase order in one file',
  timelineEntriesPerFile: 'order updates (timeline entries) in one file',
  recordsPerFile: 'rows or records in one file',
  fileBytes: 'bytes in one file',
};

/** The limits in force: the defaults, with any `HUB_LIMIT_*` the validated environment sets. */
export function inboundLimits(env: Partial<Record<string, unknown>> = {}): InboundLimits {
  const limits = { ...DEFAULT_INBOUND_LIMITS };
  for (const key of Object.keys(LIMIT_VARIABLES) as (keyof InboundLimits)[]) {
    const value = env[LIMIT_VARIABLES[key]];
    if (typeof value === 'number') limits[key] = value;
  }
  return limits;
}

/** `101 tracking numbers per shipment, over the hub's limit of 100 (HUB_LIMIT_…)`. */
export function limitSummary(limit: keyof InboundLimits, max: number, actual: number): string {
  return `${actual} ${WORDS[limit]}, over the hub's limit of ${max} (${LIMIT_VARIABLES[limit]})`;
}

/** A supplier file holds more than a limit allows: it is quarantined, nothing of it applied. */
export class InboundLimitError extends ParseError {
  readonly limit: keyof InboundLimits;
  readonly max: number;
  readonly actual: number;
  constructor(
    format: string,
    limit: keyof InboundLimits,
    max: number,
    actual: number,
    what: string,
    where: { file?: string; segment?: number; line?: number } = {},
  ) {
    super(format, `${what}: ${limitSummary(limit, max, actual)}; nothing of this file was applied`, where);
    (this as { details: unknown }).details = { format, ...where, limit, max, actual };
    this.limit = limit;
    this.max = max;
    this.actual = actual;
  }
}

/** What an item is counted under for `itemsPerPoPerFile`: its PO, or for a 997 the group it answers. */
export function limitKeyOf(item: InboundItem): string | undefined {
  switch (item.kind) {
    case 'shipment':
      return `PO ${item.shipment.poNumber}`;
    case 'acknowledgment':
      return `PO ${item.acknowledgment.poNumber}`;
    case 'invoice':
      return `PO ${item.invoice.poNumber}`;
    case 'functional_ack':
      return `our group ${item.ack.groupControlNumber}`;
    case 'inventory':
      return undefined;
    default: {
      const never: never = item;
      return never;
    }
  }
}

/** The limit one shipment breaks, if any (tracking numbers, lines). */
export function shipmentOverLimit(shipment: Shipment, limits: InboundLimits): { limit: 'trackingNumbersPerShipment' | 'linesPerShipment'; max: number; actual: number } | undefined {
  if (shipment.trackingNumbers.length > limits.trackingNumbersPerShipment) {
    return { limit: 'trackingNumbersPerShipment', max: limits.trackingNumbersPerShipment, actual: shipment.trackingNumbers.length };
  }
  if (shipment.lines.length > limits.linesPerShipment) {
    return { limit: 'linesPerShipment', max: limits.linesPerShipment, actual: shipment.lines.length };
  }
  return undefined;
}

/**
 * Counts what a file adds as its items come in (all at once, or set by set while streaming), and
 * refuses at the first count over a limit.
 */
export class InboundLimitCounter {
  private readonly perKey = new Map<string, number>();
  private timeline = 0;

  constructor(
    private readonly limits: InboundLimits,
    private readonly format: string,
    private readonly file?: string,
  ) {}

  /** The error for the first limit this item breaks, or undefined (the item is counted either way). */
  check(item: InboundItem, where: { segment?: number; line?: number } = {}, context?: string): InboundLimitError | undefined {
    const breach = this.breach(item);
    return breach && this.error(breach, where, context);
  }

  /** The first limit this item breaks, cheaply (no error built: a hostile file may break it 100,000 times). */
  breach(item: InboundItem): LimitBreach | undefined {
    if (item.kind === 'shipment') {
      const over = shipmentOverLimit(item.shipment, this.limits);
      if (over) return { ...over, what: `shipment for ${item.shipment.poNumber}` };
    }
    const key = limitKeyOf(item);
    if (key === undefined) return undefined;
    const count = (this.perKey.get(key) ?? 0) + 1;
    this.perKey.set(key, count);
    this.timeline++;
    if (count > this.limits.itemsPerPoPerFile) return { limit: 'itemsPerPoPerFile', max: this.limits.itemsPerPoPerFile, actual: count, what: key };
    if (this.timeline > this.limits.timelineEntriesPerFile) {
      return { limit: 'timelineEntriesPerFile', max: this.limits.timelineEntriesPerFile, actual: this.timeline, what: 'this file' };
    }
    return undefined;
  }

  /** The typed error of a breach, naming where it is (`context`: the set, say `856 0001`). */
  error(breach: LimitBreach, where: { segment?: number; line?: number } = {}, context?: string): InboundLimitError {
    const at = { ...(this.file ? { file: this.file } : {}), ...where };
    return new InboundLimitError(this.format, breach.limit, breach.max, breach.actual, context ? `${context}: ${breach.what}` : breach.what, at);
  }
}

/** One limit an item breaks: which, its value, the count reached, and what it is about. */
export interface LimitBreach {
  limit: keyof InboundLimits;
  max: number;
  actual: number;
  what: string;
}

/** Checks a whole parsed file against the limits; throws the first InboundLimitError. */
export function checkInboundLimits(parsed: Pick<ParsedInbound, 'format' | 'items'>, limits: InboundLimits, file?: string): void {
  // Tracking XML and JSON are read whole; CSV is counted row by row while read (tracking-csv.ts).
  // Inventory feeds are not counted here: their size is the stock feed's own concern.
  if (parsed.format === 'xml' || parsed.format === 'json') {
    const records = parsed.items.filter((i) => i.kind !== 'inventory').length;
    if (records > limits.recordsPerFile) throw new InboundLimitError(parsed.format, 'recordsPerFile', limits.recordsPerFile, records, 'this file', file ? { file } : {});
  }
  const counter = new InboundLimitCounter(limits, parsed.format, file);
  for (const item of parsed.items) {
    const error = counter.check(item);
    if (error) throw error;
  }
}
