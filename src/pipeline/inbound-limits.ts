/**
 * The limits (src/limits.ts) that need the database: what a file adds on top of what its purchase
 * order already holds. The per-file counts are checked while the file is read (parse-file.ts).
 */
import type { Transaction } from 'kysely';
import type { Hub } from '../hub.ts';
import { InboundLimitError, inboundLimits } from '../limits.ts';
import type { Database, PurchaseOrderRow } from '../store/schema.ts';
import { countShipmentsOfPo } from '../store/shipments.ts';

/**
 * Refuses one more shipment for a PO that has had `shipmentsPerPo` already: more shipments than a
 * PO can need is a hostile or broken file, not thousands of shipments and webhooks. The file is
 * quarantined (nothing of it applied) with the reason.
 */
export async function assertShipmentRoom(trx: Transaction<Database>, hub: Hub, po: Pick<PurchaseOrderRow, 'id' | 'order_id' | 'po_number'>, filename: string): Promise<void> {
  const { shipmentsPerPo } = inboundLimits(hub.env);
  const count = await countShipmentsOfPo(trx, po);
  if (count >= shipmentsPerPo) {
    throw new InboundLimitError('inbound', 'shipmentsPerPo', shipmentsPerPo, count + 1, `purchase order ${po.po_number}`, { file: filename });
  }
}
