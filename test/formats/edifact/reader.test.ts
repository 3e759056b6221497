import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/errors.ts';
import { readEdifact, readEdifactSegments, readEdifactStream, type EdifactMessage } from '../../../src/formats/edifact/index.ts';
import { chunks, inbound, parseError, stream } from './helpers.ts';

const UNB = "UNB+UNOC:3+SUP:ZZ+HUB:ZZ+261127:0930+42'";
const msg = (ref: string, body = "BGM+231+R1+29'") => `UNH+${ref}+ORDRSP:D:96A:UN'${body}UNT+${body.split("'").filter(Boolean).length + 2}+${ref}'`;

function values(m: EdifactMessage): string[][][] {
  return m.segments.map((s) => [[s.tag], ...s.elements]);
}

describe('EDIFACT reader: service characters and tolerance', () => {
  it('reads the default service characters without a UNA, and a UNA that changes all of them', () => {
    const plain = readEdifact(`${UNB}${msg('1', "FTX+AAI+++a:b+c'")}UNZ+1+42'`);
    expect(plain.messages[0]!.segments[1]!.elements).toEqual([['AAI'], [''], [''], ['a', 'b'], ['c']]);
    const custom = readEdifact(`UNA|*,!_#UNB*UNOC|3*SUP*HUB*261127|0930*42#UNH*1*ORDRSP|D|96A|UN#FTX*AAI***a|b!*!|!!!##UNT*3*1#UNZ*1*42#`);
    expect(custom.messages[0]!.segments[1]!.elements).toEqual([['AAI'], [''], [''], ['a', 'b*|!#']]);
    expect(custom.messages[0]!.delimiters).toMatchObject({ component: '|', element: '*', decimal: ',', release: '!', segment: '#' });
  });

  it('applies the release character to every service character, itself included', () => {
    const read = readEdifact(`${UNB}UNH+1+ORDRSP:D:96A:UN'FTX+AAI+++1?+1?:2 ?? is ?'odd?''UNT+3+1'UNZ+1+42'`);
    expect(read.messages[0]!.segments[1]!.elements[3]).toEqual(["1+1:2 ? is 'odd'"]);
  });

  it('tolerates a byte-order mark, CRLF and blank lines between segments, a hard-wrapped segment and no final terminator', () => {
    const text = `${UNB}\r\n\r\n${msg('1', "FTX+AAI+++long\r\ntext'")}\n\nUNZ+1+42`;
    const read = readEdifact(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'latin1')]));
    expect(read.messages[0]!.segments[1]!.elements[3]).toEqual(['longtext']);
    expect(read.interchanges).toHaveLength(1);
  });

  it('decodes UNOC (ISO 8859-1) to Unicode', () => {
    const read = readEdifact(inbound('invoic.edi'));
    const nad = read.messages[0]!.segments.find((s) => s.tag === 'NAD')!;
    expect(nad.elements[3]).toEqual(['Acme Spielwaren GmbH München']);
  });

  it('reads several interchanges, each with its own UNA, and groups', () => {
    const first = `UNA:+.? '${UNB}${msg('1')}UNZ+1+42'`;
    const second = `\nUNA:*.? ~UNB*UNOC:3*SUP*HUB*261127:0931*43~UNG*ORDRSP*SUP*HUB*261127:0931*7*UN*D:96A~${msg('2').replace(/\+/g, '*').replace(/'/g, '~')}UNE*1*7~UNZ*1*43~`;
    const read = readEdifact(first + second);
    expect(read.messages.map((m) => [m.reference, m.group?.reference])).toEqual([['1', undefined], ['2', '7']]);
    expect(read.interchanges.map((i) => [i.header.controlReference, i.messages.length, i.groups.length])).toEqual([['42', 1, 0], ['43', 1, 1]]);
    expect(read.segments).toBe(14); // the UNAs count
  });

  it('every segment carries its number, byte offset and line', () => {
    const read = readEdifact(inbound('ordrsp.edi'));
    const bgm = read.messages[0]!.segments[1]!;
    expect([bgm.tag, bgm.number, bgm.line]).toEqual(['BGM', 4, 4]);
    expect(inbound('ordrsp.edi').toString('latin1').slice(bgm.offset, bgm.offset + 3)).toBe('BGM');
  });
});

