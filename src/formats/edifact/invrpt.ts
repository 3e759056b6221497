/**
 * INVRPT (inventory report) → InventoryItem[]: each LIN with its QTY+145 (actual stock) and the time
 * the figure holds for.
 *
 *   DTM+366:<date>:102'   (or DTM+137, the document date): the report's as-of time
 *   LIN+<n>++<item>:<type>'  PIA+5+<id>:SA'  QTY+145:<available>'  [DTM+366:…] (line's own time)
 *
 * The supplier SKU is PIA/LIN SA, else the buyer's number (IN/BP), else the GTIN, as for the 846.
 * An item without QTY+145 says nothing about stock and is left out; a report whose items all lack
 * it is refused, since it would silently say nothing.
 */
import type { InventoryItem } from '../../canonical/inbound.ts';
import { SYNTAX_ERROR } from './errors.ts';
import type { EdifactMessage } from './message.ts';
import { addPiaIds, dtmValue, linIds, qty, type ItemIds } from './values.ts';

interface OpenItem {
  index: number;
  ids: ItemIds;
  available: number | undefined;
  asOf: string | undefined;
}

export function parseInvrpt(m: EdifactMessage): InventoryItem[] {
  let reportDate: string | undefined;
  let documentDate: string | undefined;
  const open: OpenItem[] = [];
  let item: OpenItem | undefined;
  const last = m.segments.length - 1;
  for (let index = 1; index < last; index++) {
    const s = m.segments[index]!;
    const at = { message: m, index };
    switch (s.tag) {
      case 'DTM': {
        const q = m.code(s, 1, 1);
        if (q === '366') {
          const value = dtmValue(at);
          if (item) item.asOf ??= value;
          else reportDate ??= value;
        } else if (q === '137' && !item) documentDate ??= dtmValue(at);
        break;
      }
      case 'LIN':
        item = { index, ids: linIds(at).ids, available: undefined, asOf: undefined };
        open.push(item);
        break;
      case 'PIA':
        if (item) addPiaIds(at, item.ids);
        break;
      case 'QTY':
        if (item) {
          const q = qty(at);
          if (q.qualifier === '145' && item.available === undefined) {
            if (q.quantity === undefined) throw m.error('QTY+145 (actual stock) has no quantity', index, { code: SYNTAX_ERROR.missing, element: 1, component: 2 });
            item.available = q.quantity;
          }
        }
        break;
      case 'UNS':
        item = undefined;
        break;
    }
  }
  const asOf = reportDate ?? documentDate;
  const items: InventoryItem[] = [];
  for (const o of open) {
    const supplierSku = o.ids.supplierSku ?? o.ids.sku ?? o.ids.upc;
    if (supplierSku === undefined) throw m.error('LIN without an item number (SA, IN, BP, EN, UP or SRV)', o.index, { code: SYNTAX_ERROR.missing, element: 3 });
    if (o.available === undefined) continue;
    const out: InventoryItem = { supplierSku, available: o.available };
    if (o.ids.sku !== undefined) out.sku = o.ids.sku;
    if (o.ids.upc !== undefined) out.upc = o.ids.upc;
    const when = o.asOf ?? asOf;
    if (when !== undefined) out.asOf = when;
    items.push(out);
  }
  if (open.length > 0 && items.length === 0) {
    throw m.error('no item has a QTY+145 (actual stock): nothing to update', undefined, { code: SYNTAX_ERROR.missing });
  }
  return items;
}
