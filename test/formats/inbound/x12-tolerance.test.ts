/**
 * What real partners send that the hub used to refuse or misread, class by class (issue 13): each
 * fixture below failed before (refused, or read with an identifier or a tracking number lost) and
 * reads now; beside each, a hostile variant that is still refused with a clear, typed error. The
 * 997s and TA1s these files earn are checked with the independent structure check.
 */
import { describe, expect, it } from 'vitest';
import type { InboundItem, ParsedInbound, Shipment } from '../../../src/canonical/inbound.ts';
import { Inbound, X12Envelope } from '../../../src/config/mapping-schema.ts';
import { parseInbound } from '../../../src/formats/inbound.ts';
import { recognizeTrackingNumber } from '../../../src/formats/tracking-numbers.ts';
import { X12EnvelopeError, X12FileError, X12SetError, readX12 } from '../../../src/formats/x12/read/index.ts';
import { render997, renderTa1 } from '../../../src/formats/x12/write/index.ts';
import { check997, checkTa1 } from '../../helpers/x12-check.ts';
import { fixture, interchange, parseError } from './helpers.ts';

const env = X12Envelope.parse({ version: '004010', senderQualifier: 'ZZ', senderId: 'DROPHUB', receiverQualifier: 'ZZ', receiverId: 'ACMETOYS' });
const AT = { createdAt: '2026-11-28T12:00:00Z' };
const RULE = { match: '*', format: 'x12' as const, delimiter: ',' };

function parse(bytes: Buffer | string, inbound: Record<string, unknown> = {}): ParsedInbound {
  return parseInbound(RULE, Inbound.parse(inbound), Buffer.from(bytes), 'test.edi');
}

function shipments(parsed: ParsedInbound): Shipment[] {
  return parsed.items.flatMap((i: InboundItem) => (i.kind === 'shipment' ? [i.shipment] : []));
}

function fileError(fn: () => unknown): X12FileError {
  const e = parseError(fn);
  if (!(e instanceof X12FileError)) throw new Error(`expected an X12FileError, got ${e.constructor.name}: ${e.message}`);
  return e;
}

/** Every 997 a parse earns, rendered and checked. */
function acks(parsed: ParsedInbound): string[] {
  return parsed.groups.map((g, i) => {
    const text = render997(g, env, { isa13: 100 + i, gs06: 100 + i, st02: 1 }, AT);
    expect(check997(text)).toEqual([]);
    return text;
  });
}

