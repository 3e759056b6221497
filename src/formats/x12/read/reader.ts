/**
 * The X12 reader: bytes in, one checked transaction set at a time out.
 *
 * Delimiters come from each ISA, never assumed: the element separator is the character after "ISA",
 * the component separator (ISA16) is the character after the 16th element separator (so an ISA
 * padded with non-ASCII or not padded at all still reads), the segment terminator the character
 * after that, the repetition separator ISA11 when ISA12 ≥ 00402 and ISA11 is not alphanumeric.
 *
 * Tolerated, because real partners send it: a UTF-8 byte-order mark; CR/LF or LF (and blanks,
 * indentation) after terminators; a newline as the segment terminator; files hard-wrapped at a
 * fixed width (newlines inside segments are dropped when the terminator is not a newline); an ISA
 * whose ISA16 is missing (`…*P*~` followed by `GS…~`); ISB/ISE/TA1 at interchange level; several
 * ISA per file, GS per ISA, ST per GS; the last segment of the file without its terminator.
 *
 * Refused with a ParseError naming the segment number (1-based, counting from the first ISA of the
 * file) and byte offset: anything before the ISA or between interchanges; a missing SE, GE or IEA
 * (a file cut part-way); SE01 ≠ the segments counted, SE02 ≠ ST02, GE01 ≠ the sets counted,
 * GE02 ≠ GS06, IEA01 ≠ the groups counted, IEA02 ≠ ISA13; a malformed segment id.
 *
 * Streaming: `push()` chunks as they come and take the sets each call completes; only the set
 * being read is held in memory. A set is handed out once its SE checks out; an envelope error found
 * later (a bad GE or IEA) is thrown when it is reached, so a consumer that must be all-or-nothing
 * stages the sets until `end()` returns.
 *
 * @example
 *   const reader = new X12Reader({ file: 'ASN_1.856' });
 *   for await (const chunk of stream) for (const set of reader.push(chunk)) handle(set);
 *   for (const set of reader.end()) handle(set);
 */
import { constants as bufferConstants, isAscii } from 'node:buffer';
import { ParseError } from '../../../errors.ts';
import type { ReceivedGroup, ReceivedInterchange, SetAck, SetSyntaxNote } from '../../../canonical/inbound.ts';
import { X12EnvelopeError, X12SetError } from './errors.ts';

/** One segment: `[id, element1, element2, …]`, so that `seg[2]` is the segment's 02 element. */
export type Segment = string[];

export interface Delimiters {
  element: string;
  /** ISA16; '' when the ISA carries none. */
  component: string;
  /** '\n' when lines end segments. */
  segment: string;
  /** ISA11 in 00402 and later; '' when there is none. */
  repetition: string;
}

export interface InterchangeEnvelope {
  senderQualifier: string;
  senderId: string;
  receiverQualifier: string;
  receiverId: string;
  /** ISA09 YYMMDD and ISA10 HHMM as sent. */
  date: string;
  time: string;
  /** ISA13 as sent (trimmed). */
  controlNumber: string;
  /** ISA12, e.g. 00401. */
  version: string;
  /** ISA15: P production, T test. */
  usage: string;
  /** ISA14 = 1: the sender asks for a TA1. */
  ackRequested: boolean;
  delimiters: Delimiters;
  /** The ISA's segment number in the file and its byte offset. */
  segment: number;
  offset: number;
}

export interface GroupEnvelope {
  /** GS01: PO, PR, SH, FA, IN, IB, … */
  functionalId: string;
  senderId: string;
  receiverId: string;
  date: string;
  time: string;
  /** GS06 as sent (trimmed). */
  controlNumber: string;
  /** GS08, e.g. 004010. */
  version: string;
  segment: number;
  offset: number;
}

export interface X12ReaderOptions {
  /** Named in every ParseError. */
  file?: string;
  /** A segment longer than this (in characters) is refused: the terminator is likely wrong. */
  maxSegmentLength?: number;
  /**
   * Read past set- and group-level envelope errors (SE01/SE02, GE01/GE02 that do not agree) instead
   * of throwing: the set is handed out with `syntaxErrors`, the group with `errors`, so that a 997
   * can reject exactly them. Interchange-level errors still throw (an X12EnvelopeError).
   */
  recover?: boolean;
}

/** A syntax error of a set's own envelope (ST/SE), found by the reader: AK502 code and plain words. */
export interface SetEnvelopeError {
  code: string;
  message: string;
}

/** What a set parser noted without refusing: a dropped optional value, an unknown segment. */
export interface SetWarning {
  message: string;
  /** The 997's AK3/AK4 detail, where the warning is a syntax finding. */
  note?: SetSyntaxNote;
}

/** Where a set parser's error or warning points: the segment's index in the set and, for an element, its position and data element number. */
export interface SetDetail {
  element?: number;
  reference?: string;
  /** AK403 element code, or the AK304 segment code when there is no element. */
  code?: string;
  /** AK304 segment code (default 8 with an element, 3 "mandatory segment missing" without an index). */
  segmentCode?: string;
  value?: string;
  /** The segment id the note names (a missing segment is not at `index`). */
  segment?: string;
}

const MAX_ISA_LENGTH = 512;
/** Warnings listed per transaction set; more are counted (and the 997 notes at most 50 per set). */
export const MAX_SET_WARNINGS = 100;
const DEFAULT_MAX_SEGMENT = 1 << 20;
const LOOKAHEAD = 4096;

/**
 * A set's segments as the reader framed them, not yet cut into strings: the set's text (ST to SE,
 * decoded once) and each segment's [start, end) in it, trimmed. A start written as `-start - 1` marks a
 * segment with line breaks inside (a hard-wrapped file) that are dropped when it is cut.
 */
export class FramedSegments {
  constructor(
    readonly text: string,
    readonly bounds: readonly number[],
  ) {}

  get length(): number {
    return this.bounds.length >> 1;
  }

  cut(): string[] {
    const { text, bounds } = this;
    const out = new Array<string>(bounds.length >> 1);
    for (let i = 0, j = 0; j < bounds.length; i++, j += 2) {
      const s = bounds[j] as number;
      const e = bounds[j + 1] as number;
      out[i] = s >= 0 ? text.slice(s, e) : text.slice(-s - 1, e).replace(/[\r\n]/g, '');
    }
    return out;
  }
}

