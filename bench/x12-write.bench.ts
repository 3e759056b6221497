/**
 * 850 generation rate: the hub's cleaning X12 writer against node-x12's object model
 * (X12Interchange built programmatically; no X12TransactionMap) on the same 5-line POs, one
 * interchange each, in the same run. node-x12 is given the values as they are (it cleans nothing);
 * the hub's writer cleans and checks every value, so the comparison favours the peer.
 */
import { X12Interchange } from 'node-x12';
import type { PurchaseOrder } from '../src/canonical/purchase-order.ts';
import { X12Envelope } from '../src/config/mapping-schema.ts';
import { render850 } from '../src/formats/x12/write/850.ts';
import type { Benchmark } from './run.ts';

const COUNT = 10_000;
const ROUNDS = 2;
const BATCH = 500;
const env = X12Envelope.parse({ version: '004010', senderQualifier: 'ZZ', senderId: 'DROPHUB', receiverQualifier: 'ZZ', receiverId: 'ACMETOYS' });

function makePo(i: number): PurchaseOrder {
  const lines = Array.from({ length: 5 }, (_, j) => ({
    lineNumber: j + 1,
    lineId: String(j + 1),
    sku: `ACME-${i}-${j}`,
    supplierSku: `V${i}${j}`,
    title: j === 2 ? `Wooden truck – größe ${j} “deluxe”` : `Wooden toy ${j} for order ${i}`,
    quantity: j + 1,
    unitPrice: `${10 + j}.99`,
  }));
  return {
    poNumber: `${100000 + i}`,
    purpose: 'original',
    supplierId: 'acme-toys',
    orderId: `ord_${i}`,
    orderNumber: `#${100000 + i}`,
    externalId: String(i),
    retailer: { id: 'toyshop', name: 'The Toy Shop' },
    placedAt: '2026-11-26T10:00:00Z',
    createdAt: '2026-11-26T12:00:00Z',
    currency: 'USD',
    customer: { name: `Customer ${i}`, email: `c${i}@example.com`, phone: '+1 555 0100' },
    shipTo: { name: i % 7 === 0 ? `Zoë O'Brien*${i}` : `Customer ${i}`, company: null, address1: `${i} Main St`, address2: 'Apt 4', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US', phone: '+1 555 0100' },
    shipping: { method: 'Standard', carrier: null, serviceLevel: 'GROUND' },
    notes: i % 3 === 0 ? 'Gift wrap please' : null,
    lines,
    total: '0.00',
  };
}

function nodeX12(po: PurchaseOrder, n: number): string {
  const ic = new X12Interchange({ elementDelimiter: '*', segmentTerminator: '~', endOfLine: '\n', format: true, subElementDelimiter: '>' });
  const control = String(n).padStart(9, '0');
  ic.setHeader(['00', '', '00', '', 'ZZ', 'DROPHUB', 'ZZ', 'ACMETOYS', '261126', '1200', 'U', '00401', control, '0', 'P', '>']);
  const group = ic.addFunctionalGroup();
  group.setHeader(['PO', 'DROPHUB', 'ACMETOYS', '20261126', '1200', String(n), 'X', '004010']);
  const tx = group.addTransaction();
  tx.setHeader(['850', '0001']);
  tx.addSegment('BEG', ['00', 'DS', po.poNumber, '', '20261126']);
  tx.addSegment('CUR', ['BY', po.currency]);
  tx.addSegment('TD5', ['', '', '', '', po.shipping.serviceLevel ?? '']);
  if (po.notes) {
    tx.addSegment('N9', ['L1', 'NOTES']);
    tx.addSegment('MSG', [po.notes]);
  }
  tx.addSegment('N1', ['ST', po.shipTo.name]);
  tx.addSegment('N3', [po.shipTo.address1, po.shipTo.address2 ?? '']);
  tx.addSegment('N4', [po.shipTo.city, po.shipTo.region ?? '', po.shipTo.postalCode ?? '', po.shipTo.country]);
  tx.addSegment('PER', ['IC', '', 'TE', po.shipTo.phone ?? '', 'EM', po.customer.email ?? '']);
  tx.addSegment('N1', ['BT', po.retailer.name, '92', po.retailer.id]);
  let quantity = 0;
  for (const line of po.lines) {
    quantity += line.quantity;
    tx.addSegment('PO1', [String(line.lineNumber), String(line.quantity), 'EA', line.unitPrice, '', 'VN', line.supplierSku, 'SK', line.sku]);
    tx.addSegment('PID', ['F', '', '', '', line.title ?? '']);
  }
  tx.addSegment('CTT', [String(po.lines.length), String(quantity)]);
  tx.addSegment('AMT', ['TT', po.total]);
  return ic.toString();
}

/** Seconds to render pos[from, to). */
function time(pos: PurchaseOrder[], from: number, to: number, render: (po: PurchaseOrder, n: number) => string): number {
  let bytes = 0;
  const start = process.hrtime.bigint();
  for (let i = from; i < to; i++) bytes += render(pos[i]!, i + 1).length;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (bytes === 0) throw new Error('nothing rendered');
  return seconds;
}

/**
 * POs per second of two renderers over the same POs, measured in interleaved batches of 500 so that
 * a noisy neighbour (CI, other processes) hurts both alike.
 */
function rates(pos: PurchaseOrder[], a: (po: PurchaseOrder, n: number) => string, b: (po: PurchaseOrder, n: number) => string): [number, number] {
  for (let i = 0; i < 3; i++) {
    time(pos, 0, 1000, a); // warm-up: let the JIT settle on both
    time(pos, 0, 1000, b);
  }
  let secondsA = 0;
  let secondsB = 0;
  for (let from = 0; from < pos.length; from += BATCH) {
    const to = Math.min(pos.length, from + BATCH);
    secondsA += time(pos, from, to, a);
    secondsB += time(pos, from, to, b);
  }
  return [pos.length / secondsA, pos.length / secondsB];
}

const bench: Benchmark = {
  name: 'x12-write',
  async run() {
    const pos = Array.from({ length: COUNT }, (_, i) => makePo(i + 1));
    const hubRender = (po: PurchaseOrder, n: number) => render850(po, env, { isa13: n, gs06: n, st02: 1 });
    let hub = 0;
    let peer = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const [h, p] = rates(pos, hubRender, nodeX12);
      hub = Math.max(hub, h);
      peer = Math.max(peer, p);
    }
    return [
      {
        bench: 'x12-write',
        metric: `850 generation, 5-line POs (${COUNT / 1000}k, one interchange each, best of ${ROUNDS})`,
        value: Math.round(hub),
        unit: 'POs/s',
        peer: { name: 'node-x12 1.7.1', value: Math.round(peer) },
      },
    ];
  },
};

export default bench;