describe('6. harmless deviations do not lose a file', () => {
  it('HL02 "0" means no parent (a carrier-side 856: HL*1*0*S*1)', () => {
    // Before: "HL 1: parent "0" is not an earlier HL" refused the whole ASN.
    const parsed = parse(fixture('856-hl02-zero.edi'));
    expect(shipments(parsed)).toEqual([
      {
        poNumber: '7001-ACME',
        shipmentId: 'CARRIER-881',
        carrier: 'UPSN',
        service: 'UPS GROUND',
        shippedAt: '2026-11-28',
        trackingNumbers: ['1Z999AA10123456784'],
        lines: [{ lineNumber: 1, supplierSku: 'TR-01', sku: 'ACME-TRUCK-01', ids: [{ qualifier: 'VN', value: 'TR-01' }, { qualifier: 'SK', value: 'ACME-TRUCK-01' }], quantity: 2 }],
      },
    ]);
    expect(parsed.warnings).toBeUndefined();
    expect(acks(parsed)[0]).toContain('AK5*A~');
  });

  it('a ship date that is no date is dropped with a warning; a segment the 856 does not define is kept as a warning', () => {
    // Before: "DTM*011 ship date "20261131" is not a date" refused the file.
    const parsed = parse(fixture('856-tolerable.edi'));
    const [shipment] = shipments(parsed);
    expect(shipment).toMatchObject({ poNumber: '7002-ACME', carrier: 'FDEG', trackingNumbers: ['781234567890'] });
    expect(shipment!.shippedAt).toBeUndefined();
    expect(parsed.warnings).toEqual([
      { message: '856 0001: segment ZZZ is not part of an 856: kept, not read (segment 10)', poNumbers: ['7002-ACME'] },
      { message: '856 0001: DTM*011 ship date "20261131" is not a date: left out (segment 7)', poNumbers: ['7002-ACME'] },
    ]);
    // The 997 accepts the set with the errors noted: AK3/AK4 say where.
    const [ack] = acks(parsed);
    expect(ack).toContain('AK2*856*0001~\nAK3*ZZZ*8**6~\nAK3*DTM*5**8~\nAK4*2*373*8*20261131~\nAK5*E~\nAK9*E*1*1*1~');
  });

  it('a TA1-only interchange whose IEA01 counts its TA1 (as some translators write) reads as no set; another count is refused', () => {
    const isa = 'ISA*00*          *00*          *ZZ*ACMETOYS       *ZZ*DROPHUB        *261128*1015*^*00501*000000031*0*P*:~\n';
    const ta1 = 'TA1*000000050*261127*1200*A*000~\n';
    expect(readX12(`${isa}${ta1}IEA*1*000000031~\n`, { recover: true }).sets).toEqual([]);
    expect(readX12(`${isa}${ta1}IEA*0*000000031~\n`, { recover: true }).sets).toEqual([]);
    expect(parseError(() => readX12(`${isa}${ta1}IEA*2*000000031~\n`, { recover: true })).message).toMatch(/IEA01 says "2" functional groups, counted 0/);
  });

  it('hostile: a custom segment on every line is a bounded list of warnings, not one per segment', () => {
    const body: string[][] = [['BSN', '00', 'X1', '20261127', '1200'], ['HL', '1', '', 'S'], ['HL', '2', '1', 'O'], ['PRF', 'PO-A']];
    for (let i = 0; i < 300; i++) body.push(['HL', String(i + 3), '2', 'I'], ['ZZZ', 'X'], ['LIN', String(i + 1), 'SK', `A${i}`], ['SN1', '', '1', 'EA']);
    const parsed = parse(interchange([{ id: '856', control: '0009', body }]));
    expect(shipments(parsed)[0]!.lines).toHaveLength(300);
    expect(parsed.warnings).toHaveLength(101);
    expect(parsed.warnings!.at(-1)!.message).toBe('856 0009: 200 more warnings not listed');
    const ack = acks(parsed)[0]!;
    expect(ack.match(/^AK3\*/gm)).toHaveLength(50);
    expect(ack).toContain('AK5*E~');
  });

  it('hostile: required data that is wrong still refuses the file, with the segment, the element and a 997 that rejects the set', () => {
    const body = [
      ['BSN', '00', 'X1', '20261127', '1200'],
      ['HL', '1', '0', 'S'],
      ['HL', '2', '1', 'O'],
      ['PRF', 'PO-A'],
      ['HL', '3', '2', 'I'],
      ['LIN', '', 'SK', 'A'],
      ['SN1', '', 'two', 'EA'],
    ];
    const e = fileError(() => parse(interchange([{ id: '856', control: '0007', body }])));
    expect(e.message).toBe('x12: 856 0007: SN102 quantity shipped "two" is not a whole quantity (test.edi, segment 10)');
    expect(e.errors[0]).toBeInstanceOf(X12SetError);
    expect(e.parsed.groups[0]!.sets[0]!.ack).toEqual({
      status: 'R',
      codes: ['5'],
      notes: [{ message: 'SN102 quantity shipped "two" is not a whole quantity', segment: 'SN1', position: 8, segmentCode: '8', element: { position: 2, code: '6', reference: '382', value: 'two' } }],
    });
    expect(acks(e.parsed)[0]).toContain('AK3*SN1*8**8~\nAK4*2*382*6*two~\nAK5*R*5~\nAK9*R*1*1*0~');
    // A parent that is neither 0, blank nor an earlier HL is still an error.
    const orphan = fileError(() => parse(interchange([{ id: '856', control: '0008', body: body.map((s) => (s[1] === '3' ? ['HL', '3', '9', 'I'] : s)) }])));
    expect(orphan.message).toMatch(/HL 3: parent "9" is not an earlier HL \(test\.edi, segment 8\)/);
  });
});

