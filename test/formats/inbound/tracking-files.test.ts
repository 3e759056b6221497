import { describe, expect, it } from 'vitest';
import { parseInboundJson } from '../../../src/formats/inbound-json.ts';
import { parseTrackingCsv } from '../../../src/formats/tracking-csv.ts';
import { parseTrackingXml } from '../../../src/formats/tracking-xml.ts';
import { fixture, parseError } from './helpers.ts';

const columns = {
  poNumber: 'PO',
  sku: 'SKU',
  quantity: 'Qty',
  carrier: 'Carrier',
  trackingNumber: 'Tracking',
  shippedAt: 'Ship Date',
};
const csvRule = { columns, delimiter: ',' };

describe('tracking CSV', () => {
  it('reads BOM, CRLF and quoted fields; groups rows by PO and tracking number; keeps formula-looking cells as text', () => {
    expect(parseTrackingCsv(csvRule, fixture('tracking-bom-crlf.csv'))).toEqual([
      {
        poNumber: '1001-ACME',
        carrier: 'UPS',
        shippedAt: '2026-11-27',
        trackingNumbers: ['1Z999AA10123456784'],
        lines: [
          { sku: 'ACME-TRUCK-01', quantity: 2 },
          { sku: 'ACME-BLOCKS-02', quantity: 1 },
        ],
      },
      {
        poNumber: '1001-ACME',
        carrier: 'UPS',
        shippedAt: '2026-11-27',
        trackingNumbers: ['1Z999AA10123456795'],
        lines: [{ sku: 'ACME-KITE-03', quantity: 4 }],
      },
      {
        poNumber: '1002-ACME',
        carrier: 'FedEx, Ground',
        shippedAt: '2026-11-28',
        trackingNumbers: ['=HYPERLINK("x")'],
        lines: [{ sku: 'ACME-TRUCK-01', quantity: 1 }],
      },
    ]);
  });

  it('matches headers ignoring surrounding blanks and case; other delimiters', () => {
    const csv = ' po ;TRACKING ;qty;Sku\n1001;T1;2;A\n1001;T1;3;A\n';
    expect(parseTrackingCsv({ columns: { poNumber: 'PO', trackingNumber: 'Tracking', quantity: 'Qty', sku: 'SKU' }, delimiter: ';' }, csv)).toEqual([
      { poNumber: '1001', trackingNumbers: ['T1'], lines: [{ sku: 'A', quantity: 5 }] },
    ]);
  });

  it('without columns, the headers are the canonical names', () => {
    const csv = 'poNumber,trackingNumber,carrier\n1001,T1,UPSN\n';
    expect(parseTrackingCsv({ delimiter: ',' }, csv)).toEqual([{ poNumber: '1001', trackingNumbers: ['T1'], carrier: 'UPSN', lines: [] }]);
  });

  it('a missing column is named', () => {
    const e = parseError(() => parseTrackingCsv(csvRule, 'PO,SKU,Qty,Carrier,Ship Date\n1,A,1,UPS,2026-11-27\n'));
    expect(e.message).toMatch(/missing column "Tracking"/);
    expect(e.line).toBe(1);
  });

  it('a bad row is named by its line', () => {
    const head = 'PO,SKU,Qty,Carrier,Tracking,Ship Date\n';
    const cases: [string, RegExp][] = [
      ['1,A,0,UPS,T1,2026-11-27', /column "Qty" "0" is not a positive whole number/],
      ['1,A,-2,UPS,T1,2026-11-27', /not a positive whole number/],
      ['1,A,1.5,UPS,T1,2026-11-27', /not a positive whole number/],
      ['1,A,1,UPS,,2026-11-27', /column "Tracking" is empty/],
      [',A,1,UPS,T1,2026-11-27', /column "PO" is empty/],
      ['1,A,1,UPS,T1,27.11.2026', /column "Ship Date" "27.11.2026" is not a date/],
      ['1,,1,UPS,T1,2026-11-27', /given without column "SKU"/],
    ];
    for (const [row, message] of cases) {
      const e = parseError(() => parseTrackingCsv(csvRule, `${head}1,A,1,UPS,T0,2026-11-27\n${row}\n`, { file: 't.csv' }));
      expect(e.message).toMatch(message);
      expect(e.line).toBe(3);
      expect(e.message).toContain('t.csv');
    }
  });

  it('broken quoting is a ParseError with its line', () => {
    const e = parseError(() => parseTrackingCsv(csvRule, 'PO,SKU,Qty,Carrier,Tracking,Ship Date\n1,"A,1,UPS,T1,2026-11-27\n'));
    expect(e.format).toBe('csv');
    expect(e.line).toBe(2);
  });

  it('an empty file', () => {
    expect(parseError(() => parseTrackingCsv(csvRule, '')).message).toMatch(/no header row/);
  });
});

