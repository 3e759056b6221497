import { describe, expect, it } from 'vitest';
import type { Acknowledgment, Invoice, Shipment } from '../../../src/canonical/inbound.ts';
import { EdifactInboundConfig, parseEdifactInbound, parseEdifactInboundStream } from '../../../src/formats/edifact/index.ts';
import { chunks, inbound, parseError, stream } from './helpers.ts';

const config = EdifactInboundConfig.parse({});

function wrap(message: string, syntax = 'UNOC'): string {
  const segments = message.split("'").filter(Boolean);
  return `UNB+${syntax}:3+SUP+HUB+261127:0930+1'UNH+1+${segments[0]}'${segments.slice(1).join("'")}'UNT+${segments.length + 1}+1'UNZ+1+1'`;
}

describe('EDIFACT messages in → canonical items', () => {
  it('ORDRSP: header status from BGM 1225, line status from LIN 1229, backorders, reasons with released characters', () => {
    const parsed = parseEdifactInbound(inbound('ordrsp.edi'), config, { file: 'ordrsp.edi' });
    const expected: Acknowledgment = {
      poNumber: '1001-ACME',
      status: 'accepted_with_changes',
      code: '4',
      lines: [
        { lineNumber: 1, upc: '4000862141404', supplierSku: 'TR-01', sku: 'ACME-TRUCK-01', status: 'accepted', code: '5', quantity: 2 },
        { lineNumber: 2, supplierSku: 'BL-100', sku: 'ACME-BLOCKS-100', status: 'quantity_changed', code: '3', quantity: 1, reason: 'Only 1 left: rest cancelled' },
        { lineNumber: 3, supplierSku: 'KITE-9', status: 'backordered', code: '5', quantity: 0 },
        { lineNumber: 4, supplierSku: 'GONE-1', status: 'rejected', code: '7', quantity: 1 },
      ],
    };
    expect(parsed.items).toEqual([{ kind: 'acknowledgment', acknowledgment: expected }]);
    expect(parsed.interchanges[0]!.header).toMatchObject({ senderId: 'ACMEEU', controlReference: '4711', ackRequested: true });
  });

  it('ORDRSP: without a known BGM 1225 the lines decide', () => {
    const rejected = parseEdifactInbound(wrap("ORDRSP:D:96A:UN'BGM+231+R1+9'RFF+ON:PO-1'LIN+1+7+X1:SA'LIN+2+7+X2:SA'"), config);
    expect(rejected.items[0]).toMatchObject({ acknowledgment: { status: 'rejected', code: '9' } });
    const accepted = parseEdifactInbound(wrap("ORDRSP:D:96A:UN'BGM+231+R1'RFF+ON:PO-1'LIN+1++X1:SA'"), config);
    expect(accepted.items[0]).toMatchObject({ acknowledgment: { status: 'accepted', lines: [{ status: 'accepted', code: '' }] } });
  });

  it('DESADV: one shipment per PO, tracking from GIN+BN by package and RFF+CN for all, carrier and service from TDT', () => {
    const parsed = parseEdifactInbound(inbound('desadv.edi'), config, { file: 'desadv.edi' });
    const common = { shipmentId: 'DES-5001', carrier: 'UPSN', service: 'UPS GROUND', shippedAt: '2026-11-28' };
    const expected: Shipment[] = [
      { ...common, poNumber: '1001-ACME', trackingNumbers: ['CONS-88', '1Z999AA10123456784'], lines: [{ lineNumber: 1, upc: '4000862141404', supplierSku: 'TR-01', sku: 'ACME-TRUCK-01', quantity: 2 }] },
      { ...common, poNumber: '1002-ACME', trackingNumbers: ['CONS-88', '1Z999AA10123456795', '1Z999AA10123456806'], lines: [{ lineNumber: 2, supplierSku: 'LAMP-7', quantity: 1 }] },
    ];
    expect(parsed.items).toEqual(expected.map((shipment) => ({ kind: 'shipment', shipment })));
  });

  it('DESADV: trackingFrom chooses the sources', () => {
    const onlyCn = EdifactInboundConfig.parse({ trackingFrom: ['RFF+CN'] });
    const parsed = parseEdifactInbound(inbound('desadv.edi'), onlyCn);
    expect(parsed.items.map((i) => (i.kind === 'shipment' ? i.shipment.trackingNumbers : []))).toEqual([['CONS-88'], ['CONS-88']]);
  });

  it('INVRPT: custom service characters, CRLF, UNOB, decimal comma, as-of time from DTM 366 (header and line)', () => {
    const parsed = parseEdifactInbound(inbound('invrpt.edi'), config, { file: 'invrpt.edi' });
    expect(parsed.items).toEqual([
      {
        kind: 'inventory',
        items: [
          { supplierSku: 'TR-01', sku: 'ACME-TRUCK-01', upc: '4000862141404', available: 40, asOf: '2026-11-29T05:45' },
          { supplierSku: 'bl-100*x', available: 7, asOf: '2026-11-28' },
        ],
      },
    ]);
  });

  it('INVOIC: groups, totals from MOA 77, unit price from PRI AAA or MOA 203 / QTY 47', () => {
    const parsed = parseEdifactInbound(inbound('invoic.edi'), config, { file: 'invoic.edi' });
    const expected: Invoice = {
      invoiceNumber: 'INV-9001',
      poNumber: '1001-ACME',
      invoiceDate: '2026-12-01',
      total: '74.93',
      lines: [
        { lineNumber: 1, upc: '4000862141404', supplierSku: 'TR-01', quantity: 2, unitPrice: '19.99' },
        { lineNumber: 2, supplierSku: 'BL-100', quantity: 1, unitPrice: '34.95' },
      ],
    };
    expect(parsed.items).toEqual([{ kind: 'invoice', invoice: expected }]);
    expect(parsed.interchanges[0]!.groups).toEqual([{ functionalId: 'INVOIC', senderId: 'ACMEEU', recipientId: 'DROPHUB', reference: 'G1' }]);
  });

  it('streams a file one byte at a time to the same items', async () => {
    for (const name of ['ordrsp.edi', 'desadv.edi', 'invrpt.edi', 'invoic.edi']) {
      const whole = parseEdifactInbound(inbound(name), config);
      const items = [];
      const gen = parseEdifactInboundStream(stream(chunks(inbound(name), 1)), config);
      for (;;) {
        const next = await gen.next();
        if (next.done) {
          expect(next.value).toEqual(whole.interchanges);
          break;
        }
        items.push(next.value);
      }
      expect(items, name).toEqual(whole.items);
    }
  });

  it('refuses what the hub cannot apply, naming the message, segment and why', () => {
    expect(parseError(() => parseEdifactInbound(wrap("ORDRSP:D:96A:UN'BGM+231+R1+29'"), config)).message).toBe(
      'edifact: ORDRSP 1: no RFF+ON (our order number) in the header: which order does this respond to? (segment 2, line 1, byte 33)',
    );
    const noQty = parseError(() => parseEdifactInbound(wrap("DESADV:D:96A:UN'BGM+351+D1'RFF+ON:PO-1'LIN+1++X:SA'"), config));
    expect(noQty.message).toContain('LIN: DESADV 1: LIN has no QTY+12 (despatch quantity) (segment 5');
    const badDate = parseError(() => parseEdifactInbound(wrap("INVRPT:D:96A:UN'DTM+366:20261341:102'LIN+1++X:SA'QTY+145:1'"), config));
    expect(badDate.message).toContain('DTM 366 value "20261341" is not a date');
    expect(badDate.tag).toBe('DTM');
    const credit = parseError(() => parseEdifactInbound(wrap("INVOIC:D:96A:UN'BGM+381+C1'RFF+ON:PO-1'"), config));
    expect(credit.message).toContain('is not a commercial invoice (380)');
    const unknown = parseError(() => parseEdifactInbound(wrap("IFTSTA:D:96A:UN'BGM+23+S1'"), config));
    expect(unknown.message).toContain('unsupported message type IFTSTA:D:96A:UN (the hub reads ORDRSP, DESADV, INVRPT, INVOIC)');
    const quantity = parseError(() => parseEdifactInbound(wrap("INVRPT:D:96A:UN'LIN+1++X:SA'QTY+145:2.5'"), config));
    expect(quantity.message).toContain('QTY 145 quantity "2.5" is not a whole quantity');
    const none = parseError(() => parseEdifactInbound(wrap("INVRPT:D:96A:UN'LIN+1++X:SA'QTY+21:2'"), config));
    expect(none.message).toContain('no item has a QTY+145');
  });

  it('refuses an identifier outside the declared character set (strict), tolerates lower case in free text', () => {
    const lower = parseError(() => parseEdifactInbound(wrap("ORDRSP:D:96A:UN'BGM+231+R1+29'RFF+ON:po-1'", 'UNOA'), config));
    expect(lower.message).toContain('order number (RFF+ON) "po-1" holds "p" (U+0070), outside the interchange\'s character set UNOA');
    expect(lower.detail).toMatchObject({ code: '21', element: 1, component: 2, segmentInMessage: 3 });
    const text = parseEdifactInbound(wrap("ORDRSP:D:96A:UN'BGM+231+R1+29'RFF+ON:PO-1'LIN+1+7+X:SA'FTX+AAO+++out of stock'", 'UNOA'), config);
    expect(text.items[0]).toMatchObject({ acknowledgment: { lines: [{ reason: 'out of stock' }] } });
  });
});
