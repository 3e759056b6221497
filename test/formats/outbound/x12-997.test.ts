import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InterchangeAck, ReceivedGroup, SetAck } from '../../../src/canonical/inbound.ts';
import { X12Envelope } from '../../../src/config/mapping-schema.ts';
import { RenderError } from '../../../src/errors.ts';
import { WRITE_VERSIONS, groupStatus, render997, renderTa1 } from '../../../src/formats/x12/write/index.ts';
import { check997, checkTa1 } from '../../helpers/x12-check.ts';

const env = X12Envelope.parse({ version: '004010', senderQualifier: 'ZZ', senderId: 'DROPHUB', receiverQualifier: 'ZZ', receiverId: 'ACMETOYS' });
const NUMBERS = { isa13: 5, gs06: 5, st02: 1 };
const AT = { createdAt: '2026-11-26T12:00:00Z' };

const group: ReceivedGroup = {
  interchange: { senderQualifier: 'ZZ', senderId: 'ACMETOYS', receiverQualifier: 'ZZ', receiverId: 'DROPHUB', controlNumber: '000000777', version: '00501' },
  functionalId: 'SH',
  senderId: 'ACMEGS',
  receiverId: 'DROPHUBGS',
  controlNumber: '77',
  version: '005010',
  sets: [
    { transactionSet: '856', controlNumber: '0001' },
    { transactionSet: '856', controlNumber: '0002' },
  ],
};

function inVersion(version: string): ReceivedGroup {
  const isa = version.slice(0, 5);
  return { ...group, version, interchange: { ...group.interchange, version: isa } };
}

