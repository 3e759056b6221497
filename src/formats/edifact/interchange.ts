/**
 * The EDIFACT interchange reader: the envelope state machine over the tokenizer's segments.
 *
 *   [UNA] UNB ( UNG (UNH … UNT)+ UNE )+ UNZ      or      [UNA] UNB (UNH … UNT)+ UNZ
 *
 * several interchanges per file. Checked, each refusal an EdifactParseError naming segment number,
 * tag, byte offset and line: UNB's syntax identifier (UNOA, UNOB or UNOC, syntax version 1 to 4),
 * sender, recipient, date/time and control reference; every value of a service segment within the
 * declared character set; UNT 0074 = the segments counted from UNH to UNT, UNT 0062 = UNH 0062;
 * UNE 0060 = the messages in the group, UNE 0048 = UNG 0048; UNZ 0036 = the messages (or groups),
 * UNZ 0020 = UNB 0020; groups and bare messages not mixed; nothing outside a message but service
 * segments; a file cut short (UNT, UNE or UNZ missing).
 *
 * Streaming: `push()` chunks and take the messages each call completes (a message is handed out
 * once its UNT checks out; only the message being read is held). An envelope error later in the
 * file (a bad UNZ) is thrown when it is reached, so an all-or-nothing consumer stages the messages
 * until `end()` returns.
 *
 * @example
 *   const reader = new EdifactReader({ file: 'DESADV_1.edi' });
 *   for await (const chunk of stream) for (const message of reader.push(chunk)) handle(message);
 *   for (const message of reader.end()) handle(message);
 */
import { EdifactParseError, SYNTAX_ERROR, type InterchangeHeader, type MessageHeader, type SyntaxErrorCode } from './errors.ts';
import { EdifactMessage, type GroupHeader } from './message.ts';
import { describeSyntax, firstOutside, isSyntax, showChar, SYNTAXES, type Syntax } from './syntax.ts';
import { EdifactTokenizer, type EdifactSegment } from './tokenizer.ts';

/** What one interchange held: what a CONTRL answering it echoes. */
export interface ReceivedInterchange {
  header: InterchangeHeader;
  /** Every message, in order (with its group's reference when groups are used). */
  messages: (MessageHeader & { group?: string })[];
  groups: GroupHeader[];
}

export interface EdifactReaderOptions {
  /** Named in every error. */
  file?: string;
  /** A segment longer than this (characters) is refused. Default 1 MiB. */
  maxSegmentLength?: number;
  /** A message with more segments than this is refused. Default 1,000,000. */
  maxMessageSegments?: number;
}

const enum State {
  /** Before a UNB (or after a UNZ). */
  None,
  Interchange,
  Group,
  Message,
}

const DEFAULT_MAX_MESSAGE_SEGMENTS = 1_000_000;
const DIGITS = /^\d+$/;