describe('EDIFACT reader: streaming', () => {
  it('gives the same messages whatever the chunking', async () => {
    for (const name of ['ordrsp.edi', 'desadv.edi', 'invrpt.edi', 'invoic.edi']) {
      const whole = readEdifact(inbound(name)).messages.map(values);
      for (const size of [1, 2, 3, 7, 64]) {
        const got: string[][][][] = [];
        for await (const m of readEdifactStream(stream(chunks(inbound(name), size)))) got.push(values(m));
        expect(got, `${name} in chunks of ${size}`).toEqual(whole);
      }
    }
  });

  it('hands out a message as soon as its UNT checks out, before the rest of the file is read', async () => {
    let pulled = 0;
    const parts = [`${UNB}${msg('1')}`, msg('2'), 'UNZ+2+42\''];
    async function* source(): AsyncGenerator<string> {
      for (const part of parts) {
        pulled++;
        yield part;
      }
    }
    const gen = readEdifactStream(source());
    const first = await gen.next();
    expect(first.done).toBe(false);
    expect(pulled).toBe(1);
    const rest = [];
    for (;;) {
      const next = await gen.next();
      if (next.done) {
        expect(next.value.interchanges).toHaveLength(1);
        break;
      }
      rest.push(next.value.reference);
    }
    expect(rest).toEqual(['2']);
  });

  it('streams bare segments too', async () => {
    const tags: string[] = [];
    for await (const s of readEdifactSegments(stream(chunks(inbound('desadv.edi'), 5)))) tags.push(s.tag);
    expect(tags.slice(0, 3)).toEqual(['UNB', 'UNH', 'BGM']);
    expect(tags).toHaveLength(26);
  });
});

