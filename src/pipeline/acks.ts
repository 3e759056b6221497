import type { Transaction } from 'kysely';
import type { InterchangeAck, ReceivedGroup } from '../canonical/inbound.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { RenderError, errorMessage } from '../errors.ts';
import { render997 } from '../formats/x12/write/997.ts';
import { renderTa1 } from '../formats/x12/write/ta1.ts';
import type { Hub } from '../hub.ts';
import { nextControlNumber } from '../store/control-numbers.ts';
import type { Database } from '../store/schema.ts';
import { enqueueOutbound } from './documents.ts';

/**
 * Answers every X12 functional group we received with a 997, through the supplier's own transport
 * (the outbox), with our control numbers for that partner. Each set is answered as the reading
 * decided (`sets[].ack`: accepted, accepted with errors noted, rejected with AK3/AK4 detail), a
 * group whose envelope is wrong is rejected whole. Acknowledgments are never acknowledged. A 997
 * that cannot be written (a partner's group control number that is not a number, say) is left out
 * with a log line, never failing the file it answers.
 */
export async function enqueueFunctionalAcks(
  trx: Transaction<Database>,
  hub: Hub,
  loaded: LoadedMapping,
  groups: ReceivedGroup[],
): Promise<void> {
  const { mapping } = loaded;
  if (!mapping.inbound.send997 || !mapping.outbound.x12) return;
  for (const group of groups) {
    if (group.functionalId === 'FA') continue;
    let content: string;
    const n = await nextControlNumber(trx, mapping.supplier);
    const numbers = { isa13: n, gs06: n, st02: 1 };
    try {
      content = render997(group, mapping.outbound.x12, numbers, { createdAt: hub.clock().toISOString() });
    } catch (error) {
      if (!(error instanceof RenderError)) throw error;
      hub.logger.warn({ supplier: mapping.supplier, group: group.controlNumber, err: errorMessage(error) }, 'no 997 for this group: it cannot be written');
      continue;
    }
    await enqueueOutbound(trx, {
      kind: 'fa_997',
      format: 'x12-997',
      filename: mapping.inbound.ackFilename.replace('{controlNumber}', String(n).padStart(9, '0')),
      content: Buffer.from(content),
      contentType: 'application/edi-x12',
      supplierId: mapping.supplier,
      maxAttempts: mapping.transport.retry.maxAttempts,
      controlNumbers: { ...numbers, partner: mapping.supplier },
      parsed: {
        acknowledges: { functionalId: group.functionalId, controlNumber: group.controlNumber },
        sets: group.sets.map((s) => ({ transactionSet: s.transactionSet, controlNumber: s.controlNumber, status: s.ack?.status ?? 'A' })),
        ...(group.errors ? { groupErrors: group.errors } : {}),
      },
    });
  }
}

/**
 * Answers every interchange that asked for it (ISA14 = 1) with a TA1: A 000 when its envelope was
 * sound, R and the reason when it was broken (but its ISA readable). Sent whether or not the
 * mapping sends 997s (the partner asked); left out with a log line when it cannot be written.
 */
export async function enqueueInterchangeAcks(
  trx: Transaction<Database>,
  hub: Hub,
  loaded: LoadedMapping,
  acks: readonly InterchangeAck[],
): Promise<void> {
  const { mapping } = loaded;
  if (!mapping.outbound.x12) return;
  for (const ack of acks) {
    if (!ack.interchange.ackRequested) continue;
    const n = await nextControlNumber(trx, mapping.supplier);
    let content: string;
    try {
      content = renderTa1(ack, mapping.outbound.x12, { isa13: n }, { createdAt: hub.clock().toISOString() });
    } catch (error) {
      if (!(error instanceof RenderError)) throw error;
      hub.logger.warn({ supplier: mapping.supplier, interchange: ack.interchange.controlNumber, err: errorMessage(error) }, 'no TA1 for this interchange: it cannot be written');
      continue;
    }
    await enqueueOutbound(trx, {
      kind: 'ta1',
      format: 'x12-ta1',
      filename: mapping.inbound.ta1Filename.replace('{controlNumber}', String(n).padStart(9, '0')),
      content: Buffer.from(content),
      contentType: 'application/edi-x12',
      supplierId: mapping.supplier,
      maxAttempts: mapping.transport.retry.maxAttempts,
      controlNumbers: { isa13: n, gs06: n, st02: 1, partner: mapping.supplier },
      parsed: {
        acknowledges: { interchange: ack.interchange.controlNumber },
        status: ack.status,
        code: ack.code,
        ...(ack.message ? { reason: ack.message } : {}),
      },
    });
  }
}
