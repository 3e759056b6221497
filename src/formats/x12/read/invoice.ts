/**
 * 810 Invoice → Invoice: BIG01 date, BIG02 invoice number, BIG04 our PO number (else a header
 * REF*PO); IT1 lines
 * (quantity, unit price, every product id); TDS01 total with two implied decimals. The invoice date,
 * unit prices and the total the hub can do without: a bad one is dropped with a warning.
 */
import type { Invoice } from '../../../canonical/inbound.ts';
import { el, type Segment, type X12Set } from './reader.ts';
import { itemIds, lineNumber, optionalCents, optionalDate, optionalDecimal, x12Quantity } from './values.ts';

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
        if (invoice) throw set.error('second BIG in one invoice', i, { segmentCode: '5' });
        const invoiceNumber = el(seg, 2);
        const poNumber = el(seg, 4) || headerPo(set, i);
        if (!invoiceNumber) throw set.error('BIG02 (invoice number) missing', i, { element: 2, reference: '76', code: '1' });
        if (!poNumber) throw set.error('BIG04 (purchase order number) missing, and no REF*PO', i, { element: 4, reference: '324', code: '1' });
        invoice = { invoiceNumber, poNumber, lines: [] };
        const date = optionalDate(el(seg, 1), { ...at, element: 1, reference: '373' }, 'BIG01 invoice date');
        if (date) invoice.invoiceDate = date;
        break;
      }
      case 'IT1': {
        if (!invoice) throw set.error('IT1 before BIG', i, { segment: 'BIG', segmentCode: '3' });
        const quantity = x12Quantity(el(seg, 2), { ...at, element: 2, reference: '358' }, 'IT102 quantity invoiced');
        if (quantity === undefined) throw set.error('IT102 (quantity invoiced) missing', i, { element: 2, reference: '358', code: '1' });
        const line: Invoice['lines'][number] = { ...itemIds(seg, 6, undefined, at), quantity };
        const n = lineNumber(el(seg, 1));
        if (n !== undefined) line.lineNumber = n;
        const price = optionalDecimal(el(seg, 4), { ...at, element: 4, reference: '212' }, 'IT104 unit price');
        if (price !== undefined) line.unitPrice = price;
        invoice.lines.push(line);
        break;
      }
      case 'TDS': {
        if (!invoice) throw set.error('TDS before BIG', i, { segment: 'BIG', segmentCode: '3' });
        const total = optionalCents(el(seg, 1), { ...at, element: 1, reference: '610' }, 'TDS01 total');
        if (total !== undefined) invoice.total = total;
        break;
      }
      default:
        break;
    }
  }
  if (!invoice) throw set.error('BIG (beginning segment for invoice) missing', 1, { segment: 'BIG', segmentCode: '3' });
  return invoice;
}
