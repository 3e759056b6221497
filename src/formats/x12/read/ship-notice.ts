/**
 * 856 Ship Notice → one Shipment per order (PO) it covers.
 *
 * The HL tree is built from the parent ids (HL02), so S/O/P/I, S/O/I, S/O/I/P and tare (T) levels
 * all read the same way; an HL02 that is blank or `0` (as some carrier systems write it) means "no
 * parent". Per order HL: PRF01 is our PO number; the carrier (TD503), service (TD512, else TD505)
 * and ship date (DTM*011) come from the order level, else its ancestors, else the header; tracking
 * numbers are those at the configured locations (`trackingFrom`) in the order's subtree plus the
 * shipment level, deduplicated; each LIN (with the SN1 after it) is a line, with every product id
 * it carries. Without any O level, each topmost HL carrying a PRF is taken as the order. Order HLs
 * quoting the same PO are merged into one Shipment (tracking numbers and lines together).
 *
 * Tolerated with a warning (the value is dropped, the rest applies): a ship date that is not a
 * date. Refused (X12SetError with the 997's AK3/AK4 detail): no BSN, no HL, an order without PRF01,
 * an SN102 that is missing or not a quantity, a LIN without SN1, a broken HL tree.
 *
 * Tracking numbers: `REF*BM` is a bill of lading; when the mapping lists it, only values recognised
 * as a carrier's tracking number are taken (tracking-numbers.ts), never a freight bill. When the
 * file names no carrier, a carrier recognised from the tracking numbers is used.
 */
import type { Shipment, ShipmentLine } from '../../../canonical/inbound.ts';
import { recognizeTrackingNumber } from '../../tracking-numbers.ts';
import { el, type Segment, type X12Set } from './reader.ts';
import { findSegment, itemIds, lineNumber, optionalDate, x12Quantity } from './values.ts';

/** Where tracking numbers may be: `REF*CN` is REF02 of a REF whose REF01 is CN; `MAN*CP` likewise. */
export type TrackingLocation = string;

export const DEFAULT_TRACKING_FROM: readonly TrackingLocation[] = ['REF*CN', 'REF*2I', 'MAN*CP'];

export interface ShipNoticeOptions {
  trackingFrom?: readonly TrackingLocation[];
}

interface HlNode {
  id: string;
  level: string;
  /** Index of the HL segment in the set. */
  index: number;
  parent: HlNode | undefined;
  children: HlNode[];
  /** Indexes of the segments after this HL, up to the next HL. */
  own: number[];
}

function buildTree(set: X12Set): { header: number[]; nodes: HlNode[] } {
  const header: number[] = [];
  const nodes: HlNode[] = [];
  const byId = new Map<string, HlNode>();
  const lastOfLevel = new Map<string, HlNode>();
  let current: HlNode | undefined;
  let summary = false;
  const segs = set.segments;
  for (let i = 1; i < segs.length; i++) {
    const seg = segs[i] as Segment;
    const id = seg[0];
    if (id === 'HL') {
      const hlId = el(seg, 1);
      const parentId = el(seg, 2);
      const level = el(seg, 3);
      if (!hlId) throw set.error('HL01 (hierarchical id) missing', i, { element: 1, reference: '628', code: '1' });
      if (byId.has(hlId)) throw set.error(`HL id ${JSON.stringify(hlId)} used twice`, i, { element: 1, reference: '628', code: '7', value: hlId });
      if (!level) throw set.error(`HL ${hlId}: HL03 (level code) missing`, i, { element: 3, reference: '735', code: '1' });
      let parent: HlNode | undefined;
      // A blank or zero parent id means none (a carrier-side layout writes HL*1*0*S).
      if (parentId && !/^0+$/.test(parentId)) {
        parent = byId.get(parentId);
        if (!parent) {
          throw set.error(`HL ${hlId}: parent ${JSON.stringify(parentId)} is not an earlier HL`, i, { element: 2, reference: '734', code: '7', value: parentId });
        }
      } else if (level !== 'S' && nodes.length > 0) {
        // No parent id: attach to the latest order (or shipment), as a reader of the layout would.
        parent = level === 'O' ? lastOfLevel.get('S') : (lastOfLevel.get('O') ?? lastOfLevel.get('S'));
      }
      const node: HlNode = { id: hlId, level, index: i, parent, children: [], own: [] };
      parent?.children.push(node);
      nodes.push(node);
      byId.set(hlId, node);
      lastOfLevel.set(level, node);
      current = node;
      summary = false;
    } else if (summary || id === 'CTT' || id === 'SE' || id === 'AMT') {
      summary = true;
    } else if (current) {
      current.own.push(i);
    } else {
      header.push(i);
    }
  }
  return { header, nodes };
}

