/**
 * No input makes an inbound parser throw anything but the hub's ParseError: random bytes, valid
 * files mutated, cut or re-delimited. Bounded runs, so the whole file stays fast.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/errors.ts';
import { parseInboundJson } from '../../../src/formats/inbound-json.ts';
import { parseTrackingCsv } from '../../../src/formats/tracking-csv.ts';
import { parseTrackingXml } from '../../../src/formats/tracking-xml.ts';
import type { ParsedInbound } from '../../../src/canonical/inbound.ts';
import { Inbound, X12Envelope } from '../../../src/config/mapping-schema.ts';
import { RenderError } from '../../../src/errors.ts';
import { parseInbound } from '../../../src/formats/inbound.ts';
import { X12EnvelopeError, X12FileError, X12Reader, parseX12Set, readX12 } from '../../../src/formats/x12/read/index.ts';
import { render997, renderTa1 } from '../../../src/formats/x12/write/index.ts';
import { check997, checkTa1 } from '../../helpers/x12-check.ts';
import { fixture, fixtureText, withDelimiters } from './helpers.ts';

/** FUZZ_RUNS=20000 for a longer local hunt. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/** Runs `fn`; anything thrown must be a ParseError. */
function onlyParseErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
  }
}

function readAll(input: Buffer | string): void {
  for (const set of readX12(input).sets) parseX12Set(set, { trackingFrom: ['REF*CN', 'MAN*CP', 'REF*2I'] });
}

const X12_FIXTURES = [
  '856-sopi-two-pos.edi',
  '856-soi-pipe-newline.edi',
  '856-soip-5010-bom-crlf.edi',
  '856-tare.edi',
  '855-acks.edi',
  '997-accept-reject.edi',
  '999-partial.edi',
  '810-846-two-groups.edi',
].map(fixture);

/** A valid file with one random edit: bytes deleted, inserted, replaced by delimiters, or a segment repeated. */
const mutated = fc
  .tuple(
    fc.constantFrom(...X12_FIXTURES),
    fc.nat(),
    fc.integer({ min: 0, max: 20 }),
    fc.uint8Array({ maxLength: 12 }),
    fc.constantFrom(...'*~>^|\n\r ISAGSSTSEGEIEA0123456789'.split('')),
    fc.integer({ min: 0, max: 3 }),
  )
  .map(([file, at, len, bytes, ch, kind]) => {
    const pos = at % (file.length + 1);
    switch (kind) {
      case 0:
        return Buffer.concat([file.subarray(0, pos), file.subarray(pos + len)]);
      case 1:
        return Buffer.concat([file.subarray(0, pos), Buffer.from(bytes), file.subarray(pos)]);
      case 2:
        return Buffer.concat([file.subarray(0, pos), Buffer.from(ch), file.subarray(pos + 1)]);
      default: {
        const text = file.toString('utf8');
        const end = text.indexOf('~', pos);
        const start = text.lastIndexOf('~', pos) + 1;
        return end === -1 ? file : Buffer.from(text.slice(0, end + 1) + text.slice(start, end + 1) + text.slice(end + 1));
      }
    }
  });