/**
 * A transaction set (ST…SE, both included) with the envelope it came in. The reader frames and
 * checks segments without cutting them out; `raw` cuts them (and `segments` splits them into
 * elements) on first use.
 */
export class X12Set {
  private split: Segment[] | undefined;
  private texts: readonly string[] | undefined;
  private framed: FramedSegments | undefined;
  /** Envelope errors of this set (SE01/SE02), found by a recovering reader. */
  syntaxErrors: SetEnvelopeError[] = [];
  /** What the set's parser noted without refusing (see `warn`), at most MAX_SET_WARNINGS. */
  readonly warnings: SetWarning[] = [];
  /** Warnings past MAX_SET_WARNINGS, counted only. */
  unlistedWarnings = 0;
  /** This set's entry in its group's `sets`: where its 997 answer (`ack`) is written. */
  entry: { transactionSet: string; controlNumber: string; ack?: SetAck } | undefined;

  constructor(
    /** ST01, e.g. "856". */
    readonly transactionSet: string,
    /** ST02. */
    readonly controlNumber: string,
    /** Each segment's text (without terminator, trimmed), ST first, SE last. */
    raw: readonly string[] | FramedSegments,
    /** The ST's segment number in the file (1-based, the first ISA is 1). */
    readonly firstSegment: number,
    /** The ST's byte offset in the file. */
    readonly offset: number,
    readonly interchange: InterchangeEnvelope,
    readonly group: GroupEnvelope,
    readonly file: string | undefined,
  ) {
    if (raw instanceof FramedSegments) this.framed = raw;
    else this.texts = raw;
  }

  /** Each segment's text (without terminator, trimmed), ST first, SE last. */
  get raw(): readonly string[] {
    if (this.texts === undefined) {
      this.texts = (this.framed as FramedSegments).cut();
      this.framed = undefined;
    }
    return this.texts;
  }

  /** The segments as element arrays (`segments[i][0]` is the segment id), ST first, SE last. */
  get segments(): Segment[] {
    if (this.split === undefined) {
      const element = this.interchange.delimiters.element;
      const raw = this.raw;
      const split = new Array<Segment>(raw.length);
      for (let i = 0; i < raw.length; i++) split[i] = (raw[i] as string).split(element);
      this.split = split;
    }
    return this.split;
  }

  get delimiters(): Delimiters {
    return this.interchange.delimiters;
  }

  /** The file-wide segment number of `segments[index]`. */
  segmentNumber(index: number): number {
    return this.firstSegment + index;
  }

  /** Element `n` of `seg` split on the component separator; component `c` is 1-based. */
  component(seg: Segment, n: number, c: number): string {
    return component(seg, n, c, this.interchange.delimiters);
  }

  /** Element `n` of `seg` split on the repetition separator (one value when there is none). */
  repetitions(seg: Segment, n: number): string[] {
    return repetitions(seg, n, this.interchange.delimiters);
  }

  /** A ParseError pointing at `segments[index]` of this set, with the 997's AK3/AK4 detail. */
  error(message: string, index?: number, detail: SetDetail = {}): X12SetError {
    return new X12SetError(
      `${this.transactionSet} ${this.controlNumber}: ${message}`,
      {
        file: this.file,
        segment: index === undefined ? this.firstSegment : this.segmentNumber(index),
        ...(index === undefined ? { offset: this.offset } : {}),
      },
      this.note(message, index, detail),
    );
  }

  /**
   * Records something read but not used, without refusing the set: a bad optional value dropped, a
   * segment the set does not define. Kept with the document, put on the order's timeline, and
   * reported in the 997 (AK5 E with its AK3/AK4 detail) unless `detail` is null (a finding about
   * the content, not the syntax, such as an id under a qualifier the hub does not read).
   */
  warn(message: string, index: number, detail: SetDetail | null = {}): void {
    // Bounded: a file of custom segments on every line is told about once per kind, not a million times.
    if (this.warnings.length >= MAX_SET_WARNINGS) {
      this.unlistedWarnings++;
      return;
    }
    const text = `${this.transactionSet} ${this.controlNumber}: ${message} (segment ${this.segmentNumber(index)})`;
    // null: a finding about the content, not the syntax; nothing for the 997 to say.
    this.warnings.push(detail === null ? { message: text } : { message: text, note: this.note(message, index, detail) });
  }

  private note(message: string, index: number | undefined, detail: SetDetail): SetSyntaxNote {
    const segment = detail.segment ?? (index === undefined ? '' : ((this.segments[index] as Segment)[0] ?? ''));
    const note: SetSyntaxNote = { message, segment, position: index === undefined ? 1 : index + 1 };
    if (detail.element !== undefined) {
      note.segmentCode = detail.segmentCode ?? '8';
      note.element = { position: detail.element, code: detail.code ?? '1' };
      if (detail.reference) note.element.reference = detail.reference;
      if (detail.value !== undefined && detail.value !== '') note.element.value = detail.value;
    } else {
      note.segmentCode = detail.segmentCode ?? detail.code ?? (index === undefined || detail.segment ? '3' : '8');
    }
    return note;
  }
}

/** What a TA1 needs to know of an interchange. */
function receivedInterchange(isa: InterchangeEnvelope): ReceivedInterchange {
  return {
    senderQualifier: isa.senderQualifier,
    senderId: isa.senderId,
    receiverQualifier: isa.receiverQualifier,
    receiverId: isa.receiverId,
    date: isa.date,
    time: isa.time,
    controlNumber: isa.controlNumber,
    version: isa.version,
    ackRequested: isa.ackRequested,
  };
}

/** Element `n` (1-based, as in X12 names: BSN02 is `el(seg, 2)`), trimmed; '' when absent. */
export function el(seg: Segment, n: number): string {
  const v = seg[n];
  return v === undefined ? '' : v.trim();
}

/** Component `c` (1-based) of element `n`, trimmed; '' when absent. */
export function component(seg: Segment, n: number, c: number, delimiters: Delimiters): string {
  const v = seg[n];
  if (v === undefined) return '';
  if (!delimiters.component) return c === 1 ? v.trim() : '';
  return (v.split(delimiters.component)[c - 1] ?? '').trim();
}

