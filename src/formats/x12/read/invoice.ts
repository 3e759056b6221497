/**
 * 810 Invoice → Invoice: BIG01 date, BIG02 invoice number, BIG04 our PO number (else a header
 * REF*PO); IT1 lines
 * (quantity, unit price, VN/SK/UP ids); TDS01 total with two implied decimals.
 */
import type { Invoice } from '../../../canonical/inbound.ts';
import { el, type Segment, type X12Set } from './reader.ts';
import { impliedCents, itemIds, lineNumber, x12Date, x12Decimal, x12Quantity } from './values.ts';

/** REF*PO before the first IT1: where some partners put the PO number instead of BIG04. */
function headerPo(set: X12Set, from: number): string {
  for (let i = from + 1; i < set.segments.length; i++) {
    const seg = set.segments[i] as Segment;
    if (seg[0] === 'IT1') break;
    if (seg[0] === 'REF' && el(seg, 1) === 'PO' && el(seg, 2)) return el(seg, 2);
  }
  return '';
}

/** Reads an 810. */
export function parseInvoice(set: X12Set): Invoice {
  let invoice: Invoice | undefined;
  for (let i = 1; i < set.segments.length; i++) {
    const seg = set.segments[i] as Segment;
    const at = { set, index: i };
    switch (seg[0]) {
      case 'BIG': {
        if (invoice) throw set.error('second BIG in one invoice', i);
        const invoiceNumber = el(seg, 2);
        const poNumber = el(seg, 4) || headerPo(set, i);
        if (!invoiceNumber) throw set.error('BIG02 (invoice number) missing', i);
        if (!poNumber) throw set.error('BIG04 (purchase order number) missing, and no REF*PO', i);
        invoice = { invoiceNumber, poNumber, lines: [] };
        const date = x12Date(el(seg, 1), at, 'BIG01 invoice date');
        if (date) invoice.invoiceDate = date;
        break;
      }
      case 'IT1': {
        if (!invoice) throw set.error('IT1 before BIG', i);
        const quantity = x12Quantity(el(seg, 2), at, 'IT102 quantity invoiced');
        if (quantity === undefined) throw set.error('IT102 (quantity invoiced) missing', i);
        const line: Invoice['lines'][number] = { ...itemIds(seg, 6), quantity };
        const n = lineNumber(el(seg, 1));
        if (n !== undefined) line.lineNumber = n;
        const price = x12Decimal(el(seg, 4), at, 'IT104 unit price');
        if (price !== undefined) line.unitPrice = price;
        invoice.lines.push(line);
        break;
      }
      case 'TDS': {
        if (!invoice) throw set.error('TDS before BIG', i);
        const total = impliedCents(el(seg, 1), at, 'TDS01 total');
        if (total !== undefined) invoice.total = total;
        break;
      }
      default:
        break;
    }
  }
  if (!invoice) throw set.error('BIG (beginning segment for invoice) missing', 1);
  return invoice;
}
