import { describe, expect, it } from 'vitest';
import type { InboundItem } from '../../../src/canonical/inbound.ts';
import { parseX12Set, readX12, type X12SetOptions } from '../../../src/formats/x12/read/index.ts';
import { fixture, interchange, parseError } from './helpers.ts';

/** The items of every set, without the `ids` lists (asserted on their own in x12-tolerance.test.ts). */
function read(input: Buffer | string, options: X12SetOptions = {}): InboundItem[] {
  const items = readX12(input).sets.flatMap((set) => parseX12Set(set, options));
  return JSON.parse(JSON.stringify(items, (key, value) => (key === 'ids' ? undefined : value)));
}

function shipments(input: Buffer | string, options: X12SetOptions = {}) {
  return read(input, options).map((item) => {
    if (item.kind !== 'shipment') throw new Error(`expected a shipment, got ${item.kind}`);
    return item.shipment;
  });
}

describe('856 ship notice', () => {
  it('S/O/P/I covering two POs: one Shipment per PO, tracking from its packs only', () => {
    expect(shipments(fixture('856-sopi-two-pos.edi'))).toEqual([
      {
        poNumber: '1001-ACME',
        shipmentId: 'ASN-1001',
        carrier: 'UPSN',
        service: 'GND',
        shippedAt: '2026-11-27',
        trackingNumbers: ['1Z999AA10123456784', '1Z999AA10123456795'],
        lines: [
          { lineNumber: 1, supplierSku: 'TR-01', sku: 'ACME-TRUCK-01', upc: '012345678905', quantity: 2 },
          { lineNumber: 2, supplierSku: 'BL-02', sku: 'ACME-BLOCKS-02', quantity: 1 },
          { lineNumber: 3, supplierSku: 'KT-03', sku: 'ACME-KITE-03', quantity: 4 },
        ],
      },
      {
        poNumber: '1002-ACME',
        shipmentId: 'ASN-1001',
        carrier: 'UPSN',
        service: 'GND',
        shippedAt: '2026-11-27',
        trackingNumbers: ['1Z999AA10123456806'],
        lines: [{ lineNumber: 1, supplierSku: 'TR-01', sku: 'ACME-TRUCK-01', quantity: 1 }],
      },
    ]);
  });

  it('S/O/I with shipment-level REF*CN and order-level TD5 (service from TD512)', () => {
    expect(shipments(fixture('856-soi-pipe-newline.edi'))).toEqual([
      {
        poNumber: '2001-ACME',
        shipmentId: 'ASN-2001',
        carrier: 'USPS',
        service: 'PRIORITY',
        shippedAt: '2026-11-28',
        trackingNumbers: ['9400111899223100012345'],
        lines: [
          { lineNumber: 1, sku: 'ACME-TRUCK-01', supplierSku: 'TR-01', quantity: 3 },
          { lineNumber: 2, sku: 'ACME-KITE-03', quantity: 1 },
        ],
      },
    ]);
  });

  it('S/O/I/P: packs under items, REF*2I deduplicated with MAN*CP, service from TD505', () => {
    const [s] = shipments(fixture('856-soip-5010-bom-crlf.edi'));
    expect(s).toMatchObject({
      poNumber: '3001-ACME',
      carrier: 'FDEG',
      service: 'FEDEX GROUND',
      trackingNumbers: ['781234567890', '781234567891'],
      lines: [
        { sku: 'ACME-TRUCK-01', quantity: 2 },
        { sku: 'ACME-BLOCKS-02', quantity: 5 },
      ],
    });
  });

  it('tare levels: items found below T and P; tracking locations are configurable', () => {
    const [byDefault] = shipments(fixture('856-tare.edi'));
    expect(byDefault).toMatchObject({ poNumber: '4001-ACME', carrier: 'ODFL', trackingNumbers: ['PRO-5550001'] });
    expect(byDefault?.lines.map((l) => l.quantity)).toEqual([24, 24]);
    const [packs] = shipments(fixture('856-tare.edi'), { trackingFrom: ['MAN*SM'] });
    expect(packs?.trackingNumbers).toEqual(['SHIPPER-PKG-1', 'SHIPPER-PKG-2']);
    // A bill of lading is never a tracking number, even where the mapping lists REF*BM.
    const [bol] = shipments(fixture('856-sopi-two-pos.edi'), { trackingFrom: ['REF*BM'] });
    expect(bol?.trackingNumbers).toEqual([]);
    const [none] = shipments(fixture('856-sopi-two-pos.edi'), { trackingFrom: [] });
    expect(none?.trackingNumbers).toEqual([]);
  });

  it('builds the tree from parent ids, not from segment order', () => {
    // The second order's item comes after the first order's pack, but its parent is HL 2.
    const x12 = interchange([
      {
        id: '856',
        control: '0001',
        body: [
          ['BSN', '00', 'X1', '20261127', '1200', '0004'],
          ['HL', '1', '', 'S'],
          ['HL', '2', '1', 'O'],
          ['PRF', 'PO-A'],
          ['HL', '3', '1', 'O'],
          ['PRF', 'PO-B'],
          ['HL', '4', '3', 'I'],
          ['LIN', '', 'SK', 'B-SKU'],
          ['SN1', '', '1', 'EA'],
          ['HL', '5', '2', 'I'],
          ['LIN', '', 'SK', 'A-SKU'],
          ['SN1', '', '2', 'EA'],
          ['CTT', '5'],
        ],
      },
    ]);
    expect(shipments(x12).map((s) => [s.poNumber, s.lines.map((l) => l.sku)])).toEqual([
      ['PO-A', ['A-SKU']],
      ['PO-B', ['B-SKU']],
    ]);
  });

  it('merges order HLs that quote the same PO', () => {
    const body = [
      ['BSN', '00', 'X1', '20261127', '1200'],
      ['HL', '1', '', 'S'],
      ['HL', '2', '1', 'O'],
      ['PRF', 'PO-A'],
      ['REF', 'CN', 'T1'],
      ['HL', '3', '2', 'I'],
      ['LIN', '', 'SK', 'A'],
      ['SN1', '', '1', 'EA'],
      ['HL', '4', '1', 'O'],
      ['PRF', 'PO-A'],
      ['REF', 'CN', 'T2'],
      ['HL', '5', '4', 'I'],
      ['LIN', '', 'SK', 'B'],
      ['SN1', '', '2', 'EA'],
    ];
    const [s, ...rest] = shipments(interchange([{ id: '856', control: '1', body }]));
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ poNumber: 'PO-A', trackingNumbers: ['T1', 'T2'], lines: [{ sku: 'A' }, { sku: 'B' }] });
  });

  it('refuses what cannot be applied, pointing at the segment', () => {
    const base = [
      ['BSN', '00', 'X1', '20261127', '1200'],
      ['HL', '1', '', 'S'],
      ['HL', '2', '1', 'O'],
      ['PRF', 'PO-A'],
      ['HL', '3', '2', 'I'],
      ['LIN', '', 'SK', 'A'],
      ['SN1', '', '1', 'EA'],
    ];
    const run = (body: string[][]) => parseError(() => read(interchange([{ id: '856', control: '7', body }])));
    expect(run(base.filter((s) => s[0] !== 'PRF')).message).toMatch(/order HL 2 has no PRF01/);
    const badParent = run(base.map((s) => (s[1] === '3' ? ['HL', '3', '9', 'I'] : s)));
    expect(badParent.message).toMatch(/parent "9" is not an earlier HL/);
    expect(badParent.segment).toBe(2 + 1 + 5);
    expect(run(base.filter((s) => s[0] !== 'SN1')).message).toMatch(/LIN without SN1/);
    expect(run(base.map((s) => (s[0] === 'SN1' ? ['SN1', '', 'two', 'EA'] : s))).message).toMatch(/SN102 quantity shipped "two"/);
    expect(run(base.filter((s) => s[0] !== 'BSN')).message).toMatch(/BSN .* missing/);
    expect(run([...base, ['HL', '2', '1', 'O']]).message).toMatch(/HL id "2" used twice/);
  });
});

