/**
 * CONTRL (syntax and service report, syntax version 3: CONTRL:2:2:UN), hub → supplier: the answer to
 * an interchange the hub received. Accepted: UCI with action 7 and a UCM (action 7) per message.
 * Rejected (the hub applies nothing from a file with any error in it): UCI with action 4 and, where
 * the reader found it, the error: in an envelope segment, UCI 0085 / 0013 / S011; in a message, a
 * UCM (action 4, the error code) with UCS (the segment's position in the message) and UCD (the
 * element and component).
 *
 *   UNB  (from the received interchange's recipient to its sender)
 *   UNH+1+CONTRL:2:2:UN'
 *   UCI+<received UNB 0020>+<sender>:<q>+<recipient>:<q>+<7|4>[+<0085>+<tag>+<element>:<component>]'
 *   UCM+<UNH 0062>+<type>:<version>:<release>:<agency>+<7|4>[+<0085>]'  [UCS+<position>+<0085>'  [UCD+<0085>+<e>:<c>']]
 *   UNT  UNZ
 *
 * @example
 *   const read = readEdifact(bytes);
 *   const contrl = renderContrl(contrlAccepting(read.interchanges[0]), { controlReference: 77, createdAt: now });
 */
import { RenderError } from '../../errors.ts';
import { SYNTAX_ERROR, type EdifactParseError, type InterchangeHeader, type MessageHeader } from './errors.ts';
import type { ReceivedInterchange } from './interchange.ts';
import { EDIFACT_CONTENT_TYPE } from './orders.ts';
import { firstOutside, type Syntax } from './syntax.ts';
import { EdifactWriter } from './writer.ts';

/** Where an error is: its code (0085) and the segment, element and component it is in. */
export interface ContrlError {
  code: string;
  /** A service segment's tag (UNB, UNZ, UNH, UNT, …): UCI/UCM 0013. */
  serviceSegment?: string;
  /** The erroneous segment's position in its message (UNH = 1): UCS 0096. */
  segmentPosition?: number;
  element?: number;
  component?: number;
}

export interface ContrlReport {
  /** The interchange answered, as received. */
  interchange: InterchangeHeader;
  accepted: boolean;
  /** An error in the interchange's envelope. */
  error?: ContrlError;
  messages: { header: MessageHeader; accepted: boolean; error?: ContrlError }[];
}

/** Every message of a received interchange accepted. */
export function contrlAccepting(received: ReceivedInterchange): ContrlReport {
  return { interchange: received.header, accepted: true, messages: received.messages.map((header) => ({ header, accepted: true })) };
}

const SERVICE_SEGMENTS = new Set(['UNA', 'UNB', 'UNG', 'UNH', 'UNT', 'UNE', 'UNZ']);

/**
 * The rejection for a file the reader (or a message parser) refused, or undefined when the error
 * came before the interchange's UNB was read: such a file names no one to answer.
 */
export function contrlRejecting(error: EdifactParseError): ContrlReport | undefined {
  const d = error.detail;
  if (!d.interchange) return undefined;
  const code = d.code ?? SYNTAX_ERROR.unspecified;
  const at = (e: ContrlError): ContrlError => {
    if (d.element !== undefined) e.element = d.element;
    if (d.component !== undefined) e.component = d.component;
    return e;
  };
  // A UCM names the message by its UNH (0062 and S009): a message whose header cannot be echoed as
  // D.96A's CONTRL needs it is reported on the interchange (UCI) instead.
  if (d.message && !d.envelope && echoable(d.message)) {
    const service = !d.content && error.tag !== undefined && SERVICE_SEGMENTS.has(error.tag);
    const messageError: ContrlError = service ? at({ code, serviceSegment: error.tag as string }) : at({ code });
    if (!service && d.segmentInMessage !== undefined) messageError.segmentPosition = d.segmentInMessage;
    return { interchange: d.interchange, accepted: false, messages: [{ header: d.message, accepted: false, error: messageError }] };
  }
  const envelopeError: ContrlError = { code };
  if (error.tag !== undefined && SERVICE_SEGMENTS.has(error.tag)) {
    envelopeError.serviceSegment = error.tag;
    at(envelopeError);
  }
  return { interchange: d.interchange, accepted: false, error: envelopeError, messages: [] };
}