describe('7. product identifiers under every common qualifier', () => {
  it('MG, EN, UK, PI, VC, N4, CB are read; a line known only by an unread qualifier keeps it', () => {
    // Before: line 1 (MG) came without a supplier SKU, line 4 (ZZ) with no identifier at all.
    const parsed = parse(fixture('856-product-ids.edi'));
    const lines = shipments(parsed)[0]!.lines;
    expect(lines).toEqual([
      { lineNumber: 1, supplierSku: 'MFR-TRUCK', upc: '4006381333931', ids: [{ qualifier: 'MG', value: 'MFR-TRUCK' }, { qualifier: 'EN', value: '4006381333931' }], quantity: 1 },
      { lineNumber: 2, upc: '10012345678902', sku: 'ACME-BLOCKS-02', ids: [{ qualifier: 'UK', value: '10012345678902' }, { qualifier: 'PI', value: 'ACME-BLOCKS-02' }], quantity: 1 },
      {
        lineNumber: 3,
        supplierSku: 'CAT-KITE',
        upc: '12345-6789-01',
        sku: 'BUYERCAT-3',
        ids: [{ qualifier: 'VC', value: 'CAT-KITE' }, { qualifier: 'N4', value: '12345-6789-01' }, { qualifier: 'CB', value: 'BUYERCAT-3' }],
        quantity: 2,
      },
      { ids: [{ qualifier: 'ZZ', value: 'ACME-LEGACY-44' }], quantity: 1 },
    ]);
    expect(parsed.warnings).toEqual([
      {
        message: '856 0001: LIN identifies its item only by ZZ "ACME-LEGACY-44", qualifier the hub does not read; kept as ids (match on them with inbound.lineMatch) (segment 20)',
        poNumbers: ['7003-ACME'],
      },
    ]);
    // Not a syntax finding: the 997 accepts the set plainly.
    expect(acks(parsed)[0]).toContain('AK5*A~');
  });

  it('846 and 855 keep every id too; an inventory item known only by an unread qualifier is not refused', () => {
    const inventory = parse(interchange([{ id: '846', control: '1', body: [['BIA', '00', 'MM', 'INV1', '20261128'], ['LIN', '', 'ZZ', 'ACME-LEGACY-44'], ['QTY', '33', '5']] }], { functionalId: 'IB' }));
    expect(inventory.items).toEqual([{ kind: 'inventory', items: [{ supplierSku: 'ACME-LEGACY-44', ids: [{ qualifier: 'ZZ', value: 'ACME-LEGACY-44' }], available: 5 }] }]);
    const ack = parse(interchange([{ id: '855', control: '1', body: [['BAK', '00', 'AC', 'PO-1', '20261128'], ['PO1', '1', '2', 'EA', '1.00', '', 'MG', 'M-1'], ['ACK', 'IS', '2', 'EA', '', '', '', 'UP', '012345678905']] }], { functionalId: 'PR' }));
    expect(ack.items).toEqual([
      {
        kind: 'acknowledgment',
        acknowledgment: { poNumber: 'PO-1', status: 'accepted_with_changes', code: 'AC', lines: [{ supplierSku: 'M-1', upc: '012345678905', ids: [{ qualifier: 'UP', value: '012345678905' }], status: 'substituted', code: 'IS', lineNumber: 1, quantity: 2 }] },
      },
    ]);
  });

  it('hostile: an inventory line with no id at all is still refused, naming the segment', () => {
    const e = fileError(() => parse(interchange([{ id: '846', control: '1', body: [['BIA', '00', 'MM', 'INV1', '20261128'], ['LIN', '1'], ['QTY', '33', '5']] }], { functionalId: 'IB' })));
    expect(e.message).toMatch(/^x12: 846 1: LIN without an item id \(a qualifier and its value\) \(test\.edi, segment 5\)$/);
  });
});

