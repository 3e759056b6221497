/**
 * INVOIC (invoice) → Invoice.
 *
 *   BGM+380+<invoice number>'             380 commercial invoice (credit and debit notes refused)
 *   DTM+137:<date>:102'  (or DTM+3)       invoice date
 *   RFF+ON:<our PO number>'               header, else the first line-level RFF+ON
 *   LIN+<n>++<item>:<type>'  PIA  QTY+47:<invoiced>'  MOA+203:<line amount>'  PRI+AAA:<net price>'
 *   UNS+S'  MOA+77:<invoice amount>'  (else MOA+86, the message total)
 *
 * The unit price is PRI AAA (net), else AAB (gross), else MOA 203 / quantity when it divides exactly.
 */
import type { Invoice } from '../../canonical/inbound.ts';
import { SYNTAX_ERROR } from './errors.ts';
import type { EdifactMessage } from './message.ts';
import { addPiaIds, decimalValue, dtmValue, hasId, linIds, qty, type ItemIds } from './values.ts';

type InvoiceLine = Invoice['lines'][number];

interface OpenLine {
  index: number;
  lineNumber: number | undefined;
  ids: ItemIds;
  quantity: number | undefined;
  net?: string;
  gross?: string;
  amount?: string;
}

/** Document names (BGM 1001) read as invoices: commercial invoice, and none given. */
const INVOICE_NAMES = new Set(['380', '']);

export function parseInvoic(m: EdifactMessage): Invoice {
  let invoiceNumber = '';
  let invoiceDate: string | undefined;
  let documentDate: string | undefined;
  let headerPo = '';
  let linePo = '';
  let summary = false;
  const totals = new Map<string, string>();
  const lines: OpenLine[] = [];
  let line: OpenLine | undefined;
  const last = m.segments.length - 1;
  for (let index = 1; index < last; index++) {
    const s = m.segments[index]!;
    const at = { message: m, index };
    switch (s.tag) {
      case 'BGM': {
        const name = m.code(s, 1, 1);
        if (!INVOICE_NAMES.has(name)) {
          throw m.error(`document name ${JSON.stringify(name)} is not a commercial invoice (380); credit and debit notes are not read`, index, { code: SYNTAX_ERROR.invalidValue, element: 1, component: 1 });
        }
        invoiceNumber = m.identifierAt(s, index, 2, 1, 'invoice number (BGM 1004)');
        break;
      }
      case 'DTM': {
        const q = m.code(s, 1, 1);
        if (!line && !summary && (q === '137' || q === '3')) {
          const value = dtmValue(at)?.slice(0, 10);
          if (q === '3') invoiceDate ??= value;
          else documentDate ??= value;
        }
        break;
      }
      case 'RFF':
        if (m.code(s, 1, 1) === 'ON') {
          const po = m.identifierAt(s, index, 1, 2, 'order number (RFF+ON)');
          if (!line && !summary && headerPo === '') headerPo = po;
          else if (line && linePo === '') linePo = po;
        }
        break;
      case 'LIN': {
        const { lineNumber, ids } = linIds(at);
        line = { index, lineNumber, ids, quantity: undefined };
        lines.push(line);
        break;
      }
      case 'PIA':
        if (line) addPiaIds(at, line.ids);
        break;
      case 'QTY':
        if (line) {
          const q = qty(at);
          if (q.qualifier === '47' && line.quantity === undefined) line.quantity = q.quantity;
        }
        break;
      case 'PRI':
        if (line) {
          const q = m.code(s, 1, 1);
          const price = decimalValue(m.value(s, 1, 2), at, `PRI ${q} price`, { element: 1, component: 2 });
          if (price !== undefined && q === 'AAA') line.net ??= price;
          if (price !== undefined && q === 'AAB') line.gross ??= price;
        }
        break;
      case 'MOA': {
        const q = m.code(s, 1, 1);
        const amount = decimalValue(m.value(s, 1, 2), at, `MOA ${q} amount`, { element: 1, component: 2 });
        if (amount === undefined) break;
        if (summary) {
          if (!totals.has(q)) totals.set(q, amount);
        } else if (line && q === '203') line.amount ??= amount;
        break;
      }
      case 'UNS':
        summary = true;
        line = undefined;
        break;
    }
  }
  if (invoiceNumber === '') throw m.error('BGM has no invoice number (1004)', undefined, { code: SYNTAX_ERROR.missing });
  const poNumber = headerPo || linePo;
  if (poNumber === '') throw m.error('no RFF+ON (order number): which order is invoiced?', undefined, { code: SYNTAX_ERROR.missing });
  const invoice: Invoice = {
    invoiceNumber,
    poNumber,
    lines: lines.map((l) => {
      if (l.quantity === undefined) throw m.error('LIN has no QTY+47 (invoiced quantity)', l.index, { code: SYNTAX_ERROR.missing });
      if (!hasId(l.ids) && l.lineNumber === undefined) throw m.error('LIN has neither a line number nor an item number', l.index, { code: SYNTAX_ERROR.missing });
      const out: InvoiceLine = { ...l.ids, quantity: l.quantity };
      if (l.lineNumber !== undefined) out.lineNumber = l.lineNumber;
      const unitPrice = l.net ?? l.gross ?? divide(l.amount, l.quantity);
      if (unitPrice !== undefined) out.unitPrice = unitPrice;
      return out;
    }),
  };
  const date = invoiceDate ?? documentDate;
  if (date !== undefined) invoice.invoiceDate = date;
  const total = totals.get('77') ?? totals.get('86');
  if (total !== undefined) invoice.total = total;
  return invoice;
}

/** amount / quantity as a decimal string, when it divides to at most 4 decimals; else undefined. */
function divide(amount: string | undefined, quantity: number): string | undefined {
  if (amount === undefined || quantity <= 0) return undefined;
  const [whole = '0', fraction = ''] = amount.replace(/^-/, '').split('.');
  if (fraction.length > 4) return undefined;
  const units = BigInt(whole + fraction.padEnd(4, '0'));
  if (units % BigInt(quantity) !== 0n) return undefined;
  const each = (units / BigInt(quantity)).toString().padStart(5, '0');
  const int = each.slice(0, -4).replace(/^0+(?=\d)/, '');
  const frac = each.slice(-4).replace(/0+$/, '');
  const sign = amount.startsWith('-') ? '-' : '';
  return frac ? `${sign}${int}.${frac}` : `${sign}${int}`;
}