describe('tracking XML', () => {
  const rule = {
    records: 'ShipConfirm.Shipments.Shipment',
    fields: {
      poNumber: 'PONumber',
      shipmentId: '@id',
      carrier: 'Carrier',
      shippedAt: 'ShipDate',
      trackingNumber: 'Packages.Package.TrackingNumber',
      lines: 'Items.Item',
      sku: 'SKU',
      quantity: 'Qty',
    },
  };

  it('reads records and fields by dot paths, values kept as text', () => {
    expect(parseTrackingXml(rule, fixture('tracking.xml'))).toEqual([
      {
        poNumber: '1001-ACME',
        shipmentId: 'SH-77',
        carrier: 'UPS & Co',
        shippedAt: '2026-11-27',
        trackingNumbers: ['1Z999AA10123456784', '1Z999AA10123456795'],
        lines: [
          { sku: 'ACME-TRUCK-01', quantity: 2 },
          { sku: 'ACME-KITE-03', quantity: 4 },
        ],
      },
      {
        poNumber: '1002-ACME',
        shipmentId: 'SH-78',
        carrier: 'FedEx',
        shippedAt: '2026-11-28T09:30:00Z',
        trackingNumbers: ['0078'],
        lines: [{ sku: 'ACME-TRUCK-01', quantity: 1 }],
      },
    ]);
  });

  it('keeps leading zeros (parseTagValue off)', () => {
    const xml = '<R><S><PO>00123</PO><T>02134</T></S></R>';
    expect(parseTrackingXml({ records: 'R.S', fields: { poNumber: 'PO', trackingNumber: 'T' } }, xml)).toEqual([
      { poNumber: '00123', trackingNumbers: ['02134'], lines: [] },
    ]);
  });

  it('refuses malformed XML with its line', () => {
    const e = parseError(() => parseTrackingXml(rule, '<ShipConfirm>\n<Shipments>\n<Shipment></Shipments>\n</ShipConfirm>'));
    expect(e.message).toMatch(/not well-formed/);
    expect(e.line).toBe(3);
  });

  it('refuses external entities (XXE)', () => {
    const xxe = '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<R><S><PO>&x;</PO><T>1</T></S></R>';
    const e = parseError(() => parseTrackingXml({ records: 'R.S', fields: { poNumber: 'PO', trackingNumber: 'T' } }, xxe));
    expect(e.message).toMatch(/entity declarations/);
    expect(e.line).toBe(2);
  });

  it('refuses entity expansion (billion laughs)', () => {
    const lol = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [',
      ' <!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`),
      ']>',
      '<R><S><PO>&lol9;</PO><T>1</T></S></R>',
    ].join('\n');
    expect(parseError(() => parseTrackingXml({ records: 'R.S', fields: { poNumber: 'PO', trackingNumber: 'T' } }, lol)).message).toMatch(
      /entity declarations/,
    );
  });

  it('refuses deep nesting', () => {
    const deep = `<R>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</R>`;
    expect(parseError(() => parseTrackingXml({ records: 'R.S', fields: { poNumber: 'PO', trackingNumber: 'T' } }, deep)).message).toMatch(
      /nested deeper than 64/,
    );
  });

  it('names a bad record by its path', () => {
    const xml = '<R><S><PO>1</PO><T>1</T></S><S><PO>2</PO></S></R>';
    const e = parseError(() => parseTrackingXml({ records: 'R.S', fields: { poNumber: 'PO', trackingNumber: 'T' } }, xml));
    expect(e.message).toMatch(/R\.S\[2\]: T is empty/);
  });

  it('a records path that matches nothing, and bad mapping fields', () => {
    expect(parseError(() => parseTrackingXml({ records: 'X.S', fields: { poNumber: 'PO', trackingNumber: 'T' } }, '<R/>')).message).toMatch(
      /matches nothing/,
    );
    expect(parseTrackingXml({ records: 'R.S', fields: { poNumber: 'PO', trackingNumber: 'T' } }, '<R></R>')).toEqual([]);
    expect(parseError(() => parseTrackingXml({ records: 'R.S', fields: { po: 'PO', trackingNumber: 'T' } }, '<R/>')).message).toMatch(
      /field "po" is not one of/,
    );
  });
});

