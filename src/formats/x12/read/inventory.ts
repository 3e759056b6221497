/**
 * 846 Inventory Inquiry/Advice → InventoryItem[]: each LIN (VN supplier SKU, SK ours, UP UPC) with
 * its QTY*33 (quantity available). An item without QTY*33 says nothing about availability and is
 * left out; an 846 whose items all lack it is refused, since it would silently say nothing. An item
 * identified only under qualifiers the hub does not read keeps them (`ids`) and takes the first as
 * its supplier SKU, with a warning: it never comes through without an identifier.
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
      const ids = itemIds(seg, 2, undefined, { set, index: i });
      const supplierSku = ids.supplierSku ?? ids.sku ?? ids.upc ?? ids.ids?.[0]?.value;
      if (!supplierSku) throw set.error('LIN without an item id (a qualifier and its value)', i, { element: 3, reference: '234', code: '1' });
      const item: Omit<InventoryItem, 'available'> = { supplierSku };
      if (ids.sku !== undefined) item.sku = ids.sku;
      if (ids.upc !== undefined) item.upc = ids.upc;
      if (ids.ids) item.ids = ids.ids;
      current = { item };
    } else if (seg[0] === 'QTY' && el(seg, 1) === '33') {
      if (!current) throw set.error('QTY*33 before any LIN', i, { segment: 'LIN', segmentCode: '3' });
      const q = x12Quantity(el(seg, 2), { set, index: i, element: 2, reference: '380' }, 'QTY02 quantity available');
      if (q === undefined) throw set.error('QTY02 (quantity available) missing', i, { element: 2, reference: '380', code: '1' });
      if (current.available === undefined) current.available = q;
    }
  }
  flush();
  if (lins > 0 && items.length === 0) {
    throw set.error('no item has a QTY*33 (quantity available): nothing to update', 1, { segment: 'QTY', segmentCode: '3' });
  }
  return items;
}
