/**
 * The X12 segment serializer, one per document and version. Every value goes through its element's
 * rules before it is written, so that no input can produce a broken interchange:
 *
 * - identifiers (elements marked `identifier` in elements.ts: PO number, product ids, reference
 *   numbers) are written exactly as given, or the document is refused with a RenderError naming
 *   the field (`lines[2].supplierSku`): never cleaned, folded, upper-cased or cut. X12 004010,
 *   004030 and 005010 have no release character for element data, so a delimiter inside an
 *   identifier cannot be escaped;
 * - free text is transliterated to ASCII with its meaning kept (clean.ts), delimiters become
 *   spaces, and a value too long is cut; every text value changed in a way that matters (more than
 *   blanks) and every value cut or left out is recorded as a `RenderWarning`;
 * - numbers, dates and times are checked against their data type and length (R and N0 lengths
 *   count digits only, as X12 does).
 *
 * Envelope segments (ISA/GS/ST/SE/GE/IEA) are written by `writeInterchange`, which keeps the counts
 * and control numbers consistent.
 */
import type { X12EnvelopeConfig } from '../../../config/mapping-schema.ts';
import { RenderError } from '../../../errors.ts';
import { cleanerFor, droppedCharacters, meaningfulChange, type Cleaner, type Delimiters } from './clean.ts';
import { VERSIONS, versionTable, type ElementSpec, type SegmentSpec, type SegmentTag, type VersionTable } from './elements.ts';

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
  /**
   * Where each value came from (0-based, parallel to the values), e.g. `shipTo.address1` or
   * `lines[2].supplierSku`: named in errors and warnings.
   */
  fields?: readonly (string | undefined)[];
}

export interface WriterOptions {
  upperCase: boolean;
  /** A newline after each segment terminator. */
  newline: boolean;
  /** The version's tables; default 004010. */
  version?: VersionTable;
  /** The segments this document may hold (the version's 850 or 997 table); default any. */
  allowed?: ReadonlySet<SegmentTag> | undefined;
  /** Names the document in errors: "850", "997". */
  document?: string;
}

/** A text value the writer changed, cut or left out: kept with the document and shown by the preview. */
export interface RenderWarning {
  /** The value's origin (`shipTo.address1`), else the element (`N301`). */
  field: string;
  /** Segment and element written, e.g. `N3 N301`. */
  element: string;
  message: string;
}

export class X12Writer {
  readonly delimiters: Delimiters;
  readonly table: VersionTable;
  /**
   * Warnings in the order they arose; a text change is kept as its parts and put into words only
   * when the warnings are read (a caller that does not read them does not pay for the words).
   */
  private readonly notes: (RenderWarning | TextChange)[] = [];
  private readonly cleaner: Cleaner;
  private readonly terminator: string;
  private readonly upperCase: boolean;
  /** The specs of the segments this document may hold, by tag (one lookup per segment written). */
  private readonly specs: Readonly<Record<string, SegmentSpec | undefined>>;
  private readonly document: string;
  private text = '';
  /** Segments written since the last ST (for SE01). */
  private setCount = 0;

  /**
   * A writer with a partner's delimiters and layout from its mapping's `x12` block. `version` (the
   * GS08 to write) picks the tables; default the mapping's version.
   */
  static forEnvelope(
    env: X12EnvelopeConfig,
    options: {
      upperCase: boolean;
      /** GS08 to write; default the mapping's version. */
      version?: string;
      /** ISA12 to write, when it is not the version's own (a 997 echoes the received ISA12). */
      isaVersion?: string;
      /** The document written: `850` and `997` hold to that version's table of the set. */
      document?: '850' | '997' | 'TA1';
    },
  ): X12Writer {
    const table = versionTable(options.version ?? env.version);
    const isaVersion = options.isaVersion ?? table.isaVersion;
    const document = options.document;
    return new X12Writer(
      {
        element: env.elementSeparator,
        segment: env.segmentTerminator,
        component: env.componentSeparator,
        // The repetition separator is a delimiter only where ISA11 announces it (00402 and later).
        repetition: isaVersion >= '00402' ? env.repetitionSeparator : '',
      },
      {
        upperCase: options.upperCase,
        newline: env.newline,
        version: table,
        allowed: document === '850' ? table.po850 : document === '997' ? table.fa997 : undefined,
        document: document ?? 'document',
      },
    );
  }

