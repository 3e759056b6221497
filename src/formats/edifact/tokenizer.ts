/**
 * The EDIFACT tokenizer: bytes in, chunk by chunk, one segment at a time out, each cut into its
 * elements and their components with the release character applied. It knows service characters
 * (from a UNA, or the defaults) but nothing of envelopes: the interchange reader
 * (`interchange.ts`) checks those and tells the tokenizer the character set once the UNB names it.
 *
 * Only the segment being read is kept between chunks, so memory stays flat whatever the file size
 * (a segment longer than `maxSegmentLength` is refused: the terminator is likely wrong).
 *
 * Tolerated, because partners send it and it changes no data: a UTF-8 byte-order mark; line breaks,
 * spaces and tabs between segments; line breaks inside a segment (files hard-wrapped at a fixed
 * width: CR and LF are never data here); a last segment without its terminator.
 *
 * Refused with an EdifactParseError naming segment number, tag, byte offset and line: a malformed
 * UNA; a segment tag that is not three upper-case letters; a release character at the very end of
 * the file; a byte the declared character set cannot hold (8-bit in UNOA/UNOB, C1 controls in
 * UNOC, control characters other than CR, LF and TAB in any).
 */
import { EdifactParseError, SYNTAX_ERROR } from './errors.ts';
import { DEFAULT_DELIMITERS, showChar, type Delimiters, type Syntax } from './syntax.ts';

/** One segment as read. */
export interface EdifactSegment {
  /** Three upper-case letters: `UNH`, `BGM`, … (`UNA` for a service string advice). */
  tag: string;
  /** The data elements (the tag excluded), each as its components: `QTY+12:5` is `[['12', '5']]`. */
  elements: string[][];
  /** 1-based segment number in the file (a UNA counts). */
  number: number;
  /** Byte offset of the segment's first character in the file. */
  offset: number;
  /** 1-based line of the segment's first character. */
  line: number;
}

export interface TokenizerOptions {
  /** Named in every error. */
  file?: string;
  /** A segment longer than this (characters) is refused. Default 1 MiB. */
  maxSegmentLength?: number;
}

const DEFAULT_MAX_SEGMENT = 1 << 20;
const TAG = /^[A-Z]{3}$/;
/** Anything but printable ASCII: the segments that need the character-by-character checks. */
const NOT_PLAIN = /[^\x20-\x7e]/;
const LINE_BREAKS = /[\r\n]/g;

/**
 * Segment tags as one shared, internalized string each (keyed by their three letters' codes): the
 * message parsers switch on tags, and internalized strings compare by identity rather than by
 * content, which made that switch the parsers' largest cost.
 */
const TAGS = new Map<number, string>();

function internTag(buf: string, at: number): string {
  const key = (buf.charCodeAt(at) << 16) | (buf.charCodeAt(at + 1) << 8) | buf.charCodeAt(at + 2);
  let tag = TAGS.get(key);
  if (tag === undefined) {
    // A property key is internalized; the key read back is that internalized string.
    tag = Object.keys({ [buf.slice(at, at + 3)]: 0 })[0] as string;
    if (TAGS.size < 17_576) TAGS.set(key, tag);
  }
  return tag;
}

function codesOf(d: Delimiters): { element: number; component: number; release: number } {
  return { element: d.element.charCodeAt(0), component: d.component.charCodeAt(0), release: d.release === '' ? -1 : d.release.charCodeAt(0) };
}

function isLayout(c: number): boolean {
  return c === 10 || c === 13 || c === 32 || c === 9;
}

