/**
 * EDIFACT files as a supplier would send them, written here by hand (segment strings), not by the
 * hub's writer: an independent peer for the hub's reader.
 */

export interface EdifactParties {
  senderId: string;
  recipientId: string;
  /** UNB 0020. */
  reference: string | number;
  /** UNB 0031 = 1: the supplier asks for a CONTRL. */
  ackRequested?: boolean;
  syntax?: 'UNOA' | 'UNOB' | 'UNOC';
}

/** One interchange (default service characters, a UNA first), each message given as its segments between UNH and UNT. */
export function edifactInterchange(parties: EdifactParties, messages: { type: string; segments: string[] }[]): string {
  const out = [
    `UNB+${parties.syntax ?? 'UNOC'}:3+${parties.senderId}:ZZ+${parties.recipientId}:ZZ+261128:1405+${parties.reference}${parties.ackRequested ? '++++1' : ''}`,
  ];
  messages.forEach((message, i) => {
    const ref = `M${i + 1}`;
    out.push(`UNH+${ref}+${message.type}:D:96A:UN`, ...message.segments, `UNT+${message.segments.length + 2}+${ref}`);
  });
  out.push(`UNZ+${messages.length}+${parties.reference}`);
  return `UNA:+.? '${out.map((s) => `${s}'`).join('\n')}\n`;
}

/** A despatch advice shipping `lines` of one PO, the tracking numbers on GIN+BN inside one package. */
export function desadv(poNumber: string, shipmentId: string, lines: { supplierSku: string; quantity: number }[], tracking: string[]) {
  return {
    type: 'DESADV',
    segments: [
      `BGM+351+${shipmentId}+9`,
      'DTM+11:20261128:102',
      `RFF+ON:${poNumber}`,
      'TDT+20+++:EXPRESS+DHL::182:DHL',
      'CPS+1',
      'PAC+1++CT',
      `GIN+BN+${tracking.join('+')}`,
      ...lines.flatMap((line, i) => [`LIN+${i + 1}`, `PIA+5+${line.supplierSku}:SA`, `QTY+12:${line.quantity}`]),
    ],
  };
}

/** An order response: BGM 1225 29 (accepted) or 27 (rejected), each line by its supplier SKU with LIN 1229 5 (accepted) or 7 (rejected). */
export function ordrsp(poNumber: string, status: 'accepted' | 'rejected', lines: { supplierSku: string; quantity: number; accepted: boolean }[]) {
  return {
    type: 'ORDRSP',
    segments: [
      `BGM+231+RSP-${poNumber}+${status === 'accepted' ? '29' : '27'}`,
      'DTM+137:20261127:102',
      `RFF+ON:${poNumber}`,
      ...lines.flatMap((line, i) => [`LIN+${i + 1}+${line.accepted ? '5' : '7'}`, `PIA+5+${line.supplierSku}:SA`, `QTY+21:${line.quantity}`, `QTY+113:${line.accepted ? line.quantity : 0}`]),
    ],
  };
}

/** An inventory report: stock on hand (QTY+145) per supplier SKU, as of DTM+366. */
export function invrpt(items: { supplierSku: string; available: number }[]) {
  return {
    type: 'INVRPT',
    segments: ['BGM+35+STOCK-1', 'DTM+137:20261129:102', 'DTM+366:202611290545:203', ...items.flatMap((item, i) => [`LIN+${i + 1}`, `PIA+5+${item.supplierSku}:SA`, `QTY+145:${item.available}`])],
  };
}

/** An invoice for one PO: one line per supplier SKU with its unit price, the total after UNS. */
export function invoic(poNumber: string, invoiceNumber: string, lines: { supplierSku: string; quantity: number; price: string }[], total: string) {
  return {
    type: 'INVOIC',
    segments: [
      `BGM+380+${invoiceNumber}+9`,
      'DTM+3:20261130:102',
      `RFF+ON:${poNumber}`,
      ...lines.flatMap((line, i) => [`LIN+${i + 1}`, `PIA+5+${line.supplierSku}:SA`, `QTY+47:${line.quantity}`, `PRI+AAA:${line.price}`]),
      'UNS+S',
      `MOA+77:${total}`,
    ],
  };
}