function show(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

/** Control references compare as written; numeric ones also by value ("0005" is "5"). */
function sameReference(a: string, b: string): boolean {
  if (a === b) return true;
  return DIGITS.test(a) && DIGITS.test(b) && a.replace(/^0+(?=.)/, '') === b.replace(/^0+(?=.)/, '');
}

interface OpenInterchange {
  header: InterchangeHeader;
  segment: EdifactSegment;
  messages: ReceivedInterchange['messages'];
  groups: GroupHeader[];
  /** Messages outside groups, and groups, counted for UNZ 0036. */
  bare: number;
  /** Whether this interchange uses groups (decided by its first UNG or UNH). */
  grouped: boolean | undefined;
}

interface OpenGroup {
  header: GroupHeader;
  segment: EdifactSegment;
  messages: number;
}

export class EdifactReader {
  private readonly tokenizer: EdifactTokenizer;
  private readonly file: string | undefined;
  private readonly maxMessage: number;
  private state = State.None;
  private interchange: OpenInterchange | undefined;
  private group: OpenGroup | undefined;
  private message: { header: MessageHeader; segments: EdifactSegment[] } | undefined;
  /** The UNA just read, not yet followed by its UNB. */
  private una: EdifactSegment | undefined;
  private out: EdifactMessage[] = [];
  private ended = false;

  /** Every interchange read completely so far (its UNZ checked). */
  readonly interchanges: ReceivedInterchange[] = [];

  constructor(options: EdifactReaderOptions = {}) {
    this.file = options.file;
    this.tokenizer = new EdifactTokenizer({ file: options.file, maxSegmentLength: options.maxSegmentLength });
    this.maxMessage = options.maxMessageSegments ?? DEFAULT_MAX_MESSAGE_SEGMENTS;
  }

  /** Segments read so far. */
  get segmentCount(): number {
    return this.tokenizer.segments;
  }

  /** Feeds the next chunk; returns the messages it completed. */
  push(chunk: Buffer | Uint8Array | string): EdifactMessage[] {
    if (this.ended) throw new Error('EdifactReader: push() after end()');
    this.guard(() => this.tokenizer.push(chunk, (segment) => this.segment(segment)));
    return this.take();
  }

  /** Ends the input: returns the last messages, or throws when the file stops short. */
  end(): EdifactMessage[] {
    if (this.ended) return [];
    this.ended = true;
    this.guard(() => {
      this.tokenizer.end((segment) => this.segment(segment));
      this.finish();
    });
    return this.take();
  }

  private take(): EdifactMessage[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  /** Adds the envelope read so far to a tokenizer error, for a CONTRL rejecting the interchange. */
  private guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      if (error instanceof EdifactParseError) {
        if (this.interchange && !error.detail.interchange) error.detail.interchange = this.interchange.header;
        if (this.message && !error.detail.message) {
          error.detail.message = this.message.header;
          if (error.detail.segmentInMessage === undefined) error.detail.segmentInMessage = this.message.segments.length + 1;
        }
      }
      throw error;
    }
  }

  private fail(
    segment: EdifactSegment | undefined,
    message: string,
    code: SyntaxErrorCode,
    at: { element?: number; component?: number; envelope?: boolean } = {},
  ): EdifactParseError {
    return new EdifactParseError(
      message,
      segment
        ? { file: this.file, segment: segment.number, tag: segment.tag, offset: segment.offset, line: segment.line }
        : { file: this.file, offset: this.tokenizer.position },
      {
        code,
        ...(this.interchange ? { interchange: this.interchange.header } : {}),
        ...(this.message ? { message: this.message.header, segmentInMessage: this.positionInMessage(segment) } : {}),
        ...at,
      },
    );
  }

  /** The segment's position in the open message (UNH is 1); the next position when it is not in it. */
  private positionInMessage(segment: EdifactSegment | undefined): number {
    const segments = (this.message as { segments: EdifactSegment[] }).segments;
    if (segment && segments[segments.length - 1] === segment) return segments.length;
    return segments.length + (segment ? 1 : 0);
  }

  private segment(seg: EdifactSegment): void {
    if (this.state === State.Message) {
      const message = this.message as { header: MessageHeader; segments: EdifactSegment[] };
      if (seg.tag === 'UNT') {
        message.segments.push(seg);
        return this.closeMessage(seg);
      }
      if (seg.tag === 'UNH' || seg.tag === 'UNZ' || seg.tag === 'UNB' || seg.tag === 'UNG' || seg.tag === 'UNE' || seg.tag === 'UNA') {
        throw this.fail(seg, `${seg.tag} inside message ${message.header.type} ${show(message.header.reference)} (UNH at segment ${(message.segments[0] as EdifactSegment).number}): UNT missing`, SYNTAX_ERROR.missing);
      }
      if (message.segments.length >= this.maxMessage) {
        throw this.fail(seg, `message ${message.header.reference} has more than ${this.maxMessage} segments`, SYNTAX_ERROR.tooManyRepetitions);
      }
      message.segments.push(seg);
      return;
    }
    switch (seg.tag) {
      case 'UNA':
        if (this.state !== State.None) throw this.fail(seg, 'UNA inside an interchange: it may only come before a UNB', SYNTAX_ERROR.notSupportedHere, { envelope: true });
        this.una = seg;
        return;
      case 'UNB':
        if (this.state !== State.None) {
          throw this.fail(seg, `UNB inside interchange ${show((this.interchange as OpenInterchange).header.controlReference)}: UNZ missing`, SYNTAX_ERROR.missing, { envelope: true });
        }
        return this.openInterchange(seg);
      case 'UNG':
        if (this.state === State.Group) throw this.fail(seg, `UNG inside group ${show((this.group as OpenGroup).header.reference)}: UNE missing`, SYNTAX_ERROR.missing, { envelope: true });
        if (this.state !== State.Interchange) break;
        return this.openGroup(seg);
      case 'UNE':
        if (this.state !== State.Group) break;
        return this.closeGroup(seg);
      case 'UNH':
        if (this.state === State.None) break;
        return this.openMessage(seg);
      case 'UNZ':
        if (this.state === State.Group) throw this.fail(seg, `UNZ inside group ${show((this.group as OpenGroup).header.reference)}: UNE missing`, SYNTAX_ERROR.missing, { envelope: true });
        if (this.state !== State.Interchange) break;
        return this.closeInterchange(seg);
      case 'UNT':
        throw this.fail(seg, 'UNT without a UNH', SYNTAX_ERROR.outsideMessage);
    }
    if (this.state === State.None) {
      const what = this.interchanges.length === 0 && !this.una ? 'not an EDIFACT interchange' : 'unexpected data after UNZ';
      throw this.fail(seg, `${what}: expected UNA or UNB, found ${seg.tag}`, SYNTAX_ERROR.outsideMessage, { envelope: true });
    }
    throw this.fail(seg, `${seg.tag} outside a message (UNH missing)`, SYNTAX_ERROR.outsideMessage, { envelope: true });
  }

  /** Checks a service segment's values against the declared character set. */
  private checkCharset(seg: EdifactSegment, syntax: Syntax): void {
    seg.elements.forEach((element, e) => {
      element.forEach((value, c) => {
        const bad = firstOutside(syntax, value);
        if (bad !== -1) {
          throw this.fail(
            seg,
            `element ${e + 1}${element.length > 1 ? ` component ${c + 1}` : ''} ${show(value)} holds ${showChar(value[bad] as string)}, outside the declared character set ${describeSyntax(syntax)}`,
            SYNTAX_ERROR.invalidCharacter,
            { element: e + 1, component: c + 1, envelope: true },
          );
        }
      });
    });
  }

  private openInterchange(seg: EdifactSegment): void {
    const v = (e: number, c = 1): string => seg.elements[e - 1]?.[c - 1] ?? '';
    const syntax = v(1, 1);
    const version = v(1, 2);
    const envelope = { envelope: true };
    if (syntax === '') throw this.fail(seg, 'S001 syntax identifier (0001) missing', SYNTAX_ERROR.missing, { element: 1, component: 1, envelope: true });
    if (!isSyntax(syntax)) {
      throw this.fail(seg, `syntax identifier ${show(syntax)} is not one the hub reads (${SYNTAXES.join(', ')})`, SYNTAX_ERROR.syntaxNotSupported, { element: 1, component: 1, envelope: true });
    }
    if (!/^[1-4]$/.test(version)) {
      throw this.fail(seg, `syntax version number (0002) ${show(version)} is not 1, 2, 3 or 4`, SYNTAX_ERROR.syntaxNotSupported, { element: 1, component: 2, envelope: true });
    }
    this.checkCharset(seg, syntax);
    const header: InterchangeHeader = {
      syntax,
      syntaxVersion: version,
      senderId: v(2, 1),
      senderQualifier: v(2, 2),
      recipientId: v(3, 1),
      recipientQualifier: v(3, 2),
      date: v(4, 1),
      time: v(4, 2),
      controlReference: v(5, 1),
      ackRequested: v(9, 1) === '1',
      test: v(11, 1) === '1',
    };
    if (!header.senderId) throw this.fail(seg, 'interchange sender (S002 0004) missing', SYNTAX_ERROR.missing, { element: 2, component: 1, ...envelope });
    if (!header.recipientId) throw this.fail(seg, 'interchange recipient (S003 0010) missing', SYNTAX_ERROR.missing, { element: 3, component: 1, ...envelope });
    // The parties are echoed in the CONTRL that answers: each must fit its element (an..35, an..4).
    for (const [value, max, element, component, what] of [
      [header.senderId, 35, 2, 1, 'interchange sender (S002 0004)'],
      [header.senderQualifier, 4, 2, 2, 'sender code qualifier (S002 0007)'],
      [header.recipientId, 35, 3, 1, 'interchange recipient (S003 0010)'],
      [header.recipientQualifier, 4, 3, 2, 'recipient code qualifier (S003 0007)'],
    ] as const) {
      if (value.length > max) throw this.fail(seg, `${what} ${show(value)} is longer than ${max} characters`, SYNTAX_ERROR.tooLong, { element, component, ...envelope });
    }
    if (!/^(\d{6}|\d{8})$/.test(header.date)) throw this.fail(seg, `date of preparation (S004 0017) ${show(header.date)} is not YYMMDD`, SYNTAX_ERROR.invalidValue, { element: 4, component: 1, ...envelope });
    if (!/^\d{4}$/.test(header.time)) throw this.fail(seg, `time of preparation (S004 0019) ${show(header.time)} is not HHMM`, SYNTAX_ERROR.invalidValue, { element: 4, component: 2, ...envelope });
    if (!header.controlReference) throw this.fail(seg, 'interchange control reference (0020) missing', SYNTAX_ERROR.missing, { element: 5, component: 1, ...envelope });
    if (header.controlReference.length > 14) throw this.fail(seg, `interchange control reference ${show(header.controlReference)} is longer than 14 characters`, SYNTAX_ERROR.tooLong, { element: 5, component: 1, ...envelope });
    this.tokenizer.setCharset(syntax);
    this.interchange = { header, segment: seg, messages: [], groups: [], bare: 0, grouped: undefined };
    this.una = undefined;
    this.state = State.Interchange;
  }

  private openGroup(seg: EdifactSegment): void {
    const ic = this.interchange as OpenInterchange;
    if (ic.grouped === false) throw this.fail(seg, 'UNG after messages outside groups: groups and bare messages are mixed', SYNTAX_ERROR.groupsAndMessagesMixed, { envelope: true });
    ic.grouped = true;
    this.checkCharset(seg, ic.header.syntax as Syntax);
    const v = (e: number, c = 1): string => seg.elements[e - 1]?.[c - 1] ?? '';
    const reference = v(5);
    if (!reference) throw this.fail(seg, 'group reference number (0048) missing', SYNTAX_ERROR.missing, { element: 5, envelope: true });
    this.group = { header: { functionalId: v(1), senderId: v(2), recipientId: v(3), reference }, segment: seg, messages: 0 };
    this.state = State.Group;
  }

  private closeGroup(seg: EdifactSegment): void {
    const ic = this.interchange as OpenInterchange;
    const group = this.group as OpenGroup;
    const v = (e: number): string => seg.elements[e - 1]?.[0] ?? '';
    const count = v(1);
    if (!DIGITS.test(count) || Number(count) !== group.messages) {
      throw this.fail(seg, `0060 says ${show(count)} messages, counted ${group.messages} in group ${show(group.header.reference)}`, SYNTAX_ERROR.countMismatch, { element: 1, envelope: true });
    }
    if (!sameReference(v(2), group.header.reference)) {
      throw this.fail(seg, `group reference ${show(v(2))} does not match UNG 0048 ${show(group.header.reference)}`, SYNTAX_ERROR.referencesDoNotMatch, { element: 2, envelope: true });
    }
    ic.groups.push(group.header);
    ic.bare++;
    this.group = undefined;
    this.state = State.Interchange;
  }

  private openMessage(seg: EdifactSegment): void {
    const ic = this.interchange as OpenInterchange;
    if (this.state === State.Interchange) {
      if (ic.grouped === true) throw this.fail(seg, 'UNH outside a group in an interchange that uses groups: groups and bare messages are mixed', SYNTAX_ERROR.groupsAndMessagesMixed, { envelope: true });
      ic.grouped = false;
    }
    this.checkCharset(seg, ic.header.syntax as Syntax);
    const v = (e: number, c = 1): string => seg.elements[e - 1]?.[c - 1] ?? '';
    const header: MessageHeader = { reference: v(1), type: v(2, 1), version: v(2, 2), release: v(2, 3), agency: v(2, 4), association: v(2, 5) };
    this.message = { header, segments: [seg] };
    if (!header.reference) throw this.fail(seg, 'message reference number (0062) missing', SYNTAX_ERROR.missing, { element: 1 });
    if (header.reference.length > 14) throw this.fail(seg, `message reference number ${show(header.reference)} is longer than 14 characters`, SYNTAX_ERROR.tooLong, { element: 1 });
    if (!header.type) throw this.fail(seg, 'message type (S009 0065) missing', SYNTAX_ERROR.missing, { element: 2, component: 1 });
    if (!header.version || !header.release || !header.agency) {
      throw this.fail(seg, `message identifier ${show(seg.elements[1]?.join(':') ?? '')} needs type, version, release and agency (e.g. ORDRSP:D:96A:UN)`, SYNTAX_ERROR.missing, { element: 2 });
    }
    // S009's lengths (a CONTRL echoes them): 0065 an..6, 0052 an..3, 0054 an..3, 0051 an..2, 0057 an..6.
    for (const [value, max, component, what] of [
      [header.type, 6, 1, 'message type (S009 0065)'],
      [header.version, 3, 2, 'message version (S009 0052)'],
      [header.release, 3, 3, 'message release (S009 0054)'],
      [header.agency, 2, 4, 'controlling agency (S009 0051)'],
      [header.association, 6, 5, 'association assigned code (S009 0057)'],
    ] as const) {
      if (value.length > max) throw this.fail(seg, `${what} ${show(value)} is longer than ${max} characters (e.g. ORDRSP:D:96A:UN)`, SYNTAX_ERROR.tooLong, { element: 2, component });
    }
    this.state = State.Message;
  }

  private closeMessage(seg: EdifactSegment): void {
    const ic = this.interchange as OpenInterchange;
    const message = this.message as { header: MessageHeader; segments: EdifactSegment[] };
    this.checkCharset(seg, ic.header.syntax as Syntax);
    const count = seg.elements[0]?.[0] ?? '';
    const reference = seg.elements[1]?.[0] ?? '';
    if (!DIGITS.test(count) || Number(count) !== message.segments.length) {
      throw this.fail(seg, `0074 says ${show(count)} segments, counted ${message.segments.length} in message ${show(message.header.reference)} (UNH to UNT)`, SYNTAX_ERROR.countMismatch, { element: 1 });
    }
    if (reference !== message.header.reference) {
      throw this.fail(seg, `message reference ${show(reference)} does not match UNH 0062 ${show(message.header.reference)}`, SYNTAX_ERROR.referencesDoNotMatch, { element: 2 });
    }
    const group = this.group;
    ic.messages.push(group ? { ...message.header, group: group.header.reference } : message.header);
    if (group) group.messages++;
    else ic.bare++;
    this.out.push(new EdifactMessage(message.header, message.segments, ic.header, group?.header, this.tokenizer.delimiters, this.file));
    this.message = undefined;
    this.state = group ? State.Group : State.Interchange;
  }

  private closeInterchange(seg: EdifactSegment): void {
    const ic = this.interchange as OpenInterchange;
    this.checkCharset(seg, ic.header.syntax as Syntax);
    const count = seg.elements[0]?.[0] ?? '';
    const reference = seg.elements[1]?.[0] ?? '';
    const what = ic.grouped ? 'groups' : 'messages';
    if (!DIGITS.test(count) || Number(count) !== ic.bare) {
      throw this.fail(seg, `0036 says ${show(count)} ${what}, counted ${ic.bare}`, SYNTAX_ERROR.countMismatch, { element: 1, envelope: true });
    }
    if (!sameReference(reference, ic.header.controlReference)) {
      throw this.fail(seg, `interchange control reference ${show(reference)} does not match UNB 0020 ${show(ic.header.controlReference)}`, SYNTAX_ERROR.referencesDoNotMatch, { element: 2, envelope: true });
    }
    this.interchanges.push({ header: ic.header, messages: ic.messages, groups: ic.groups });
    this.interchange = undefined;
    this.tokenizer.setCharset(undefined);
    this.state = State.None;
  }

  private finish(): void {
    switch (this.state) {
      case State.None:
        if (this.una) throw this.fail(this.una, 'file ends after the UNA: UNB missing', SYNTAX_ERROR.missing, { envelope: true });
        if (this.interchanges.length === 0) throw this.fail(undefined, 'not an EDIFACT interchange: no UNB segment (empty file)', SYNTAX_ERROR.missing, { envelope: true });
        return;
      case State.Interchange:
        throw this.fail(undefined, `file ends inside interchange ${show((this.interchange as OpenInterchange).header.controlReference)}: UNZ missing (file cut short?)`, SYNTAX_ERROR.missing, { envelope: true });
      case State.Group:
        throw this.fail(undefined, `file ends inside group ${show((this.group as OpenGroup).header.reference)}: UNE missing (file cut short?)`, SYNTAX_ERROR.missing, { envelope: true });
      case State.Message: {
        const m = this.message as { header: MessageHeader; segments: EdifactSegment[] };
        throw this.fail(undefined, `file ends inside message ${m.header.type} ${show(m.header.reference)} (UNH at segment ${(m.segments[0] as EdifactSegment).number}): UNT missing (file cut short?)`, SYNTAX_ERROR.missing);
      }
    }
  }
}

