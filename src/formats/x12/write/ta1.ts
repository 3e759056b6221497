/**
 * The TA1 Interchange Acknowledgment the hub sends when a partner's interchange asks for one
 * (ISA14 = 1): an interchange holding only `TA1*<ISA13>*<ISA09>*<ISA10>*<A|E|R>*<code>`, with no
 * functional group (IEA01 = 0). A TA1 speaks of the envelope only: `A` and `000` when the ISA/IEA
 * were sound, `R` and the reason (TA105) when the interchange could not be read to its end.
 */
import type { InterchangeAck } from '../../../canonical/inbound.ts';
import type { ControlNumbers } from '../../../canonical/purchase-order.ts';
import type { X12EnvelopeConfig } from '../../../config/mapping-schema.ts';
import { RenderError } from '../../../errors.ts';
import { X12Writer, writeIsa } from './writer.ts';

/** TA105 codes the hub uses, with what they mean (X12 I18). */
export const TA1_CODES = {
  '000': 'no error',
  '001': 'the interchange control number in the header and trailer do not match',
  '021': 'invalid number of included groups value',
  '022': 'invalid control structure',
  '023': 'improper (premature) end-of-file (transmission)',
  '024': 'invalid interchange content (e.g. an invalid GS segment)',
} as const;

export function renderTa1(
  ack: InterchangeAck,
  env: X12EnvelopeConfig,
  numbers: Pick<ControlNumbers, 'isa13'>,
  options: { createdAt?: string } = {},
): string {
  const received = ack.interchange;
  // TA101-TA103 echo the received ISA13, ISA09 and ISA10.
  const control = received.controlNumber.trim();
  if (!/^\d{1,9}$/.test(control)) throw new RenderError(`TA101: the received ISA13 ${JSON.stringify(control)} is not a control number`, { element: 'TA101' });
  if (!/^\d{6}$/.test(received.date)) throw new RenderError(`TA102: the received ISA09 ${JSON.stringify(received.date)} is not a date YYMMDD`, { element: 'TA102' });
  if (!/^\d{4}$/.test(received.time)) throw new RenderError(`TA103: the received ISA10 ${JSON.stringify(received.time)} is not a time HHMM`, { element: 'TA103' });
  if (!/^\d{3}$/.test(ack.code)) throw new RenderError(`TA105: ${JSON.stringify(ack.code)} is not a TA1 note code`, { element: 'TA105' });
  const isaVersion = /^\d{5}$/.test(received.version) ? received.version : '00401';
  const writer = X12Writer.forEnvelope(env, { upperCase: false, isaVersion, document: 'TA1' });
  const { isa13 } = writeIsa(writer, {
    senderQualifier: received.receiverQualifier,
    senderId: received.receiverId,
    receiverQualifier: received.senderQualifier,
    receiverId: received.senderId,
    usage: env.usage,
    requestTa1: false,
    functionalId: 'TA',
    transactionSet: 'TA1',
    version: env.version,
    isaVersion,
    createdAt: options.createdAt ?? new Date().toISOString(),
    isa13: numbers.isa13,
    gs06: 1,
    st02: 1,
  });
  writer.raw('TA1', [control.padStart(9, '0'), received.date, received.time, ack.status, ack.code]);
  writer.raw('IEA', ['0', isa13]);
  return writer.toString();
}
