/**
 * 997 / 999 Functional Acknowledgment → FunctionalAck: which of our groups (AK1: GS01 + GS06) the
 * partner accepted (AK9), and per set (AK2) its status (AK5 / IK5) and errors (AK3/AK4 or IK3/IK4,
 * rendered as short readable strings).
 */
import type { FunctionalAck } from '../../../canonical/inbound.ts';
import { el, type Segment, type X12Set } from './reader.ts';

const GROUP_STATUS = new Set(['A', 'E', 'P', 'R', 'M', 'W', 'X']);

function segmentError(seg: Segment): string {
  // AK3/IK3: segment id, position in set, loop id, error code
  const parts = [`${seg[0]} segment ${el(seg, 1) || '?'}`];
  if (el(seg, 2)) parts.push(`at position ${el(seg, 2)}`);
  if (el(seg, 3)) parts.push(`in loop ${el(seg, 3)}`);
  if (el(seg, 4)) parts.push(`error ${el(seg, 4)}`);
  return parts.join(' ');
}

function elementError(seg: Segment, set: X12Set): string {
  // AK4/IK4: position (composite: element:component:repeat), data element ref, error code, bad value
  const position = el(seg, 1);
  const parts = [`${seg[0]} element ${set.component(seg, 1, 1) || position || '?'}`];
  const comp = set.component(seg, 1, 2);
  if (comp) parts[0] += `.${comp}`;
  if (el(seg, 2)) parts.push(`(data element ${el(seg, 2)})`);
  if (el(seg, 3)) parts.push(`error ${el(seg, 3)}`);
  if (el(seg, 4)) parts.push(`value ${JSON.stringify(el(seg, 4))}`);
  return parts.join(' ');
}

/** Reads a 997 or 999. */
export function parseFunctionalAck(set: X12Set): FunctionalAck {
  let ack: FunctionalAck | undefined;
  let current: FunctionalAck['sets'][number] | undefined;
  let currentIndex = 0;
  let ak9 = false;
  const closeSet = (): void => {
    if (!current) return;
    if (!current.status) throw set.error(`AK2 ${current.transactionSet} ${current.controlNumber} without AK5/IK5`, currentIndex, { segment: 'AK5', segmentCode: '3' });
    current = undefined;
  };
  for (let i = 1; i < set.segments.length; i++) {
    const seg = set.segments[i] as Segment;
    const id = seg[0];
    if (id === 'AK1') {
      if (ack) throw set.error('second AK1 in one functional acknowledgment', i, { segmentCode: '5' });
      const functionalId = el(seg, 1);
      const control = el(seg, 2);
      if (!functionalId) throw set.error('AK101 (functional id) missing', i, { element: 1, reference: '479', code: '1' });
      if (!/^\d{1,9}$/.test(control)) throw set.error(`AK102 group control number ${JSON.stringify(control)} is not numeric`, i, { element: 2, reference: '28', code: control ? '6' : '1', value: control });
      ack = { functionalId, groupControlNumber: Number(control), status: 'A', sets: [] };
      continue;
    }
    if (id === 'SE') continue;
    if (!ack) throw set.error(`${id} before AK1`, i, { segment: 'AK1', segmentCode: '3' });
    switch (id) {
      case 'AK2':
        closeSet();
        current = { transactionSet: el(seg, 1), controlNumber: el(seg, 2), status: '', errors: [] };
        currentIndex = i;
        ack.sets.push(current);
        break;
      case 'AK3':
      case 'IK3':
        if (!current) throw set.error(`${id} outside an AK2 loop`, i, { segmentCode: '2' });
        current.errors.push(segmentError(seg));
        break;
      case 'AK4':
      case 'IK4':
        if (!current) throw set.error(`${id} outside an AK2 loop`, i, { segmentCode: '2' });
        current.errors.push(elementError(seg, set));
        break;
      case 'AK5':
      case 'IK5': {
        if (!current) throw set.error(`${id} outside an AK2 loop`, i, { segmentCode: '2' });
        const status = el(seg, 1);
        if (!status) throw set.error(`${id}01 (set status) missing`, i, { element: 1, reference: '717', code: '1' });
        current.status = status;
        for (let n = 2; n <= 6; n++) if (el(seg, n)) current.errors.push(`${id} error ${el(seg, n)}`);
        current = undefined;
        break;
      }
      case 'AK9': {
        closeSet();
        const status = el(seg, 1);
        if (!GROUP_STATUS.has(status)) throw set.error(`AK901 status ${JSON.stringify(status)} is not A, E, P, R, M, W or X`, i, { element: 1, reference: '715', code: status ? '7' : '1', value: status });
        ack.status = status as FunctionalAck['status'];
        ak9 = true;
        break;
      }
      default:
        break; // CTX and others: context only
    }
  }
  if (!ack) throw set.error('AK1 missing: not a functional acknowledgment', 1, { segment: 'AK1', segmentCode: '3' });
  closeSet();
  if (!ak9) throw set.error('AK9 (group response) missing', set.segments.length - 1, { segment: 'AK9', segmentCode: '3' });
  return ack;
}