/** Element `n` split on the repetition separator, each trimmed. */
export function repetitions(seg: Segment, n: number, delimiters: Delimiters): string[] {
  const v = seg[n];
  if (v === undefined) return [];
  if (!delimiters.repetition) return [v.trim()];
  return v.split(delimiters.repetition).map((r) => r.trim());
}

const enum State {
  /** Between interchanges: the next thing must be an ISA. */
  None,
  Interchange,
  Group,
  Set,
}

/** Space, or tab, LF, VT, FF, CR (9 to 13). */
function isWs(c: number): boolean {
  return c === 32 || (c <= 13 && c >= 9);
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Segment ids are two or three upper-case letters/digits, starting with a letter, then the separator. */
function validId(text: string, element: number): boolean {
  const c0 = text.charCodeAt(0);
  if (c0 < 65 || c0 > 90) return false;
  for (let i = 1; i < 4; i++) {
    const c = text.charCodeAt(i);
    if (c === element || Number.isNaN(c)) return i >= 2;
    if (i === 3 || !((c >= 48 && c <= 57) || (c >= 65 && c <= 90))) return false;
  }
  return false;
}

type EnvelopeId = 'ISA' | 'IEA' | 'GS' | 'GE' | 'ST' | 'SE';

/** The envelope segment this text is, without allocating; undefined for any other segment. */
function envelopeId(text: string, element: number): EnvelopeId | undefined {
  const c0 = text.charCodeAt(0);
  const c1 = text.charCodeAt(1);
  const c2 = text.charCodeAt(2);
  if (c2 === element || text.length === 2) {
    if (c0 === 83) return c1 === 69 ? 'SE' : c1 === 84 ? 'ST' : undefined; // S E / S T
    if (c0 === 71) return c1 === 69 ? 'GE' : c1 === 83 ? 'GS' : undefined; // G E / G S
    return undefined;
  }
  if (c0 === 73 && (text.length === 3 || text.charCodeAt(3) === element)) {
    if (c1 === 69 && c2 === 65) return 'IEA';
    if (c1 === 83 && c2 === 65) return 'ISA';
  }
  return undefined;
}

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Control numbers compare as numbers when both are digits (GE02 "5" matches GS06 "000000005"). */
function sameControlNumber(a: string, b: string): boolean {
  const x = a.trim();
  const y = b.trim();
  if (isDigits(x) && isDigits(y)) return x.replace(/^0+(?=.)/, '') === y.replace(/^0+(?=.)/, '');
  return x === y;
}

function show(ch: string): string {
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  return ch;
}

function snippet(s: string): string {
  const t = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return JSON.stringify(t);
}

/** A byte repeated in each of a 32-bit word's four bytes is `byte * ONES`. */
const ONES = 0x01010101;
const HIGH_BITS = 0x80808080;

/**
 * Marks the bytes of `word` (four, the first in the low byte) that are the terminator (`termWord`:
 * its byte in each) or below 14 (LF and CR among them), with the usual "has a zero byte" and "has a
 * byte less than n" bit tests: 0 when there are none; else the lowest high bit set is the first such
 * byte's (bits above it may be false alarms).
 */
function stopMask(word: number, termWord: number): number {
  const t = word ^ termWord; // the terminator's bytes become zero
  return (((t - ONES) & ~t) | ((word - 14 * ONES) & ~word)) & HIGH_BITS;
}

/** The index (0-3) of the byte whose high bit is the lowest set in a stopMask(). */
function firstMarked(mask: number): number {
  return (31 - Math.clz32(mask & -mask)) >> 3;
}

/** Whether buf[from, to) holds a CR or LF. */
function hasLineBreak(buf: Buffer, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = buf[k];
    if (c === 10 || c === 13) return true;
  }
  return false;
}

function hasNewline(s: string): boolean {
  return s.indexOf('\n') !== -1 || s.indexOf('\r') !== -1;
}

/**
 * The index in `buf` after the bytes, from `from`, that decode to `units` UTF-16 code units (as
 * Buffer#toString does: one U+FFFD for each maximal invalid subsequence).
 */
function utf8Skip(buf: Buffer, from: number, units: number): number {
  let i = from;
  let u = 0;
  while (u < units && i < buf.length) {
    const c = buf[i] as number;
    if (c < 0x80) {
      i++;
      u++;
      continue;
    }
    let need = 0;
    let lower = 0x80;
    let upper = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lower = 0xa0;
      if (c === 0xed) upper = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lower = 0x90;
      if (c === 0xf4) upper = 0x8f;
    }
    let j = i + 1;
    let k = 0;
    while (k < need && j < buf.length) {
      const d = buf[j] as number;
      if (d < lower || d > upper) break;
      lower = 0x80;
      upper = 0xbf;
      j++;
      k++;
    }
    u += need === 3 && k === 3 ? 2 : 1;
    i = j;
  }
  return i;
}

interface OpenGroup {
  envelope: GroupEnvelope;
  sets: { transactionSet: string; controlNumber: string }[];
}

interface OpenSet {
  id: string;
  control: string;
  first: number;
  offset: number;
}

const EMPTY = Buffer.alloc(0);
/** detect(): the window of input it was given is too short to decide. */
const MORE = 2;
/** Sets larger than this are cut into segments at once rather than decoded as one string. */
const MAX_SET_TEXT = 1 << 28;
/** The buffer for a set's bytes from earlier chunks: its first size, and the largest kept between sets. */
const MIN_SET_BYTES = 64 * 1024;
const MAX_KEPT_SET_BYTES = 4 * 1024 * 1024;
const BUFFER_MAX = bufferConstants.MAX_LENGTH;

/** The streaming X12 reader. See the module comment. */
export class X12Reader {
  private readonly file: string | undefined;
  private readonly maxSegment: number;
  /** Bytes not yet consumed start at `pos`; buf[0] is byte `base` of the input. */
  private buf: Buffer = EMPTY;
  private pos = 0;
  private base = 0;
  /** Where the search for the next terminator resumes: buf[pos, scan) holds none. */
  private scan = 0;
  private started = false;
  private ended = false;

