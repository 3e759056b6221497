/**
 * What a supplier's EDI system would send back, written by hand from the X12 structure (not with the
 * hub's own writer), so that the tests read files the hub did not make.
 */

function pad(value: string, width: number): string {
  return value.padEnd(width, ' ').slice(0, width);
}

export interface EnvelopeParties {
  /** The supplier (sender of these files). */
  senderId: string;
  /** The hub (receiver). */
  receiverId: string;
  controlNumber: number;
  version?: '004010' | '005010';
}

/** Wraps transaction sets (each an array of segments without ST/SE) in ISA/GS/GE/IEA with right counts. */
export function interchange(parties: EnvelopeParties, functionalId: string, sets: { id: string; body: string[] }[]): string {
  const version = parties.version ?? '004010';
  const n = String(parties.controlNumber).padStart(9, '0');
  const isa = [
    'ISA', '00', pad('', 10), '00', pad('', 10), 'ZZ', pad(parties.senderId, 15), 'ZZ', pad(parties.receiverId, 15),
    '261127', '0930', version === '005010' ? '^' : 'U', version === '005010' ? '00501' : '00401', n, '0', 'P', '>',
  ].join('*');
  const lines = [isa, ['GS', functionalId, parties.senderId, parties.receiverId, '20261127', '0930', String(parties.controlNumber), 'X', version].join('*')];
  sets.forEach((set, i) => {
    const st02 = String(i + 1).padStart(4, '0');
    lines.push(`ST*${set.id}*${st02}`, ...set.body, `SE*${set.body.length + 2}*${st02}`);
  });
  lines.push(`GE*${sets.length}*${parties.controlNumber}`, `IEA*1*${n}`);
  return lines.map((l) => `${l}~`).join('\n') + '\n';
}

export interface ShipNoticeOrder {
  poNumber: string;
  /** Supplier SKU and quantity per item; a tracking number per package. */
  items: { supplierSku: string; sku?: string; quantity: number }[];
  tracking: string[];
}

/** An 856 in Shipment/Order/Pack/Item form: one S, per order one O, per tracking number a P, items under the first P. */
export function shipNotice(parties: EnvelopeParties, shipmentId: string, orders: ShipNoticeOrder[], carrier = 'UPSN'): string {
  const body = [`BSN*00*${shipmentId}*20261127*0930*0001`, 'HL*1**S', 'TD1*CTN25*1', `TD5**2*${carrier}*U*GROUND`, 'DTM*011*20261127'];
  let hl = 1;
  for (const order of orders) {
    const orderHl = ++hl;
    body.push(`HL*${orderHl}*1*O`, `PRF*${order.poNumber}`);
    order.tracking.forEach((tracking, t) => {
      const packHl = ++hl;
      body.push(`HL*${packHl}*${orderHl}*P`, `MAN*CP*${tracking}`);
      if (t === 0) {
        for (const item of order.items) {
          body.push(`HL*${++hl}*${packHl}*I`, `LIN**VN*${item.supplierSku}${item.sku ? `*SK*${item.sku}` : ''}`, `SN1**${item.quantity}*EA`);
        }
      }
    });
  }
  body.push(`CTT*${hl}`);
  return interchange(parties, 'SH', [{ id: '856', body }]);
}

/** An 855: BAK accept (AD/AC) or reject (RJ), with ACK per line. */
export function poAck(
  parties: EnvelopeParties,
  poNumber: string,
  bak02: 'AD' | 'AC' | 'RJ',
  lines: { supplierSku: string; quantity: number; ack: 'IA' | 'IB' | 'IR' | 'IQ'; price?: string }[],
): string {
  const body = [`BAK*00*${bak02}*${poNumber}*20261126`];
  lines.forEach((line, i) => {
    body.push(`PO1*${i + 1}*${line.quantity}*EA*${line.price ?? '1.00'}**VN*${line.supplierSku}`, `ACK*${line.ack}*${line.quantity}*EA`);
  });
  body.push(`CTT*${lines.length}`);
  return interchange(parties, 'PR', [{ id: '855', body }]);
}

/** A 997 answering one of our groups (AK1 = PO + our GS06). */
export function functionalAck(parties: EnvelopeParties, groupControlNumber: number, status: 'A' | 'E' | 'R'): string {
  const body = [`AK1*PO*${groupControlNumber}`, 'AK2*850*0001', `AK5*${status}`, `AK9*${status}*1*1*${status === 'R' ? 0 : 1}`];
  return interchange(parties, 'FA', [{ id: '997', body }]);
}
