import type { Transaction } from 'kysely';
import type { ReceivedGroup } from '../canonical/inbound.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { render997 } from '../formats/x12/write/997.ts';
import type { Hub } from '../hub.ts';
import { nextControlNumber } from '../store/control-numbers.ts';
import type { Database } from '../store/schema.ts';
import { enqueueOutbound } from './documents.ts';

/**
 * Answers every X12 functional group we received with a 997, through the supplier's own transport
 * (the outbox), with our control numbers for that partner. Acknowledgments are never acknowledged.
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
    const n = await nextControlNumber(trx, mapping.supplier);
    const numbers = { isa13: n, gs06: n, st02: 1 };
    const content = render997(group, mapping.outbound.x12, numbers, { createdAt: hub.clock().toISOString() });
    await enqueueOutbound(trx, {
      kind: 'fa_997',
      format: 'x12-997',
      filename: mapping.inbound.ackFilename.replace('{controlNumber}', String(n).padStart(9, '0')),
      content: Buffer.from(content),
      contentType: 'application/edi-x12',
      supplierId: mapping.supplier,
      maxAttempts: mapping.transport.retry.maxAttempts,
      controlNumbers: { ...numbers, partner: mapping.supplier },
      parsed: { acknowledges: { functionalId: group.functionalId, controlNumber: group.controlNumber } },
    });
  }
}