describe('render997', () => {
  it('answers every set of the group, turning the envelope around and echoing the version (AK103 in 005010)', () => {
    const text = render997(group, env, NUMBERS, AT);
    expect(text).toBe(
      [
        'ISA*00*          *00*          *ZZ*DROPHUB        *ZZ*ACMETOYS       *261126*1200*^*00501*000000005*0*P*>~',
        'GS*FA*DROPHUBGS*ACMEGS*20261126*1200*5*X*005010~',
        'ST*997*0001~',
        'AK1*SH*77*005010~',
        'AK2*856*0001~',
        'AK5*A~',
        'AK2*856*0002~',
        'AK5*A~',
        'AK9*A*2*2*2~',
        'SE*8*0001~',
        'GE*1*5~',
        'IEA*1*000000005~',
        '',
      ].join('\n'),
    );
    expect(check997(text)).toEqual([]);
  });

  it('reports rejected sets and the group status', () => {
    const text = render997(inVersion('004010'), env, { isa13: 6, gs06: 6, st02: 2 }, {
      ...AT,
      sets: [{ controlNumber: '0002', status: 'R', errorCodes: ['5'] }],
    });
    expect(check997(text)).toEqual([]);
    expect(text).toContain('*U*00401*');
    expect(text).toContain('AK1*SH*77~');
    expect(text).toContain('AK2*856*0002~\nAK5*R*5~\nAK9*P*2*2*1~');
    expect(groupStatus(['R', 'R'])).toBe('R');
    expect(groupStatus(['A', 'E'])).toBe('E');
    expect(groupStatus([])).toBe('A');
  });

  it.each(WRITE_VERSIONS)('%s: AK3/AK4 detail of a rejected set and a set accepted with errors passes the check', (version) => {
    const rejected: SetAck = {
      status: 'R',
      codes: ['5'],
      notes: [{ message: 'SN102 "two" is not a quantity', segment: 'SN1', position: 9, element: { position: 2, reference: '382', code: '6', value: 'two' } }],
    };
    const noted: SetAck = { status: 'E', notes: [{ message: 'ZZZ is not an 856 segment', segment: 'ZZZ', position: 4, segmentCode: '2' }] };
    const g = inVersion(version);
    const text = render997({ ...g, sets: [{ ...g.sets[0]!, ack: rejected }, { ...g.sets[1]!, ack: noted }] }, env, NUMBERS, AT);
    expect(check997(text)).toEqual([]);
    expect(text).toContain('AK2*856*0001~\nAK3*SN1*9**8~\nAK4*2*382*6*two~\nAK5*R*5~');
    expect(text).toContain('AK2*856*0002~\nAK3*ZZZ*4**2~\nAK5*E~');
    expect(text).toContain('AK9*P*2*2*1~');
  });

  it('a group whose envelope is in error (GE01 wrong) is rejected whole with its AK9 code', () => {
    const text = render997({ ...inVersion('004010'), declaredSets: 3, errors: [{ code: '5', message: 'GE01 says 3 sets, counted 2' }] }, env, NUMBERS, AT);
    expect(check997(text)).toEqual([]);
    expect(text).toContain('AK9*R*3*2*0*5~');
  });

  it('a version the hub does not write itself is answered with the nearest table below it', () => {
    const vics = render997({ ...inVersion('004010'), version: '004010VICS' }, env, NUMBERS, AT);
    expect(vics).toContain('*X*004010VICS~');
    expect(check997(vics)).toEqual([]);
    const v4060 = render997({ ...inVersion('004030'), version: '004060', interchange: { ...group.interchange, version: '00406' } }, env, NUMBERS, AT);
    expect(check997(v4060)).toEqual([]);
  });

  it('property: any mix of set statuses, codes and notes gives a 997 valid for its version', () => {
    const note = fc.record({
      segment: fc.constantFrom('BSN', 'HL', 'SN1', 'ZZZ', 'DTM'),
      position: fc.integer({ min: 1, max: 999_999 }),
      segmentCode: fc.option(fc.constantFrom('1', '2', '3', '8'), { nil: undefined }),
      element: fc.option(fc.record({ position: fc.integer({ min: 1, max: 99 }), code: fc.constantFrom('1', '4', '5', '6', '7', '8', '9'), value: fc.option(fc.string({ maxLength: 120 }), { nil: undefined }) }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...WRITE_VERSIONS, '004010VICS', '004060'),
        fc.array(fc.record({ status: fc.constantFrom('A', 'E', 'R'), codes: fc.array(fc.constantFrom('1', '2', '3', '4', '5'), { maxLength: 5 }), notes: fc.array(note, { maxLength: 4 }) }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (version, acks, groupError) => {
          const g = inVersion(version);
          const sets = acks.map((ack, i) => ({
            transactionSet: '856',
            controlNumber: String(i + 1).padStart(4, '0'),
            ack: { status: ack.status, codes: ack.status === 'R' && ack.codes.length === 0 && ack.notes.length === 0 ? ['5'] : ack.codes, notes: ack.notes.map((n) => ({ ...n, message: 'x' })) } as SetAck,
          }));
          const received: ReceivedGroup = { ...g, sets, ...(groupError ? { errors: [{ code: '4', message: 'GE02 differs' }] } : {}) };
          let text: string;
          try {
            text = render997(received, env, NUMBERS, AT);
          } catch (error) {
            // Only an AK404 copy that cannot be written at all may fail, and it does so as a RenderError.
            expect(error).toBeInstanceOf(RenderError);
            return;
          }
          expect(check997(text)).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('the independent check judges 997s by version', () => {
  it('refuses elements a version does not have and counts that do not add up', () => {
    const v4 = render997(inVersion('004010'), env, NUMBERS, AT);
    expect(check997(v4.replace('AK1*SH*77~', 'AK1*SH*77*004010~'))).toContain('AK1 has 3 elements, at most 2');
    expect(check997(v4.replace('AK9*A*2*2*2~', 'AK9*A*2*2*1~'))).toContain('AK904 is 1, but 2 AK5 accept');
    expect(check997(v4.replace('AK5*A~\nAK2*856*0002~', 'AK2*856*0002~'))).toEqual(expect.arrayContaining(['AK2 is out of order in the 997 (after AK2)']));
    expect(check997(v4.replace('AK5*A~', 'AK5*Q~'))).toContain('AK501 "Q" is not one of its codes (A, E, M, R, W, X)');
  });
});

describe('renderTa1', () => {
  const interchange = { senderQualifier: 'ZZ', senderId: 'ACMETOYS', receiverQualifier: 'ZZ', receiverId: 'DROPHUB', date: '261127', time: '0930', controlNumber: '000000042', version: '00401', ackRequested: true };

  it.each([
    ['A', '000', '00401', 'U'],
    ['R', '023', '00501', '^'],
  ] as const)('TA1 %s %s in an interchange without groups (ISA12 %s)', (status, code, version, isa11) => {
    const ack: InterchangeAck = { interchange: { ...interchange, version }, status, code };
    const text = renderTa1(ack, env, { isa13: 9 }, AT);
    expect(checkTa1(text)).toEqual([]);
    expect(text).toBe(
      [
        `ISA*00*          *00*          *ZZ*DROPHUB        *ZZ*ACMETOYS       *261126*1200*${isa11}*${version}*000000009*0*P*>~`,
        `TA1*000000042*261127*0930*${status}*${code}~`,
        'IEA*0*000000009~',
        '',
      ].join('\n'),
    );
  });

  it('refuses to echo an ISA it could not read', () => {
    expect(() => renderTa1({ interchange: { ...interchange, controlNumber: 'ABC' }, status: 'R', code: '024' }, env, { isa13: 9 }, AT)).toThrow(/TA101/);
    expect(() => renderTa1({ interchange: { ...interchange, date: '2611' }, status: 'R', code: '024' }, env, { isa13: 9 }, AT)).toThrow(/TA102/);
  });
});
