/**
 * EDIFACT files in → what the hub applies: each message to its canonical items, by its type.
 *
 *   ORDRSP → acknowledgment    DESADV → shipment(s)    INVRPT → inventory    INVOIC → invoice
 *
 * Pure: bytes in, items out, or an EdifactParseError (a ParseError); nothing is returned from a
 * file with any error in it. The interchanges read come back too, for the CONTRL answering them
 * (`acknowledgeEdifact`).
 *
 * @example
 *   const parsed = parseEdifactInbound(bytes, EdifactInboundConfig.parse({}), { file: 'DESADV_1.edi' });
 *   for (const contrl of acknowledgeEdifact(parsed, config, { nextControlReference, createdAt })) send(contrl);
 */
import type { InboundItem, ParsedInbound } from '../../canonical/inbound.ts';
import type { EdifactInboundConfig } from './config.ts';
import { contrlAccepting, contrlRejecting, renderContrl, type RenderedContrl } from './contrl.ts';
import { parseDesadv } from './desadv.ts';
import { EdifactParseError, SYNTAX_ERROR } from './errors.ts';
import { EdifactReader, readEdifact, type ReceivedInterchange } from './interchange.ts';
import { parseInvoic } from './invoic.ts';
import { parseInvrpt } from './invrpt.ts';
import type { EdifactMessage } from './message.ts';
import { parseOrdrsp } from './ordrsp.ts';

/** The message types read, and what each becomes. */
export const READ_MESSAGES = ['ORDRSP', 'DESADV', 'INVRPT', 'INVOIC'] as const;

export interface ParsedEdifact extends ParsedInbound {
  format: 'edifact';
  /** Every interchange read: what a CONTRL answers. */
  interchanges: ReceivedInterchange[];
}

/** One message → its items. Unknown message types are refused (the whole file with them). */
export function parseEdifactMessage(message: EdifactMessage, config: Pick<EdifactInboundConfig, 'trackingFrom'>): InboundItem[] {
  switch (message.type) {
    case 'ORDRSP':
      return [{ kind: 'acknowledgment', acknowledgment: parseOrdrsp(message) }];
    case 'DESADV':
      return parseDesadv(message, { trackingFrom: config.trackingFrom }).map((shipment) => ({ kind: 'shipment', shipment }));
    case 'INVRPT':
      return [{ kind: 'inventory', items: parseInvrpt(message) }];
    case 'INVOIC':
      return [{ kind: 'invoice', invoice: parseInvoic(message) }];
    default:
      throw message.error(`unsupported message type ${message.identifier} (the hub reads ${READ_MESSAGES.join(', ')})`, undefined, {
        code: SYNTAX_ERROR.notSupportedHere,
        element: 2,
        component: 1,
      });
  }
}

/** Reads a whole file. */
export function parseEdifactInbound(bytes: Buffer | Uint8Array | string, config: EdifactInboundConfig, ctx: { file?: string } = {}): ParsedEdifact {
  const read = readEdifact(bytes, { file: ctx.file, maxMessageSegments: config.maxMessageSegments });
  return {
    format: 'edifact',
    items: read.messages.flatMap((message) => parseEdifactMessage(message, config)),
    groups: [],
    interchanges: read.interchanges,
  };
}

/**
 * Streams a large file: yields each message's items as soon as it is read (only that message in
 * memory) and returns the interchanges. Items already yielded stay valid only if the generator
 * completes: an envelope error later (a bad UNZ) is thrown when reached, so stage what you apply.
 */
export async function* parseEdifactInboundStream(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  config: EdifactInboundConfig,
  ctx: { file?: string } = {},
): AsyncGenerator<InboundItem, ReceivedInterchange[], undefined> {
  const reader = new EdifactReader({ file: ctx.file, maxMessageSegments: config.maxMessageSegments });
  for await (const chunk of source) {
    for (const message of reader.push(chunk)) yield* parseEdifactMessage(message, config);
  }
  for (const message of reader.end()) yield* parseEdifactMessage(message, config);
  return reader.interchanges;
}

export interface AcknowledgeContext {
  /** The next interchange control reference for this partner (one per CONTRL). */
  nextControlReference: () => number | string;
  /** Injected: the CONTRL's UNB date/time. */
  createdAt: string;
  una?: boolean;
  newline?: boolean;
}

/**
 * The CONTRLs for what was received: for a parsed file, one accepting each interchange that asked
 * for it (UNB 0031 = 1), or each interchange when `acknowledge: always`; for a refused file, the
 * one rejecting it, asked for or not (none when the file had no readable UNB: it names no one to
 * answer). `acknowledge: never` sends none.
 */
export function acknowledgeEdifact(
  received: ParsedEdifact | EdifactParseError,
  config: Pick<EdifactInboundConfig, 'acknowledge'>,
  ctx: AcknowledgeContext,
): RenderedContrl[] {
  if (config.acknowledge === 'never') return [];
  const options = (): { controlReference: number | string; createdAt: string; una?: boolean; newline?: boolean } => ({
    controlReference: ctx.nextControlReference(),
    createdAt: ctx.createdAt,
    ...(ctx.una === undefined ? {} : { una: ctx.una }),
    ...(ctx.newline === undefined ? {} : { newline: ctx.newline }),
  });
  if (received instanceof EdifactParseError) {
    const report = contrlRejecting(received);
    // A rejection is sent whether or not one was asked for: the partner must learn that nothing was taken.
    if (!report) return [];
    return [renderContrl(report, options())];
  }
  return received.interchanges
    .filter((i) => config.acknowledge === 'always' || i.header.ackRequested)
    .map((i) => renderContrl(contrlAccepting(i), options()));
}
