import { describe, expect, it } from 'vitest';
import {
  acknowledgeEdifact,
  contrlAccepting,
  contrlRejecting,
  EdifactInboundConfig,
  edifactInbound,
  EdifactParseError,
  parseEdifactInbound,
  readEdifact,
  renderContrl,
} from '../../../src/formats/edifact/index.ts';
import { checkEdifact } from '../../helpers/edifact-d96a-check.ts';
import { expectGolden, inbound, parseError } from './helpers.ts';

const AT = '2026-11-27T09:31:00Z';
const config = EdifactInboundConfig.parse({});

describe('CONTRL out', () => {
  it('accepts an interchange: UCI 7 and a UCM 7 per message, sender and recipient swapped', () => {
    const read = readEdifact(inbound('ordrsp.edi'));
    const contrl = renderContrl(contrlAccepting(read.interchanges[0]!), { controlReference: 5001, createdAt: AT, newline: true });
    expectGolden('contrl-accept.edi', contrl.content);
    expect(checkEdifact(contrl.content)).toEqual([]);
    const back = readEdifact(contrl.content);
    expect(back.interchanges[0]!.header).toMatchObject({ senderId: 'DROPHUB', recipientId: 'ACMEEU', controlReference: '5001' });
    const [unh, uci, ucm] = back.messages[0]!.segments;
    expect(unh!.elements[1]).toEqual(['CONTRL', '2', '2', 'UN']);
    expect(uci!.elements).toEqual([['4711'], ['ACMEEU', 'ZZ'], ['DROPHUB', 'ZZ'], ['7']]);
    expect(ucm!.elements).toEqual([['1'], ['ORDRSP', 'D', '96A', 'UN'], ['7']]);
  });

  it('rejects a message with the reader\'s error: UCM 4 with the code, UCS the segment, UCD the element', () => {
    const bad = inbound('ordrsp.edi').toString('latin1').replace('RFF+ON:1001-ACME', 'RFF+ON:1001-acme').replace('UNOC:3', 'UNOA:3');
    const error = parseError(() => parseEdifactInbound(bad, config));
    const contrl = renderContrl(contrlRejecting(error)!, { controlReference: 5002, createdAt: AT, newline: true });
    expectGolden('contrl-reject.edi', contrl.content);
    expect(checkEdifact(contrl.content)).toEqual([]);
    const segments = readEdifact(contrl.content).messages[0]!.segments.map((s) => [s.tag, ...s.elements.map((e) => e.join(':'))]);
    expect(segments.slice(1, -1)).toEqual([
      ['UCI', '4711', 'ACMEEU:ZZ', 'DROPHUB:ZZ', '4'],
      ['UCM', '1', 'ORDRSP:D:96A:UN', '4', '21'],
      ['UCS', '4'],
      ['UCD', '21', '1:2'],
    ]);
  });

  it('rejects an envelope error in the UCI: code, service segment, element', () => {
    const bad = inbound('desadv.edi').toString('latin1').replace("UNZ+1+4712'", "UNZ+2+4712'");
    const report = contrlRejecting(parseError(() => readEdifact(bad)))!;
    const segments = readEdifact(renderContrl(report, { controlReference: 9, createdAt: AT }).content).messages[0]!.segments;
    expect(segments[1]!.elements.map((e) => e.join(':'))).toEqual(['4712', 'ACMEEU:ZZ', 'DROPHUB:ZZ', '4', '29', 'UNZ', '1']);
  });

  it('rejects a service segment error inside a message in its UCM', () => {
    const bad = inbound('desadv.edi').toString('latin1').replace("UNT+24+ASN1'", "UNT+25+ASN1'");
    const report = contrlRejecting(parseError(() => readEdifact(bad)))!;
    expect(report.messages).toEqual([{ header: expect.objectContaining({ reference: 'ASN1' }), accepted: false, error: { code: '29', serviceSegment: 'UNT', element: 1 } }]);
    expect(checkEdifact(renderContrl(report, { controlReference: 9, createdAt: AT }).content)).toEqual([]);
  });

  it('cannot answer a file without a readable UNB', () => {
    expect(contrlRejecting(parseError(() => readEdifact('hello')))).toBeUndefined();
  });

  it('answers as asked: acceptances when UNB 0031 = 1 (or always), rejections unless never', async () => {
    let next = 100;
    const ctx = { nextControlReference: () => next++, createdAt: AT };
    const asked = parseEdifactInbound(inbound('ordrsp.edi'), config);
    const notAsked = parseEdifactInbound(inbound('invoic.edi'), config);
    expect(acknowledgeEdifact(asked, config, ctx).map((c) => c.controlReference)).toEqual(['100']);
    expect(acknowledgeEdifact(notAsked, config, ctx)).toEqual([]);
    expect(acknowledgeEdifact(notAsked, { acknowledge: 'always' }, ctx).map((c) => c.controlReference)).toEqual(['101']);
    let error: EdifactParseError | undefined;
    try {
      parseEdifactInbound(inbound('invoic.edi').toString('latin1').replace("UNE+1+G1'", "UNE+1+G2'"), config);
    } catch (e) {
      error = e as EdifactParseError;
    }
    expect(acknowledgeEdifact(error!, config, ctx)).toHaveLength(1);
    expect(acknowledgeEdifact(error!, { acknowledge: 'never' }, ctx)).toEqual([]);
    // The registry's answer follows the same policy, with a number from the partner's counter for each CONTRL.
    let n = 500;
    const answer = (received: unknown, acknowledge: 'requested' | 'always' | 'never') =>
      edifactInbound.answer!(received, { ...config, acknowledge, match: '*', format: 'edifact' }, { nextControlNumber: async () => ++n, createdAt: ctx.createdAt });
    expect((await answer(asked, 'requested')).map((a) => [a.filename, a.controlNumber])).toEqual([['CONTRL_000000501.edi', 501]]);
    expect(await answer(notAsked, 'requested')).toEqual([]);
    expect(await answer(error!, 'requested')).toEqual([expect.objectContaining({ kind: 'contrl', parsed: expect.objectContaining({ action: 'rejected' }) })]);
    expect(await answer(error!, 'never')).toEqual([]);
  });
});
