/**
 * The X12 segment serializer: every data value goes through `makeCleaner` (ASCII, no delimiters)
 * and its element's type and length rules before it is written, so that no input can produce a
 * broken interchange. Envelope segments (ISA/GS/ST/SE/GE/IEA) are written by `writeInterchange`,
 * which keeps the counts and control numbers consistent.
 */
import type { X12EnvelopeConfig } from '../../../config/mapping-schema.ts';
import { RenderError } from '../../../errors.ts';
import { cleanerFor, type Cleaner, type Delimiters } from './clean.ts';
import { SEGMENTS, type ElementSpec, type SegmentSpec, type SegmentTag } from './elements.ts';

export type ElementValue = string | number | null | undefined;

/** Segments whose first element is a qualifier: errors name them as `N1*ST`, `REF*IA`. */
const QUALIFIED = new Set<string>(['N1', 'REF', 'DTM', 'PER', 'AMT', 'N9', 'CUR']);

export interface SegmentOptions {
  /** How errors name the segment; default the tag, with its qualifier (`N1*ST`). */
  label?: string;
  /**
   * An optional segment: skipped (not an error) when no element from this 0-based index on has a
   * value after cleaning. `1` for `REF*IA*<value>`: the qualifier alone is no content.
   */
  optionalAfter?: number;
}

export interface WriterOptions {
  upperCase: boolean;
  /** A newline after each segment terminator. */
  newline: boolean;
}

export class X12Writer {
  readonly delimiters: Delimiters;
  private readonly cleaner: Cleaner;
  private readonly terminator: string;
  private text = '';
  /** Segments written since the last ST (for SE01). */
  private setCount = 0;

  /** A writer with a partner's delimiters and layout from its mapping's `x12` block. */
  static forEnvelope(env: X12EnvelopeConfig, options: { upperCase: boolean }): X12Writer {
    return new X12Writer(
      {
        element: env.elementSeparator,
        segment: env.segmentTerminator,
        component: env.componentSeparator,
        repetition: env.repetitionSeparator,
      },
      { upperCase: options.upperCase, newline: env.newline },
    );
  }

  constructor(delimiters: Delimiters, options: WriterOptions) {
    this.delimiters = delimiters;
    this.cleaner = cleanerFor(delimiters, options.upperCase);
    this.terminator = options.newline && delimiters.segment !== '\n' ? `${delimiters.segment}\n` : delimiters.segment;
  }

  /** Writes a segment whose values are already exact (envelope segments). */
  raw(tag: string, values: readonly string[]): void {
    this.text += tag + this.delimiters.element + values.join(this.delimiters.element) + this.terminator;
    this.setCount++;
  }

  /**
   * Cleans and checks each value against the segment's element specs, then writes the segment.
   * Returns false (and writes nothing) when every value is empty and none is required.
   */
  segment(tag: SegmentTag, values: readonly ElementValue[], options?: SegmentOptions): boolean {
    const spec: SegmentSpec = SEGMENTS[tag];
    const elements = spec.elements;
    const n = values.length;
    if (n > elements.length) {
      throw new RenderError(`${segmentName(tag, values, options)}: ${tag} has ${elements.length} elements, got ${n}`, { segment: tag });
    }
    const out: string[] = [];
    let last = -1;
    for (let i = 0; i < n; i++) {
      const value = this.element(elements[i]!, values[i], tag, values, options);
      out.push(value);
      if (value !== '') last = i;
    }
    if (spec.pairs) {
      for (const [a, b] of spec.pairs) {
        if (a > n) continue;
        if (out[a - 1] === '' || (out[b - 1] ?? '') === '') {
          out[a - 1] = '';
          if (b <= n) out[b - 1] = '';
        }
      }
      last = n - 1;
      while (last >= 0 && out[last] === '') last--;
    }
    if (options?.optionalAfter !== undefined && last < options.optionalAfter) return false;
    for (const i of requiredIndexes(spec)) {
      if (i > last || out[i] === '') {
        const name = segmentName(tag, values, options);
        throw new RenderError(`${name} ${elements[i]!.id}: a value is required (missing or empty after cleaning)`, {
          segment: name,
          element: elements[i]!.id,
        });
      }
    }
    if (last < 0) return false;
    const sep = this.delimiters.element;
    let text = tag;
    for (let i = 0; i <= last; i++) text += sep + out[i]!;
    this.text += text + this.terminator;
    this.setCount++;
    return true;
  }

