/**
 * One EDIFACT message (UNH … UNT, both included) with the envelope it came in, and the accessors the
 * message parsers read it with. Positions are 1-based as in the directories: `value(seg, 1, 2)` is
 * the second component of the first data element (`DTM+137:20261127:102` → `20261127`).
 */
import { EdifactParseError, type InterchangeHeader, type MessageHeader, type SyntaxErrorCode, SYNTAX_ERROR } from './errors.ts';
import { describeSyntax, firstOutside, isSyntax, showChar, type Delimiters } from './syntax.ts';
import type { EdifactSegment } from './tokenizer.ts';

/** A functional group header (UNG), when the interchange uses groups. */
export interface GroupHeader {
  /** UNG 0038: the message type the group holds. */
  functionalId: string;
  senderId: string;
  recipientId: string;
  /** UNG 0048. */
  reference: string;
}

export class EdifactMessage {
  constructor(
    readonly header: MessageHeader,
    /** UNH first, UNT last. */
    readonly segments: readonly EdifactSegment[],
    readonly interchange: InterchangeHeader,
    readonly group: GroupHeader | undefined,
    readonly delimiters: Delimiters,
    readonly file: string | undefined,
  ) {}

  /** S009 0065: ORDRSP, DESADV, … */
  get type(): string {
    return this.header.type;
  }

  get reference(): string {
    return this.header.reference;
  }

  /** `ORDRSP:D:96A:UN` as written in the UNH. */
  get identifier(): string {
    const h = this.header;
    return [h.type, h.version, h.release, h.agency, h.association].filter((v, i) => i < 4 || v !== '').join(':');
  }

  /** Component `c` of element `e` (both 1-based); '' when absent. Not trimmed: data is data. */
  value(seg: EdifactSegment, e: number, c = 1): string {
    const element = seg.elements[e - 1];
    if (element === undefined) return '';
    return element[c - 1] ?? '';
  }

  /** The first component of element `e`, trimmed of surrounding spaces (codes and qualifiers). */
  code(seg: EdifactSegment, e: number, c = 1): string {
    return this.value(seg, e, c).trim();
  }

  /**
   * An identifier the hub reads (a PO number, an item number, a tracking number): trimmed, and
   * refused when it holds a character outside the interchange's declared set (an identifier is
   * never guessed at).
   */
  identifierAt(seg: EdifactSegment, index: number, e: number, c: number, what: string | (() => string)): string {
    const v = this.value(seg, e, c).trim();
    const syntax = this.interchange.syntax;
    if (v !== '' && isSyntax(syntax)) {
      const bad = firstOutside(syntax, v);
      if (bad !== -1) {
        throw this.error(
          `${typeof what === 'string' ? what : what()} ${JSON.stringify(v)} holds ${showChar(v[bad] as string)}, outside the interchange's character set ${describeSyntax(syntax)}`,
          index,
          { code: SYNTAX_ERROR.invalidCharacter, element: e, component: c },
        );
      }
    }
    return v;
  }

  /**
   * A ParseError pointing at `segments[index]` of this message, or at the message as a whole (its
   * UNH's position, no tag) when no segment is given: what the message says, not how it is written.
   */
  error(message: string, index?: number, at: { code?: SyntaxErrorCode; element?: number; component?: number } = {}): EdifactParseError {
    const seg = this.segments[index ?? 0] as EdifactSegment;
    return new EdifactParseError(
      `${this.type} ${this.reference}: ${message}`,
      { file: this.file, segment: seg.number, ...(index === undefined ? {} : { tag: seg.tag }), offset: seg.offset, line: seg.line },
      {
        code: at.code ?? SYNTAX_ERROR.invalidValue,
        interchange: this.interchange,
        message: this.header,
        content: true,
        ...(index === undefined ? {} : { segmentInMessage: index + 1 }),
        ...(at.element === undefined ? {} : { element: at.element }),
        ...(at.component === undefined ? {} : { component: at.component }),
      },
    );
  }
}
