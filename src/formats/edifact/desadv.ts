/**
 * DESADV (despatch advice) → Shipment[], one per purchase order it ships.
 *
 *   BGM+351+<despatch number>'                    the shipment id
 *   DTM+11:<date>:102'                            despatch date (else DTM+137, the document date)
 *   RFF+ON:<our PO number>'                       header: the PO of every line without its own
 *   TDT+20++++<carrier id>::182:<carrier name>'   carrier: C040 3127, else 3128; service: C228 8178
 *   CPS+<n>+<parent>'                             packaging hierarchy
 *     PAC, PCI, GIN+BN+<tracking>'                package labels (tracking numbers)
 *     LIN+<n>++<item>:<type>'  PIA  QTY+12:<shipped>'  RFF+ON:<PO>' (line-level PO)
 *   RFF+CN:<tracking>'                            carrier's reference: a tracking number too
 *
 * Where tracking numbers come from is the inbound rule's `trackingFrom` (default GIN+BN and
 * RFF+CN). A tracking number inside a CPS goes to the POs whose lines are in that package or the
 * packages under it (to every PO of the message when none are); one in the header to every PO.
 */
import type { Shipment, ShipmentLine } from '../../canonical/inbound.ts';
import { SYNTAX_ERROR } from './errors.ts';
import type { EdifactMessage } from './message.ts';
import { addPiaIds, dtmValue, hasId, linIds, qty, type ItemIds } from './values.ts';

export interface DesadvOptions {
  /** `TAG+QUALIFIER` pairs: GIN+BN, GIN+BJ (SSCC), RFF+CN, RFF+BM (bill of lading), RFF+AAS, … */
  trackingFrom?: readonly string[];
}

export const DEFAULT_TRACKING_FROM: readonly string[] = ['GIN+BN', 'RFF+CN'];

interface Package {
  id: string;
  parent: string;
  tracking: string[];
  pos: Set<string>;
}

interface OpenLine {
  index: number;
  lineNumber: number | undefined;
  ids: ItemIds;
  quantity: number | undefined;
  poNumber: string | undefined;
  pack: Package | undefined;
}

export function parseDesadv(m: EdifactMessage, options: DesadvOptions = {}): Shipment[] {
  const from = new Set((options.trackingFrom ?? DEFAULT_TRACKING_FROM).map((s) => s.toUpperCase()));
  let shipmentId = '';
  let despatched: string | undefined;
  let documentDate: string | undefined;
  let headerPo = '';
  let carrier = '';
  let service = '';
  const headerTracking: string[] = [];
  const packages = new Map<string, Package>();
  const lines: OpenLine[] = [];
  let pack: Package | undefined;
  let line: OpenLine | undefined;
  const last = m.segments.length - 1;

  const addTracking = (value: string): void => {
    if (value === '') return;
    const list = pack ? pack.tracking : headerTracking;
    if (!list.includes(value)) list.push(value);
  };

  for (let index = 1; index < last; index++) {
    const s = m.segments[index]!;
    const at = { message: m, index };
    switch (s.tag) {
      case 'BGM':
        shipmentId = m.identifierAt(s, index, 2, 1, 'despatch advice number (BGM 1004)');
        break;
      case 'DTM': {
        const q = m.code(s, 1, 1);
        if (!pack && !line && (q === '11' || q === '137')) {
          const value = dtmValue(at);
          if (q === '11') despatched ??= value;
          else documentDate ??= value;
        }
        break;
      }
      case 'RFF': {
        const q = m.code(s, 1, 1);
        if (q === 'ON') {
          const po = m.identifierAt(s, index, 1, 2, 'order number (RFF+ON)');
          if (line) line.poNumber ??= po;
          else if (!pack && headerPo === '') headerPo = po;
        }
        if (from.has(`RFF+${q}`)) addTracking(m.identifierAt(s, index, 1, 2, () => `tracking number (RFF+${q})`));
        break;
      }
      case 'TDT':
        if (!carrier) carrier = m.code(s, 5, 1) || m.value(s, 5, 4).trim();
        if (!service) service = m.value(s, 4, 2).trim();
        break;
      case 'CPS': {
        line = undefined;
        const id = m.code(s, 1) || String(packages.size + 1);
        pack = { id, parent: m.code(s, 2), tracking: [], pos: new Set() };
        packages.set(id, pack);
        break;
      }
      case 'GIN': {
        const q = m.code(s, 1);
        if (from.has(`GIN+${q}`)) {
          for (let e = 2; e <= Math.min(6, s.elements.length); e++) addTracking(m.identifierAt(s, index, e, 1, () => `identity number (GIN+${q})`));
        }
        break;
      }
      case 'LIN': {
        const { lineNumber, ids } = linIds(at);
        line = { index, lineNumber, ids, quantity: undefined, poNumber: undefined, pack };
        lines.push(line);
        break;
      }
      case 'PIA':
        if (line) addPiaIds(at, line.ids);
        break;
      case 'QTY':
        if (line) {
          const q = qty(at);
          if (q.qualifier === '12' && line.quantity === undefined) line.quantity = q.quantity;
        }
        break;
      case 'UNS':
        pack = undefined;
        line = undefined;
        break;
    }
  }

  // One shipment per PO, in the order the POs first appear.
  const byPo = new Map<string, Shipment>();
  const shipmentFor = (po: string): Shipment => {
    let shipment = byPo.get(po);
    if (!shipment) {
      shipment = { poNumber: po, trackingNumbers: [], lines: [] };
      if (shipmentId) shipment.shipmentId = shipmentId;
      if (carrier) shipment.carrier = carrier;
      if (service) shipment.service = service;
      const shippedAt = despatched ?? documentDate;
      if (shippedAt) shipment.shippedAt = shippedAt;
      byPo.set(po, shipment);
    }
    return shipment;
  };
  for (const l of lines) {
    const po = l.poNumber ?? headerPo;
    if (!po) throw m.error('LIN has no RFF+ON (order number), and the header has none either', l.index, { code: SYNTAX_ERROR.missing });
    if (l.quantity === undefined) throw m.error('LIN has no QTY+12 (despatch quantity)', l.index, { code: SYNTAX_ERROR.missing });
    if (!hasId(l.ids) && l.lineNumber === undefined) throw m.error('LIN has neither a line number nor an item number', l.index, { code: SYNTAX_ERROR.missing });
    const shipmentLine: ShipmentLine = { ...l.ids, quantity: l.quantity };
    if (l.lineNumber !== undefined) shipmentLine.lineNumber = l.lineNumber;
    shipmentFor(po).lines.push(shipmentLine);
    // The line's PO belongs to its package and to every package above it.
    for (let p = l.pack, depth = 0; p && depth <= packages.size; p = packages.get(p.parent), depth++) p.pos.add(po);
  }
  if (byPo.size === 0) {
    if (!headerPo) throw m.error('no RFF+ON (order number): which order does this despatch advice ship?', undefined, { code: SYNTAX_ERROR.missing });
    shipmentFor(headerPo);
  }
  const all = [...byPo.values()];
  const give = (shipments: Shipment[], tracking: readonly string[]): void => {
    for (const shipment of shipments) for (const t of tracking) if (!shipment.trackingNumbers.includes(t)) shipment.trackingNumbers.push(t);
  };
  give(all, headerTracking);
  for (const p of packages.values()) {
    if (p.tracking.length === 0) continue;
    give(p.pos.size ? all.filter((s) => p.pos.has(s.poNumber)) : all, p.tracking);
  }
  return all;
}