function show(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

export class EdifactTokenizer {
  private readonly file: string | undefined;
  private readonly maxSegment: number;
  /** Decoded, not yet consumed input; buf[0] is byte `base` of the file, on line `line`. */
  private buf = '';
  /** Whether buf was decoded from bytes only (so it holds no character above U+00FF). */
  private bufIsBytes = false;
  private base = 0;
  private line = 1;
  /** buf[0, scan) holds no unreleased terminator. */
  private scan = 0;
  private started = false;
  private ended = false;
  /** A UNA may come next: at the start and after each UNZ. */
  private atInterchangeStart = true;
  private d: Delimiters = DEFAULT_DELIMITERS;
  /** The service characters' codes, for the fast path (-1: none). */
  private codes = codesOf(DEFAULT_DELIMITERS);
  private charset: Syntax | undefined;
  private count = 0;
  /** Line breaks inside the segment just cut (a hard-wrapped file). */
  private lines = 0;

  constructor(options: TokenizerOptions = {}) {
    this.file = options.file;
    this.maxSegment = options.maxSegmentLength ?? DEFAULT_MAX_SEGMENT;
  }

  /** The service characters in force. */
  get delimiters(): Delimiters {
    return this.d;
  }

  /** Segments read so far. */
  get segments(): number {
    return this.count;
  }

  /** Bytes consumed so far. */
  get position(): number {
    return this.base;
  }

  /**
   * The character set the UNB declared: from the next segment on, bytes outside it are refused.
   * Before a UNB only ASCII is accepted.
   */
  setCharset(syntax: Syntax | undefined): void {
    this.charset = syntax;
  }

  /** Feeds a chunk; `emit` is called for each segment it completes, in order. */
  push(chunk: Buffer | Uint8Array | string, emit: (segment: EdifactSegment) => void): void {
    if (this.ended) throw new Error('EdifactTokenizer: push() after end()');
    let text: string;
    if (typeof chunk === 'string') text = chunk;
    else {
      let bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (!this.started && this.buf === '' && bytes.length > 0) {
        // A UTF-8 byte-order mark before anything else is layout, not data.
        if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
          bytes = bytes.subarray(3);
          this.base += 3;
        }
      }
      if (this.buf !== '' && this.bufIsBytes && bytes.length > 0) {
        // The unread tail joined to the chunk as bytes, then decoded once: one flat string (a
        // string concatenation would leave a rope that every character access walks).
        this.buf = Buffer.concat([Buffer.from(this.buf, 'latin1'), bytes]).toString('latin1');
        this.drain(false, emit);
        return;
      }
      text = bytes.toString('latin1');
    }
    if (text.length === 0) return;
    this.started = true;
    this.bufIsBytes = this.buf === '' ? typeof chunk !== 'string' : this.bufIsBytes && typeof chunk !== 'string';
    this.buf = this.buf === '' ? text : this.buf + text;
    this.drain(false, emit);
  }

  /** Ends the input: reads what is left (a last segment without terminator) or refuses it. */
  end(emit: (segment: EdifactSegment) => void): void {
    if (this.ended) return;
    this.ended = true;
    this.drain(true, emit);
  }

  private fail(message: string, at: number, where: { segment?: number; tag?: string; line?: number } = {}, code: string = SYNTAX_ERROR.unspecified): EdifactParseError {
    return new EdifactParseError(
      message,
      { file: this.file, segment: where.segment ?? this.count + 1, tag: where.tag, offset: this.base + at, line: where.line ?? this.lineAt(at) },
      { code: code as (typeof SYNTAX_ERROR)[keyof typeof SYNTAX_ERROR] },
    );
  }

  /** The line of buf[at] (buf[0] is on `line`). */
  private lineAt(at: number): number {
    let line = this.line;
    for (let i = this.buf.indexOf('\n'); i !== -1 && i < at; i = this.buf.indexOf('\n', i + 1)) line++;
    return line;
  }

  private drain(final: boolean, emit: (segment: EdifactSegment) => void): void {
    const buf = this.buf;
    const len = buf.length;
    let pos = 0;
    let line = this.line;
    for (;;) {
      // Layout between segments.
      while (pos < len) {
        const c = buf.charCodeAt(pos);
        if (!isLayout(c)) break;
        if (c === 10) line++;
        pos++;
      }
      if (pos >= len) break;
      if (this.atInterchangeStart) {
        if (len - pos < 3 && !final) break;
        if (buf.startsWith('UNA', pos)) {
          if (len - pos < 9) {
            if (!final) break;
            this.commit(pos, line);
            throw this.fail('file ends inside the UNA service string advice (it has 6 characters after "UNA")', 0, { tag: 'UNA', line }, SYNTAX_ERROR.invalidServiceCharacter);
          }
          this.commit(pos, line);
          this.d = this.una(buf.slice(pos + 3, pos + 9), pos, line);
          this.codes = codesOf(this.d);
          this.atInterchangeStart = false;
          emit({ tag: 'UNA', elements: [], number: ++this.count, offset: this.base + pos, line });
          pos += 9;
          continue;
        }
        this.d = DEFAULT_DELIMITERS;
        this.codes = codesOf(this.d);
        this.atInterchangeStart = false;
      }
      const d = this.d;
      // The terminator not preceded by an odd run of release characters.
      let from = Math.max(pos, this.scan);
      let end = -1;
      for (;;) {
        const t = buf.indexOf(d.segment, from);
        if (t === -1) break;
        let runs = 0;
        if (d.release !== '') for (let k = t - 1; k >= pos && buf[k] === d.release; k--) runs++;
        if ((runs & 1) === 0) {
          end = t;
          break;
        }
        from = t + 1;
      }
      let next: number;
      if (end === -1) {
        this.scan = len;
        if (len - pos > this.maxSegment) {
          this.commit(pos, line);
          throw this.fail(`no segment terminator "${d.segment}" within ${this.maxSegment} characters`, 0, { line });
        }
        if (!final) break;
        // The last segment of the file without its terminator: read it as it is.
        end = len;
        next = len;
        if (d.release !== '') {
          let runs = 0;
          for (let k = len - 1; k >= pos && buf[k] === d.release; k--) runs++;
          if (runs & 1) {
            this.commit(pos, line);
            throw this.fail('file ends with a release character: the segment terminator after it is missing (file cut short?)', len - pos - 1, { line });
          }
        }
      } else {
        next = end + d.segment.length;
      }
      if (end === pos) {
        // An empty segment (a doubled terminator) holds nothing: skipped.
        pos = next;
        this.scan = pos;
        continue;
      }
      this.lines = 0;
      const segment = this.plain(buf, pos, end, line) ?? this.segment(buf.slice(pos, end), pos, line);
      line += this.lines;
      if (d.segment === '\n') line++;
      pos = next;
      this.scan = pos;
      if (segment.tag === 'UNZ') this.atInterchangeStart = true;
      emit(segment);
    }
    this.commit(pos, line);
  }

  /** Drops buf[0, pos): consumed. */
  private commit(pos: number, line: number): void {
    if (pos === 0) return;
    this.buf = this.buf.slice(pos);
    this.base += pos;
    this.scan = Math.max(0, this.scan - pos);
    this.line = line;
  }

  /** The six characters after "UNA" (`buf[at]` is the U). */
  private una(chars: string, at: number, line: number): Delimiters {
    const [component, element, decimal, rel, reserved, segment] = chars.split('') as [string, string, string, string, string, string];
    const where = { segment: this.count + 1, tag: 'UNA', line };
    const bad = (message: string): EdifactParseError => {
      this.commit(at, line);
      return this.fail(message, 0, where, SYNTAX_ERROR.invalidServiceCharacter);
    };
    const named: [string, string][] = [
      ['component separator', component],
      ['element separator', element],
      ['segment terminator', segment],
    ];
    if (rel !== ' ') named.push(['release character', rel]);
    for (const [name, ch] of named) {
      const c = ch.charCodeAt(0);
      if (/[A-Za-z0-9]/.test(ch) || c === 32 || c < 9 || c > 126) {
        throw bad(`${showChar(ch)} cannot be the ${name} (UNA is "UNA${chars}")`);
      }
    }
    if (decimal !== '.' && decimal !== ',') throw bad(`the decimal mark must be "." or ",", not ${showChar(decimal)}`);
    const seen = new Map<string, string>();
    for (const [name, ch] of named) {
      const other = seen.get(ch);
      if (other) throw bad(`the ${name} and the ${other} are both ${showChar(ch)}`);
      seen.set(ch, name);
    }
    return { component, element, decimal, release: rel === ' ' ? '' : rel, reserved, segment };
  }

  /**
   * The fast path, in one pass over buf[start, end): a segment of printable ASCII without release
   * characters, cut straight from the input. Undefined for anything else (left to `segment`).
   */
  private plain(buf: string, start: number, end: number, line: number): EdifactSegment | undefined {
    const e = this.codes.element;
    const c = this.codes.component;
    const r = this.codes.release;
    if (end - start < 3) return undefined;
    for (let k = start; k < start + 3; k++) {
      const ch = buf.charCodeAt(k);
      if (ch < 65 || ch > 90) return undefined;
    }
    if (end > start + 3 && buf.charCodeAt(start + 3) !== e) return undefined;
    const elements: string[][] = [];
    let components: string[] = [];
    let from = start + 4;
    for (let k = from; k < end; k++) {
      const ch = buf.charCodeAt(k);
      if (ch === e) {
        components.push(buf.slice(from, k));
        elements.push(components);
        components = [];
        from = k + 1;
      } else if (ch === c) {
        components.push(buf.slice(from, k));
        from = k + 1;
      } else if (ch === r || ch < 0x20 || ch > 0x7e) {
        return undefined;
      }
    }
    if (end > start + 3) {
      components.push(buf.slice(from, end));
      elements.push(components);
    }
    return { tag: internTag(buf, start), elements, number: ++this.count, offset: this.base + start, line };
  }

  /** Cuts one segment's text (buf[at, …)) into its tag, elements and components: every case. */
  private segment(raw: string, at: number, line: number): EdifactSegment {
    const d = this.d;
    const number = ++this.count;
    let text = raw;
    let lines = 0;
    if (NOT_PLAIN.test(text)) {
      this.checkCharacters(text, at, number, line);
      for (let i = raw.indexOf('\n'); i !== -1; i = raw.indexOf('\n', i + 1)) lines++;
      if (text.indexOf('\n') !== -1 || text.indexOf('\r') !== -1) text = text.replace(LINE_BREAKS, '');
    }
    let tag: string;
    let elements: string[][];
    if (d.release === '' || text.indexOf(d.release) === -1) {
      const parts = text.split(d.element);
      tag = parts[0] as string;
      elements = new Array<string[]>(parts.length - 1);
      for (let i = 1; i < parts.length; i++) elements[i - 1] = (parts[i] as string).split(d.component);
    } else {
      ({ tag, elements } = this.released(text));
    }
    if (!TAG.test(tag)) {
      const shown = tag.length > 0 ? tag : text.slice(0, 10);
      throw this.fail(
        `malformed segment ${show(text)}: ${show(shown)} is not a segment tag (three upper-case letters)`,
        at,
        { segment: number, line },
        SYNTAX_ERROR.invalidValue,
      );
    }
    this.lines = lines;
    return { tag: internTag(tag, 0), elements, number, offset: this.base + at, line };
  }

  /** The slow path: a segment with release characters. */
  private released(text: string): { tag: string; elements: string[][] } {
    const d = this.d;
    const parts: string[][] = [];
    let components: string[] = [];
    let current = '';
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] as string;
      if (ch === d.release) {
        current += text.slice(start, i);
        i++;
        start = i; // the released character is data
        continue;
      }
      if (ch === d.element) {
        components.push(current + text.slice(start, i));
        parts.push(components);
        components = [];
        current = '';
        start = i + 1;
      } else if (ch === d.component) {
        components.push(current + text.slice(start, i));
        current = '';
        start = i + 1;
      }
    }
    components.push(current + text.slice(start));
    parts.push(components);
    const head = parts[0] as string[];
    return { tag: head.length === 1 ? (head[0] as string) : head.join(d.component), elements: parts.slice(1) };
  }

  /** Refuses bytes the character set cannot hold; CR and LF pass (they are dropped), so does TAB. */
  private checkCharacters(text: string, at: number, number: number, line: number): void {
    const charset = this.charset;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x20 && c < 0x7f) continue;
      if (c === 10 || c === 13 || c === 9) continue;
      let why: string | undefined;
      if (c < 0x20 || c === 0x7f) why = 'a control character, not data';
      else if (c > 0xff) why = 'not a character of UNOA, UNOB or UNOC (text given to the reader is taken as decoded ISO 8859-1)';
      else if (charset === undefined) why = 'not ASCII, and no UNB has declared a character set yet';
      else if (charset !== 'UNOC') why = `outside ${charset}, which is 7-bit (is the file UNOC, ISO 8859-1, or UTF-8?)`;
      else if (c < 0xa0) why = 'a C1 control code, not a character of UNOC (ISO 8859-1); is the file Windows-1252?';
      if (why !== undefined) {
        const tag = TAG.test(text.slice(0, 3)) ? text.slice(0, 3) : undefined;
        const lineOf = line + (text.slice(0, i).match(/\n/g)?.length ?? 0);
        throw new EdifactParseError(
          `${c > 0xff ? `character U+${c.toString(16).padStart(4, '0').toUpperCase()}` : `byte 0x${c.toString(16).padStart(2, '0').toUpperCase()}`} is ${why}`,
          { file: this.file, segment: number, tag, offset: this.base + at + i, line: lineOf },
          { code: SYNTAX_ERROR.invalidCharacter },
        );
      }
    }
  }
}