describe('855 PO acknowledgment', () => {
  const acks = read(fixture('855-acks.edi')).map((item) => (item.kind === 'acknowledgment' ? item.acknowledgment : undefined));

  it('accepted', () => {
    expect(acks[0]).toEqual({
      poNumber: '1001-ACME',
      status: 'accepted',
      code: 'AD',
      lines: [
        { lineNumber: 1, supplierSku: 'TR-01', sku: 'ACME-TRUCK-01', status: 'accepted', code: 'IA', quantity: 2 },
        { lineNumber: 2, supplierSku: 'BL-02', sku: 'ACME-BLOCKS-02', status: 'accepted', code: 'IA', quantity: 1 },
      ],
    });
  });

  it('accepted with changes: backordered, rejected and changed lines with reasons', () => {
    expect(acks[1]?.status).toBe('accepted_with_changes');
    expect(acks[1]?.lines.map((l) => [l.lineNumber, l.status, l.code, l.quantity, l.reason])).toEqual([
      [1, 'accepted', 'IA', 3, undefined],
      [1, 'backordered', 'IB', 2, 'Back in stock December 10'],
      [2, 'rejected', 'IR', 0, 'Discontinued item'],
      [3, 'quantity_changed', 'IQ', 2, undefined],
    ]);
  });

  it('rejected: lines without ACK take the header status', () => {
    expect(acks[2]).toEqual({
      poNumber: '1003-ACME',
      status: 'rejected',
      code: 'RJ',
      lines: [{ lineNumber: 1, supplierSku: 'TR-01', sku: 'ACME-TRUCK-01', status: 'rejected', code: '', quantity: 1 }],
    });
  });

  it('refuses an unknown BAK02 or a missing PO number', () => {
    const run = (bak: string[]) => parseError(() => read(interchange([{ id: '855', control: '1', body: [bak] }], { functionalId: 'PR' })));
    expect(run(['BAK', '00', 'QQ', 'PO1']).message).toMatch(/BAK02 acknowledgment type "QQ"/);
    expect(run(['BAK', '00', 'AD', '']).message).toMatch(/BAK03/);
  });
});