describe('8. tracking numbers from the right places', () => {
  it('REF*BM only where it holds a carrier tracking number; MAN*GM never; the carrier is recognised when the file names none', () => {
    // Before: REF*BM made the bill of lading a tracking number, and the shipment had no carrier.
    const byDefault = shipments(parse(fixture('856-tracking-sources.edi')))[0]!;
    expect(byDefault.trackingNumbers).toEqual(['1Z999AA10123456817']);
    expect(byDefault.carrier).toBe('UPSN');
    const parsed = parse(fixture('856-tracking-sources.edi'), { trackingFrom: ['REF*BM', 'MAN*CP'] });
    expect(shipments(parsed)[0]!.trackingNumbers).toEqual(['1Z999AA10123456806', '1Z999AA10123456817']);
    expect(parsed.warnings).toEqual([
      { message: '856 0001: REF*BM "BOL-2026-77812" is a bill of lading, not a carrier\'s tracking number: not taken as one (segment 7)', poNumbers: ['7004-ACME'] },
    ]);
  });

  it('carrier number forms: standalone ones, and bare numbers only with the carrier named', () => {
    expect(recognizeTrackingNumber('1Z999AA10123456784')).toEqual({ carrier: 'UPSN' });
    expect(recognizeTrackingNumber('9400111899223100012345')).toEqual({ carrier: 'USPS' });
    expect(recognizeTrackingNumber('EA123456785US')).toEqual({ carrier: 'USPS' });
    expect(recognizeTrackingNumber('EA123456784US')).toBeUndefined(); // S10 check digit wrong
    expect(recognizeTrackingNumber('9612019123456789012345')).toEqual({ carrier: 'FDEG' });
    expect(recognizeTrackingNumber('781234567890')).toBeUndefined();
    expect(recognizeTrackingNumber('781234567890', 'FDEG')).toEqual({ carrier: 'FDEG' });
    expect(recognizeTrackingNumber('1234567890', 'DHL')).toEqual({ carrier: 'DHL' });
    expect(recognizeTrackingNumber('BOL-778812', 'UPSN')).toBeUndefined();
  });

  it('the mapping may name other REF/MAN qualifiers; MAN*GM and anything else is refused when the mapping is loaded', () => {
    expect(Inbound.parse({ trackingFrom: ['REF*CN', 'REF*08', 'MAN*SM'] }).trackingFrom).toEqual(['REF*CN', 'REF*08', 'MAN*SM']);
    const bad = Inbound.safeParse({ trackingFrom: ['MAN*GM', 'PRF*01', 'ref*cn'] });
    expect(bad.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'trackingFrom.0: MAN*GM is an SSCC-18 carton or pallet label, not a tracking number',
      'trackingFrom.1: must be REF*<qualifier> or MAN*<qualifier>, such as "REF*CN", "REF*2I", "MAN*CP"',
      'trackingFrom.2: must be REF*<qualifier> or MAN*<qualifier>, such as "REF*CN", "REF*2I", "MAN*CP"',
    ]);
  });
});

