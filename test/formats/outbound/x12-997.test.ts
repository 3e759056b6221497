import { describe, expect, it } from 'vitest';
import type { ReceivedGroup } from '../../../src/canonical/inbound.ts';
import { X12Envelope } from '../../../src/config/mapping-schema.ts';
import { groupStatus, render997 } from '../../../src/formats/x12/write/index.ts';

const env = X12Envelope.parse({ version: '004010', senderQualifier: 'ZZ', senderId: 'DROPHUB', receiverQualifier: 'ZZ', receiverId: 'ACMETOYS' });

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

describe('render997', () => {
  it('answers every set of the group, turning the envelope around and echoing the version', () => {
    const text = render997(group, env, { isa13: 5, gs06: 5, st02: 1 }, { createdAt: '2026-11-26T12:00:00Z' });
    expect(text).toBe(
      [
        'ISA*00*          *00*          *ZZ*DROPHUB        *ZZ*ACMETOYS       *261126*1200*^*00501*000000005*0*P*>~',
        'GS*FA*DROPHUBGS*ACMEGS*20261126*1200*5*X*005010~',
        'ST*997*0001~',
        'AK1*SH*77~',
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
  });

  it('reports rejected sets and the group status', () => {
    const text = render997({ ...group, version: '004010', interchange: { ...group.interchange, version: '00401' } }, env, { isa13: 6, gs06: 6, st02: 2 }, {
      createdAt: '2026-11-26T12:00:00Z',
      sets: [{ controlNumber: '0002', status: 'R', errorCodes: ['5'] }],
    });
    expect(text).toContain('*U*00401*');
    expect(text).toContain('AK2*856*0002~\nAK5*R*5~\nAK9*P*2*2*1~');
    expect(groupStatus(['R', 'R'])).toBe('R');
    expect(groupStatus(['A', 'E'])).toBe('E');
    expect(groupStatus([])).toBe('A');
  });
});
