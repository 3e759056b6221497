/**
 * The limits (src/limits.ts) that need the database: what a file adds on top of what its purchase
 * order already holds. The per-file counts are checked while the file is read (parse-file.ts).
 */
import type { Transaction } from 'kysely';
import type { ParsedInbound } from '../canonical/inbound.ts';
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

/** The most items, and sets per group, a document keeps of what was read (`documents.parsed`). */
export const STORED_PARSED_ITEMS = 1_000;

/**
 * What a document keeps of what was read: everything, except that a file of many items (or a group
 * of many sets) keeps the first STORED_PARSED_ITEMS and says how many it leaves out
 * (`itemsOmitted`, `setsOmitted`), so that neither the stored row nor the admin API's and the
 * dashboard's document views grow without bound. The file's raw bytes are kept whole.
 */
export function parsedForStorage(parsed: ParsedInbound): ParsedInbound & { itemsOmitted?: number } {
  const many = parsed.items.length > STORED_PARSED_ITEMS;
  const bigGroup = parsed.groups.some((g) => g.sets.length > STORED_PARSED_ITEMS);
  if (!many && !bigGroup) return parsed;
  return {
    ...parsed,
    items: parsed.items.slice(0, STORED_PARSED_ITEMS),
    ...(many ? { itemsOmitted: parsed.items.length - STORED_PARSED_ITEMS } : {}),
    groups: parsed.groups.map((g) =>
      g.sets.length > STORED_PARSED_ITEMS ? { ...g, sets: g.sets.slice(0, STORED_PARSED_ITEMS), setsOmitted: g.sets.length - STORED_PARSED_ITEMS } : g,
    ),
  };
}
