/**
 * EDIFACT as a format plug-in (registered in `src/formats/registry.ts`): `outbound.format:
 * edifact-orders` with the `outbound.edifact` key writes ORDERS; inbound rules with `format:
 * edifact` read ORDRSP, DESADV, INVRPT and INVOIC, and are answered with CONTRL as the rule's
 * `acknowledge` says. See docs/edifact.md.
 */
import type { ParsedInbound } from '../../canonical/inbound.ts';
import type { InboundAnswer, InboundFormat, OutboundFormat } from '../format.ts';
import { EdifactConfig, EdifactInboundConfig } from './config.ts';
import { contrlAccepting, contrlRejecting, renderContrl, type ContrlReport } from './contrl.ts';
import { EdifactParseError } from './errors.ts';
import { parseEdifactInbound, parseEdifactInboundStream, type ParsedEdifact } from './inbound.ts';
import { EDIFACT_CONTENT_TYPE, renderOrders } from './orders.ts';

export const edifactOutbound: OutboundFormat<'edifact-orders', 'edifact', EdifactConfig> = {
  name: 'edifact-orders',
  contentType: EDIFACT_CONTENT_TYPE,
  settings: { key: 'edifact', schema: EdifactConfig, why: 'format edifact-orders needs the interchange ids (senderId, receiverId, syntax...)' },
  /** UNB 0020 and UNH 0062 come from the partner's counter, reused on a resend. */
  needsControlNumbers: () => true,
  /** A CONTRL answering an ORDERS is not read: the ORDRSP (`expect.ack855Hours`) and DESADV are awaited. */
  expectsReceipt: () => false,
  render: (po, config, { numbers }) => {
    const rendered = renderOrders(po, config, { controlNumbers: numbers! });
    return {
      content: rendered.content,
      contentType: rendered.contentType,
      warnings: rendered.warnings.map((w) => ({ field: w.path, message: w.message })),
    };
  },
};

export const edifactInbound: InboundFormat<'edifact', typeof EdifactInboundConfig> = {
  name: 'edifact',
  rule: EdifactInboundConfig,
  sniff: (head) => head.startsWith('UNA') || head.startsWith('UNB'),
  parse: (bytes, rule, { filename }) => parseEdifactInbound(bytes, rule, { file: filename }),
  parseStream: async function* (source, rule, { filename }) {
    const interchanges = yield* parseEdifactInboundStream(source, rule, { file: filename });
    return { groups: [], interchanges } as { groups: []; interchanges: typeof interchanges };
  },
  answer: async (received, rule, ctx) => {
    const reports = contrlReports(received, rule);
    const answers: InboundAnswer[] = [];
    for (const report of reports) {
      const n = await ctx.nextControlNumber();
      const contrl = renderContrl(report, { controlReference: n, createdAt: ctx.createdAt });
      answers.push({
        kind: 'contrl',
        format: 'edifact-contrl',
        filename: rule.contrlFilename.replace('{controlNumber}', String(n).padStart(9, '0')),
        content: contrl.content,
        contentType: contrl.contentType,
        controlNumber: n,
        parsed: {
          acknowledges: { interchange: report.interchange.controlReference, sender: report.interchange.senderId },
          action: report.accepted ? 'accepted' : 'rejected',
          messages: report.messages.map((m) => ({ reference: m.header.reference, type: m.header.type, accepted: m.accepted })),
          ...(report.error ? { error: report.error } : {}),
        },
      });
    }
    return answers;
  },
};

/**
 * What a received file earns, by the rule's `acknowledge`: a rejection for a refused file with a
 * readable UNB (asked for or not), an acceptance per interchange that asked (or every one with
 * `always`), nothing with `never`.
 */
function contrlReports(received: ParsedInbound | unknown, rule: EdifactInboundConfig): ContrlReport[] {
  if (rule.acknowledge === 'never') return [];
  if (received instanceof EdifactParseError) {
    const report = contrlRejecting(received);
    return report ? [report] : [];
  }
  if (!isParsedEdifact(received)) return [];
  return received.interchanges.filter((i) => rule.acknowledge === 'always' || i.header.ackRequested).map(contrlAccepting);
}

function isParsedEdifact(value: unknown): value is ParsedEdifact {
  return typeof value === 'object' && value !== null && (value as ParsedInbound).format === 'edifact' && Array.isArray((value as ParsedEdifact).interchanges);
}
