/**
 * Reading X12 from suppliers: the streaming reader (envelopes, delimiters, counts) and one pure
 * parser per transaction set the hub understands (856, 855, 997/999, 810, 846).
 */
import type { InboundItem, InboundWarning, ParsedInbound, ReceivedGroup, ReceivedInterchange, SetSyntaxNote } from '../../../canonical/inbound.ts';
import { ParseError } from '../../../errors.ts';
import { InboundLimitCounter, limitSummary, type InboundLimitError, type InboundLimits, type LimitBreach } from '../../../limits.ts';
import { X12FileError, X12SetError } from './errors.ts';
import { parseFunctionalAck } from './functional-ack.ts';
import { parseInventory } from './inventory.ts';
import { parseInvoice } from './invoice.ts';
import { parsePoAck } from './po-ack.ts';
import type { Segment, X12File, X12Set } from './reader.ts';
import { DEFAULT_TRACKING_FROM, parseShipNotice, type TrackingLocation } from './ship-notice.ts';

export {
  X12Reader,
  X12Set,
  readX12,
  readX12Stream,
  el,
  component,
  repetitions,
  type Segment,
  type Delimiters,
  type InterchangeEnvelope,
  type GroupEnvelope,
  type X12File,
  type X12ReaderOptions,
  type X12StreamSummary,
} from './reader.ts';
export { parseShipNotice, DEFAULT_TRACKING_FROM, type ShipNoticeOptions, type TrackingLocation } from './ship-notice.ts';
export { parsePoAck } from './po-ack.ts';
export { parseFunctionalAck } from './functional-ack.ts';
export { parseInvoice } from './invoice.ts';
export { parseInventory } from './inventory.ts';
export { X12EnvelopeError, X12FileError, X12SetError } from './errors.ts';
export { PRODUCT_ID_GROUPS, productIdGroup, type ProductIdGroup } from './values.ts';

/** Sets over a limit told in full (error, AK3 detail); more are rejected and counted. */
const MAX_LIMIT_ERRORS = 20;

/** The transaction sets the hub reads. */
export const SUPPORTED_SETS = ['856', '855', '997', '999', '810', '846'] as const;

export interface X12SetOptions {
  /** 856: where tracking numbers are (the mapping's `inbound.trackingFrom`). */
  trackingFrom?: readonly TrackingLocation[];
  /** What one file may add (src/limits.ts): a set over a limit is rejected (AK5 R) and refuses the file. */
  limits?: InboundLimits;
}

/**
 * The segments each set the hub reads may hold (its tables in 004010 to 005010, every loop): a
 * segment outside them is kept as a warning (the 997 notes it, AK304 6), not read.
 */
const ENVELOPE = ['ST', 'SE'];
const COMMON = ['CUR', 'REF', 'PER', 'DTM', 'N1', 'N2', 'N3', 'N4', 'NX2', 'IN2', 'PID', 'MEA', 'PWK', 'PKG', 'TD1', 'TD5', 'TD3', 'TD4', 'MAN', 'SAC', 'TXI', 'CTT', 'AMT', 'LM', 'LQ', 'SI', 'FOB', 'CTP', 'PAM', 'QTY', 'SDQ', 'DTP', 'NTE', 'MSG', 'MTX', 'N9', 'PO4', 'SLN', 'TC2', 'ITD', 'DIS', 'INC', 'TAX', 'LDT', 'CTB', 'YNQ', 'V1', 'R4', 'FA1', 'FA2', 'ADV', 'EFI', 'G61', 'LS', 'LE', 'SCH', 'CN1', 'PO3', 'IT8', 'CSH', 'PCT', 'SPI', 'CB1', 'AT9', 'UIT', 'DD', 'G53', 'CS', 'CRC', 'IT3', 'CAD', 'L7', 'SR', 'BAL', 'ISS', 'DMG', 'LIN'];
export const SET_SEGMENTS: Readonly<Record<(typeof SUPPORTED_SETS)[number], ReadonlySet<string>>> = {
  '856': new Set([...ENVELOPE, ...COMMON, 'BSN', 'HL', 'SN1', 'PRF', 'TSD', 'LH1', 'LH2', 'LH3', 'LFH', 'LEP', 'LH4', 'LHT', 'LHR', 'LHE', 'CLD', 'PAL', 'ETD', 'GF']),
  '855': new Set([...ENVELOPE, ...COMMON, 'BAK', 'PO1', 'ACK']),
  '810': new Set([...ENVELOPE, ...COMMON, 'BIG', 'IT1', 'TDS']),
  '846': new Set([...ENVELOPE, ...COMMON, 'BIA']),
  '997': new Set([...ENVELOPE, 'AK1', 'AK2', 'AK3', 'AK4', 'AK5', 'AK9']),
  '999': new Set([...ENVELOPE, 'AK1', 'AK2', 'IK3', 'CTX', 'IK4', 'IK5', 'AK9']),
};

