/**
 * X12 as a format plug-in: `outbound.format: x12-850` (with the `outbound.x12` envelope) and inbound
 * rules with `format: x12` (856, 855, 997/999, 810, 846). The 997 and TA1 the hub answers with are
 * still written by `pipeline/acks.ts`.
 */
import type { InboundItem } from '../../canonical/inbound.ts';
import type { InboundLimits } from '../../limits.ts';
import type { InboundFormat, InboundStreamResult, OutboundFormat } from '../format.ts';
import { TrackingRuleKeys } from '../tracking-rule.ts';
import { X12Envelope, type X12EnvelopeConfig } from './config.ts';
import { resolveOverrides } from './overrides.ts';
import { X12Interpreter, interpretX12, readX12, readX12Stream } from './read/index.ts';
import { render850 } from './write/850.ts';
import type { RenderWarning } from './write/writer.ts';

export const x12Outbound: OutboundFormat<'x12-850', 'x12', X12EnvelopeConfig> = {
  name: 'x12-850',
  contentType: 'application/edi-x12',
  settings: { key: 'x12', schema: X12Envelope, why: 'format x12-850 needs the interchange envelope (senderId, receiverId, version...)' },
  needsControlNumbers: () => true,
  expectsReceipt: () => true,
  render: async (po, envelope, { loaded, numbers }) => {
    const overrides = loaded.expressions.overrides.length ? await resolveOverrides(loaded, po) : undefined;
    const warnings: RenderWarning[] = [];
    const content = render850(po, envelope, numbers!, overrides, warnings);
    return { content, warnings };
  },
};

export const x12Inbound: InboundFormat<'x12', typeof TrackingRuleKeys> = {
  name: 'x12',
  rule: TrackingRuleKeys,
  sniff: (head) => head.startsWith('ISA'),
  parse: (bytes, _rule, { inbound, filename, limits }) =>
    interpretX12(readX12(bytes, { file: filename, recover: true }), { trackingFrom: inbound.trackingFrom, ...(limits ? { limits } : {}) }, filename),
  parseStream: (source, _rule, { inbound, filename, limits }) => parseX12Stream(source, inbound.trackingFrom, filename, limits),
};

/**
 * Streams a large X12 file: yields the items of each transaction set as soon as it is read (only
 * that set in memory) and returns the groups read (with how each set is answered), the warnings and
 * the TA1s owed. Sets already yielded stay valid only if the generator completes: an envelope error
 * later in the file (a bad GE/IEA), or a set refused anywhere, is thrown at the end, so stage what
 * you apply until then.
 */
export async function* parseX12Stream(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  trackingFrom: readonly string[],
  filename?: string,
  limits?: InboundLimits,
): AsyncGenerator<InboundItem, InboundStreamResult, undefined> {
  const reader = readX12Stream(source, { file: filename, recover: true });
  const interpreter = new X12Interpreter({ trackingFrom, ...(limits ? { limits } : {}) }, false, filename);
  for (;;) {
    const next = await reader.next();
    if (next.done) {
      const { groups, interchangeAcks, warnings } = interpreter.finish(next.value.groups, next.value.ackRequests, filename);
      return { groups, ...(interchangeAcks ? { interchangeAcks } : {}), ...(warnings ? { warnings } : {}) };
    }
    yield* interpreter.add(next.value);
  }
}
