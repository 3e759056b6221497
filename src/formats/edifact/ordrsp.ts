/**
 * ORDRSP (purchase order response) → Acknowledgment.
 *
 *   BGM+231+<response number>+<1225>'   1225: 29 accepted, 27 not accepted, 4 / 28 / 30 changes
 *   RFF+ON:<our PO number>'              (header, required)
 *   LIN+<n>+<1229>+<item>:<type>'        1229: 5 accepted, 7 not accepted, 3 / 6 changed,
 *   PIA+5+<id>:SA+<id>:IN'                     2 deleted, 10 not found, 4 no action (unchanged)
 *   QTY+113:<qty>'  QTY+21:<qty>'  QTY+83:<backordered>'
 *   FTX+…+++<reason>'                    (line-level free text: the reason)
 *
 * A header 1225 outside the codes above takes its status from the lines. A LIN without 1229 takes
 * the header's status (with an empty code). A line with a backorder quantity (QTY+83 > 0) is
 * `backordered`. The line quantity is QTY 113 (to be delivered), else 12, else 21.
 */
import type { Acknowledgment, LineAckStatus } from '../../canonical/inbound.ts';
import { SYNTAX_ERROR } from './errors.ts';
import type { EdifactMessage } from './message.ts';
import { addPiaIds, hasId, linIds, qty, type ItemIds } from './values.ts';

const HEADER_STATUS: Record<string, Acknowledgment['status']> = {
  '29': 'accepted',
  '27': 'rejected',
  '4': 'accepted_with_changes',
  '28': 'accepted_with_changes',
  '30': 'accepted_with_changes',
};

const LINE_STATUS: Record<string, LineAckStatus> = {
  '5': 'accepted',
  '4': 'accepted',
  '7': 'rejected',
  '10': 'rejected',
  '3': 'quantity_changed',
  '6': 'quantity_changed',
  '2': 'deleted',
};

type AckLine = Acknowledgment['lines'][number];

interface OpenLine {
  index: number;
  lineNumber: number | undefined;
  ids: ItemIds;
  code: string;
  quantities: Map<string, number>;
  reason?: string;
}

export function parseOrdrsp(m: EdifactMessage): Acknowledgment {
  let poNumber = '';
  let code = '';
  let open: OpenLine | undefined;
  const lines: OpenLine[] = [];
  const last = m.segments.length - 1;
  for (let index = 1; index < last; index++) {
    const s = m.segments[index]!;
    switch (s.tag) {
      case 'BGM':
        code = m.code(s, 3);
        break;
      case 'RFF':
        if (!open && m.code(s, 1, 1) === 'ON' && poNumber === '') poNumber = m.identifierAt(s, index, 1, 2, 'order number (RFF+ON)');
        break;
      case 'LIN': {
        const { lineNumber, ids } = linIds({ message: m, index });
        open = { index, lineNumber, ids, code: m.code(s, 2), quantities: new Map() };
        lines.push(open);
        break;
      }
      case 'PIA':
        if (open) addPiaIds({ message: m, index }, open.ids);
        break;
      case 'QTY':
        if (open) {
          const q = qty({ message: m, index });
          if (q.quantity !== undefined && !open.quantities.has(q.qualifier)) open.quantities.set(q.qualifier, q.quantity);
        }
        break;
      case 'FTX':
        if (open && open.reason === undefined) {
          const text = (s.elements[3] ?? []).map((t) => t.trim()).filter(Boolean).join(' ');
          if (text) open.reason = text;
        }
        break;
      case 'UNS':
        open = undefined;
        break;
    }
  }
  if (poNumber === '') throw m.error('no RFF+ON (our order number) in the header: which order does this respond to?', undefined, { code: SYNTAX_ERROR.missing });

  const headerStatus = HEADER_STATUS[code];
  const status: Acknowledgment['status'] =
    headerStatus ??
    (lines.length > 0 && lines.every((l) => LINE_STATUS[l.code] === 'rejected' || LINE_STATUS[l.code] === 'deleted')
      ? 'rejected'
      : lines.every((l) => l.code === '' || LINE_STATUS[l.code] === 'accepted')
        ? 'accepted'
        : 'accepted_with_changes');

  return {
    poNumber,
    status,
    code,
    lines: lines.map((l) => {
      if (!hasId(l.ids) && l.lineNumber === undefined) throw m.error('LIN has neither a line number nor an item number', l.index, { code: SYNTAX_ERROR.missing });
      const backordered = (l.quantities.get('83') ?? 0) > 0;
      let lineStatus: LineAckStatus = l.code === '' ? (status === 'rejected' ? 'rejected' : 'accepted') : (LINE_STATUS[l.code] ?? 'other');
      if (backordered && lineStatus !== 'rejected' && lineStatus !== 'deleted') lineStatus = 'backordered';
      const quantity = l.quantities.get('113') ?? l.quantities.get('12') ?? l.quantities.get('21');
      const line: AckLine = { ...l.ids, status: lineStatus, code: l.code };
      if (l.lineNumber !== undefined) line.lineNumber = l.lineNumber;
      if (quantity !== undefined) line.quantity = quantity;
      if (l.reason !== undefined) line.reason = l.reason;
      return line;
    }),
  };
}
