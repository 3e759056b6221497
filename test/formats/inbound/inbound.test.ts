import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { InboundItem } from '../../../src/canonical/inbound.ts';
import { Inbound } from '../../../src/config/mapping-schema.ts';
import { matchInboundFile, parseInbound, parseX12InboundStream } from '../../../src/formats/inbound.ts';
import { fixture, parseError } from './helpers.ts';

const inbound = Inbound.parse({
  files: [
    { match: '*.856', format: 'x12' },
    { match: 'ASN_????.edi', format: 'x12' },
    { match: 'tracking_*.csv', format: 'csv', columns: { poNumber: 'PO', sku: 'SKU', quantity: 'Qty', carrier: 'Carrier', trackingNumber: 'Tracking', shippedAt: 'Ship Date' } },
    { match: 'ship-*.xml', format: 'xml', records: 'ShipConfirm.Shipments.Shipment', fields: { poNumber: 'PONumber', trackingNumber: 'Packages.Package.TrackingNumber' } },
    { match: '*.json', format: 'json' },
  ],
  trackingFrom: ['MAN*CP'],
});

describe('matchInboundFile', () => {
  it('globs over the base name with * and ?, case-insensitively; the first rule wins', () => {
    expect(matchInboundFile(inbound, '/out/ASN_20261127.856')?.format).toBe('x12');
    expect(matchInboundFile(inbound, 'asn_1234.EDI')?.match).toBe('ASN_????.edi');
    expect(matchInboundFile(inbound, 'ASN_12345.edi')).toBeUndefined();
    expect(matchInboundFile(inbound, 'tracking_2026-11-27.csv')?.format).toBe('csv');
    expect(matchInboundFile(inbound, 'tracking.csv')).toBeUndefined();
    expect(matchInboundFile(inbound, 'ship-1.xml')?.format).toBe('xml');
    expect(matchInboundFile(inbound, 'dir/ship-1.xml.bak')).toBeUndefined();
    expect(matchInboundFile(Inbound.parse({ files: [{ match: 'a+b(1).[x]', format: 'json' }] }), 'a+b(1).[x]')?.format).toBe('json');
  });
});

describe('parseInbound', () => {
  const rule = (name: string) => {
    const r = matchInboundFile(inbound, name);
    if (!r) throw new Error(`no rule for ${name}`);
    return r;
  };

  it('X12: items of every set, the groups to acknowledge, trackingFrom from the mapping', () => {
    const parsed = parseInbound(rule('a.856'), inbound, fixture('856-sopi-two-pos.edi'), 'a.856');
    expect(parsed.format).toBe('x12');
    expect(parsed.items.map((i) => (i.kind === 'shipment' ? [i.shipment.poNumber, i.shipment.trackingNumbers] : i.kind))).toEqual([
      ['1001-ACME', ['1Z999AA10123456784', '1Z999AA10123456795']],
      ['1002-ACME', ['1Z999AA10123456806']],
    ]);
    expect(parsed.groups).toHaveLength(1);
    expect(parsed.groups[0]).toMatchObject({ functionalId: 'SH', controlNumber: '42', sets: [{ transactionSet: '856', controlNumber: '0001' }] });
    const acks = parseInbound(rule('b.856'), inbound, fixture('855-acks.edi'));
    expect(acks.items.map((i) => i.kind)).toEqual(['acknowledgment', 'acknowledgment', 'acknowledgment']);
  });

  it('X12: a file with no set the hub reads is refused, naming the file and the sets', () => {
    const e = parseError(() => parseInbound(rule('c.856'), inbound, fixture('940-unsupported.edi'), 'c.856'));
    expect(e.message).toMatch(/no transaction set the hub reads \(856, 855, 997, 999, 810, 846\) in this file: 940 0001/);
    expect(e.message).toContain('c.856');
  });

  it('CSV, XML and JSON', () => {
    const csv = parseInbound(rule('tracking_1.csv'), inbound, fixture('tracking-bom-crlf.csv'));
    expect(csv).toMatchObject({ format: 'csv', groups: [] });
    expect(csv.items).toHaveLength(3);
    const xml = parseInbound(rule('ship-1.xml'), inbound, fixture('tracking.xml'));
    expect(xml.items.map((i) => (i.kind === 'shipment' ? i.shipment.poNumber : ''))).toEqual(['1001-ACME', '1002-ACME']);
    const json = parseInbound(rule('push.json'), inbound, fixture('shipments.json'));
    expect(json.items.map((i) => i.kind)).toEqual(['shipment', 'acknowledgment', 'invoice', 'inventory']);
  });

  it('streams X12 set by set with the same result', async () => {
    const bytes = fixture('810-846-two-groups.edi');
    const chunks = Array.from({ length: Math.ceil(bytes.length / 50) }, (_, i) => bytes.subarray(i * 50, i * 50 + 50));
    const gen = parseX12InboundStream(inbound, Readable.from(chunks), 'x.edi');
    const items: InboundItem[] = [];
    let next = await gen.next();
    while (!next.done) {
      items.push(next.value);
      next = await gen.next();
    }
    const whole = parseInbound(rule('x.856'), inbound, bytes);
    expect(items).toEqual(whole.items);
    expect(next.value.groups).toEqual(whole.groups);
  });
});