/** One transaction set → what the hub applies. Unknown sets are a ParseError, not a crash. */
export function parseX12Set(set: X12Set, options: X12SetOptions = {}): InboundItem[] {
  switch (set.transactionSet) {
    case '856':
      return parseShipNotice(set, options).map((shipment) => ({ kind: 'shipment', shipment }));
    case '855':
      return [{ kind: 'acknowledgment', acknowledgment: parsePoAck(set) }];
    case '997':
    case '999':
      return [{ kind: 'functional_ack', ack: parseFunctionalAck(set) }];
    case '810':
      return [{ kind: 'invoice', invoice: parseInvoice(set) }];
    case '846':
      return [{ kind: 'inventory', items: parseInventory(set) }];
    default:
      throw set.error(
        `unsupported transaction set ${set.transactionSet} (the hub reads ${SUPPORTED_SETS.join(', ')})`,
        undefined,
        { segment: 'ST', segmentCode: '6' },
      );
  }
}

function supported(id: string): id is (typeof SUPPORTED_SETS)[number] {
  return (SUPPORTED_SETS as readonly string[]).includes(id);
}

/** The PO an item is about, where it names one. */
export function poNumberOfItem(item: InboundItem): string | undefined {
  switch (item.kind) {
    case 'shipment':
      return item.shipment.poNumber;
    case 'acknowledgment':
      return item.acknowledgment.poNumber;
    case 'invoice':
      return item.invoice.poNumber;
    default:
      return undefined;
  }
}

/**
 * Reads a whole file's sets one by one into what the hub applies, and decides how each is answered:
 *
 * - a set whose own envelope is wrong (SE01, SE02), or that holds wrong or missing required data,
 *   is rejected (AK5 R with its AK502 code and AK3/AK4 detail) and refuses the file;
 * - a set the hub does not read (an 850, a 940 beside 856s) is not applied, reported as a warning
 *   and answered as not accepted (AK5 R, AK502 1 "transaction set not supported"); the rest of the
 *   file applies. A file with no set the hub reads is refused;
 * - a set read with warnings (an optional value dropped, a segment its table does not define) is
 *   applied and answered as accepted with errors noted (AK5 E with AK3/AK4);
 * - a group whose GE does not agree with it is rejected whole (AK9 R) and refuses the file.
 *
 * A refused file throws an X12FileError carrying everything read (so its 997s still go out).
 * Interchanges that asked for a TA1 (ISA14 = 1) and were read completely are answered A 000.
 */
export class X12Interpreter {
  private readonly errors: ParseError[] = [];
  private readonly warnings: InboundWarning[] = [];
  private readonly seen = new Set<string>();
  private readonly items: InboundItem[] = [];
  private readSets = 0;
  private notRead: string[] = [];
  private readonly counter: InboundLimitCounter | undefined;
  private overLimitSets = 0;

  /** `keepItems`: false when streaming (the caller keeps what it needs; memory stays at one set). */
  constructor(
    private readonly options: X12SetOptions = {},
    private readonly keepItems = true,
    file?: string,
  ) {
    this.counter = options.limits ? new InboundLimitCounter(options.limits, 'x12', file) : undefined;
  }

  /** The items of one set (none when it is rejected or not read). */
  add(set: X12Set): InboundItem[] {
    const entry = set.entry;
    const name = `${set.transactionSet} ${set.controlNumber}`;
    if (set.syntaxErrors.length) {
      if (entry) entry.ack = { status: 'R', codes: set.syntaxErrors.map((e) => e.code) };
      const se = set.segmentNumber(set.raw.length - 1);
      for (const e of set.syntaxErrors) this.errors.push(new ParseError('x12', e.message, { ...(set.file ? { file: set.file } : {}), segment: se }));
      return [];
    }
    if (!supported(set.transactionSet)) {
      if (entry) entry.ack = { status: 'R', codes: ['1'] };
      this.notRead.push(name);
      this.warn({
        message: `${name}: transaction set ${set.transactionSet} is not one the hub reads (${SUPPORTED_SETS.join(', ')}): not applied, answered as not accepted in the 997 (segment ${set.firstSegment})`,
      });
      return [];
    }
    const known = SET_SEGMENTS[set.transactionSet];
    const segs = set.segments;
    for (let i = 1; i < segs.length - 1; i++) {
      const id = (segs[i] as Segment)[0] as string;
      if (!known.has(id)) set.warn(`segment ${id} is not part of an ${set.transactionSet}: kept, not read`, i, { segmentCode: '6' });
    }
    let items: InboundItem[];
    try {
      items = parseX12Set(set, this.options);
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      if (entry) entry.ack = { status: 'R', codes: ['5'], ...(error instanceof X12SetError ? { notes: [error.note] } : {}) };
      this.errors.push(error);
      return [];
    }
    const over = this.overLimit(set, items);
    if (over) {
      if (entry) entry.ack = { status: 'R', codes: ['5'], ...(over.note ? { notes: [over.note] } : {}) };
      if (over.error) this.errors.push(over.error);
      return [];
    }
    this.readSets++;
    const notes = set.warnings.flatMap((w) => (w.note ? [w.note] : []));
    if (entry && notes.length) entry.ack = { status: 'E', notes };
    const poNumbers = [...new Set(items.map(poNumberOfItem).filter((p): p is string => p !== undefined))];
    for (const w of set.warnings) this.warn({ message: w.message, ...(poNumbers.length ? { poNumbers } : {}) });
    if (set.unlistedWarnings) {
      this.warn({ message: `${name}: ${set.unlistedWarnings} more warning${set.unlistedWarnings > 1 ? 's' : ''} not listed`, ...(poNumbers.length ? { poNumbers } : {}) });
    }
    if (this.keepItems) this.items.push(...items);
    return items;
  }

