import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  X12Reader,
  component,
  el,
  parseX12Set,
  readX12,
  readX12Stream,
  repetitions,
  type X12Set,
} from '../../../src/formats/x12/read/index.ts';
import { fixture, fixtureText, parseError, withDelimiters } from './helpers.ts';

const SOPI = fixtureText('856-sopi-two-pos.edi');

/** What the hub takes from a file: the items of every set (envelope details aside). */
function items(input: Buffer | string) {
  return readX12(input).sets.flatMap((set) => parseX12Set(set));
}

const expected = items(SOPI);

describe('X12 reader: envelope and delimiters', () => {
  it('reads the standard layout, with the groups to acknowledge', () => {
    const file = readX12(fixture('856-sopi-two-pos.edi'), { file: 'asn.856' });
    expect(file.sets).toHaveLength(1);
    const set = file.sets[0] as X12Set;
    expect(set.transactionSet).toBe('856');
    expect(set.controlNumber).toBe('0001');
    expect(set.firstSegment).toBe(3);
    expect(set.segments[0]).toEqual(['ST', '856', '0001']);
    expect(set.segments.at(-1)?.[0]).toBe('SE');
    expect(set.delimiters).toEqual({ element: '*', component: '>', segment: '~', repetition: '' });
    expect(set.interchange).toMatchObject({ senderId: 'ACMETOYS', receiverId: 'DROPHUB', controlNumber: '000000042', version: '00401', usage: 'P' });
    expect(set.group).toMatchObject({ functionalId: 'SH', controlNumber: '42', version: '004010' });
    expect(file.groups).toEqual([
      {
        interchange: {
          senderQualifier: 'ZZ',
          senderId: 'ACMETOYS',
          receiverQualifier: 'ZZ',
          receiverId: 'DROPHUB',
          controlNumber: '000000042',
          version: '00401',
        },
        functionalId: 'SH',
        senderId: 'ACMETOYS',
        receiverId: 'DROPHUB',
        controlNumber: '42',
        version: '004010',
        sets: [{ transactionSet: '856', controlNumber: '0001' }],
      },
    ]);
    expect(expected).toHaveLength(2);
  });

  const variants: [string, string | Buffer][] = [
    ['CRLF after each terminator', withDelimiters(SOPI, { after: '\r\n' })],
    ['no line breaks at all', withDelimiters(SOPI, { after: '' })],
    ['a newline as the segment terminator', withDelimiters(SOPI, { segment: '\n', after: '' })],
    ['CRLF as the segment terminator', withDelimiters(SOPI, { segment: '\r', after: '\n' })],
    ['| element separator and \\n terminator', withDelimiters(SOPI, { element: '|', segment: '\n', after: '' })],
    ['~ element separator and * terminator', withDelimiters(SOPI, { element: '~', segment: '*', component: '`' })],
    ['a non-ASCII terminator (…)', withDelimiters(SOPI, { segment: '\u2026', after: '\r\n' })],
    ['a space terminator then CRLF', withDelimiters(SOPI, { segment: '!', after: ' \r\n' })],
    ['trailing blanks and blank lines between segments', SOPI.replaceAll('~\n', '~   \n\n\t')],
    ['leading indentation', SOPI.split('\n').map((l, i) => `${'  '.repeat(i % 4)}${l}`).join('\n')],
    ['a UTF-8 byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SOPI)])],
    ['an ISA padded with non-breaking spaces', SOPI.replace(/^ISA\*00\* {10}\*00\* {10}/, 'ISA*00*\u00a0\u00a0\u00a0*00*\u00a0\u00a0\u00a0')],
    ['an unpadded ISA', SOPI.replace(/^ISA.*$/m, (isa) => isa.split('*').map((e) => e.trim() || ' ').join('*'))],
    ['a file hard-wrapped at 80 columns', SOPI.replaceAll('\n', '').replace(/(.{80})/g, '$1\n')],
    ['an ISA missing ISA16 (…*P*~ then GS…~)', SOPI.replace('*P*>~', '*P*~')],
    ['no terminator after the final IEA', SOPI.replace(/~\n$/, '')],
  ];
  it.each(variants)('tolerates %s', (_name, input) => {
    expect(items(input)).toEqual(expected);
  });

  it('takes the repetition separator from ISA11 in 00402 and later only', () => {
    const soip = readX12(fixture('856-soip-5010-bom-crlf.edi')).sets[0] as X12Set;
    expect(soip.delimiters.repetition).toBe('^');
    expect(soip.repetitions(['REF', 'ZZ', 'A^B^ C'], 2)).toEqual(['A', 'B', 'C']);
    const sopi = readX12(SOPI).sets[0] as X12Set;
    expect(sopi.delimiters.repetition).toBe('');
    expect(sopi.repetitions(['REF', 'ZZ', 'A^B'], 2)).toEqual(['A^B']);
    // ISA11 alphanumeric in 00501 is no separator
    const odd = readX12(SOPI.replace('*U*00401*', '*X*00501*')).sets[0] as X12Set;
    expect(odd.delimiters.repetition).toBe('');
  });

  it('offers element, component and repetition accessors', () => {
    const d = { element: '*', component: '>', segment: '~', repetition: '^' };
    const seg = ['SLN', '1', '', 'I', 'EA>12>X', ' padded '];
    expect(el(seg, 1)).toBe('1');
    expect(el(seg, 5)).toBe('padded');
    expect(el(seg, 9)).toBe('');
    expect(component(seg, 4, 1, d)).toBe('EA');
    expect(component(seg, 4, 2, d)).toBe('12');
    expect(component(seg, 4, 7, d)).toBe('');
    expect(repetitions(['X', 'a^b'], 1, d)).toEqual(['a', 'b']);
    expect(component(seg, 4, 1, { ...d, component: '' })).toBe('EA>12>X');
  });

  it('reads several ISA per file, several GS per ISA and several ST per GS', () => {
    const twoIsa = readX12(fixture('997-accept-reject.edi'));
    expect(twoIsa.interchanges).toBe(2);
    expect(twoIsa.groups.map((g) => g.interchange.controlNumber)).toEqual(['000000047', '000000048']);
    const twoGs = readX12(fixture('810-846-two-groups.edi'));
    expect(twoGs.groups.map((g) => [g.functionalId, g.controlNumber, g.sets.map((s) => s.transactionSet)])).toEqual([
      ['IN', '50', ['810']],
      ['IB', '51', ['846']],
    ]);
    const threeSt = readX12(fixture('855-acks.edi'));
    expect(threeSt.sets.map((s) => s.controlNumber)).toEqual(['0001', '0002', '0003']);
    expect(threeSt.groups[0]?.sets).toHaveLength(3);
    // differing delimiters per interchange
    const mixed = readX12(SOPI + withDelimiters(SOPI, { element: '|', segment: '\n', after: '' }).replaceAll('000000042', '000000043'));
    expect(mixed.sets.map((s) => s.delimiters.element)).toEqual(['*', '|']);
  });

  it('tolerates ISB/ISE and TA1 at interchange level', () => {
    const withTa1 = SOPI.replace('GS*', 'TA1*000000041*261127*1200*A*000~\nISB*1~\nGS*');
    expect(items(withTa1)).toEqual(expected);
  });
});

describe('X12 reader: what it refuses', () => {
  const lines = SOPI.split('\n').filter(Boolean);
  const without = (id: string) => lines.filter((l) => !l.startsWith(`${id}*`)).join('\n');
  const segmentOf = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix)) + 1;

  it('a missing IEA', () => {
    const e = parseError(() => readX12(without('IEA')));
    expect(e.message).toMatch(/IEA missing/);
    expect(e.segment).toBe(lines.length - 1);
    expect(e.offset).toBe(Buffer.byteLength(without('IEA')));
  });

  it('a missing GE', () => {
    const e = parseError(() => readX12(without('GE')));
    expect(e.message).toMatch(/GE missing/);
    expect(e.segment).toBe(lines.length - 1);
  });

  it('a missing SE', () => {
    const e = parseError(() => readX12(without('SE')));
    expect(e.message).toMatch(/GE inside transaction set 856 0001 .*SE missing/);
    expect(e.segment).toBe(segmentOf('GE*') - 1);
  });

  it('a missing GS', () => {
    expect(parseError(() => readX12(without('GS'))).message).toMatch(/ST outside a functional group/);
  });

  it('a new ISA before the IEA', () => {
    const e = parseError(() => readX12(without('IEA') + SOPI));
    expect(e.message).toMatch(/ISA inside interchange .*IEA missing/);
  });

  it('a file cut part-way, at any segment', () => {
    for (let n = 1; n < lines.length; n++) {
      const cut = lines.slice(0, n).join('\n');
      const e = parseError(() => readX12(cut));
      expect(e.message).toMatch(/missing|ends/);
    }
    // cut inside the ISA
    expect(parseError(() => readX12(SOPI.slice(0, 60))).message).toMatch(/ends inside the ISA/);
  });

  it('SE01 that does not count the segments', () => {
    const bad = SOPI.replace('SE*34*0001', 'SE*33*0001');
    const e = parseError(() => readX12(bad));
    expect(e.message).toMatch(/SE01 of 856 0001 says "33" segments, counted 34/);
    expect(e.segment).toBe(segmentOf('SE*'));
    expect(e.offset).toBe(bad.indexOf('SE*33'));
  });

  it('SE02 ≠ ST02, GE01, GE02, IEA01, IEA02 mismatches', () => {
    expect(parseError(() => readX12(SOPI.replace('SE*34*0001', 'SE*34*0002'))).message).toMatch(/SE02 "0002" does not match ST02 "0001"/);
    expect(parseError(() => readX12(SOPI.replace('GE*1*42', 'GE*2*42'))).message).toMatch(/GE01 says "2" transaction sets, counted 1/);
    expect(parseError(() => readX12(SOPI.replace('GE*1*42', 'GE*1*43'))).message).toMatch(/GE02 "43" does not match GS06 "42"/);
    expect(parseError(() => readX12(SOPI.replace('IEA*1*', 'IEA*2*'))).message).toMatch(/IEA01 says "2" functional groups, counted 1/);
    const e = parseError(() => readX12(SOPI.replace('IEA*1*000000042', 'IEA*1*000000041')));
    expect(e.message).toMatch(/IEA02 "000000041" does not match ISA13 "000000042"/);
    expect(e.segment).toBe(lines.length);
  });

  it('junk before the ISA, or no X12 at all', () => {
    const junk = parseError(() => readX12(`Hello\n${SOPI}`));
    expect(junk.message).toMatch(/not an X12 file: expected an ISA segment, found "Hello/);
    expect(junk.offset).toBe(0);
    expect(parseError(() => readX12('{"type":"shipment"}')).message).toMatch(/not an X12 file/);
    expect(parseError(() => readX12('')).message).toMatch(/empty file/);
    expect(parseError(() => readX12(' \r\n ')).message).toMatch(/empty file/);
    expect(parseError(() => readX12(Buffer.from([0xff, 0xfe, 0x00, 0x49]))).message).toMatch(/not an X12 file/);
  });

  it('junk after the IEA', () => {
    const e = parseError(() => readX12(`${SOPI}trailing garbage`));
    expect(e.message).toMatch(/unexpected data after IEA/);
    expect(e.offset).toBe(Buffer.byteLength(SOPI));
  });

  it('a malformed segment id (a missing terminator merges two segments)', () => {
    const e = parseError(() => readX12(SOPI.replace('N1*ST*Ada Lovelace~', 'n1*ST*Ada Lovelace~')));
    expect(e.message).toMatch(/"n1" is not a segment id/);
    expect(e.segment).toBe(segmentOf('N1*ST'));
  });

  it('an ISA split over lines when lines end segments', () => {
    const split = withDelimiters(SOPI, { segment: '\n', after: '' }).replace('*261127*', '*261127\n*');
    expect(parseError(() => readX12(split)).message).toMatch(/split across lines/);
  });

  it('ISA delimiters that clash, or a letter as terminator', () => {
    expect(parseError(() => readX12(SOPI.replace('*P*>~', '*P**~'))).message).toMatch(/not distinct/);
    expect(parseError(() => readX12(SOPI.replace('*P*>~\nGS', '*P*>XS'))).message).toMatch(/cannot be a segment terminator/);
    expect(parseError(() => readX12(SOPI.replace(/^ISA\*/, 'ISAA'))).message).toMatch(/cannot be the element separator/);
  });

  it('numbers errors with the file name', () => {
    const e = parseError(() => readX12(without('IEA'), { file: 'ASN_1.856' }));
    expect(e.message).toContain('ASN_1.856');
    expect(e.details).toMatchObject({ file: 'ASN_1.856', format: 'x12' });
  });
});