  private state = State.None;
  private delims: Delimiters | undefined;
  /** The segment terminator as UTF-8, and its byte when it is a single byte (else -1). */
  private termBytes: Buffer = EMPTY;
  private termByte = -1;
  /** The element separator's byte when it is ASCII (else -1: segments are checked as text). */
  private elemByte = -1;
  /** Line breaks inside a segment are dropped (the terminator is not a newline). */
  private unwrap = false;
  private segNo = 0;
  private interchange: InterchangeEnvelope | undefined;
  private groupCount = 0;
  /** TA1 segments in the open interchange (a TA1-only interchange may count them in IEA01). */
  private ta1Count = 0;
  private group: OpenGroup | undefined;
  private set: OpenSet | undefined;
  private interchangeCount = 0;
  /**
   * The open set: its first byte in the input; its bytes from earlier chunks, copied to the start of
   * setBytes (a buffer reused from set to set, rather than a new copy of each part).
   */
  private setAt = 0;
  private setBytes: Buffer = EMPTY;
  private setLength = 0;
  /** [start, end) of each segment of the open set, relative to setAt (start as -start-1: unwrap it). */
  private bounds: number[] = [];
  private count = 0;

  /** Every functional group read so far (complete: its GE checked). */
  readonly groups: ReceivedGroup[] = [];
  /** Every interchange read completely so far whose sender asked for a TA1 (ISA14 = 1). */
  readonly ackRequests: ReceivedInterchange[] = [];
  private readonly recover: boolean;

  constructor(options: X12ReaderOptions = {}) {
    this.file = options.file;
    this.maxSegment = options.maxSegmentLength ?? DEFAULT_MAX_SEGMENT;
    this.recover = options.recover ?? false;
  }

  /** Interchanges read completely so far. */
  get interchanges(): number {
    return this.interchangeCount;
  }

  /** Segments read so far. */
  get segmentCount(): number {
    return this.segNo;
  }

  /** Feeds the next chunk; returns the transaction sets it completed. */
  push(chunk: Buffer | Uint8Array | string): X12Set[] {
    if (this.ended) throw new Error('X12Reader: push() after end()');
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: X12Set[] = [];
    if (bytes.length > 0) {
      if (this.pos >= this.buf.length) {
        this.base += this.buf.length;
        this.buf = bytes;
        this.pos = 0;
        this.scan = 0;
      } else {
        // release() left only the unread tail (pos 0). Once the delimiters are known, it is a
        // segment the last chunk cut short: only its end (up to this chunk's first terminator) is
        // joined to it and read first, so that the rest of the chunk is read in place, not copied.
        const cut = this.delims !== undefined && this.termByte >= 0 ? bytes.indexOf(this.termByte) + 1 : 0;
        // The terminator search resumes where it stopped.
        this.buf = Buffer.concat([this.buf.subarray(this.pos), cut > 0 ? bytes.subarray(0, cut) : bytes]);
        this.scan -= this.pos;
        this.base += this.pos;
        this.pos = 0;
        if (cut > 0) {
          const rest = bytes.subarray(cut);
          this.drain(out, false);
          this.release(false);
          // Nothing is expected to be left of the joined part; whatever is goes before the rest.
          this.buf = this.buf.length === 0 ? rest : Buffer.concat([this.buf, rest]);
        }
      }
    }
    this.drain(out, false);
    this.release(true);
    return out;
  }

  /** Ends the input: returns the last sets, or throws when the file stops short. */
  end(): X12Set[] {
    if (this.ended) return [];
    this.ended = true;
    const out: X12Set[] = [];
    this.drain(out, true);
    this.finish();
    return out;
  }

  /**
   * Lets the bytes read (buf before pos) go, the open set's among them copied to setBytes; buf keeps
   * the unread rest. `copy` after a push, when buf may be the caller's chunk, which the caller may
   * reuse: the rest is copied out of it.
   */
  private release(copy: boolean): void {
    const buf = this.buf;
    const from = this.pos;
    if (this.state === State.Set) {
      const s = this.setAt - this.base;
      const a = s > 0 ? s : 0;
      if (from > a) this.keepSetBytes(buf.subarray(a, from));
    }
    this.buf = from >= buf.length ? EMPTY : copy ? Buffer.from(buf.subarray(from)) : buf.subarray(from);
    this.base += from;
    this.scan = Math.max(0, this.scan - from);
    this.pos = 0;
  }

  /** Appends `part` to the open set's bytes kept from earlier chunks. */
  private keepSetBytes(part: Buffer): void {
    const length = this.setLength + part.length;
    if (length > this.setBytes.length) {
      const size = Math.max(length, Math.min(2 * this.setBytes.length, BUFFER_MAX), MIN_SET_BYTES);
      const grown = Buffer.allocUnsafe(size);
      this.setBytes.copy(grown, 0, 0, this.setLength);
      this.setBytes = grown;
    }
    part.copy(this.setBytes, this.setLength);
    this.setLength = length;
  }

  /**
   * The refusal of the file at buf[index]: inside an interchange whose ISA was read, an
   * X12EnvelopeError carrying that interchange and the TA105 code of the negative TA1 it earns.
   */
  private fail(message: string, index: number, segment: number | undefined = this.segNo, ta1Code = '024'): ParseError {
    const where = {
      file: this.file,
      segment: segment === 0 ? undefined : segment,
      offset: this.base + Math.min(index, this.buf.length),
    };
    const isa = this.interchange;
    if (!isa) return new ParseError('x12', message, where);
    return new X12EnvelopeError(message, where, receivedInterchange(isa), ta1Code);
  }

  private drain(out: X12Set[], final: boolean): void {
    for (;;) {
      if (!this.started && !this.begin(final)) return;
      if (this.delims === undefined) {
        if (!this.detect(final)) return;
        continue;
      }
      if (this.state === State.Set && this.elemByte >= 0 && this.termByte >= 0) this.fastSet();
      if (!this.frame(out, final)) return;
    }
  }

  /** Skips a UTF-8 byte-order mark at the very start. False when more input is needed to tell. */
  private begin(final: boolean): boolean {
    const b = this.buf;
    const p = this.pos;
    const avail = b.length - p;
    if (avail === 0) return false;
    if (avail < 3 && !final && b[p] === 0xef && (avail === 1 || b[p + 1] === 0xbb)) return false;
    this.started = true;
    if (avail >= 3 && b[p] === 0xef && b[p + 1] === 0xbb && b[p + 2] === 0xbf) {
      this.pos = p + 3;
      this.scan = this.pos;
    }
    return true;
  }