/** Everything in one EDIFACT file. */
export interface EdifactFile {
  messages: EdifactMessage[];
  interchanges: ReceivedInterchange[];
  segments: number;
}

/** Reads a whole EDIFACT file at once (every interchange and message), or throws an EdifactParseError. */
export function readEdifact(input: Buffer | Uint8Array | string, options: EdifactReaderOptions = {}): EdifactFile {
  const reader = new EdifactReader(options);
  const messages = reader.push(input);
  for (const message of reader.end()) messages.push(message);
  return { messages, interchanges: reader.interchanges, segments: reader.segmentCount };
}

/** What a streamed read ends with, once every message has been yielded. */
export interface EdifactStreamSummary {
  interchanges: ReceivedInterchange[];
  segments: number;
}

/**
 * Reads EDIFACT from a stream of chunks (a file or HTTP body), yielding each message as soon as its
 * UNT checks out; only that message is held in memory. An envelope error after some messages were
 * yielded is thrown when it is reached.
 */
export async function* readEdifactStream(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  options: EdifactReaderOptions = {},
): AsyncGenerator<EdifactMessage, EdifactStreamSummary, undefined> {
  const reader = new EdifactReader(options);
  for await (const chunk of source) {
    for (const message of reader.push(chunk)) yield message;
  }
  for (const message of reader.end()) yield message;
  return { interchanges: reader.interchanges, segments: reader.segmentCount };
}

/**
 * The lowest level: every segment of a stream as it is read (envelopes not checked), for tools that
 * want segments rather than messages. Memory stays flat: one segment at a time.
 */
export async function* readEdifactSegments(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  options: { file?: string; maxSegmentLength?: number } = {},
): AsyncGenerator<EdifactSegment, number, undefined> {
  const tokenizer = new EdifactTokenizer(options);
  let pending: EdifactSegment[] = [];
  const collect = (segment: EdifactSegment): void => {
    pending.push(segment);
    // The UNB names the character set for what follows.
    if (segment.tag === 'UNB') {
      const syntax = segment.elements[0]?.[0] ?? '';
      tokenizer.setCharset(isSyntax(syntax) ? syntax : undefined);
    } else if (segment.tag === 'UNZ') tokenizer.setCharset(undefined);
  };
  for await (const chunk of source) {
    tokenizer.push(chunk, collect);
    const out = pending;
    pending = [];
    yield* out;
  }
  tokenizer.end(collect);
  yield* pending;
  return tokenizer.segments;
}
