/**
 * 846 Inventory Inquiry/Advice → InventoryItem[]: each LIN (VN supplier SKU, SK ours, UP UPC) with
 * its QTY*33 (quantity available). An item without QTY*33 says nothing about availability and is
 * left out; an 846 whose items all lack it is refused, since it would silently say nothing.
 */
import type { InventoryItem } from '../../../canonical/inbound.ts';
import { el, type Segment, type X12Set } from './reader.ts';
import { itemIds, x12Quantity } from './values.ts';

/** Reads an 846. */
export function parseInventory(set: X12Set): InventoryItem[] {
  const items: InventoryItem[] = [];
  let lins = 0;
  let current: { item: Omit<InventoryItem, 'available'>; available?: number } | undefined;
  const flush = (): void => {
    if (current && current.available !== undefined) items.push({ ...current.item, available: current.available });
    current = undefined;
  };
  for (let i = 1; i < set.segments.length; i++) {
    const seg = set.segments[i] as Segment;
    if (seg[0] === 'LIN') {
      flush();
      lins++;
      const ids = itemIds(seg, 2);
      const supplierSku = ids.supplierSku ?? ids.sku ?? ids.upc;
      if (!supplierSku) throw set.error('LIN without an item id (VN, SK or UP)', i);
      const item: Omit<InventoryItem, 'available'> = { supplierSku };
      if (ids.sku !== undefined) item.sku = ids.sku;
      if (ids.upc !== undefined) item.upc = ids.upc;
      current = { item };
    } else if (seg[0] === 'QTY' && el(seg, 1) === '33') {
      if (!current) throw set.error('QTY*33 before any LIN', i);
      const q = x12Quantity(el(seg, 2), { set, index: i }, 'QTY02 quantity available');
      if (q === undefined) throw set.error('QTY02 (quantity available) missing', i);
      if (current.available === undefined) current.available = q;
    }
  }
  flush();
  if (lins > 0 && items.length === 0) {
    throw set.error('no item has a QTY*33 (quantity available): nothing to update', 1);
  }
  return items;
}