describe('997 / 999 functional acknowledgment', () => {
  it('997 accepted and 997 rejected with segment/element errors', () => {
    expect(read(fixture('997-accept-reject.edi'))).toEqual([
      { kind: 'functional_ack', ack: { functionalId: 'PO', groupControlNumber: 7, status: 'A', sets: [{ transactionSet: '850', controlNumber: '0001', status: 'A', errors: [] }] } },
      {
        kind: 'functional_ack',
        ack: {
          functionalId: 'PO',
          groupControlNumber: 8,
          status: 'R',
          sets: [
            {
              transactionSet: '850',
              controlNumber: '0001',
              status: 'R',
              errors: ['AK3 segment N4 at position 9 error 8', 'AK4 element 2 (data element 156) error 7 value "ZZ"', 'AK5 error 5'],
            },
          ],
        },
      },
    ]);
  });

  it('999 partially accepted (IK3/IK4/IK5)', () => {
    const [item] = read(fixture('999-partial.edi'));
    expect(item).toEqual({
      kind: 'functional_ack',
      ack: {
        functionalId: 'PO',
        groupControlNumber: 9,
        status: 'P',
        sets: [
          { transactionSet: '850', controlNumber: '0001', status: 'A', errors: [] },
          {
            transactionSet: '850',
            controlNumber: '0002',
            status: 'R',
            errors: ['IK3 segment PO1 at position 12 error 8', 'IK4 element 4 (data element 212) error 4 value "-1"', 'IK5 error 5'],
          },
        ],
      },
    });
  });

  it('refuses a 997 without AK1 or AK9', () => {
    const run = (body: string[][]) => parseError(() => read(interchange([{ id: '997', control: '1', body }], { functionalId: 'FA' })));
    expect(run([]).message).toMatch(/AK1 missing/);
    expect(run([['AK1', 'PO', '7']]).message).toMatch(/AK9 .* missing/);
    expect(run([['AK1', 'PO', '7'], ['AK9', 'Q', '1', '1', '1']]).message).toMatch(/AK901 status "Q"/);
  });
});

describe('810 invoice and 846 inventory', () => {
  const [invoice, inventory] = read(fixture('810-846-two-groups.edi'));

  it('810: BIG, IT1 lines, TDS in cents as a decimal string', () => {
    expect(invoice).toEqual({
      kind: 'invoice',
      invoice: {
        invoiceNumber: 'INV-5001',
        poNumber: '1001-ACME',
        invoiceDate: '2026-12-01',
        total: '64.48',
        lines: [
          { lineNumber: 1, supplierSku: 'TR-01', sku: 'ACME-TRUCK-01', quantity: 2, unitPrice: '19.99' },
          { lineNumber: 2, supplierSku: 'BL-02', sku: 'ACME-BLOCKS-02', quantity: 1, unitPrice: '24.5' },
        ],
      },
    });
  });

  it('846: LIN with QTY*33 available (other QTY qualifiers ignored)', () => {
    expect(inventory).toEqual({
      kind: 'inventory',
      items: [
        { supplierSku: 'TR-01', sku: 'ACME-TRUCK-01', available: 40 },
        { supplierSku: 'BL-02', available: 0 },
        { supplierSku: 'KT-03', upc: '012345678912', available: 7 },
      ],
    });
  });

  it('TDS amounts with implied decimals', () => {
    const total = (tds: string) => {
      const [item] = read(interchange([{ id: '810', control: '1', body: [['BIG', '20261201', 'I1', '', 'PO1'], ['TDS', tds]] }], { functionalId: 'IN' }));
      return item?.kind === 'invoice' ? item.invoice.total : undefined;
    };
    expect(total('5')).toBe('0.05');
    expect(total('100')).toBe('1.00');
    expect(total('-12345')).toBe('-123.45');
    expect(total('19.5')).toBe('19.5');
  });
});

describe('unsupported transaction sets', () => {
  it('are a typed ParseError, not a crash', () => {
    const e = parseError(() => read(fixture('940-unsupported.edi')));
    expect(e.message).toMatch(/unsupported transaction set 940/);
    expect(e.segment).toBe(3);
  });
});