  /** Starts counting segments for SE01 (call when writing ST). */
  startSet(): void {
    this.setCount = 0;
  }

  get segmentsInSet(): number {
    return this.setCount;
  }

  /** The cleaned form of a free-text value (for callers that split text over segments). */
  cleanText(value: string): string {
    return this.cleaner.text(value);
  }

  toString(): string {
    return this.text;
  }

  private element(
    spec: ElementSpec,
    raw: ElementValue,
    tag: string,
    values: readonly ElementValue[],
    options: SegmentOptions | undefined,
  ): string {
    if (raw === null || raw === undefined) return '';
    const value = typeof raw === 'number' ? String(raw) : this.cleaner.text(raw);
    if (value === '') return '';
    const segment = tag;
    switch (spec.type) {
      case 'N0':
        if (!isWholeNumber(value)) throw elementError(segmentName(segment, values, options), spec, value, `"${value}" is not a whole number`);
        if (value.length > spec.max) throw elementError(segmentName(segment, values, options), spec, value, `${value} has more than ${spec.max} digits`);
        return value;
      case 'R': {
        const digits = decimalDigits(value);
        if (digits < 0) throw elementError(segmentName(segment, values, options), spec, value, `"${value}" is not a decimal number`);
        if (digits > spec.max) {
          if (spec.tooLong === 'omit' && !spec.required) return '';
          throw elementError(segmentName(segment, values, options), spec, value, `${value} has more than ${spec.max} digits`);
        }
        return value.charCodeAt(value.length - 1) === 0x2e ? value.slice(0, -1) : value; // "12." → "12"
      }
      case 'DT':
        if (!/^\d{8}$/.test(value)) throw elementError(segmentName(segment, values, options), spec, value, `"${value}" is not a date CCYYMMDD`);
        return value;
      case 'TM':
        if (!/^\d{4}(\d{2}){0,2}$/.test(value)) throw elementError(segmentName(segment, values, options), spec, value, `"${value}" is not a time HHMM`);
        return value;
      case 'ID':
      case 'AN': {
        if (value.length > spec.max) {
          const tooLong = spec.tooLong ?? 'error';
          if (tooLong === 'truncate') return value.slice(0, spec.max).trimEnd();
          if (tooLong === 'omit' && !spec.required) return '';
          throw elementError(segmentName(segment, values, options), spec, value, `"${value}" is longer than ${spec.max} characters`);
        }
        if (value.length < spec.min) {
          if (!spec.required) return '';
          throw elementError(segmentName(segment, values, options), spec, value, `"${value}" is shorter than ${spec.min} characters`);
        }
        return value;
      }
    }
  }
}

// Character loops rather than regular expressions: these run on every number the hub writes.

