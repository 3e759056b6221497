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
 * `edifactOrders` and `edifactInbound` are shaped for the format registry: wiring EDIFACT is one
 * line there. See docs/edifact.md.
 */
import type { PurchaseOrder } from '../../canonical/purchase-order.ts';
import { EdifactConfig, EdifactInboundConfig } from './config.ts';
import { acknowledgeEdifact, parseEdifactInbound, parseEdifactInboundStream } from './inbound.ts';
import { renderOrders, type EdifactRenderContext, type RenderedEdifact } from './orders.ts';

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

/** What a sent ORDERS waits for, in the hub's neutral words. */
export type ExpectedReply = 'receipt' | 'acknowledgment' | 'shipment';

/** The outbound plug-in: `outbound.format: edifact-orders`. */
export const edifactOrders = {
  name: 'edifact-orders',
  config: EdifactConfig,
  /** Always: UNB 0020 and UNH 0062 come from the partner's counter, reused on a resend. */
  needsControlNumbers: (_config: EdifactConfig): boolean => true,
  render: (po: PurchaseOrder, config: EdifactConfig, ctx: EdifactRenderContext): RenderedEdifact => renderOrders(po, config, ctx),
  /** A CONTRL when asked for (UNB 0031), an ORDRSP when the mapping expects one, and the despatch. */
  expectedReplies: (config: EdifactConfig, expectsAcknowledgment: boolean): ExpectedReply[] => [
    ...(config.acknowledgmentRequest ? (['receipt'] as const) : []),
    ...(expectsAcknowledgment ? (['acknowledgment'] as const) : []),
    'shipment',
  ],
} as const;

/** The inbound plug-in: inbound rules with `format: edifact`. */
export const edifactInbound = {
  name: 'edifact',
  config: EdifactInboundConfig,
  parse: parseEdifactInbound,
  parseStream: parseEdifactInboundStream,
  acknowledge: acknowledgeEdifact,
} as const;
