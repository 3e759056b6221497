/**
 * The inbound port as the pipeline uses it (registry → parse → answer): any mutation of a real file
 * gives items or a ParseError, never another exception, and every CONTRL the hub would send for it,
 * accepting or rejecting, passes the D.96A structure check.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Inbound } from '../../../src/config/mapping-schema.ts';
import { ParseError } from '../../../src/errors.ts';
import { parseInbound } from '../../../src/formats/inbound.ts';
import { inboundFormat } from '../../../src/formats/registry.ts';
import { checkEdifact } from '../../helpers/edifact-d96a-check.ts';
import { inbound } from './helpers.ts';

const RUNS = { numRuns: 300, interruptAfterTimeLimit: 3_000 };
const config = Inbound.parse({ files: [{ match: '*.edi', format: 'edifact', acknowledge: 'always' }] });
const rule = config.files[0]!;
const sources = ['ordrsp.edi', 'desadv.edi', 'invrpt.edi', 'invoic.edi'].map((name) => inbound(name).toString('latin1'));
const mutated = fc
  .tuple(fc.constantFrom(...sources), fc.nat(), fc.integer({ min: 0, max: 8 }), fc.string({ unit: fc.constantFrom(...":+.?' \nUNBHTZ0123456789ONCB\xfc".split('')), maxLength: 8 }))
  .map(([text, at, cut, insert]) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + insert + text.slice(i + cut);
  });

describe('EDIFACT through the registry, mutated', () => {
  it('only ParseErrors, and every CONTRL earned, accepting or rejecting, is sound D.96A', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutated, async (text) => {
        let received: unknown;
        try {
          received = parseInbound(rule, config, Buffer.from(text, 'latin1'), 'fuzz.edi');
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
          received = error;
        }
        const answers = await inboundFormat('edifact').answer!(received, rule, { nextControlNumber: async () => ++n, createdAt: '2026-12-03T12:00:00Z' });
        for (const a of answers) expect(checkEdifact(a.content), a.content.toString('latin1')).toEqual([]);
      }),
      RUNS,
    );
  });
});