/** Whether `value` is one or more ASCII digits (/^\d+$/). */
function isWholeNumber(value: string): boolean {
  const n = value.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * The number of digits of an X12 decimal (/^-?(\d+\.?\d*|\.\d+)$/: an optional minus, digits
 * with at most one decimal point, at least one digit), or -1 when `value` is not one.
 */
function decimalDigits(value: string): number {
  const n = value.length;
  let i = value.charCodeAt(0) === 0x2d ? 1 : 0; // '-'
  let digits = 0;
  let point = false;
  for (; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digits++;
    else if (c === 0x2e && !point) point = true; // '.'
    else return -1;
  }
  return digits === 0 ? -1 : digits;
}

function segmentName(tag: string, values: readonly ElementValue[], options: SegmentOptions | undefined): string {
  return options?.label ?? (QUALIFIED.has(tag) && values[0] ? `${tag}*${values[0]}` : tag);
}

const requiredCache = new Map<SegmentSpec, number[]>();
function requiredIndexes(spec: SegmentSpec): number[] {
  let indexes = requiredCache.get(spec);
  if (!indexes) {
    indexes = spec.elements.flatMap((e, i) => (e.required ? [i] : []));
    requiredCache.set(spec, indexes);
  }
  return indexes;
}

function elementError(segment: string, spec: ElementSpec, value: string, why: string): RenderError {
  return new RenderError(`${segment} ${spec.id}: ${why}`, { segment, element: spec.id, value });
}

/** The interchange envelope of one outgoing transaction set. */
export interface InterchangeHeader {
  senderQualifier: string;
  senderId: string;
  receiverQualifier: string;
  receiverId: string;
  /** GS02/GS03; default ISA06/ISA08. */
  groupSenderId?: string;
  groupReceiverId?: string;
  usage: 'P' | 'T';
  requestTa1: boolean;
  /** GS01: PO, FA, ... */
  functionalId: string;
  /** ST01: 850, 997, ... */
  transactionSet: string;
  /** GS08, e.g. 004010; ISA12 is derived (00401) unless `isaVersion` is given. */
  version: string;
  isaVersion?: string;
  /** ISO timestamp: ISA09/ISA10, GS04/GS05. */
  createdAt: string;
  isa13: number;
  gs06: number;
  st02: number;
}

const MAX_CONTROL = 999_999_999;

function checkControl(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_CONTROL) {
    throw new RenderError(`${name}: control number ${value} must be a whole number from 1 to ${MAX_CONTROL}`, { element: name });
  }
}

function envelopeId(cleaner: Cleaner, id: string, value: string, max: number): string {
  const cleaned = cleaner.text(value).replace(/ /g, '');
  if (cleaned === '') throw new RenderError(`${id}: a value is required (missing or empty after cleaning)`, { element: id });
  if (cleaned.length > max) throw new RenderError(`${id}: "${cleaned}" is longer than ${max} characters`, { element: id });
  return cleaned;
}

/** What `endInterchange` needs to close what `beginInterchange` opened. */
export interface OpenInterchange {
  isa13: string;
  gs06: string;
  st02: string;
}

/** The ISA and GS values that depend only on the partner's envelope, cleaned and checked. */
interface EnvelopeParts {
  version: string;
  isaVersion: string;
  /** ISA01-ISA08, joined by the element separator. */
  isaHead: string;
  isa11: string;
  /** GS01-GS03, joined by the element separator. */
  gsHead: string;
}

function envelopeParts(d: Delimiters, header: InterchangeHeader): EnvelopeParts {
  const cleaner = cleanerFor(d, false);
  const version = envelopeId(cleaner, 'GS08', header.version, 12);
  const isaVersion = header.isaVersion ?? version.slice(0, 5);
  if (!/^\d{5}$/.test(isaVersion)) throw new RenderError(`ISA12: "${isaVersion}" is not a version such as 00401`, { element: 'ISA12' });
  const isaHead = [
    '00',
    '          ',
    '00',
    '          ',
    envelopeId(cleaner, 'ISA05', header.senderQualifier, 2).padEnd(2, ' '),
    envelopeId(cleaner, 'ISA06', header.senderId, 15).padEnd(15, ' '),
    envelopeId(cleaner, 'ISA07', header.receiverQualifier, 2).padEnd(2, ' '),
    envelopeId(cleaner, 'ISA08', header.receiverId, 15).padEnd(15, ' '),
  ].join(d.element);
  const gsHead = [
    envelopeId(cleaner, 'GS01', header.functionalId, 2),
    envelopeId(cleaner, 'GS02', header.groupSenderId ?? header.senderId, 15),
    envelopeId(cleaner, 'GS03', header.groupReceiverId ?? header.receiverId, 15),
  ].join(d.element);
  return { version, isaVersion, isaHead, isa11: isaVersion >= '00501' ? d.repetition : 'U', gsHead };
}

