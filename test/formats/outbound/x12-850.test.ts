import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PurchaseOrder } from '../../../src/canonical/purchase-order.ts';
import { X12Envelope, type X12EnvelopeConfig } from '../../../src/config/mapping-schema.ts';
import { RenderError } from '../../../src/errors.ts';
import { makeCleaner, render850, toAscii } from '../../../src/formats/x12/write/index.ts';
import { check850 } from '../../helpers/x12-850-check.ts';
import { NUMBERS } from './examples.ts';

const env4010: X12EnvelopeConfig = X12Envelope.parse({
  version: '004010',
  senderQualifier: 'ZZ',
  senderId: 'DROPHUB',
  receiverQualifier: 'ZZ',
  receiverId: 'SUPPLIER',
});
const env5010: X12EnvelopeConfig = X12Envelope.parse({ ...env4010, version: '005010' });

function po(overrides: Partial<PurchaseOrder> = {}): PurchaseOrder {
  return {
    poNumber: '1001',
    purpose: 'original',
    supplierId: 'acme',
    orderId: 'ord_1',
    orderNumber: '#1001',
    externalId: '1001',
    retailer: { id: 'shop', name: 'Shop' },
    placedAt: '2026-11-26T10:00:00Z',
    createdAt: '2026-11-26T12:00:00Z',
    currency: 'USD',
    customer: { name: 'Ada', email: 'ada@example.com', phone: null },
    shipTo: { name: 'Ada Lovelace', address1: '12 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
    shipping: { method: null, carrier: null, serviceLevel: null },
    notes: null,
    lines: [{ lineNumber: 1, lineId: '1', sku: 'SKU-1', supplierSku: 'V-1', quantity: 2, unitPrice: '19.99' }],
    total: '39.98',
    ...overrides,
  };
}

function renderError(fn: () => unknown): RenderError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RenderError) return error;
    throw error;
  }
  throw new Error('expected a RenderError');
}

describe('cleaning values', () => {
  const clean = makeCleaner({ element: '*', segment: '~', component: '>', repetition: '^' }, false);
  it('folds accents and drops what has no ASCII form', () => {
    expect(toAscii('Zoë Müller-Łukasiewicz, Straße 5 — Ørsted 🎁')).toBe('Zoe Muller-Lukasiewicz, Strasse 5 - Orsted ');
    expect(clean('  Zoë  🎁 ')).toBe('Zoe');
  });
  it('removes the four delimiters and control characters', () => {
    expect(clean('a*b~c>d^e\u0000f\tg\nh')).toBe('a b c d ef g h');
  });
  it('leaves plain values alone (fast path) and upper-cases when asked', () => {
    expect(clean('ACME-TRUCK-01')).toBe('ACME-TRUCK-01');
    expect(makeCleaner({ element: '|', segment: '\n', component: ':', repetition: '^' }, true)('a*b|c')).toBe('A*B C');
  });
});