/** Whether a UCM can name this message: UNH 0062 an..14, S009 0065 an..6, 0052 an..3, 0054 an..3, 0051 an..2, 0057 an..6. */
function echoable(h: MessageHeader): boolean {
  const fits = (v: string, max: number, required = true) => (required ? v.length > 0 : true) && v.length <= max;
  return fits(h.reference, 14) && fits(h.type, 6) && fits(h.version, 3) && fits(h.release, 3) && fits(h.agency, 2) && fits(h.association, 6, false);
}

export interface ContrlOptions {
  /** UNB 0020 of the CONTRL interchange: from the partner's control-number counter. */
  controlReference: number | string;
  /** UNH 0062; default 1. */
  messageReference?: number | string;
  /** ISO timestamp for UNB S004 (injected: no clock here). */
  createdAt: string;
  /** Default: the received syntax (UNOB answered in UNOC, which holds all of it). */
  syntax?: 'UNOA' | 'UNOC';
  una?: boolean;
  newline?: boolean;
}

export interface RenderedContrl {
  content: Buffer;
  contentType: string;
  controlReference: string;
}

export function renderContrl(report: ContrlReport, options: ContrlOptions): RenderedContrl {
  const received = report.interchange;
  const syntax: Syntax = options.syntax ?? (received.syntax === 'UNOA' ? 'UNOA' : 'UNOC');
  const controlReference = String(options.controlReference);
  const messageReference = String(options.messageReference ?? 1);
  if (!/^[A-Za-z0-9]{1,14}$/.test(controlReference)) throw new RenderError(`CONTRL control reference ${JSON.stringify(controlReference)} is not 1-14 letters or digits`);
  for (const [what, value] of [
    ['received sender id', received.senderId],
    ['received recipient id', received.recipientId],
    ['received control reference', received.controlReference],
  ] as const) {
    if (firstOutside(syntax, value) !== -1) throw new RenderError(`${what} ${JSON.stringify(value)} cannot be echoed in ${syntax}`);
  }
  const w = new EdifactWriter({
    syntax,
    senderId: received.recipientId,
    senderQualifier: received.recipientQualifier || undefined,
    recipientId: received.senderId,
    recipientQualifier: received.senderQualifier || undefined,
    createdAt: options.createdAt,
    controlReference,
    test: received.test,
    una: options.una,
    newline: options.newline,
  });
  w.begin();
  w.startMessage(messageReference, ['CONTRL', '2', '2', 'UN']);
  const uci: (string | null | (string | null | undefined)[])[] = [
    received.controlReference,
    [received.senderId, received.senderQualifier],
    [received.recipientId, received.recipientQualifier],
    report.accepted ? '7' : '4',
  ];
  if (report.error) uci.push(report.error.code, report.error.serviceSegment ?? null, position(report.error));
  w.segment('UCI', uci);
  for (const m of report.messages) {
    const h = m.header;
    const ucm: (string | null | (string | null | undefined)[])[] = [h.reference, [h.type, h.version, h.release, h.agency, h.association || null], m.accepted ? '7' : '4'];
    if (m.error) ucm.push(m.error.code, m.error.serviceSegment ?? null, m.error.serviceSegment ? position(m.error) : null);
    w.segment('UCM', ucm);
    if (m.error && !m.error.serviceSegment && m.error.segmentPosition !== undefined) {
      w.segment('UCS', [String(m.error.segmentPosition), m.error.element === undefined ? m.error.code : null]);
      if (m.error.element !== undefined) w.segment('UCD', [m.error.code, position(m.error)]);
    }
  }
  w.endMessage(messageReference);
  return { content: EdifactWriter.bytes(w.finish()), contentType: EDIFACT_CONTENT_TYPE, controlReference };
}

/** S011: the element (and component) position, or nothing. */
function position(e: ContrlError): string[] | null {
  if (e.element === undefined) return null;
  return e.component === undefined || e.component <= 1 ? [String(e.element)] : [String(e.element), String(e.component)];
}

