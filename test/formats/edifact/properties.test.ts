/**
 * Properties (fast-check): any text in names and notes gives a sound interchange or a RenderError;
 * no input makes the reader throw anything but the project's parse error; the release character
 * round-trips any string. Bounded: each property stops after its runs or about 2 s.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PurchaseOrder } from '../../../src/canonical/purchase-order.ts';
import { ParseError, RenderError } from '../../../src/errors.ts';
import {
  DEFAULT_DELIMITERS,
  EdifactConfig,
  EdifactInboundConfig,
  EdifactTokenizer,
  parseEdifactInbound,
  readEdifact,
  release,
  renderOrders,
  type EdifactSegment,
} from '../../../src/formats/edifact/index.ts';
import { checkEdifact } from '../../helpers/edifact-d96a-check.ts';
import { inbound, orderFixture } from './helpers.ts';

const RUNS = { numRuns: 300, interruptAfterTimeLimit: 2_000 };
const base = orderFixture('acme-eu').po;
const configs = {
  UNOC: EdifactConfig.parse(orderFixture('acme-eu').config),
  UNOA: EdifactConfig.parse({ ...orderFixture('acme-eu').config, syntax: 'UNOA' }),
};
const inboundConfig = EdifactInboundConfig.parse({});

/** Text as customers type it: any Unicode, with the service characters and line breaks made likely. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc.string({ unit: fc.constantFrom("'", '+', ':', '?', ' ', '\n', '\t', 'a', 'Z', 'é', 'ß', 'Ł', '½', '🎁', '\u0000', '\u0085', '–'), maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

function onlyParseErrors(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ParseError)) throw new Error(`threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`, { cause: error });
  }
}

describe('EDIFACT properties', () => {
  it('any text in names, addresses, notes and titles gives a sound ORDERS, or a RenderError', () => {
    fc.assert(
      fc.property(fc.constantFrom('UNOC', 'UNOA' as const), text, text, text, text, text, (syntax, name, street, city, notes, title) => {
        const po: PurchaseOrder = {
          ...base,
          poNumber: base.poNumber.toUpperCase(),
          notes,
          customer: { ...base.customer, name },
          shipTo: { ...base.shipTo, name, address1: street, city },
          lines: base.lines.map((l) => ({ ...l, title })),
        };
        let out;
        try {
          out = renderOrders(po, configs[syntax], { controlNumbers: { isa13: 1, gs06: 1, st02: 1 } });
        } catch (error) {
          expect(error).toBeInstanceOf(RenderError);
          return;
        }
        expect(checkEdifact(out.content)).toEqual([]);
        const read = readEdifact(out.content);
        expect(read.messages).toHaveLength(1);
        expect(read.messages[0]!.segments.find((s) => s.tag === 'BGM')!.elements[1]).toEqual([po.poNumber]);
      }),
      RUNS,
    );
  });

  it('any identifier is written exactly as it is, or refused with a RenderError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), (sku) => {
        try {
          const out = renderOrders({ ...base, lines: [{ ...base.lines[0]!, supplierSku: sku }] }, configs.UNOC, { controlNumbers: { isa13: 1, gs06: 1, st02: 1 } });
          const pia = readEdifact(out.content).messages[0]!.segments.find((s) => s.tag === 'PIA')!;
          expect(pia.elements[1]![0]).toBe(sku);
        } catch (error) {
          expect(error).toBeInstanceOf(RenderError);
        }
      }),
      RUNS,
    );
  });

  it('no bytes make the reader throw anything but a ParseError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        onlyParseErrors(() => parseEdifactInbound(Buffer.from(bytes), inboundConfig));
      }),
      RUNS,
    );
  });

  it('no mutation of a real file makes the reader throw anything but a ParseError', () => {
    const files = ['ordrsp.edi', 'desadv.edi', 'invrpt.edi', 'invoic.edi'].map((name) => inbound(name));
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.nat({ max: 8 }),
      insert: fc.oneof(fc.uint8Array({ maxLength: 6 }), fc.constantFrom(..."'+:?UNTUNZUNHUNA\r\n".split('').map((c) => Uint8Array.of(c.charCodeAt(0))))),
    });
    fc.assert(
      fc.property(fc.nat({ max: files.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 4 }), fc.option(fc.nat()), (which, edits, cut) => {
        let bytes = files[which]!;
        for (const e of edits) {
          const at = e.at % (bytes.length + 1);
          bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(e.insert), bytes.subarray(at + e.remove)]);
        }
        if (cut !== null) bytes = bytes.subarray(0, cut % (bytes.length + 1));
        onlyParseErrors(() => parseEdifactInbound(bytes, inboundConfig));
      }),
      RUNS,
    );
  });

  it('the release character round-trips any string, whatever the chunking', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("'", '+', ':', '?', 'a', ' ', '.', 'é', '\u00ff'), maxLength: 60 }), fc.string({ maxLength: 30 }), fc.integer({ min: 1, max: 7 }), (a, b, size) => {
        const d = DEFAULT_DELIMITERS;
        const plainB = b.replace(/[^\x20-\x7e]/g, '');
        const segment = `FTX+AAI+++${release(a, d)}:${release(plainB, d)}'`;
        const tokenizer = new EdifactTokenizer();
        tokenizer.setCharset('UNOC');
        const got: EdifactSegment[] = [];
        const bytes = Buffer.from(segment, 'latin1');
        for (let i = 0; i < bytes.length; i += size) tokenizer.push(bytes.subarray(i, i + size), (s) => got.push(s));
        tokenizer.end((s) => got.push(s));
        expect(got).toHaveLength(1);
        expect(got[0]!.elements[3]).toEqual([a, plainB]);
      }),
      RUNS,
    );
  });
});