describe('inbound JSON', () => {
  it('reads the documented shapes', () => {
    expect(parseInboundJson(fixture('shipments.json'))).toEqual([
      {
        kind: 'shipment',
        shipment: {
          poNumber: '1001-ACME',
          shipmentId: 'SH-77',
          carrier: 'UPSN',
          service: 'GROUND',
          shippedAt: '2026-11-27',
          trackingNumbers: ['1Z999AA10123456784'],
          lines: [{ sku: 'ACME-TRUCK-01', supplierSku: 'TR-01', lineNumber: 1, quantity: 2 }],
        },
      },
      {
        kind: 'acknowledgment',
        acknowledgment: {
          poNumber: '1002-ACME',
          status: 'accepted_with_changes',
          code: 'AC',
          lines: [{ lineNumber: 1, status: 'backordered', code: '', quantity: 2, reason: 'restock 12/10' }],
        },
      },
      {
        kind: 'invoice',
        invoice: {
          invoiceNumber: 'INV-9',
          poNumber: '1001-ACME',
          invoiceDate: '2026-11-28',
          total: '39.98',
          lines: [{ sku: 'ACME-TRUCK-01', quantity: 2, unitPrice: '19.99' }],
        },
      },
      { kind: 'inventory', items: [{ supplierSku: 'TR-01', available: 40 }] },
    ]);
  });

  it('one document, or an array; trackingNumber for one', () => {
    const one = { type: 'shipment', poNumber: 'P', trackingNumber: 'T', lines: [] };
    expect(parseInboundJson(JSON.stringify(one))).toEqual([{ kind: 'shipment', shipment: { poNumber: 'P', trackingNumbers: ['T'], lines: [] } }]);
    expect(parseInboundJson(JSON.stringify([one, one]))).toHaveLength(2);
  });

  it('names every bad field by its path', () => {
    const bad = { type: 'shipment', poNumber: '', trackingNumbers: ['T'], lines: [{ sku: 'A', quantity: 0 }, { quantity: 1.5 }] };
    const e = parseError(() => parseInboundJson(JSON.stringify(bad), { file: 'push.json' }));
    expect(e.message).toMatch(/poNumber: /);
    expect(e.message).toMatch(/lines\.0\.quantity: /);
    expect(e.message).toMatch(/lines\.1\.quantity: /);
    expect(e.message).toContain('push.json');
    expect(parseError(() => parseInboundJson('[{"type":"parcel"}]')).message).toMatch(/0\.type/);
    expect(parseError(() => parseInboundJson('{"documents":[{"type":"inventory","items":[{"supplierSku":"A","available":-1}]}]}')).message).toMatch(
      /documents\.0\.items\.0\.available/,
    );
    expect(parseError(() => parseInboundJson('{"type":"invoice","invoiceNumber":"I","poNumber":"P","total":12.5}')).message).toMatch(/total: /);
  });

  it('invalid JSON points at the line', () => {
    const e = parseError(() => parseInboundJson('{\n  "type": "shipment",\n  oops\n}'));
    expect(e.message).toMatch(/not valid JSON/);
    expect(e.line).toBe(3);
  });
});