  /**
   * The first limit this set's items break, with the 997's detail where a segment is to blame: the
   * first tracking-number segment past the limit (AK304 5, segment exceeds maximum use) or the first
   * LIN past it (AK304 4, loop occurs over maximum times).
   */
  private overLimit(set: X12Set, items: InboundItem[]): { error?: InboundLimitError; note?: SetSyntaxNote } | undefined {
    if (!this.counter || !this.options.limits) return undefined;
    let breach: LimitBreach | undefined;
    for (const item of items) breach ??= this.counter.breach(item);
    if (!breach) return undefined;
    // A hostile file may break a limit in every one of 400,000 sets: each is answered R, the first
    // few are told in full, the rest counted (see finish).
    if (++this.overLimitSets > MAX_LIMIT_ERRORS) return {};
    const error = this.counter.error(breach, { segment: set.firstSegment }, `${set.transactionSet} ${set.controlNumber}`);
    const nth = (test: (seg: Segment) => boolean, n: number): number | undefined => {
      const segs = set.segments;
      for (let i = 1, seen = 0; i < segs.length; i++) if (test(segs[i] as Segment) && ++seen === n) return i;
      return undefined;
    };
    let index: number | undefined;
    let segmentCode = '5';
    if (breach.limit === 'trackingNumbersPerShipment') {
      const from = new Set(this.options.trackingFrom ?? DEFAULT_TRACKING_FROM);
      index = nth((seg) => from.has(`${seg[0]}*${seg[1] ?? ''}`), breach.max + 1);
    } else if (breach.limit === 'linesPerShipment') {
      index = nth((seg) => seg[0] === 'LIN', breach.max + 1);
      segmentCode = '4';
    }
    if (index === undefined) return { error };
    return { error, note: set.error(limitSummary(breach.limit, breach.max, breach.actual), index, { segmentCode }).note };
  }

  private warn(warning: InboundWarning): void {
    if (this.seen.has(warning.message)) return;
    this.seen.add(warning.message);
    this.warnings.push(warning);
  }

  /** What was read, once every set was added; throws an X12FileError when the file is refused. */
  finish(groups: ReceivedGroup[], ackRequests: readonly ReceivedInterchange[], file?: string): ParsedInbound {
    for (const g of groups) {
      for (const e of g.errors ?? []) this.errors.push(new ParseError('x12', `functional group ${g.functionalId} ${g.controlNumber}: ${e.message}`, { ...(file ? { file } : {}) }));
    }
    const parsed: ParsedInbound = {
      format: 'x12',
      items: this.items,
      groups,
      ...(ackRequests.length ? { interchangeAcks: ackRequests.map((interchange) => ({ interchange, status: 'A' as const, code: '000' })) } : {}),
      ...(this.warnings.length ? { warnings: this.warnings } : {}),
    };
    if (this.overLimitSets > MAX_LIMIT_ERRORS) {
      this.errors.push(new ParseError('x12', `${this.overLimitSets - MAX_LIMIT_ERRORS} more sets over the hub's limits, each rejected in the 997`, { ...(file ? { file } : {}) }));
    }
    if (this.errors.length) throw new X12FileError(this.errors, parsed);
    if (this.readSets === 0 && this.notRead.length) {
      throw new X12FileError(
        [new ParseError('x12', `no transaction set the hub reads (${SUPPORTED_SETS.join(', ')}) in this file: ${this.notRead.join(', ')}`, { ...(file ? { file } : {}) })],
        parsed,
      );
    }
    return parsed;
  }
}

/** Reads every set of an X12 file (already framed by `readX12` with `recover`): see X12Interpreter. */
export function interpretX12(read: X12File, options: X12SetOptions = {}, file?: string): ParsedInbound {
  const interpreter = new X12Interpreter(options, true, file);
  for (const set of read.sets) interpreter.add(set);
  return interpreter.finish(read.groups, read.ackRequests, file);
}