  /**
   * The hot path, inside a set when the delimiters are ASCII bytes: frames the plain segments
   * (a valid id, not an envelope segment, no line break inside) straight from the bytes, recording
   * where each is. Stops before anything else, for frame() to read, or where no terminator follows.
   */
  private fastSet(): void {
    // A segment whose terminator search stopped at the end of an earlier chunk is left to frame(),
    // which resumes the search at `scan` rather than reading its bytes again.
    if (this.scan > this.pos) return;
    const buf = this.buf;
    const len = buf.length;
    // The bytes read four at a time (see stopMask).
    const words = new DataView(buf.buffer, buf.byteOffset, len);
    const term = this.termByte;
    const termWord = term * ONES;
    const elem = this.elemByte;
    const unwrap = this.unwrap;
    const rel = this.base - this.setAt;
    const bounds = this.bounds;
    let n = this.count * 2;
    let p = this.pos;
    let segs = 0;
    let noTerminator = false;
    for (;;) {
      // Blanks and line breaks before a segment are layout (the terminator itself may be a blank).
      let s = p;
      let c = 0;
      while (s < len && (c = buf[s] as number) !== term && isWs(c)) s++;
      // The terminator, noting line breaks on the way: one pass, without a call per segment.
      let i = s;
      let lineBreak = false;
      for (;;) {
        let mask = 0;
        while (i + 4 <= len && (mask = stopMask(words.getInt32(i, true), termWord)) === 0) i += 4;
        if (mask !== 0) i += firstMarked(mask);
        else if (i >= len) break;
        // The byte the mask marks, or one of the last three (one check for both keeps the
        // optimised code from meeting an untried path at each chunk's end).
        c = buf[i] as number;
        if (c === term) break;
        if (c === 10 || c === 13) lineBreak = true;
        i++;
      }
      if (i >= len) {
        noTerminator = true;
        break;
      }
      let e = i;
      while (e > s && isWs(buf[e - 1] as number)) e--;
      if (s === e) {
        p = i + 1;
        continue;
      }
      // A file hard-wrapped at a fixed width: such a segment is for frame() to unwrap.
      if (unwrap && lineBreak && hasLineBreak(buf, s, e)) break;
      // A segment id: A-Z then one or two of A-Z 0-9, then the element separator (or the end).
      const c0 = buf[s] as number;
      if (c0 < 65 || c0 > 90 || e - s < 2) break;
      const c1 = buf[s + 1] as number;
      if (!((c1 >= 65 && c1 <= 90) || (c1 >= 48 && c1 <= 57))) break;
      const c2 = s + 2 < e ? (buf[s + 2] as number) : elem;
      if (c2 === elem) {
        // SE, ST, GE, GS: for frame().
        if ((c0 === 83 && (c1 === 69 || c1 === 84)) || (c0 === 71 && (c1 === 69 || c1 === 83))) break;
      } else {
        if (!((c2 >= 65 && c2 <= 90) || (c2 >= 48 && c2 <= 57))) break;
        if (s + 3 < e && buf[s + 3] !== elem) break;
        if (c0 === 73 && c2 === 65 && (c1 === 69 || c1 === 83)) break; // IEA, ISA
      }
      bounds[n] = s + rel;
      bounds[n + 1] = e + rel;
      n += 2;
      segs++;
      p = i + 1;
    }
    this.pos = p;
    this.scan = noTerminator ? len : p; // buf[pos, scan) holds no terminator
    this.count = n >> 1;
    this.segNo += segs;
  }

  /** Frames one segment at `pos` and reads it. False when more input is needed (or none is left). */
  private frame(out: X12Set[], final: boolean): boolean {
    const buf = this.buf;
    const len = buf.length;
    let start = this.pos;
    const from = start > this.scan ? start : this.scan;
    const tlen = this.termBytes.length;
    const idx = this.termByte >= 0 ? buf.indexOf(this.termByte, from) : buf.indexOf(this.termBytes, from);
    let end: number;
    if (idx === -1) {
      this.scan = Math.max(start, len - tlen + 1);
      if (len - start > this.maxSegment && this.chars(start, len) > this.maxSegment) {
        const d = this.delims as Delimiters;
        throw this.fail(
          `no segment terminator '${show(d.segment)}' within ${this.maxSegment} characters`,
          start,
          this.segNo + 1,
        );
      }
      if (!final || start >= len) return false;
      end = len;
      this.pos = end;
    } else {
      end = idx;
      this.pos = idx + tlen;
    }
    // Blanks and line breaks around a segment are layout, not data.
    while (start < end && isWs(buf[start] as number)) start++;
    while (end > start && isWs(buf[end - 1] as number)) end--;
    if (start === end) return true;
    let wrapped = false;
    if (this.unwrap) {
      // A file hard-wrapped at a fixed width: line breaks inside a segment are not data.
      for (let k = start; k < end; k++) {
        const c = buf[k];
        if (c === 10 || c === 13) {
          wrapped = true;
          break;
        }
      }
    }
    let text = buf.toString('utf8', start, end);
    if (wrapped) text = text.replace(/[\r\n]/g, '');
    this.segment(text, start, end, wrapped, out);
    return true;
  }

  /** Characters in buf[from, to) (bytes, for ASCII). */
  private chars(from: number, to: number): number {
    const part = this.buf.subarray(from, to);
    return isAscii(part) ? part.length : part.toString('utf8').length;
  }

  /**
   * Reads the ISA at `pos` (after blanks) and takes the delimiters from it. Returns false when more
   * input is needed (or, at the end, when only blanks remain).
   */
  private detect(final: boolean): boolean {
    const b = this.buf;
    let p = this.pos;
    while (p < b.length && isWs(b[p] as number)) p++;
    this.pos = p;
    if (p >= b.length) return false;
    // The ISA is read as text, from a window of the bytes wide enough to decide.
    for (let width = 8192; ; width *= 4) {
      let end = Math.min(b.length, p + width);
      const all = end === b.length;
      if (!all) while (end > p && ((b[end] as number) & 0xc0) === 0x80) end--;
      const r = this.detectIn(b.toString('utf8', p, end), p, all ? final : false, !all);
      if (r !== MORE || all) return r === 1;
    }
  }

