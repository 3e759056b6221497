/**
 * 855 PO Acknowledgment → Acknowledgment.
 *
 * BAK02: AD/AK/AT/AP accepted, AC/AE accepted with changes, RD/RF/RJ/RO rejected. BAK03 is our PO
 * number. Each ACK after a PO1 is a line status (IA accepted, IB backordered, IQ quantity changed,
 * IR/R1–R4 rejected, ID deleted, IS substituted, anything else "other"); a line may carry several
 * ACKs (5 accepted, 3 backordered). The reason is the MSG01 or NTE02 that follows (within the PO1
 * loop). A PO1 without any ACK takes the header's status with an empty code. Each line carries
 * every product id of its PO1 (or of its ACK, where the ACK names the item).
 *
 * Quantities (PO102, ACK02) the hub can do without: a bad one is dropped with a warning.
 */
import type { Acknowledgment, LineAckStatus } from '../../../canonical/inbound.ts';
import { el, type Segment, type X12Set } from './reader.ts';
import { findSegment, itemIds, lineNumber, optionalQuantity, type ItemIds } from './values.ts';

const HEADER_STATUS: Record<string, Acknowledgment['status']> = {
  AD: 'accepted',
  AK: 'accepted',
  AT: 'accepted',
  AP: 'accepted',
  AC: 'accepted_with_changes',
  AE: 'accepted_with_changes',
  RD: 'rejected',
  RF: 'rejected',
  RJ: 'rejected',
  RO: 'rejected',
};

const LINE_STATUS: Record<string, LineAckStatus> = {
  IA: 'accepted',
  IB: 'backordered',
  IQ: 'quantity_changed',
  IR: 'rejected',
  R1: 'rejected',
  R2: 'rejected',
  R3: 'rejected',
  R4: 'rejected',
  ID: 'deleted',
  IS: 'substituted',
};

type AckLine = Acknowledgment['lines'][number];

/** Reads an 855. */
export function parsePoAck(set: X12Set): Acknowledgment {
  const bakIndex = findSegment(set, set.segments.map((_, i) => i), 'BAK');
  if (bakIndex === undefined) throw set.error('BAK (beginning segment for PO acknowledgment) missing', 1, { segment: 'BAK', segmentCode: '3' });
  const bak = set.segments[bakIndex] as Segment;
  const code = el(bak, 2);
  const status = HEADER_STATUS[code];
  if (status === undefined) {
    throw set.error(`BAK02 acknowledgment type ${JSON.stringify(code)} is not one the hub understands`, bakIndex, { element: 2, reference: '587', code: code ? '7' : '1', value: code });
  }
  const poNumber = el(bak, 3);
  if (!poNumber) throw set.error('BAK03 (purchase order number) missing', bakIndex, { element: 3, reference: '324', code: '1' });

  const ack: Acknowledgment = { poNumber, status, code, lines: [] };

  // The PO1 loop being read: its ids, its ACK lines, and a reason seen before its first ACK.
  let po1: { number?: number; ids: ItemIds; quantity?: number; lines: AckLine[]; reason?: string } | undefined;
  let lastAck: AckLine | undefined;
  const closeLoop = (): void => {
    if (!po1) return;
    if (po1.lines.length === 0) {
      const line: AckLine = { ...po1.ids, status: status === 'rejected' ? 'rejected' : 'accepted', code: '' };
      if (po1.number !== undefined) line.lineNumber = po1.number;
      if (po1.quantity !== undefined) line.quantity = po1.quantity;
      if (po1.reason !== undefined) line.reason = po1.reason;
      po1.lines.push(line);
    }
    ack.lines.push(...po1.lines);
    po1 = undefined;
    lastAck = undefined;
  };

  for (let i = bakIndex + 1; i < set.segments.length; i++) {
    const seg = set.segments[i] as Segment;
    switch (seg[0]) {
      case 'PO1': {
        closeLoop();
        const number = lineNumber(el(seg, 1));
        const quantity = optionalQuantity(el(seg, 2), { set, index: i, element: 2, reference: '330' }, 'PO102 quantity ordered');
        po1 = { ids: itemIds(seg, 6, undefined, { set, index: i }), lines: [] };
        if (number !== undefined) po1.number = number;
        if (quantity !== undefined) po1.quantity = quantity;
        break;
      }
      case 'ACK': {
        if (!po1) throw set.error('ACK before any PO1 line', i, { segment: 'PO1', segmentCode: '3' });
        const lineCode = el(seg, 1);
        if (!lineCode) throw set.error('ACK01 (line status) missing', i, { element: 1, reference: '668', code: '1' });
        // ACK07 on: the item the line status is about, when it names one (a substitute, say).
        const ackIds = itemIds(seg, 7);
        const line: AckLine = { ...po1.ids, ...(ackIds.ids ? ackIds : {}), status: LINE_STATUS[lineCode] ?? 'other', code: lineCode };
        if (po1.number !== undefined) line.lineNumber = po1.number;
        const quantity = optionalQuantity(el(seg, 2), { set, index: i, element: 2, reference: '380' }, 'ACK02 quantity');
        if (quantity !== undefined) line.quantity = quantity;
        else if (po1.quantity !== undefined && po1.lines.length === 0) line.quantity = po1.quantity;
        if (po1.reason !== undefined) line.reason = po1.reason;
        po1.lines.push(line);
        lastAck = line;
        break;
      }
      case 'MSG':
      case 'NTE': {
        const text = seg[0] === 'MSG' ? el(seg, 1) : el(seg, 2);
        if (!text || !po1) break; // header notes are not line reasons
        if (lastAck) {
          if (lastAck.reason === undefined) lastAck.reason = text;
        } else if (po1.reason === undefined) {
          po1.reason = text;
        }
        break;
      }
      case 'CTT':
      case 'SE':
        closeLoop();
        break;
      default:
        break;
    }
  }
  closeLoop();
  return ack;
}
