/**
 * The EDIFACT reader's error: a ParseError (so the pipeline, the CLI and HTTP treat it as any other
 * unreadable supplier file) that also says which segment tag it was at, and carries what a CONTRL
 * needs to reject the interchange: the syntax error code (ISO 9735 data element 0085), the
 * interchange and message read so far, and the position of the bad segment, element and component.
 */
import { ParseError } from '../../errors.ts';

/** The ISO 9735 syntax error codes (data element 0085) the reader reports. */
export const SYNTAX_ERROR = {
  /** Syntax version or level not supported. */
  syntaxNotSupported: '2',
  /** Invalid value. */
  invalidValue: '12',
  /** Missing. */
  missing: '13',
  /** Not supported in this position. */
  notSupportedHere: '15',
  /** Too many constituents. */
  tooManyConstituents: '16',
  /** Unspecified error. */
  unspecified: '18',
  /** Invalid decimal notation. */
  invalidDecimal: '19',
  /** Character invalid as service character. */
  invalidServiceCharacter: '20',
  /** Invalid character(s). */
  invalidCharacter: '21',
  /** References do not match. */
  referencesDoNotMatch: '28',
  /** Control count does not match number of instances received. */
  countMismatch: '29',
  /** Functional groups and messages mixed. */
  groupsAndMessagesMixed: '30',
  /** Invalid occurrence outside message, functional group or interchange. */
  outsideMessage: '33',
  /** Too many repetitions. */
  tooManyRepetitions: '35',
  /** Invalid type of characters. */
  invalidCharacterType: '37',
  /** Data element too long. */
  tooLong: '39',
} as const;
export type SyntaxErrorCode = (typeof SYNTAX_ERROR)[keyof typeof SYNTAX_ERROR];

/** The interchange header (UNB) as far as it was read: what a CONTRL answering it must echo. */
export interface InterchangeHeader {
  syntax: string;
  syntaxVersion: string;
  senderId: string;
  senderQualifier: string;
  recipientId: string;
  recipientQualifier: string;
  /** UNB S004 as sent: YYMMDD (CCYYMMDD in syntax 4) and HHMM. */
  date: string;
  time: string;
  /** UNB 0020. */
  controlReference: string;
  /** UNB 0031 = 1: the sender asks for an acknowledgment (CONTRL). */
  ackRequested: boolean;
  /** UNB 0035 = 1. */
  test: boolean;
}

/** A message header (UNH): its reference (0062) and identifier (S009). */
export interface MessageHeader {
  reference: string;
  type: string;
  version: string;
  release: string;
  agency: string;
  /** S009 0057, e.g. EAN008; '' when absent. */
  association: string;
}

export interface EdifactWhere {
  file?: string;
  /** 1-based segment number in the file (UNA counts). */
  segment?: number;
  /** The segment's tag, where known. */
  tag?: string;
  /** Byte offset in the file (= character position: the character sets are single-byte). */
  offset?: number;
  /** 1-based line. */
  line?: number;
}

export interface EdifactErrorDetail {
  /** ISO 9735 0085. */
  code?: SyntaxErrorCode;
  /** The interchange the error is in, when its UNB was read. */
  interchange?: InterchangeHeader;
  /** The message the error is in, when its UNH was read. */
  message?: MessageHeader;
  /** The bad segment's position in its message (UNH is 1), for a CONTRL's UCS. */
  segmentInMessage?: number;
  /** 1-based element and component positions in the segment, for a CONTRL's UCD. */
  element?: number;
  component?: number;
  /** The error is in an envelope segment (UNB, UNZ, UNG, UNE) rather than in a message. */
  envelope?: boolean;
  /** The error is in what a message says (found by a message parser), not in its envelope. */
  content?: boolean;
}

export class EdifactParseError extends ParseError {
  readonly tag: string | undefined;
  readonly detail: EdifactErrorDetail;

  constructor(message: string, where: EdifactWhere = {}, detail: EdifactErrorDetail = {}, options: { cause?: unknown } = {}) {
    const { tag, ...rest } = where;
    super('edifact', tag ? `${tag}: ${message}` : message, rest, options);
    this.tag = tag;
    this.detail = detail;
  }
}