describe('fuzz: X12 reader and set parsers', () => {
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => onlyParseErrors(() => readAll(Buffer.from(bytes)))), { numRuns: RUNS });
  });

  it('random text that starts like an ISA', () => {
    const isa = fixtureText('856-sopi-two-pos.edi').slice(0, 106);
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.nat(106), (tail, cut) => onlyParseErrors(() => readAll(isa.slice(0, cut) + tail))),
      { numRuns: RUNS },
    );
  });

  it('mutated valid files', () => {
    fc.assert(fc.property(mutated, (bytes) => onlyParseErrors(() => readAll(bytes))), { numRuns: RUNS * 2 });
  });

  it('every truncation of a valid file is refused (except between interchanges), never half-read', () => {
    fc.assert(
      fc.property(fc.constantFrom(...X12_FIXTURES), fc.nat(), (file, at) => {
        const text = file.toString('utf8').replace(/\s+$/, '');
        const cut = at % text.length;
        const prefix = text.slice(0, cut);
        // A cut right after a complete IEA is a shorter, valid file (several interchanges).
        if (/IEA\*\d+\*\d{9}~?\s*$/.test(prefix)) return;
        expect(() => readAll(prefix)).toThrow(ParseError);
      }),
      { numRuns: RUNS },
    );
  });

  it('delimiter swaps read the same, or are refused when the delimiters clash', () => {
    const sopi = fixtureText('856-sopi-two-pos.edi');
    const expected = readX12(sopi).sets.flatMap((s) => parseX12Set(s));
    const chars = ['*', '~', '>', '|', '^', '!', '`', '{', '}', '\u2026', '\u001c', '\u001d', '\u001e'];
    fc.assert(
      fc.property(
        fc.constantFrom(...chars),
        fc.constantFrom(...chars, '\n'),
        fc.constantFrom(...chars),
        fc.constantFrom('', '\n', '\r\n', ' \r\n'),
        (element, segment, component, after) => {
          const x12 = withDelimiters(sopi, { element, segment, component, after });
          if (element === segment || element === component || component === segment) {
            expect(() => readAll(x12)).toThrow(ParseError);
          } else {
            expect(readX12(x12).sets.flatMap((s) => parseX12Set(s))).toEqual(expected);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('streaming a mutated file chunk by chunk agrees with reading it whole', () => {
    fc.assert(
      fc.property(mutated, fc.integer({ min: 1, max: 64 }), (bytes, size) => {
        let whole: string;
        try {
          whole = JSON.stringify(readX12(bytes).sets.map((s) => s.segments));
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
          whole = `error: ${error.message.replace(/found ".*"/, 'found …')}`;
        }
        let streamed: string;
        try {
          const reader = new X12Reader();
          const sets = [];
          for (let i = 0; i < bytes.length; i += size) sets.push(...reader.push(bytes.subarray(i, i + size)));
          sets.push(...reader.end());
          streamed = JSON.stringify(sets.map((s) => s.segments));
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
          streamed = `error: ${error.message.replace(/found ".*"/, 'found …')}`;
        }
        expect(streamed).toBe(whole);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fuzz: the inbound X12 path and the acknowledgments it earns', () => {
  const inbound = Inbound.parse({ trackingFrom: ['REF*CN', 'MAN*CP', 'REF*2I', 'REF*BM'] });
  const rule = { match: '*', format: 'x12' as const, delimiter: ',' };
  const env = X12Envelope.parse({ version: '004010', senderQualifier: 'ZZ', senderId: 'DROPHUB', receiverQualifier: 'ZZ', receiverId: 'ACMETOYS' });
  const sources = [...X12_FIXTURES, ...['856-hl02-zero.edi', '856-tolerable.edi', '856-product-ids.edi', '856-tracking-sources.edi', 'mixed-856-850-940.edi', '856-se01-wrong.edi'].map(fixture)];
  const edited = fc
    .tuple(fc.constantFrom(...sources), fc.nat(), fc.integer({ min: 0, max: 12 }), fc.string({ unit: fc.constantFrom(...'*~>^|\n ISAGSTEHLN0123456789ZQ'.split('')), maxLength: 10 }))
    .map(([file, at, len, insert]) => {
      const text = file.toString('utf8');
      const pos = at % (text.length + 1);
      return text.slice(0, pos) + insert + text.slice(pos + len);
    });

  it('mutated files: only ParseErrors, and every 997 or TA1 earned, applied or refused, passes the structure check', () => {
    fc.assert(
      fc.property(edited, (text) => {
        let parsed: ParsedInbound | undefined;
        try {
          parsed = parseInbound(rule, inbound, Buffer.from(text), 'fuzz.edi');
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
          if (error instanceof X12FileError) parsed = error.parsed;
          if (error instanceof X12EnvelopeError && error.interchange?.ackRequested && /^\d{1,9}$/.test(error.interchange.controlNumber)) {
            try {
              expect(checkTa1(renderTa1({ interchange: error.interchange, status: 'R', code: error.ta1Code }, env, { isa13: 1 }, { createdAt: '2026-11-28T12:00:00Z' }))).toEqual([]);
            } catch (e) {
              if (!(e instanceof RenderError)) throw e;
            }
          }
        }
        for (const group of parsed?.groups ?? []) {
          let text997: string;
          try {
            text997 = render997(group, env, { isa13: 1, gs06: 1, st02: 1 }, { createdAt: '2026-11-28T12:00:00Z' });
          } catch (error) {
            // A partner's control number or version that cannot be echoed: no 997 is sent (logged).
            if (!(error instanceof RenderError)) throw error;
            continue;
          }
          expect(check997(text997)).toEqual([]);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fuzz: tracking CSV, XML and JSON', () => {
  const csvRule = { columns: { poNumber: 'PO', sku: 'SKU', quantity: 'Qty', carrier: 'Carrier', trackingNumber: 'Tracking', shippedAt: 'Ship Date' }, delimiter: ',' };
  const csv = fixture('tracking-bom-crlf.csv');
  const xmlRule = { records: 'ShipConfirm.Shipments.Shipment', fields: { poNumber: 'PONumber', trackingNumber: 'Packages.Package.TrackingNumber', lines: 'Items.Item', sku: 'SKU', quantity: 'Qty', shippedAt: 'ShipDate' } };
  const xml = fixtureText('tracking.xml');
  const edit = (text: string) =>
    fc.tuple(fc.nat(), fc.integer({ min: 0, max: 8 }), fc.string({ maxLength: 8 })).map(([at, len, insert]) => {
      const pos = at % (text.length + 1);
      return text.slice(0, pos) + insert + text.slice(pos + len);
    });

  it('CSV: random text and mutated files', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => onlyParseErrors(() => parseTrackingCsv(csvRule, `PO,SKU,Qty,Carrier,Tracking,Ship Date\n${s}`))), {
      numRuns: RUNS,
    });
    fc.assert(fc.property(edit(csv.toString('utf8')), (s) => onlyParseErrors(() => parseTrackingCsv(csvRule, s))), { numRuns: RUNS });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => onlyParseErrors(() => parseTrackingCsv(csvRule, Buffer.from(b)))), { numRuns: RUNS });
  });

  it('XML: random markup and mutated files', () => {
    const markup = fc.array(fc.constantFrom('<', '>', '/', '<a>', '</a>', '<!--', '-->', '<![CDATA[', ']]>', '&amp;', '&x;', '"', "'", '=', ' ', 'ShipConfirm', '<?xml version="1.0"?>', '<!DOCTYPE x>', '__proto__', 'constructor'), { maxLength: 60 }).map((a) => a.join(''));
    fc.assert(fc.property(markup, (s) => onlyParseErrors(() => parseTrackingXml(xmlRule, s))), { numRuns: RUNS });
    fc.assert(fc.property(edit(xml), (s) => onlyParseErrors(() => parseTrackingXml(xmlRule, s))), { numRuns: RUNS });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => onlyParseErrors(() => parseTrackingXml(xmlRule, Buffer.from(b)))), { numRuns: RUNS });
  });

  it('JSON: an object with a hostile "length" where documents are expected is a ParseError', () => {
    expect(() => parseInboundJson(JSON.stringify({ documents: { length: { toString: 0 } } }))).toThrow(/documents: expected text or a list/);
    onlyParseErrors(() => parseInboundJson(JSON.stringify({ documents: { length: { toString: 0 } } })));
  });

  it('JSON: random values and mutated documents', () => {
    fc.assert(fc.property(fc.json(), (s) => onlyParseErrors(() => parseInboundJson(s))), { numRuns: RUNS });
    fc.assert(fc.property(edit(fixtureText('shipments.json')), (s) => onlyParseErrors(() => parseInboundJson(s))), { numRuns: RUNS });
    fc.assert(
      fc.property(
        fc.record({ type: fc.constantFrom('shipment', 'acknowledgment', 'invoice', 'inventory', '__proto__'), poNumber: fc.anything(), lines: fc.anything(), items: fc.anything(), trackingNumbers: fc.anything() }, { requiredKeys: ['type'] }),
        (doc) => onlyParseErrors(() => parseInboundJson(JSON.stringify(doc) ?? 'null')),
      ),
      { numRuns: RUNS },
    );
  });
});