function subtree(node: HlNode): HlNode[] {
  const out: HlNode[] = [];
  const stack = [node];
  while (stack.length) {
    const n = stack.pop() as HlNode;
    out.push(n);
    for (let c = n.children.length - 1; c >= 0; c--) stack.push(n.children[c] as HlNode);
  }
  return out;
}

function ancestors(node: HlNode): HlNode[] {
  const out: HlNode[] = [];
  for (let p = node.parent; p; p = p.parent) out.push(p);
  return out;
}

function parseLocations(locations: readonly TrackingLocation[]): { id: string; qualifier: string }[] {
  return locations.map((l) => {
    const [id = '', qualifier = ''] = l.split('*');
    return { id, qualifier };
  });
}

/** Reads an 856 into one Shipment per order HL. */
export function parseShipNotice(set: X12Set, options: ShipNoticeOptions = {}): Shipment[] {
  const locations = parseLocations(options.trackingFrom ?? DEFAULT_TRACKING_FROM);
  const bsnIndex = findSegment(set, [1, 2], 'BSN');
  if (bsnIndex === undefined) throw set.error('BSN (beginning segment for ship notice) missing', 1, { segment: 'BSN', segmentCode: '3' });
  const shipmentId = el(set.segments[bsnIndex] as Segment, 2) || undefined;
  // CTT, SE (and AMT) close the detail area: what follows belongs to no HL.

  const { header, nodes } = buildTree(set);
  if (nodes.length === 0) throw set.error('no HL loops: nothing shipped', bsnIndex + 1, { segment: 'HL', segmentCode: '3' });

  let orders = nodes.filter((n) => n.level === 'O');
  if (orders.length === 0) {
    // No order level (S/I, S/P/I): each topmost HL with a PRF stands for its order.
    orders = nodes.filter(
      (n) => findSegment(set, n.own, 'PRF') !== undefined && !ancestors(n).some((a) => findSegment(set, a.own, 'PRF') !== undefined),
    );
    if (orders.length === 0) throw set.error('no order (HL*O) and no PRF: which PO was shipped?', bsnIndex + 1, { segment: 'PRF', segmentCode: '3' });
  }

  // Shipment-level facts are read once per segment, whichever orders they are shared by.
  const dates = new Map<number, string | undefined>();
  const shipments = orders.map((order) => {
    const tree = subtree(order);
    const up = ancestors(order);

    let prf = findSegment(set, order.own, 'PRF');
    for (let n = 1; prf === undefined && n < tree.length; n++) prf = findSegment(set, (tree[n] as HlNode).own, 'PRF');
    const poNumber = prf === undefined ? '' : el(set.segments[prf] as Segment, 1);
    if (!poNumber) {
      throw set.error(
        `order HL ${order.id} has no PRF01 (purchase order number)`,
        prf ?? order.index,
        prf === undefined ? { segment: 'PRF', segmentCode: '3' } : { element: 1, reference: '324', code: '1' },
      );
    }

    const shipment: Shipment = { poNumber, trackingNumbers: [], lines: [] };
    if (shipmentId) shipment.shipmentId = shipmentId;
    // Shipment-level facts: the order first, then its ancestors, then the header.
    shipmentFacts(set, order.own, shipment, dates);
    for (const a of up) shipmentFacts(set, a.own, shipment, dates);
    shipmentFacts(set, header, shipment, dates);
    // Tracking: the shipment level and the order's subtree, in file order.
    const seen = new Set<string>();
    collectTracking(set, header, locations, seen, shipment);
    for (let a = up.length - 1; a >= 0; a--) collectTracking(set, (up[a] as HlNode).own, locations, seen, shipment);
    for (const node of tree) collectTracking(set, node.own, locations, seen, shipment);
    // No carrier named: the one whose tracking-number form all the numbers share settles it.
    if (shipment.carrier === undefined && shipment.trackingNumbers.length) {
      const carriers = new Set(shipment.trackingNumbers.map((t) => recognizeTrackingNumber(t)?.carrier));
      const [only] = carriers;
      if (carriers.size === 1 && only) shipment.carrier = only;
    }
    // Lines: each LIN with the SN1 after it, wherever in the subtree (normally at I level).
    for (const node of tree) collectLines(set, node, shipment);
    return shipment;
  });
  return mergeByPo(shipments);
}