describe('render850', () => {
  it('writes a valid 004010 850 with a fixed-width ISA', () => {
    const text = render850(po(), env4010, NUMBERS);
    expect(check850(text)).toEqual([]);
    expect(text.split('\n')[0]).toHaveLength(106);
    expect(text).toContain('ISA*00*          *00*          *ZZ*DROPHUB        *ZZ*SUPPLIER       *261126*1200*U*00401*000001001*0*P*>~');
    expect(text).toContain('PO1*1*2*EA*19.99**VN*V-1*SK*SKU-1~');
  });

  it('writes 005010 with the repetition separator in ISA11', () => {
    const text = render850(po(), env5010, NUMBERS);
    expect(check850(text)).toEqual([]);
    expect(text).toContain('*^*00501*');
    expect(text).toContain('*X*005010~');
  });

  it('honours other delimiters and no newline', () => {
    const env = X12Envelope.parse({ ...env4010, elementSeparator: '|', segmentTerminator: '\n', componentSeparator: ':', newline: false });
    const text = render850(po({ shipTo: { ...po().shipTo, name: 'A|B' } }), env, NUMBERS);
    expect(check850(text)).toEqual([]);
    expect(text).toContain('N1|ST|A B\n');
  });

  it('maps carrier and service: SCAC to TD503, a 2-letter code to TD512, text to TD505', () => {
    const text = render850(po({ shipping: { method: 'Express', carrier: 'UPSN', serviceLevel: 'ND' } }), env4010, NUMBERS);
    expect(text).toContain('TD5**2*UPSN**Express*******ND~');
    expect(check850(text)).toEqual([]);
    expect(render850(po({ shipping: { method: 'Standard', carrier: 'Royal Mail', serviceLevel: 'Tracked 48' } }), env4010, NUMBERS)).toContain(
      'TD5*****Royal Mail Tracked 48~',
    );
  });

  it('splits long notes over several MSG segments', () => {
    const text = render850(po({ notes: 'word '.repeat(400) }), env4010, NUMBERS);
    expect(check850(text)).toEqual([]);
    expect(text.match(/^MSG\*/gm)?.length).toBe(8);
  });

  it('names the element when a mandatory value is missing after cleaning', () => {
    const error = renderError(() => render850(po({ shipTo: { ...po().shipTo, name: '🎁🎁' } }), env4010, NUMBERS));
    expect(error.message).toMatch(/^N1\*ST N102: /);
    expect(renderError(() => render850(po({ shipTo: { ...po().shipTo, address1: '***' } }), env4010, NUMBERS)).message).toMatch(/^N3 N301/);
  });

  it('refuses to cut identifiers: a PO number over 22 characters, a supplier SKU over 48', () => {
    expect(renderError(() => render850(po({ poNumber: 'P'.repeat(23) }), env4010, NUMBERS)).message).toMatch(/^BEG BEG03: .* longer than 22/);
    const line = { ...po().lines[0]!, supplierSku: 'S'.repeat(49) };
    expect(renderError(() => render850(po({ lines: [line] }), env4010, NUMBERS)).message).toMatch(/^PO1 PO107/);
  });

  it('refuses control numbers out of range', () => {
    expect(renderError(() => render850(po(), env4010, { ...NUMBERS, isa13: 1_000_000_000 })).message).toMatch(/^ISA13/);
    expect(renderError(() => render850(po(), env4010, { ...NUMBERS, st02: 0 })).message).toMatch(/^ST02/);
  });

  it('applies overrides: replace, remove, add a REF', () => {
    const text = render850(po({ shipping: { method: null, carrier: null, serviceLevel: 'GROUND' } }), env4010, NUMBERS, {
      header: [
        { key: 'TD5.05', segment: 'TD5', element: 5, value: 'UPS GROUND' },
        { key: 'N4.04', segment: 'N4', element: 4, value: null },
        { key: 'REF*CO.02', segment: 'REF', qualifier: 'CO', element: 2, value: 'A-1' },
      ],
      lines: [[{ key: 'PID.05', segment: 'PID', element: 5, value: 'From override' }]],
    });
    expect(check850(text)).toEqual([]);
    expect(text).toContain('TD5*****UPS GROUND~');
    expect(text).toContain('N4*Springfield*IL*62701~');
    expect(text).toMatch(/CUR\*BY\*USD~\nREF\*CO\*A-1~/);
    expect(text).toContain('PID*F****From override~');
  });

  it('property: any text in names, addresses, titles and notes gives a valid file or a RenderError', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'grapheme', maxLength: 120 }),
      fc.string({ unit: fc.constantFrom('*', '~', '^', '>', '|', ' ', '\n', 'é', '🎁', 'a', '\u0000'), maxLength: 80 }),
    );
    const optional = fc.option(text, { nil: null });
    fc.assert(
      fc.property(
        fc.record({
          name: text,
          company: optional,
          address1: text,
          address2: optional,
          city: text,
          region: optional,
          postal: optional,
          phone: optional,
          email: optional,
          title: optional,
          notes: optional,
          sku: fc.string({ minLength: 1, maxLength: 60 }),
          quantity: fc.integer({ min: 1, max: 1_000_000 }),
          price: fc.stringMatching(/^\d{1,9}(\.\d{1,4})?$/),
          upper: fc.boolean(),
          v5010: fc.boolean(),
        }),
        (r) => {
          const order = po({
            customer: { name: r.name, email: r.email, phone: r.phone },
            shipTo: { name: r.name, company: r.company, address1: r.address1, address2: r.address2, city: r.city, region: r.region, postalCode: r.postal, country: 'US' },
            notes: r.notes,
            lines: [{ lineNumber: 1, lineId: '1', sku: r.sku, supplierSku: r.sku, title: r.title, quantity: r.quantity, unitPrice: r.price }],
            total: '1.00',
          });
          const env = { ...(r.v5010 ? env5010 : env4010), upperCase: r.upper };
          let out: string;
          try {
            out = render850(order, env, NUMBERS);
          } catch (error) {
            expect(error).toBeInstanceOf(RenderError);
            expect((error as RenderError).message).toMatch(/^[A-Z][A-Z0-9]{1,2}(\*[A-Z]{2})? [A-Z0-9]{3,5}: /);
            return;
          }
          const problems = check850(out).filter((p) => !p.startsWith('AMT*TT'));
          expect(problems).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
