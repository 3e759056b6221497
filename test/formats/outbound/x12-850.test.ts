import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PurchaseOrder } from '../../../src/canonical/purchase-order.ts';
import { X12Envelope, type X12EnvelopeConfig } from '../../../src/config/mapping-schema.ts';
import { RenderError } from '../../../src/errors.ts';
import { WRITE_VERSIONS, makeCleaner, render850, toAscii, type RenderWarning } from '../../../src/formats/x12/write/index.ts';
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
    expect(error.message).toMatch(/^N1\*ST N102 \(shipTo\.name\): /);
    expect(renderError(() => render850(po({ shipTo: { ...po().shipTo, address1: '***' } }), env4010, NUMBERS)).message).toMatch(/^N3 N301 \(shipTo\.address1\)/);
  });

  it('refuses to cut identifiers: a PO number over 22 characters, a supplier SKU over 48', () => {
    expect(renderError(() => render850(po({ poNumber: 'P'.repeat(23) }), env4010, NUMBERS)).message).toMatch(/^BEG BEG03 \(poNumber\): .* longer than 22/);
    const line = { ...po().lines[0]!, supplierSku: 'S'.repeat(49) };
    expect(renderError(() => render850(po({ lines: [line] }), env4010, NUMBERS)).message).toMatch(/^PO1 PO107 \(lines\[0\]\.supplierSku\)/);
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

  it('property: any text in names, addresses, titles and notes gives a file valid for its version or a RenderError; identifiers are exact or refused', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'grapheme', maxLength: 120 }),
      fc.string({ unit: fc.constantFrom('*', '~', '^', '>', '|', ' ', '\n', 'é', '½', '©', '🎁', 'a', '\u0000'), maxLength: 80 }),
    );
    const optional = fc.option(text, { nil: null });
    const identifier = fc.oneof(
      fc.string({ minLength: 1, maxLength: 60 }),
      fc.stringMatching(/^[A-Z0-9][A-Z0-9-]{0,20}$/),
      fc.string({ unit: fc.constantFrom('A', '1', '-', '*', '~', '^', 'É', ' '), minLength: 1, maxLength: 12 }),
    );
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
          sku: identifier,
          supplierSku: identifier,
          quantity: fc.integer({ min: 1, max: 1_000_000 }),
          price: fc.stringMatching(/^\d{1,9}(\.\d{1,4})?$/),
          upper: fc.boolean(),
          version: fc.constantFrom(...WRITE_VERSIONS),
        }),
        (r) => {
          const order = po({
            customer: { name: r.name, email: r.email, phone: r.phone },
            shipTo: { name: r.name, company: r.company, address1: r.address1, address2: r.address2, city: r.city, region: r.region, postalCode: r.postal, country: 'US' },
            notes: r.notes,
            lines: [{ lineNumber: 1, lineId: '1', sku: r.sku, supplierSku: r.supplierSku, title: r.title, quantity: r.quantity, unitPrice: r.price }],
            total: '1.00',
          });
          const env = { ...X12Envelope.parse({ ...env4010, version: r.version }), upperCase: r.upper };
          const warnings: RenderWarning[] = [];
          let out: string;
          try {
            out = render850(order, env, NUMBERS, undefined, warnings);
          } catch (error) {
            expect(error).toBeInstanceOf(RenderError);
            expect((error as RenderError).message).toMatch(/^[A-Z][A-Z0-9]{1,2}(\*[A-Z]{2})? [A-Z0-9]{3,5}( \([a-zA-Z.[\]0-9]+\))?: /);
            return;
          }
          const problems = check850(out).filter((p) => !p.startsWith('AMT*TT'));
          expect(problems).toEqual([]);
          // Identifiers went out exactly as given.
          expect(out).toContain(`*VN*${r.supplierSku}*SK*${r.sku}~`);
          // A name written differently from what was typed (beyond blanks and case) carries a warning.
          const typed = r.name.replace(/\s+/g, ' ').trim();
          const n102 = /\nN1\*ST\*([^~]*)~/.exec(out)![1]!;
          if ((r.upper ? typed.toUpperCase() : typed) !== n102) expect(warnings.map((w) => w.field)).toContain('shipTo.name');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('versions', () => {
  const notes = 'Gift wrap please, it is for Ada';
  it.each([
    ['004010', '00401', 'U', 'N9*L1*NOTES~\nMSG*Gift wrap please, it is for Ada~'],
    ['004030', '00403', '^', 'N9*L1*NOTES~\nMTX**Gift wrap please, it is for Ada~'],
    ['005010', '00501', '^', 'N9*L1*NOTES~\nMTX**Gift wrap please, it is for Ada~'],
  ] as const)('%s: ISA12 %s, ISA11 %s, notes in the N9 loop as that version defines it', (version, isa12, isa11, n9) => {
    const text = render850(po({ notes }), X12Envelope.parse({ ...env4010, version }), NUMBERS);
    expect(check850(text)).toEqual([]);
    expect(text).toContain(`*${isa11}*${isa12}*`);
    expect(text).toContain(`*X*${version}~`);
    expect(text).toContain(n9);
  });

  it('the check refuses what the writer used to send: MSG in the N9 loop of a 005010 850', () => {
    // Before: every version got MSG; a strict 005010 partner rejects it (its N9 loop carries MTX).
    const text = render850(po({ notes }), env5010, NUMBERS).replace('MTX**Gift', 'MSG*Gift');
    expect(check850(text)).toContain('MSG is not allowed in the N9 loop of a 005010 850');
    const old4010 = render850(po({ notes }), env4010, NUMBERS).replace('MSG*Gift', 'MTX**Gift');
    expect(check850(old4010)).toContain('MTX is not allowed in the N9 loop of a 004010 850');
  });

  it('hostile: an override of a segment the version does not define is refused, naming the key', () => {
    const override = { header: [{ key: 'MSG.01', segment: 'MSG', element: 1, value: 'x' }], lines: [[]] };
    expect(renderError(() => render850(po({ notes }), env5010, NUMBERS, override)).message).toBe(
      'outbound.overrides.MSG.01: MSG is not part of the 005010 850 (its N9 loop carries MTX)',
    );
    const mtx = { header: [{ key: 'MTX.02', segment: 'MTX', element: 2, value: 'x' }], lines: [[]] };
    expect(renderError(() => render850(po({ notes }), env4010, NUMBERS, mtx)).message).toMatch(/^outbound\.overrides\.MTX\.02: MTX is not part of the 004010 850/);
  });

  it('long notes: MSG pieces of 264 in 004010, MTX pieces of 4096 from 004030, cut past 5280 characters with a warning', () => {
    const long = 'word '.repeat(1200);
    const warnings: RenderWarning[] = [];
    const v5 = render850(po({ notes: long }), env5010, NUMBERS, undefined, warnings);
    expect(check850(v5)).toEqual([]);
    expect(v5.match(/^MTX\*/gm)?.length).toBe(2);
    expect(warnings).toEqual([{ field: 'notes', element: 'MTX MTX02', message: 'cut to 5280 characters (was 5999)' }]);
  });
});

describe('identifiers are never altered', () => {
  const line = po().lines[0]!;

  it('a supplier SKU holding delimiters is refused, naming the field (it used to go out as "ACME-TR UCK 01")', () => {
    const lines = [line, { ...line, lineNumber: 2, lineId: '2' }, { ...line, lineNumber: 3, lineId: '3', supplierSku: 'ACME-TR*UCK~01' }];
    const error = renderError(() => render850(po({ lines }), env4010, NUMBERS));
    expect(error.message).toMatch(/^PO1 PO107 \(lines\[2\]\.supplierSku\): "ACME-TR\*UCK~01" cannot be sent: it holds "\*", the element separator; it holds "~", the segment terminator\./);
    expect(error.details).toMatchObject({ field: 'lines[2].supplierSku', element: 'PO107', value: 'ACME-TR*UCK~01' });
  });

  it('a character outside the character set is refused, not folded (it used to go out as "CAFE")', () => {
    expect(renderError(() => render850(po({ lines: [{ ...line, sku: 'CAFÉ' }] }), env4010, NUMBERS)).message).toMatch(
      /^PO1 PO109 \(lines\[0\]\.sku\): "CAFÉ" cannot be sent: it holds "É", outside the X12 character set/,
    );
    expect(renderError(() => render850(po({ lines: [{ ...line, upc: '0123 ' }] }), env4010, NUMBERS)).message).toMatch(/\(lines\[0\]\.upc\).*begins or ends with a blank/);
    expect(renderError(() => render850(po({ poNumber: 'PO~1' }), env4010, NUMBERS)).message).toMatch(/^BEG BEG03 \(poNumber\): "PO~1"/);
  });

  it('an upper-case-only partner: a lower-case identifier is refused rather than upper-cased', () => {
    const error = renderError(() => render850(po({ lines: [{ ...line, sku: 'acme-truck' }] }), { ...env4010, upperCase: true }, NUMBERS));
    expect(error.message).toMatch(/\(lines\[0\]\.sku\).*lower-case letters and this partner takes upper case only/);
  });

  it('the repetition separator is data in 004010 (ISA11 U) but a delimiter from 004030 on', () => {
    const caret = po({ lines: [{ ...line, supplierSku: 'V^1' }] });
    const text = render850(caret, env4010, NUMBERS);
    expect(text).toContain('*VN*V^1*');
    expect(check850(text)).toEqual([]);
    expect(renderError(() => render850(caret, env5010, NUMBERS)).message).toMatch(/holds "\^", the repetition separator/);
  });

  it('identifiers that fit go out byte for byte, whatever their punctuation', () => {
    const exact = po({ poNumber: 'PO#1001/A', lines: [{ ...line, sku: "Acme 'Truck' (red) #1", supplierSku: 'a.b_c-d+e=f', upc: '00012345678905' }] });
    const text = render850(exact, env4010, NUMBERS);
    expect(check850(text)).toEqual([]);
    expect(text).toContain("PO1*1*2*EA*19.99**VN*a.b_c-d+e=f*SK*Acme 'Truck' (red) #1*UP*00012345678905~");
    expect(text).toContain('BEG*00*DS*PO#1001/A**20261126~');
  });

  it('a vendor number or interchange id with a delimiter is refused when the mapping is loaded', () => {
    const bad = X12Envelope.safeParse({ ...env4010, vendorNumber: 'V*1', senderId: 'DRÖP' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['senderId', 'must be printable ASCII (it is sent exactly as written)'],
      ['vendorNumber', `holds "*", one of this mapping's X12 delimiters (it is sent exactly as written)`],
    ]);
  });
});

describe('text keeps its meaning', () => {
  it('vulgar fractions: "12½ Main St" is "12 1/2 Main St" (it used to be "1212 Main St")', () => {
    expect(toAscii('12½ Main St')).toBe('12 1/2 Main St');
    const clean = makeCleaner({ element: '*', segment: '~', component: '>', repetition: '^' }, false);
    expect(clean('12½ Main St')).toBe('12 1/2 Main St');
    expect(clean('Apt 3¼, ¾ mile, ⅓ off, 1⁄8 in')).toBe('Apt 3 1/4, 3/4 mile, 1/3 off, 1/8 in');
    expect(clean('ACME© Truck® 45° × 2 — Größe ÆØ')).toBe('ACME(C) Truck(R) 45 deg x 2 - Grosse AEO');
  });

  it('every changed text field is a warning naming it; unchanged fields are not', () => {
    const warnings: RenderWarning[] = [];
    const order = po({
      shipTo: { ...po().shipTo, name: 'Zoë Müller', address1: '12½ Main St', company: '🎁🎁' },
      lines: [{ ...po().lines[0]!, title: 'Truck *red*' }],
    });
    const text = render850(order, env4010, NUMBERS, undefined, warnings);
    expect(check850(text)).toEqual([]);
    expect(text).toContain('N3*12 1/2 Main St~');
    expect(warnings).toEqual([
      { field: 'shipTo.name', element: 'N1 N102', message: '"Zoë Müller" written as "Zoe Muller"' },
      { field: 'shipTo.company', element: 'N2 N201', message: '"🎁🎁" has nothing that can be written in X12: left out (dropped 🎁 (no ASCII form))' },
      { field: 'shipTo.address1', element: 'N3 N301', message: '"12½ Main St" written as "12 1/2 Main St"' },
      { field: 'lines[0].title', element: 'PID PID05', message: '"Truck *red*" written as "Truck red" ("*" replaced by a space (X12 delimiter))' },
    ]);
    const none: RenderWarning[] = [];
    render850(po({ shipTo: { ...po().shipTo, name: '  Ada   Lovelace ' } }), env4010, NUMBERS, undefined, none);
    expect(none).toEqual([]);
  });

  it('text cut or left out is a warning too', () => {
    const warnings: RenderWarning[] = [];
    render850(po({ shipTo: { ...po().shipTo, city: 'C'.repeat(40), region: 'Bayern' } }), env4010, NUMBERS, undefined, warnings);
    expect(warnings).toEqual([
      { field: 'shipTo.city', element: 'N4 N401', message: `cut to the 30 characters N401 holds: "${'C'.repeat(30)}" (was 40 characters)` },
      { field: 'shipTo.region', element: 'N4 N402', message: '"Bayern" is longer than the 2 characters N402 holds: left out' },
    ]);
  });
});

describe('numeric lengths follow the element dictionary', () => {
  it('AMT02 (data element 782) takes 18 digits; the 19th is refused', () => {
    // Before: AMT02 was limited to 15 digits and a large total was refused.
    const big = po({ total: '1234567890123456.78' });
    const text = render850(big, env4010, NUMBERS);
    expect(text).toContain('AMT*TT*1234567890123456.78~');
    expect(check850(text).filter((p) => !p.startsWith('AMT*TT'))).toEqual([]);
    expect(renderError(() => render850(po({ total: '12345678901234567.89' }), env4010, NUMBERS)).message).toBe(
      'AMT*TT AMT02 (total): 12345678901234567.89 has more than 18 digits',
    );
  });

  it('PO102 takes 15 digits, PO104 17, counting digits only (sign and point excluded)', () => {
    const line = { ...po().lines[0]!, quantity: 123_456_789_012_345, unitPrice: '123456789012345.67' };
    expect(check850(render850(po({ lines: [line] }), env4010, NUMBERS)).filter((p) => !p.startsWith('AMT*TT') && !p.startsWith('CTT'))).toEqual([]);
    expect(renderError(() => render850(po({ lines: [{ ...line, unitPrice: '1234567890123456.78' }] }), env4010, NUMBERS)).message).toMatch(/^PO1 PO104 \(lines\[0\]\.unitPrice\): .* more than 17 digits/);
  });
});