  /** detect() on `b`, the text of the bytes from `at`; `cut`: more input follows the window. */
  private detectIn(b: string, at: number, final: boolean, cut: boolean): number {
    const ascii = b.length === Buffer.byteLength(b) && isAscii(this.buf.subarray(at, at + b.length));
    const toByte = (i: number): number => (ascii ? at + i : utf8Skip(this.buf, at, i));
    const p = 0;
    const what = this.interchangeCount === 0 && this.segNo === 0 ? 'not an X12 file' : 'unexpected data after IEA';
    if (b.length - p < 4) {
      if (!final) return MORE;
      throw this.fail(`${what}: expected an ISA segment, found ${snippet(b.slice(p))}`, toByte(p), this.segNo + 1);
    }
    if (!b.startsWith('ISA', p)) {
      throw this.fail(`${what}: expected an ISA segment, found ${snippet(b.slice(p, p + 40))}`, toByte(p), this.segNo + 1);
    }
    const segNo = this.segNo + 1;
    const element = b.charAt(p + 3);
    const ec = element.charCodeAt(0);
    if (isAlnum(ec) || isWs(ec)) {
      throw this.fail(`ISA: '${show(element)}' cannot be the element separator`, toByte(p + 3), segNo);
    }
    // The 16th element separator ends ISA15; ISA16 and the terminator follow it.
    let k = p + 3;
    for (let n = 1; n < 16; n++) {
      k = b.indexOf(element, k + 1);
      if (k === -1 || k - p > MAX_ISA_LENGTH) {
        if (!final && k === -1 && b.length - p <= MAX_ISA_LENGTH) return MORE;
        throw this.fail(
          k === -1 ? 'file ends inside the ISA segment' : 'ISA segment has fewer than 16 elements',
          toByte(p),
          segNo,
        );
      }
    }
    if (k + 3 >= b.length && !final) return MORE;
    let component = b.charAt(k + 1);
    let termIndex = k + 2;
    if (component === '') throw this.fail('file ends inside the ISA segment (no ISA16)', toByte(p), segNo);
    if (component === '\r' || component === '\n') {
      // ISA16 missing and the line ends the ISA.
      termIndex = k + 1;
      component = '';
    }
    let terminator = b.charAt(termIndex);
    if (terminator === '') throw this.fail('file ends after ISA16: no segment terminator', toByte(p), segNo);
    let isaEnd = termIndex; // ISA text is b[p, isaEnd)
    if (terminator === '\r' && b.charAt(termIndex + 1) === '\n') terminator = '\n';
    const newlineTerminated = terminator === '\n' || terminator === '\r';

    if (component && newlineTerminated) {
      // `…*P*~` then a newline, and the next segment also ends with '~': ISA16 is missing and '~'
      // is the real terminator (a layout some translators produce).
      let q = termIndex + 1;
      while (q < b.length && isWs(b.charCodeAt(q))) q++;
      const eol = b.indexOf('\n', q);
      if (eol === -1 && (cut || (!final && b.length - q < LOOKAHEAD))) return MORE;
      const line = b.slice(q, eol === -1 ? Math.min(b.length, q + LOOKAHEAD) : eol).trimEnd();
      if (line.length > 2 && line.endsWith(component) && /^(GS|TA1|IEA|ISB)/.test(line)) {
        terminator = component;
        component = '';
        termIndex = k + 1;
        isaEnd = k + 1;
      }
    } else if (component && isAlnum(terminator.charCodeAt(0)) && /^(GS|TA1|IEA|ISB)/.test(b.slice(termIndex, termIndex + 3))) {
      // `…*P*~GS*…`: no ISA16 at all.
      terminator = component;
      component = '';
      termIndex = k + 1;
      isaEnd = k + 1;
    }

    const tc = terminator.charCodeAt(0);
    if (isAlnum(tc)) {
      throw this.fail(
        `ISA: '${terminator}' after ISA16 cannot be a segment terminator (is the ISA cut short?)`,
        toByte(termIndex),
        segNo,
      );
    }
    if (terminator === element || component === element || (component !== '' && component === terminator)) {
      throw this.fail(
        `ISA: delimiters are not distinct (element '${show(element)}', component '${show(component)}', segment '${show(terminator)}')`,
        toByte(p),
        segNo,
      );
    }
    let isaText = b.slice(p, isaEnd);
    if (newlineTerminated) {
      if (hasNewline(isaText)) {
        throw this.fail('ISA segment is split across lines while lines end segments', toByte(p), segNo);
      }
    } else if (hasNewline(isaText)) {
      isaText = isaText.replace(/[\r\n]/g, '');
    }
    const f = isaText.split(element);
    if (f.length !== 17) throw this.fail(`ISA has ${f.length - 1} elements, expected 16`, toByte(p), segNo);
    const version = (f[12] ?? '').trim();
    const control = (f[13] ?? '').trim();
    if (!isDigits(control)) throw this.fail(`ISA13 control number ${snippet(control)} is not numeric`, toByte(p), segNo);
    const rep = f[11] ?? '';
    const repCode = rep.charCodeAt(0);
    const repetition =
      rep.length === 1 &&
      isDigits(version) &&
      Number(version) >= 402 &&
      !isAlnum(repCode) &&
      !isWs(repCode) &&
      rep !== element &&
      rep !== component &&
      rep !== terminator
        ? rep
        : '';
    const delimiters: Delimiters = { element, component, segment: terminator, repetition };
    this.delims = delimiters;
    this.termBytes = Buffer.from(terminator, 'utf8');
    this.termByte = this.termBytes.length === 1 ? (this.termBytes[0] as number) : -1;
    this.elemByte = ec < 128 ? ec : -1;
    this.unwrap = !newlineTerminated;
    this.segNo = segNo;
    this.interchange = {
      senderQualifier: (f[5] ?? '').trim(),
      senderId: (f[6] ?? '').trim(),
      receiverQualifier: (f[7] ?? '').trim(),
      receiverId: (f[8] ?? '').trim(),
      date: (f[9] ?? '').trim(),
      time: (f[10] ?? '').trim(),
      controlNumber: control,
      version,
      usage: (f[15] ?? '').trim(),
      ackRequested: (f[14] ?? '').trim() === '1',
      delimiters,
      segment: segNo,
      offset: this.base + toByte(p),
    };
    this.groupCount = 0;
    this.ta1Count = 0;
    this.state = State.Interchange;
    this.pos = toByte(termIndex + 1);
    this.scan = this.pos;
    return 1;
  }