describe('EDIFACT reader: what it refuses', () => {
  const cases: [string, string | Buffer, string, Record<string, unknown>][] = [
    ['an empty file', '', 'not an EDIFACT interchange: no UNB segment (empty file)', { code: '13' }],
    ['something else', 'ISA*00*          *00*', 'is not a segment tag', { code: '12' }],
    ['a wrong UNT count', `${UNB}UNH+1+ORDRSP:D:96A:UN'BGM+231+R1'UNT+9+1'UNZ+1+42'`, 'UNT: 0074 says "9" segments, counted 3 in message "1" (UNH to UNT) (in.edi, segment 4, line 1, byte 73)', { code: '29', segmentInMessage: 3 }],
    ['a UNT reference not matching', `${UNB}UNH+1+ORDRSP:D:96A:UN'UNT+2+2'UNZ+1+42'`, 'UNT: message reference "2" does not match UNH 0062 "1"', { code: '28' }],
    ['a wrong UNZ count', `${UNB}${msg('1')}UNZ+2+42'`, 'UNZ: 0036 says "2" messages, counted 1', { code: '29', envelope: true }],
    ['a UNZ reference not matching', `${UNB}${msg('1')}UNZ+1+43'`, 'UNZ: interchange control reference "43" does not match UNB 0020 "42"', { code: '28' }],
    ['a missing UNT', `${UNB}UNH+1+ORDRSP:D:96A:UN'BGM+231+R1'UNH+2+ORDRSP:D:96A:UN'`, 'UNH: UNH inside message ORDRSP "1" (UNH at segment 2): UNT missing', { code: '13' }],
    ['a file cut short', `${UNB}UNH+1+ORDRSP:D:96A:UN'BGM+231`, 'file ends inside message ORDRSP "1" (UNH at segment 2): UNT missing (file cut short?)', { code: '13' }],
    ['a missing UNZ', `${UNB}${msg('1')}`, 'file ends inside interchange "42": UNZ missing (file cut short?)', {}],
    ['a segment outside any message', `${UNB}BGM+231'`, 'BGM: BGM outside a message (UNH missing)', { code: '33' }],
    ['groups and bare messages mixed', `${UNB}${msg('1')}UNG+ORDRSP+SUP+HUB+261127:0931+7+UN+D:96A'`, 'groups and bare messages are mixed', { code: '30' }],
    ['a wrong UNE count', `${UNB}UNG+ORDRSP+SUP+HUB+261127:0931+7+UN+D:96A'${msg('1')}UNE+2+7'UNZ+1+42'`, 'UNE: 0060 says "2" messages, counted 1 in group "7"', { code: '29' }],
    ['an unsupported character set', "UNB+UNOY:4+SUP+HUB+20261127:0930+42'", 'syntax identifier "UNOY" is not one the hub reads (UNOA, UNOB, UNOC)', { code: '2' }],
    ['a UNB without control reference', "UNB+UNOC:3+SUP+HUB+261127:0930'", 'interchange control reference (0020) missing', { code: '13' }],
    ['a bad UNB date', "UNB+UNOC:3+SUP+HUB+27NOV:0930+1'", 'date of preparation (S004 0017) "27NOV" is not YYMMDD', { code: '12' }],
    ['a malformed segment tag', `${UNB}UNH+1+ORDRSP:D:96A:UN'bgm+231'`, 'malformed segment "bgm+231": "bgm" is not a segment tag', { code: '12' }],
    ['a UNA with a letter for a separator', "UNA:X.? 'UNB", '"X" (U+0058) cannot be the element separator', { code: '20' }],
    ['a UNA with a bad decimal mark', "UNA:+;? 'UNB", 'the decimal mark must be "." or ","', { code: '20' }],
    ['a UNA with two service characters alike', "UNA++.? 'UNB", 'the element separator and the component separator are both "+"', { code: '20' }],
    ['a release character at the end of the file', `${UNB}UNH+1+ORDRSP:D:96A:UN?`, 'file ends with a release character', {}],
    ['8-bit data in UNOA', Buffer.from(`UNB+UNOA:3+SUP+HUB+261127:0930+42'UNH+1+ORDRSP:D:96A:UN'FTX+AAI+++M\u00dcNCHEN'`, 'latin1'), 'FTX: byte 0xDC is outside UNOA, which is 7-bit (is the file UNOC, ISO 8859-1, or UTF-8?) (in.edi, segment 3, line 1, byte 67)', { code: '21' }],
    ['a C1 control code in UNOC', Buffer.from(`${UNB}UNH+1+ORDRSP:D:96A:UN'FTX+AAI+++\u0080 10'`, 'latin1'), 'byte 0x80 is a C1 control code, not a character of UNOC (ISO 8859-1); is the file Windows-1252?', { code: '21' }],
    ['text beyond ISO 8859-1 given as a string', `${UNB}UNH+1+ORDRSP:D:96A:UN'FTX+AAI+++Łodz'`, 'character U+0141 is not a character of UNOA, UNOB or UNOC', { code: '21' }],
    ['a control character', `${UNB}UNH+1+ORDRSP:D:96A:UN'FTX+AAI+++a\u0000b'`, 'byte 0x00 is a control character, not data', { code: '21' }],
    ['lower case in a UNOA envelope', "UNB+UNOA:3+sup+HUB+261127:0930+42'", 'UNB: element 2 "sup" holds "s" (U+0073), outside the declared character set UNOA', { code: '21', element: 2, component: 1 }],
    ['a segment after UNZ', `${UNB}${msg('1')}UNZ+1+42'BGM+231'`, 'BGM: unexpected data after UNZ: expected UNA or UNB, found BGM', { code: '33' }],
    ['garbage after UNZ', `${UNB}${msg('1')}UNZ+1+42'garbage`, 'malformed segment "garbage"', {}],
  ];
  for (const [what, input, message, detail] of cases) {
    it(`refuses ${what}`, () => {
      const error = parseError(() => readEdifact(input, { file: 'in.edi' }));
      expect(error).toBeInstanceOf(ParseError);
      expect(error.code).toBe('parse_failed');
      expect(error.message).toContain(message);
      expect(error.message).toContain('in.edi');
      expect(error.detail).toMatchObject(detail);
    });
  }

  it('gives the exact byte offset and line of a bad character', () => {
    const text = `${UNB}\nUNH+1+ORDRSP:D:96A:UN'\nFTX+AAI+++ok'\nFTX+AAI+++bad\u0001'`;
    const error = parseError(() => readEdifact(text));
    expect(error.offset).toBe(text.indexOf('\u0001'));
    expect(error.line).toBe(4);
    expect(error.segment).toBe(4);
    expect(error.tag).toBe('FTX');
  });

  it('keeps the interchange and message read so far on the error, for a CONTRL', () => {
    const error = parseError(() => readEdifact(`${UNB}UNH+7+ORDRSP:D:96A:UN'BGM+231'UNT+5+7'UNZ+1+42'`));
    expect(error.detail.interchange).toMatchObject({ senderId: 'SUP', recipientId: 'HUB', controlReference: '42' });
    expect(error.detail.message).toMatchObject({ reference: '7', type: 'ORDRSP', version: 'D', release: '96A', agency: 'UN' });
  });

  it('refuses a segment longer than the limit and a message with too many segments', () => {
    expect(parseError(() => readEdifact(`${UNB}UNH+1+ORDRSP:D:96A:UN'FTX+${'x'.repeat(200)}`, { maxSegmentLength: 100 })).message).toContain('no segment terminator "\'" within 100 characters');
    expect(parseError(() => readEdifact(`${UNB}UNH+1+ORDRSP:D:96A:UN'${"FTX+A'".repeat(20)}UNT+22+1'UNZ+1+42'`, { maxMessageSegments: 10 })).message).toContain('has more than 10 segments');
  });
});
