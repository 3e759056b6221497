/**
 * UN/EDIFACT D.96A as a format plug-in, both directions, in one folder:
 *
 *   syntax.ts       service string advice (UNA), delimiters, UNOA/UNOB/UNOC, release character
 *   tokenizer.ts    bytes → segments, chunk by chunk
 *   interchange.ts  the UNB/UNG/UNH/UNT/UNE/UNZ state machine; readEdifact / readEdifactStream
 *   message.ts      one message and its accessors
 *   values.ts       DTM, QTY, amounts, LIN/PIA product ids
 *   ordrsp.ts desadv.ts invrpt.ts invoic.ts   messages in → canonical items
 *   inbound.ts      a file in → items (+ the interchanges, for CONTRL)
 *   text.ts writer.ts orders.ts               ORDERS out
 *   contrl.ts       CONTRL out
 *   config.ts       the mapping's `edifact:` key and the inbound rule's keys
 *
 *   plugin.ts       the two registry entries (`edifactOutbound`, `edifactInbound`)
 *
 * Registered in src/formats/registry.ts, one line each way. See docs/edifact.md.
 */

export { EdifactConfig, EdifactInboundConfig } from './config.ts';
export type { EdifactConfigInput } from './config.ts';
export { renderOrders, EDIFACT_CONTENT_TYPE, type EdifactRenderContext, type RenderedEdifact } from './orders.ts';
export { renderContrl, contrlAccepting, contrlRejecting, type ContrlReport, type ContrlOptions, type RenderedContrl } from './contrl.ts';
export { parseEdifactInbound, parseEdifactInboundStream, parseEdifactMessage, acknowledgeEdifact, READ_MESSAGES, type ParsedEdifact } from './inbound.ts';
export { EdifactReader, readEdifact, readEdifactStream, readEdifactSegments, type ReceivedInterchange, type EdifactFile } from './interchange.ts';
export { EdifactMessage } from './message.ts';
export { EdifactTokenizer, type EdifactSegment } from './tokenizer.ts';
export { EdifactParseError, SYNTAX_ERROR, type InterchangeHeader, type MessageHeader } from './errors.ts';
export { transliterate, type RenderWarning } from './text.ts';
export { DEFAULT_DELIMITERS, release, type Delimiters, type Syntax } from './syntax.ts';

/** The plug-ins, registered in src/formats/registry.ts. */
export { edifactOutbound, edifactInbound } from './plugin.ts';