  /** One segment's text (trimmed; buf[at, end) before unwrapping): its id checked, then through the envelope state machine. */
  private segment(text: string, at: number, end: number, wrapped: boolean, out: X12Set[]): void {
    const segNo = ++this.segNo;
    const d = this.delims as Delimiters;
    const kind = envelopeId(text, d.element.charCodeAt(0));
    if (this.state === State.Set) {
      const set = this.set as OpenSet;
      if (kind === undefined) {
        if (!validId(text, d.element.charCodeAt(0))) throw this.badId(text, at, segNo);
        this.addSegment(at, end, wrapped);
      } else if (kind === 'SE') {
        this.addSegment(at, end, wrapped);
        this.closeSet(text.split(d.element), at, end, out);
      } else {
        throw this.fail(
          `${kind} inside transaction set ${set.id} ${set.control} (started at segment ${set.first}): SE missing`,
          at,
          segNo,
        );
      }
      return;
    }
    const f = text.split(d.element);
    const id = f[0] as string;
    if (kind === undefined && !validId(text, d.element.charCodeAt(0))) throw this.badId(text, at, segNo);
    switch (this.state) {
      case State.Group:
        if (id === 'ST') return this.openSet(f, at, end, wrapped);
        if (id === 'GE') return this.closeGroup(f, at);
        if (id === 'IEA' || id === 'GS' || id === 'ISA') {
          const g = (this.group as OpenGroup).envelope;
          throw this.fail(`${id} inside functional group ${g.controlNumber} (GS at segment ${g.segment}): GE missing`, at, segNo);
        }
        throw this.fail(`expected ST or GE in functional group, found ${snippet(text)}`, at, segNo);
      case State.Interchange:
        if (id === 'GS') return this.openGroup(f, at);
        if (id === 'IEA') return this.closeInterchange(f, at);
        if (id === 'TA1') {
          this.ta1Count++;
          return;
        }
        if (id === 'ISB' || id === 'ISE') return; // interchange-level service segments
        if (id === 'ST') throw this.fail('ST outside a functional group (GS missing)', at, segNo, '022');
        if (id === 'ISA') {
          const isa = this.interchange as InterchangeEnvelope;
          throw this.fail(`ISA inside interchange ${isa.controlNumber} (ISA at segment ${isa.segment}): IEA missing`, at, segNo, '022');
        }
        throw this.fail(`expected GS or IEA in interchange, found ${snippet(text)}`, at, segNo);
      default:
        // detect() reads every ISA; nothing else arrives between interchanges.
        throw this.fail(`expected an ISA segment, found ${snippet(text)}`, at, segNo);
    }
  }

  private addSegment(at: number, end: number, wrapped: boolean): void {
    const n = this.count * 2;
    const rel = this.base - this.setAt;
    this.bounds[n] = wrapped ? -(at + rel) - 1 : at + rel;
    this.bounds[n + 1] = end + rel;
    this.count++;
  }

  private badId(text: string, at: number, segNo: number): ParseError {
    const id = text.split((this.delims as Delimiters).element)[0] ?? '';
    return this.fail(`malformed segment ${snippet(text)}: ${snippet(id)} is not a segment id`, at, segNo);
  }

  private openGroup(f: Segment, at: number): void {
    const control = el(f, 6);
    if (!control) throw this.fail('GS06 group control number missing', at);
    this.group = {
      envelope: {
        functionalId: el(f, 1),
        senderId: el(f, 2),
        receiverId: el(f, 3),
        date: el(f, 4),
        time: el(f, 5),
        controlNumber: control,
        version: el(f, 8),
        segment: this.segNo,
        offset: this.base + at,
      },
      sets: [],
    };
    this.state = State.Group;
  }

  private openSet(f: Segment, at: number, end: number, wrapped: boolean): void {
    const id = el(f, 1);
    const control = el(f, 2);
    if (!id) throw this.fail('ST01 transaction set id missing', at);
    if (!control) throw this.fail('ST02 control number missing', at);
    this.set = { id, control, first: this.segNo, offset: this.base + at };
    this.setAt = this.base + at;
    this.setLength = 0;
    this.count = 0;
    this.addSegment(at, end, wrapped);
    this.state = State.Set;
  }

  private closeSet(f: Segment, at: number, end: number, out: X12Set[]): void {
    const set = this.set as OpenSet;
    const errors: SetEnvelopeError[] = [];
    const count = el(f, 1);
    if (!isDigits(count) || Number(count) !== this.count) {
      const message = `SE01 of ${set.id} ${set.control} says ${snippet(count)} segments, counted ${this.count}`;
      if (!this.recover) throw this.fail(message, at);
      errors.push({ code: '4', message });
    }
    const control = el(f, 2);
    if (control !== set.control) {
      const message = `SE02 ${snippet(control)} does not match ST02 ${snippet(set.control)}`;
      if (!this.recover) throw this.fail(message, at);
      errors.push({ code: '3', message });
    }
    const group = this.group as OpenGroup;
    const entry = { transactionSet: set.id, controlNumber: set.control };
    group.sets.push(entry);
    const done = new X12Set(
      set.id,
      set.control,
      this.takeSegments(end),
      set.first,
      set.offset,
      this.interchange as InterchangeEnvelope,
      group.envelope,
      this.file,
    );
    done.entry = entry;
    done.syntaxErrors = errors;
    out.push(done);
    this.set = undefined;
    this.state = State.Group;
  }