describe('9. mixed files', () => {
  it('applies the sets the hub reads, reports the rest, answers them as not accepted', () => {
    // Before: "unsupported transaction set 850" refused the whole file, the 856 with it.
    const parsed = parse(fixture('mixed-856-850-940.edi'));
    expect(shipments(parsed).map((s) => s.poNumber)).toEqual(['7005-ACME']);
    expect(parsed.warnings?.map((w) => w.message)).toEqual([
      '850 0001: transaction set 850 is not one the hub reads (856, 855, 997, 999, 810, 846): not applied, answered as not accepted in the 997 (segment 17)',
      '940 0001: transaction set 940 is not one the hub reads (856, 855, 997, 999, 810, 846): not applied, answered as not accepted in the 997 (segment 24)',
    ]);
    const [ship, po, wh] = acks(parsed);
    expect(ship).toContain('AK1*SH*7005~\nAK2*856*0001~\nAK5*A~\nAK9*A*1*1*1~');
    expect(po).toContain('AK1*PO*7006~\nAK2*850*0001~\nAK5*R*1~\nAK9*R*1*1*0~');
    expect(wh).toContain('AK1*OW*7007~\nAK2*940*0001~\nAK5*R*1~\nAK9*R*1*1*0~');
    // The interchange asked for a TA1 (ISA14 = 1): its envelope is sound.
    expect(parsed.interchangeAcks).toEqual([{ interchange: expect.objectContaining({ controlNumber: '000007005', ackRequested: true }), status: 'A', code: '000' }]);
  });

  it('hostile: a file with no set the hub reads is refused, and its 997 still says so', () => {
    const e = fileError(() => parse(fixture('940-unsupported.edi')));
    expect(e.message).toMatch(/no transaction set the hub reads .* in this file: 940 0001/);
    expect(acks(e.parsed)[0]).toContain('AK5*R*1~');
  });
});

describe('10. acknowledgments that tell the truth', () => {
  it('a set whose SE01 is wrong is rejected (AK5 R 4) and refuses the file; the good set is answered A', () => {
    const e = fileError(() => parse(fixture('856-se01-wrong.edi')));
    expect(e.message).toBe('x12: SE01 of 856 0002 says "9" segments, counted 10 (test.edi, segment 22)');
    expect(acks(e.parsed)[0]).toContain('AK2*856*0001~\nAK5*A~\nAK2*856*0002~\nAK5*R*4~\nAK9*P*2*2*1~');
  });

  it('a group whose GE01 is wrong is rejected whole (AK9 R 5)', () => {
    const e = fileError(() => parse(fixture('856-ge01-wrong.edi')));
    expect(e.message).toMatch(/functional group SH 7010: GE01 says "2" transaction sets, counted 1/);
    expect(acks(e.parsed)[0]).toContain('AK2*856*0001~\nAK5*A~\nAK9*R*2*1*0*5~');
  });

  it('an interchange cut short that asked for a TA1 gets a negative one (TA1 R 023)', () => {
    const e = parseError(() => parse(fixture('856-cut-ta1.edi')));
    expect(e).toBeInstanceOf(X12EnvelopeError);
    const broken = e as X12EnvelopeError;
    expect(broken.message).toMatch(/file ends inside functional group 7011: GE missing \(file cut short\?\)/);
    expect(broken.ta1Code).toBe('023');
    expect(broken.interchange).toMatchObject({ controlNumber: '000007011', ackRequested: true, date: '261128', time: '1015' });
    const ta1 = renderTa1({ interchange: broken.interchange!, status: 'R', code: broken.ta1Code }, env, { isa13: 12 }, AT);
    expect(checkTa1(ta1)).toEqual([]);
    expect(ta1).toContain('TA1*000007011*261128*1015*R*023~');
  });

  it('an unreadable ISA earns no TA1 (there is nothing to echo)', () => {
    const e = parseError(() => parse('ISA*00*   *00*x~'));
    expect(e).not.toBeInstanceOf(X12EnvelopeError);
  });

  it('IEA02 that does not match ISA13 is TA1 code 001; IEA01 that miscounts is 021', () => {
    const good = fixture('856-hl02-zero.edi').toString();
    const iea02 = parseError(() => readX12(good.replace('IEA*1*000000881', 'IEA*1*000000882'), { recover: true })) as X12EnvelopeError;
    expect(iea02.ta1Code).toBe('001');
    const iea01 = parseError(() => readX12(good.replace('IEA*1*000000881', 'IEA*2*000000881'), { recover: true })) as X12EnvelopeError;
    expect(iea01.ta1Code).toBe('021');
  });
});