describe('X12 reader: streaming', () => {
  const files = ['856-sopi-two-pos.edi', '856-soip-5010-bom-crlf.edi', '855-acks.edi', '997-accept-reject.edi', '810-846-two-groups.edi'];
  const whole = (name: string) => readX12(fixture(name));

  it('gives the same sets fed in random chunk sizes as whole', () => {
    fc.assert(
      fc.property(fc.constantFrom(...files), fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 40 }), (name, sizes) => {
        const bytes = fixture(name);
        const reader = new X12Reader();
        const sets: X12Set[] = [];
        let at = 0;
        for (let i = 0; at < bytes.length; i++) {
          const size = sizes[i % sizes.length] as number;
          sets.push(...reader.push(bytes.subarray(at, at + size)));
          at += size;
        }
        sets.push(...reader.end());
        const expect_ = whole(name);
        expect(sets.map((s) => [s.transactionSet, s.controlNumber, s.segments, s.offset, s.firstSegment])).toEqual(
          expect_.sets.map((s) => [s.transactionSet, s.controlNumber, s.segments, s.offset, s.firstSegment]),
        );
        expect(reader.groups).toEqual(expect_.groups);
      }),
      { numRuns: 150 },
    );
  });

  it('splits multi-byte characters across chunks and still reports byte offsets', () => {
    const text = withDelimiters(SOPI, { segment: '\u2026', after: '\n' }).replace('Ada Lovelace', 'Adé Lovelàce');
    const bytes = Buffer.from(text);
    const reader = new X12Reader();
    const sets: X12Set[] = [];
    for (let i = 0; i < bytes.length; i++) sets.push(...reader.push(bytes.subarray(i, i + 1)));
    sets.push(...reader.end());
    expect(sets.flatMap((s) => parseX12Set(s))).toEqual(expected);
    const bad = Buffer.from(text.replace('SE*34', 'SE*35'));
    const e = parseError(() => readX12(bad));
    expect(e.offset).toBe(bad.indexOf('SE*35'));
  });

  it('yields sets one at a time from an async stream', async () => {
    const many = Array.from({ length: 5 }, (_, i) => SOPI.replaceAll('000000042', String(100 + i).padStart(9, '0'))).join('');
    const stream = Readable.from([Buffer.from(many)], { objectMode: false, highWaterMark: 64 });
    const gen = readX12Stream(stream, { file: 'five.856' });
    const seen: string[] = [];
    let next = await gen.next();
    while (!next.done) {
      seen.push(next.value.interchange.controlNumber);
      next = await gen.next();
    }
    expect(seen).toEqual(['000000100', '000000101', '000000102', '000000103', '000000104']);
    expect(next.value.interchanges).toBe(5);
    expect(next.value.groups).toHaveLength(5);
  });

  it('throws on a cut stream after yielding what was complete', async () => {
    const cut = SOPI + SOPI.slice(0, SOPI.length / 2);
    const got: X12Set[] = [];
    await expect(
      (async () => {
        for await (const set of readX12Stream(Readable.from([Buffer.from(cut)]))) got.push(set);
      })(),
    ).rejects.toThrow(/SE missing/);
    expect(got).toHaveLength(1);
  });

  it('refuses a segment with no terminator in sight instead of buffering forever', () => {
    const reader = new X12Reader({ maxSegmentLength: 1000 });
    reader.push(SOPI.slice(0, 200));
    expect(() => reader.push('x'.repeat(2000))).toThrow(/no segment terminator/);
  });
});