  constructor(delimiters: Delimiters, options: WriterOptions) {
    this.delimiters = delimiters;
    this.table = options.version ?? VERSIONS['004010'];
    this.upperCase = options.upperCase;
    this.specs = options.allowed ? specsOf(this.table, options.allowed) : (this.table.segments as Record<string, SegmentSpec>);
    this.document = options.document ?? 'document';
    this.cleaner = cleanerFor(delimiters, options.upperCase);
    this.terminator = options.newline && delimiters.segment !== '\n' ? `${delimiters.segment}\n` : delimiters.segment;
  }

  /** Writes a segment whose values are already exact (envelope segments). */
  raw(tag: string, values: readonly string[]): void {
    this.text += tag + this.delimiters.element + values.join(this.delimiters.element) + this.terminator;
    this.setCount++;
  }

  /** The version's spec of a segment this document may hold, or a RenderError. */
  spec(tag: string, label?: string): SegmentSpec {
    const spec = this.specs[tag];
    if (!spec) {
      throw new RenderError(`${label ?? tag}: ${tag} is not part of the ${this.table.version} ${this.document}`, { segment: tag, version: this.table.version });
    }
    return spec;
  }

  /**
   * Checks each value against the segment's element specs (cleaning text, keeping identifiers
   * exact), then writes the segment. Returns false (and writes nothing) when every value is empty
   * and none is required.
   */
  segment(tag: SegmentTag, values: readonly ElementValue[], options?: SegmentOptions): boolean {
    const spec = this.spec(tag, options?.label);
    const elements = spec.elements;
    const n = values.length;
    if (n > elements.length) {
      throw new RenderError(`${segmentName(tag, values, options)}: ${tag} has ${elements.length} elements in ${this.table.version}, got ${n}`, { segment: tag });
    }
    const out: string[] = [];
    let last = -1;
    for (let i = 0; i < n; i++) {
      const value = this.element(elements[i]!, values[i], tag, values, options, i);
      out.push(value);
      if (value !== '') last = i;
    }
    const pairs = spec.pairs;
    if (pairs) {
      for (let p = 0; p < pairs.length; p++) {
        const pair = pairs[p]!;
        const a = pair[0];
        if (a > n) continue;
        const b = pair[1];
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
        const field = options?.fields?.[i];
        throw new RenderError(`${name} ${elements[i]!.id}${field ? ` (${field})` : ''}: a value is required (missing or empty after cleaning)`, {
          segment: name,
          element: elements[i]!.id,
          ...(field ? { field } : {}),
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

  /**
   * The cleaned form of a free-text value (for callers that split text over segments); with a
   * field, a change that matters is recorded as a warning against `element` (e.g. `MSG MSG01`).
   */
  cleanText(value: string, field?: string, element?: string): string {
    const cleaned = this.cleaner.text(value);
    if (field && cleaned !== value) this.noteChange(value, cleaned, element ?? field, field);
    return cleaned;
  }

  /** Records a warning about a value (for callers that shorten text themselves). */
  warn(field: string, element: string, message: string): void {
    this.notes.push({ field, element, message });
  }

  /** Every text value changed, cut or left out, in the order written. */
  get warnings(): RenderWarning[] {
    for (let i = 0; i < this.notes.length; i++) {
      const note = this.notes[i]!;
      if (note instanceof TextChange) this.notes[i] = note.warning(this.delimiters);
    }
    return this.notes as RenderWarning[];
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
    index: number,
  ): string {
    if (raw === null || raw === undefined) return '';
    const field = options?.fields?.[index];
    if (spec.identifier) return this.identifier(spec, typeof raw === 'number' ? String(raw) : raw, tag, values, options, field);
    const segment = tag;
    switch (spec.type) {
      case 'N0': {
        const value = typeof raw === 'number' ? String(raw) : raw;
        if (value === '') return '';
        if (!isWholeNumber(value)) throw elementError(segmentName(segment, values, options), spec, value, `"${value}" is not a whole number`, field);
        if (value.length > spec.max) throw elementError(segmentName(segment, values, options), spec, value, `${value} has more than ${spec.max} digits`, field);
        return value;
      }
      case 'R': {
        const value = typeof raw === 'number' ? String(raw) : raw;
        if (value === '') return '';
        const digits = decimalDigits(value);
        if (digits < 0) throw elementError(segmentName(segment, values, options), spec, value, `"${value}" is not a decimal number`, field);
        if (digits > spec.max) {
          if (spec.tooLong === 'omit' && !spec.required) {
            this.warn(field ?? spec.id, `${tag} ${spec.id}`, `${value} has more than the ${spec.max} digits ${spec.id} allows: left out`);
            return '';
          }
          throw elementError(segmentName(segment, values, options), spec, value, `${value} has more than ${spec.max} digits`, field);
        }
        return value.charCodeAt(value.length - 1) === 0x2e ? value.slice(0, -1) : value; // "12." → "12"
      }
      case 'DT': {
        const value = typeof raw === 'number' ? String(raw) : raw;
        if (value === '') return '';
        if (!/^\d{8}$/.test(value)) throw elementError(segmentName(segment, values, options), spec, value, `"${value}" is not a date CCYYMMDD`, field);
        return value;
      }
      case 'TM': {
        const value = typeof raw === 'number' ? String(raw) : raw;
        if (value === '') return '';
        if (!/^\d{4}(\d{2}){0,2}$/.test(value)) throw elementError(segmentName(segment, values, options), spec, value, `"${value}" is not a time HHMM`, field);
        return value;
      }
      case 'ID':
      case 'AN': {
        const original = typeof raw === 'number' ? String(raw) : raw;
        const value = this.cleaner.text(original);
        if (value !== original) this.noteChange(original, value, `${tag} ${spec.id}`, field ?? spec.id);
        if (value === '') return '';
        if (value.length > spec.max) {
          const tooLong = spec.tooLong ?? 'error';
          if (tooLong === 'truncate') {
            const cut = value.slice(0, spec.max).trimEnd();
            this.warn(field ?? spec.id, `${tag} ${spec.id}`, `cut to the ${spec.max} characters ${spec.id} holds: "${cut}" (was ${value.length} characters)`);
            return cut;
          }
          if (tooLong === 'omit' && !spec.required) {
            this.warn(field ?? spec.id, `${tag} ${spec.id}`, `"${value}" is longer than the ${spec.max} characters ${spec.id} holds: left out`);
            return '';
          }
          throw elementError(segmentName(segment, values, options), spec, value, `"${value}" is longer than ${spec.max} characters`, field);
        }
        if (value.length < spec.min) {
          if (!spec.required) {
            this.warn(field ?? spec.id, `${tag} ${spec.id}`, `"${value}" is shorter than the ${spec.min} characters ${spec.id} needs: left out`);
            return '';
          }
          throw elementError(segmentName(segment, values, options), spec, value, `"${value}" is shorter than ${spec.min} characters`, field);
        }
        return value;
      }
    }
  }

  /** An identifier, exactly as given, or a RenderError saying why it cannot be written. */
  private identifier(
    spec: ElementSpec,
    value: string,
    tag: string,
    values: readonly ElementValue[],
    options: SegmentOptions | undefined,
    field: string | undefined,
  ): string {
    if (value === '') return '';
    const name = segmentName(tag, values, options);
    const problem = identifierProblem(value, this.delimiters, this.upperCase);
    if (problem) {
      throw new RenderError(
        `${name} ${spec.id}${field ? ` (${field})` : ''}: ${JSON.stringify(value)} cannot be sent: ${problem}. An identifier goes out exactly as given or not at all (X12 ${this.table.version} has no release character to escape a delimiter)`,
        { segment: name, element: spec.id, value, ...(field ? { field } : {}) },
      );
    }
    if (value.length > spec.max || value.length < spec.min) {
      throw new RenderError(
        `${name} ${spec.id}${field ? ` (${field})` : ''}: ${JSON.stringify(value)} is ${value.length > spec.max ? `longer than ${spec.max}` : `shorter than ${spec.min}`} characters; an identifier is never cut`,
        { segment: name, element: spec.id, value, ...(field ? { field } : {}) },
      );
    }
    return value;
  }

  /** A warning when cleaning changed more than blanks (or case, for an upper-case partner). */
  private noteChange(original: string, cleaned: string, element: string, field: string): void {
    if (meaningfulChange(original, this.delimiters)) this.notes.push(new TextChange(field, element, original, cleaned));
  }
}

/** A text value written differently, kept as its parts until the warning is read. */
class TextChange {
  constructor(
    readonly field: string,
    readonly element: string,
    readonly original: string,
    readonly cleaned: string,
  ) {}

  warning(delimiters: Delimiters): RenderWarning {
    const { original, cleaned } = this;
    const dropped = /[^\x00-\x7f]/.test(original) ? droppedCharacters(original) : [];
    const replaced: string[] = [];
    for (let i = 0; i < original.length; i++) {
      const c = original[i]!;
      if (isDelimiter(c, delimiters) && !replaced.includes(c)) replaced.push(c);
    }
    const why = [
      dropped.length ? `dropped ${dropped.join(' ')} (no ASCII form)` : '',
      replaced.length ? `${replaced.map((c) => JSON.stringify(c)).join(' ')} replaced by a space (X12 delimiter)` : '',
    ].filter(Boolean);
    const message = cleaned === ''
      ? `${JSON.stringify(original)} has nothing that can be written in X12: left out${why.length ? ` (${why.join('; ')})` : ''}`
      : `${JSON.stringify(original)} written as ${JSON.stringify(cleaned)}${why.length ? ` (${why.join('; ')})` : ''}`;
    return { field: this.field, element: this.element, message };
  }
}

/** A table's specs restricted to the segments of one document, made once per (table, document). */
const SPECS = new WeakMap<ReadonlySet<SegmentTag>, Record<string, SegmentSpec | undefined>>();
function specsOf(table: VersionTable, allowed: ReadonlySet<SegmentTag>): Record<string, SegmentSpec | undefined> {
  let specs = SPECS.get(allowed);
  if (!specs) {
    specs = Object.create(null) as Record<string, SegmentSpec | undefined>;
    for (const tag of allowed) specs[tag] = table.segments[tag];
    SPECS.set(allowed, specs);
  }
  return specs;
}

function isDelimiter(c: string, d: Delimiters): boolean {
  return c === d.element || c === d.segment || c === d.component || (d.repetition !== '' && c === d.repetition);
}

/** The fast path of `identifierProblem` (one loop, no allocation): true when there is nothing to say. */
function plainIdentifier(value: string, d: Delimiters, upperCase: boolean): boolean {
  const n = value.length;
  if (n === 0) return true;
  if (value.charCodeAt(0) === 32 || value.charCodeAt(n - 1) === 32) return false;
  const e = d.element.charCodeAt(0);
  const t = d.segment.charCodeAt(0);
  const c = d.component.charCodeAt(0);
  const r = d.repetition === '' ? -1 : d.repetition.charCodeAt(0);
  for (let i = 0; i < n; i++) {
    const x = value.charCodeAt(i);
    if (x < 0x20 || x > 0x7e || x === e || x === t || x === c || x === r) return false;
    if (upperCase && x >= 0x61 && x <= 0x7a) return false;
  }
  return true;
}

const DELIMITER_NAMES: Record<keyof Delimiters, string> = {
  element: 'the element separator',
  segment: 'the segment terminator',
  component: 'the component separator',
  repetition: 'the repetition separator',
};

/**
 * Why an identifier cannot be written as it is, or undefined when it can: it must be printable
 * ASCII (X12's extended character set), hold none of the interchange's delimiters, have no blanks
 * at either end (receivers trim them) and, for a partner that takes upper case only, no lower-case
 * letter (upper-casing it would change it).
 */
export function identifierProblem(value: string, delimiters: Delimiters, upperCase: boolean): string | undefined {
  if (plainIdentifier(value, delimiters, upperCase)) return undefined;
  const problems: string[] = [];
  for (const key of ['element', 'segment', 'component', 'repetition'] as const) {
    const d = delimiters[key];
    if (d !== '' && value.includes(d)) problems.push(`it holds ${JSON.stringify(d)}, ${DELIMITER_NAMES[key]}`);
  }
  const outside = [...new Set([...value].filter((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) > 0x7e))];
  if (outside.length) problems.push(`it holds ${outside.map((c) => JSON.stringify(c)).join(', ')}, outside the X12 character set (printable ASCII)`);
  if (value !== value.trim()) problems.push('it begins or ends with a blank');
  if (upperCase && value !== value.toUpperCase()) problems.push('it has lower-case letters and this partner takes upper case only');
  return problems.length ? problems.join('; ') : undefined;
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

function elementError(segment: string, spec: ElementSpec, value: string, why: string, field?: string): RenderError {
  return new RenderError(`${segment} ${spec.id}${field ? ` (${field})` : ''}: ${why}`, { segment, element: spec.id, value, ...(field ? { field } : {}) });
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

/** An envelope id (ISA06, GS02, ...): an identifier like any other, exactly as configured or refused. */
function envelopeId(d: Delimiters, id: string, value: string, max: number): string {
  const v = value.trim();
  if (v === '') throw new RenderError(`${id}: a value is required`, { element: id });
  const problem = identifierProblem(v, d, false);
  if (problem) throw new RenderError(`${id}: ${JSON.stringify(v)} cannot be sent: ${problem}`, { element: id, value: v });
  if (v.length > max) throw new RenderError(`${id}: "${v}" is longer than ${max} characters`, { element: id });
  return v;
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
  const version = envelopeId(d, 'GS08', header.version, 12);
  const isaVersion = header.isaVersion ?? version.slice(0, 5);
  if (!/^\d{5}$/.test(isaVersion)) throw new RenderError(`ISA12: "${isaVersion}" is not a version such as 00401`, { element: 'ISA12' });
  const isaHead = [
    '00',
    '          ',
    '00',
    '          ',
    envelopeId(d, 'ISA05', header.senderQualifier, 2).padEnd(2, ' '),
    envelopeId(d, 'ISA06', header.senderId, 15).padEnd(15, ' '),
    envelopeId(d, 'ISA07', header.receiverQualifier, 2).padEnd(2, ' '),
    envelopeId(d, 'ISA08', header.receiverId, 15).padEnd(15, ' '),
  ].join(d.element);
  const gsHead = [
    envelopeId(d, 'GS01', header.functionalId, 2),
    envelopeId(d, 'GS02', header.groupSenderId ?? header.senderId, 15),
    envelopeId(d, 'GS03', header.groupReceiverId ?? header.receiverId, 15),
  ].join(d.element);
  // ISA11 is the repetition separator from 00402 on, "U" (U.S. EDI community) before.
  if (isaVersion >= '00402' && d.repetition === '') {
    throw new RenderError(`ISA11: version ${isaVersion} needs a repetition separator`, { element: 'ISA11' });
  }
  return { version, isaVersion, isaHead, isa11: isaVersion >= '00402' ? d.repetition : 'U', gsHead };
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
  checkControl('GS06', header.gs06);
  checkControl('ST02', header.st02);
  const { parts, isa13, ccyymmdd, hhmm } = writeIsa(writer, header);
  const gs06 = String(header.gs06);
  const st02 = String(header.st02).padStart(4, '0');
  writer.raw('GS', [parts.gsHead, ccyymmdd, hhmm, gs06, 'X', parts.version]);
  writer.startSet();
  writer.raw('ST', [header.transactionSet, st02]);
  return { isa13, gs06, st02 };
}

/** Writes the ISA of `header` (control number, date and envelope checked). */
export function writeIsa(
  writer: X12Writer,
  header: InterchangeHeader,
): { parts: EnvelopeParts; isa13: string; ccyymmdd: string; hhmm: string } {
  checkControl('ISA13', header.isa13);
  const { ccyymmdd, hhmm } = stamp(header.createdAt, 'ISA09');
  const d = writer.delimiters;
  const parts = cachedEnvelopeParts(d, header);
  const isa13 = String(header.isa13).padStart(9, '0');
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
  return { parts, isa13, ccyymmdd, hhmm };
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