/** TD5 carrier/service and DTM*011 among `indexes`, where not already known. */
function shipmentFacts(set: X12Set, indexes: readonly number[], shipment: Shipment, dates: Map<number, string | undefined>): void {
  for (const i of indexes) {
    const seg = set.segments[i] as Segment;
    const id = seg[0];
    if (id === 'TD5') {
      const scac = el(seg, 3);
      if (scac && shipment.carrier === undefined) shipment.carrier = scac;
      const service = el(seg, 12) || el(seg, 5);
      if (service && shipment.service === undefined) shipment.service = service;
    } else if (id === 'DTM' && shipment.shippedAt === undefined && el(seg, 1) === '011') {
      if (!dates.has(i)) dates.set(i, optionalDate(el(seg, 2), { set, index: i, element: 2, reference: '373' }, 'DTM*011 ship date'));
      const date = dates.get(i);
      if (date) shipment.shippedAt = date;
    }
  }
}

function addTracking(value: string, seen: Set<string>, shipment: Shipment): void {
  if (value && !seen.has(value)) {
    seen.add(value);
    shipment.trackingNumbers.push(value);
  }
}

/**
 * The values at the configured locations among `indexes` (MAN also carries a pair in MAN04/05). A
 * bill of lading (REF*BM) counts only when it has the form of a carrier's tracking number.
 */
function collectTracking(
  set: X12Set,
  indexes: readonly number[],
  locations: readonly { id: string; qualifier: string }[],
  seen: Set<string>,
  shipment: Shipment,
): void {
  for (const i of indexes) {
    const seg = set.segments[i] as Segment;
    for (const loc of locations) {
      if (seg[0] !== loc.id) continue;
      if (el(seg, 1) === loc.qualifier) {
        const value = el(seg, 2);
        if (loc.id === 'REF' && loc.qualifier === 'BM' && value) {
          if (recognizeTrackingNumber(value, shipment.carrier)) addTracking(value, seen, shipment);
          else if (!seen.has(`BM:${value}`)) {
            seen.add(`BM:${value}`);
            set.warn(`REF*BM ${JSON.stringify(value)} is a bill of lading, not a carrier's tracking number: not taken as one`, i, null);
          }
          continue;
        }
        addTracking(value, seen, shipment);
      }
      if (loc.id === 'MAN' && el(seg, 4) === loc.qualifier) addTracking(el(seg, 5), seen, shipment);
    }
  }
}

/** LIN/SN1 pairs in one HL's own segments → shipment lines (zero quantities are not shipments). */
function collectLines(set: X12Set, node: HlNode, shipment: Shipment): void {
  let line: ShipmentLine | undefined;
  let lineAt = -1;
  let quantity: number | undefined;
  for (const i of node.own) {
    const seg = set.segments[i] as Segment;
    const id = seg[0];
    if (id === 'LIN') {
      if (line) pushLine(set, node, line, lineAt, quantity, shipment);
      lineAt = i;
      quantity = undefined;
      line = itemIds(seg, 2, { quantity: 0 } as ShipmentLine, { set, index: i });
      const n = lineNumber(el(seg, 1));
      if (n !== undefined) line.lineNumber = n;
    } else if (id === 'SN1') {
      if (!line) {
        // SN1 without LIN: a quantity for an unidentified line (the pipeline decides).
        line = { quantity: 0 };
        lineAt = i;
      } else if (quantity !== undefined) {
        continue; // a second SN1 for the same LIN: the first is the shipped quantity
      }
      if (line.lineNumber === undefined) {
        const n = lineNumber(el(seg, 1));
        if (n !== undefined) line.lineNumber = n;
      }
      quantity = x12Quantity(el(seg, 2), { set, index: i, element: 2, reference: '382' }, 'SN102 quantity shipped');
      if (quantity === undefined) throw set.error('SN102 (quantity shipped) missing', i, { element: 2, reference: '382', code: '1' });
    }
  }
  if (line) pushLine(set, node, line, lineAt, quantity, shipment);
}

function pushLine(
  set: X12Set,
  node: HlNode,
  line: ShipmentLine,
  at: number,
  quantity: number | undefined,
  shipment: Shipment,
): void {
  if (quantity === undefined) throw set.error(`LIN without SN1 (quantity shipped) in HL ${node.id}`, at, { segment: 'SN1', segmentCode: '3' });
  if (quantity > 0) {
    line.quantity = quantity;
    shipment.lines.push(line);
  }
}

/** Several order HLs for the same PO (one per line, say) are one shipment of that PO. */
function mergeByPo(shipments: Shipment[]): Shipment[] {
  const byPo = new Map<string, Shipment>();
  for (const s of shipments) {
    const first = byPo.get(s.poNumber);
    if (!first) {
      byPo.set(s.poNumber, s);
      continue;
    }
    for (const t of s.trackingNumbers) if (!first.trackingNumbers.includes(t)) first.trackingNumbers.push(t);
    first.lines.push(...s.lines);
    first.carrier ??= s.carrier;
    first.service ??= s.service;
    first.shippedAt ??= s.shippedAt;
  }
  return [...byPo.values()];
}