/**
 * Envelope parts by everything they are made from: a partner's envelope is the same on every PO, so
 * its ids are cleaned and checked once, not per interchange. Only successes are kept (an invalid
 * envelope throws from `envelopeParts` every time); a handful of partners, so the bound is loose.
 */
const envelopeCache = new Map<string, EnvelopeParts>();
const MAX_ENVELOPES = 1_000;

function cachedEnvelopeParts(d: Delimiters, header: InterchangeHeader): EnvelopeParts {
  // Every input of envelopeParts, and nothing else (JSON keeps an absent value apart from "").
  const key = JSON.stringify([
    d.element, d.segment, d.component, d.repetition,
    header.version, header.isaVersion, header.senderQualifier, header.senderId, header.receiverQualifier,
    header.receiverId, header.groupSenderId, header.groupReceiverId, header.functionalId,
  ]);
  let parts = envelopeCache.get(key);
  if (!parts) {
    parts = envelopeParts(d, header);
    if (envelopeCache.size >= MAX_ENVELOPES) envelopeCache.clear();
    envelopeCache.set(key, parts);
  }
  return parts;
}

/**
 * Writes ISA, GS and ST; `endInterchange` writes SE, GE and IEA with the counts. One transaction
 * set in one group in one interchange: how dropship partners expect POs (one file, one PO).
 */
export function beginInterchange(writer: X12Writer, header: InterchangeHeader): OpenInterchange {
  checkControl('ISA13', header.isa13);
  checkControl('GS06', header.gs06);
  checkControl('ST02', header.st02);
  const { ccyymmdd, hhmm } = stamp(header.createdAt, 'ISA09');
  const d = writer.delimiters;
  const parts = cachedEnvelopeParts(d, header);
  const isa13 = String(header.isa13).padStart(9, '0');
  const gs06 = String(header.gs06);
  const st02 = String(header.st02).padStart(4, '0');

  writer.raw('ISA', [
    parts.isaHead,
    ccyymmdd.slice(2),
    hhmm,
    parts.isa11,
    parts.isaVersion,
    isa13,
    header.requestTa1 ? '1' : '0',
    header.usage,
    d.component,
  ]);
  writer.raw('GS', [parts.gsHead, ccyymmdd, hhmm, gs06, 'X', parts.version]);
  writer.startSet();
  writer.raw('ST', [header.transactionSet, st02]);
  return { isa13, gs06, st02 };
}

export function endInterchange(writer: X12Writer, open: OpenInterchange): void {
  writer.raw('SE', [String(writer.segmentsInSet + 1), open.st02]);
  writer.raw('GE', ['1', open.gs06]);
  writer.raw('IEA', ['1', open.isa13]);
}

/** Writes a whole interchange around `body`. */
export function writeInterchange(writer: X12Writer, header: InterchangeHeader, body: (writer: X12Writer) => void): void {
  const open = beginInterchange(writer, header);
  body(writer);
  endInterchange(writer, open);
}

/** CCYYMMDD and HHMM (UTC) of an ISO timestamp; `element` names the field in errors. */
let lastStamp: { iso: string; ccyymmdd: string; hhmm: string } | undefined;
export function stamp(iso: string, element: string): { ccyymmdd: string; hhmm: string } {
  if (lastStamp?.iso === iso) return lastStamp;
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) throw new RenderError(`${element}: "${iso}" is not a timestamp`, { element });
  const s = at.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  lastStamp = { iso, ccyymmdd: s.slice(0, 4) + s.slice(5, 7) + s.slice(8, 10), hhmm: s.slice(11, 13) + s.slice(14, 16) };
  return lastStamp;
}