  /** The open set's segments, its last ending at buf[end]: decoded at once, cut on first use. */
  private takeSegments(end: number): FramedSegments | string[] {
    const start = this.setAt - this.base;
    let bytes: Buffer;
    if (this.setLength === 0) {
      bytes = this.buf.subarray(start, end);
    } else {
      this.keepSetBytes(this.buf.subarray(Math.max(0, start), end));
      bytes = this.setBytes.subarray(0, this.setLength);
      this.setLength = 0;
      // The strings below are copies; a huge set's buffer is not kept for the sets after it.
      if (this.setBytes.length > MAX_KEPT_SET_BYTES) this.setBytes = EMPTY;
    }
    const n = this.count * 2;
    const bounds = this.bounds;
    if (bytes.length <= MAX_SET_TEXT && isAscii(bytes)) {
      return new FramedSegments(bytes.toString('latin1'), bounds.slice(0, n));
    }
    // Non-ASCII (or huge): each segment decoded on its own.
    const raw = new Array<string>(n >> 1);
    for (let j = 0; j < n; j += 2) {
      const s = bounds[j] as number;
      const e = bounds[j + 1] as number;
      raw[j >> 1] = s >= 0 ? bytes.toString('utf8', s, e) : bytes.toString('utf8', -s - 1, e).replace(/[\r\n]/g, '');
    }
    return raw;
  }

  private closeGroup(f: Segment, at: number): void {
    const group = this.group as OpenGroup;
    const errors: { code: string; message: string }[] = [];
    let declared: number | undefined;
    const count = el(f, 1);
    if (!isDigits(count) || Number(count) !== group.sets.length) {
      const message = `GE01 says ${snippet(count)} transaction sets, counted ${group.sets.length}`;
      if (!this.recover) throw this.fail(message, at);
      errors.push({ code: '5', message });
      if (isDigits(count) && count.length <= 6) declared = Number(count);
    }
    const control = el(f, 2);
    if (!sameControlNumber(control, group.envelope.controlNumber)) {
      const message = `GE02 ${snippet(control)} does not match GS06 ${snippet(group.envelope.controlNumber)}`;
      if (!this.recover) throw this.fail(message, at);
      errors.push({ code: '4', message });
    }
    const g = group.envelope;
    if (this.recover && !/^00[2-9]\d{3}/.test(g.version)) {
      errors.push({ code: '2', message: `GS08 ${snippet(g.version)} is not an X12 version (such as 004010)` });
    }
    const isa = this.interchange as InterchangeEnvelope;
    this.groups.push({
      interchange: {
        senderQualifier: isa.senderQualifier,
        senderId: isa.senderId,
        receiverQualifier: isa.receiverQualifier,
        receiverId: isa.receiverId,
        controlNumber: isa.controlNumber,
        version: isa.version,
      },
      functionalId: g.functionalId,
      senderId: g.senderId,
      receiverId: g.receiverId,
      controlNumber: g.controlNumber,
      version: g.version,
      sets: group.sets,
      ...(declared !== undefined ? { declaredSets: declared } : {}),
      ...(errors.length ? { errors } : {}),
    });
    this.groupCount++;
    this.group = undefined;
    this.state = State.Interchange;
  }

  private closeInterchange(f: Segment, at: number): void {
    const isa = this.interchange as InterchangeEnvelope;
    const count = el(f, 1);
    // A TA1-only interchange is read whether its IEA01 counts no group (the rule) or its TA1s (as some translators write).
    const ta1Only = this.groupCount === 0 && this.ta1Count > 0 && Number(count) === this.ta1Count;
    if (!isDigits(count) || (Number(count) !== this.groupCount && !ta1Only)) {
      throw this.fail(`IEA01 says ${snippet(count)} functional groups, counted ${this.groupCount}`, at, this.segNo, '021');
    }
    const control = el(f, 2);
    if (!sameControlNumber(control, isa.controlNumber)) {
      throw this.fail(`IEA02 ${snippet(control)} does not match ISA13 ${snippet(isa.controlNumber)}`, at, this.segNo, '001');
    }
    if (isa.ackRequested) this.ackRequests.push(receivedInterchange(isa));
    this.interchangeCount++;
    this.state = State.None;
    this.delims = undefined;
    this.interchange = undefined;
  }

  private finish(): void {
    const end = this.buf.length;
    switch (this.state) {
      case State.None:
        if (this.interchangeCount === 0) {
          throw this.fail('not an X12 file: no ISA segment (empty file)', end, undefined);
        }
        return;
      case State.Interchange:
        throw this.fail(
          `file ends inside interchange ${(this.interchange as InterchangeEnvelope).controlNumber}: IEA missing (file cut short?)`,
          end,
          this.segNo,
          '023',
        );
      case State.Group:
        throw this.fail(
          `file ends inside functional group ${(this.group as OpenGroup).envelope.controlNumber}: GE missing (file cut short?)`,
          end,
          this.segNo,
          '023',
        );
      case State.Set: {
        const set = this.set as OpenSet;
        throw this.fail(
          `file ends inside transaction set ${set.id} ${set.control} (started at segment ${set.first}): SE missing (file cut short?)`,
          end,
          this.segNo,
          '023',
        );
      }
    }
  }
}

/** Everything in one X12 file. */
export interface X12File {
  sets: X12Set[];
  groups: ReceivedGroup[];
  /** The interchanges that asked for a TA1 (ISA14 = 1), read completely. */
  ackRequests: ReceivedInterchange[];
  interchanges: number;
  segments: number;
}

/** Reads a whole X12 file at once (all interchanges, groups and sets), or throws a ParseError. */
export function readX12(input: Buffer | Uint8Array | string, options: X12ReaderOptions = {}): X12File {
  const reader = new X12Reader(options);
  const sets = reader.push(input);
  for (const set of reader.end()) sets.push(set);
  return { sets, groups: reader.groups, ackRequests: reader.ackRequests, interchanges: reader.interchanges, segments: reader.segmentCount };
}

/** What a streamed read ends with, once every set has been yielded. */
export interface X12StreamSummary {
  groups: ReceivedGroup[];
  ackRequests: ReceivedInterchange[];
  interchanges: number;
  segments: number;
}

/**
 * Reads X12 from a stream of chunks (a file or HTTP body stream), yielding each transaction set as
 * soon as its SE checks out; only that set is held in memory. The generator's return value sums up
 * the envelopes; an envelope error after some sets were yielded is thrown at that point.
 */
export async function* readX12Stream(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  options: X12ReaderOptions = {},
): AsyncGenerator<X12Set, X12StreamSummary, undefined> {
  const reader = new X12Reader(options);
  for await (const chunk of source) {
    for (const set of reader.push(chunk)) yield set;
  }
  for (const set of reader.end()) yield set;
  return { groups: reader.groups, ackRequests: reader.ackRequests, interchanges: reader.interchanges, segments: reader.segmentCount };
}
