import { describe, expect, it } from 'vitest';
import type { PurchaseOrder } from '../../../src/canonical/purchase-order.ts';
import { RenderError } from '../../../src/errors.ts';
import { EdifactConfig, edifactOutbound, readEdifact, renderOrders, transliterate } from '../../../src/formats/edifact/index.ts';
import { safeParseInput } from '../../../src/canonical/safe-parse.ts';
import { checkEdifact } from '../../helpers/edifact-d96a-check.ts';
import { expectGolden, orderFixture } from './helpers.ts';

const NUMBERS = { isa13: 1001, gs06: 1001, st02: 1 };

function render(name: string) {
  const { po, config, controlNumbers } = orderFixture(name);
  return { po, out: renderOrders(po, EdifactConfig.parse(config), { controlNumbers }) };
}

describe('ORDERS D.96A out: golden files', () => {
  for (const name of ['acme-eu', 'acme-eu.cancel', 'unoa', 'hostile']) {
    it(`${name}: matches its golden file and the D.96A structure check`, () => {
      const { out } = render(name);
      expectGolden(`${name}.edi`, out.content);
      expect(checkEdifact(out.content)).toEqual([]);
      expect(out.contentType).toBe('application/EDIFACT');
    });
  }

  it('a cancellation is BGM 1225 = 1, an original 9', () => {
    expect(render('acme-eu').out.content.toString('latin1')).toContain("BGM+220+1001-acme-eu+9'");
    expect(render('acme-eu.cancel').out.content.toString('latin1')).toContain("BGM+220+1001-acme-eu+1'");
  });

  it('UNOA: text upper-cased and transliterated with a warning per changed field, references it cannot carry left out', () => {
    const { out } = render('unoa');
    const text = out.content.toString('latin1');
    expect(text.startsWith('UNB+UNOA:3+DROPHUB+ACMEEU+261126:1200+77++ORDERS++1++1\'')).toBe(true);
    expect(text).toContain("IMD+F++:::WOODEN TOY TRUCK 1/2 SCALE -:\"DELUXE\"'");
    expect(text).toContain("PRI+AAA:19,99'");
    expect(text).not.toContain('RFF+CR');
    expect(text).not.toContain(':EM');
    const byPath = Object.fromEntries(out.warnings.map((w) => [w.path, w.message]));
    expect(byPath['orderNumber']).toContain('"#1001" holds "#" (U+0023), which UNOA cannot carry: left out');
    expect(byPath['customer.email']).toContain('left out');
    expect(byPath['lines.0.title']).toBe('written as "WOODEN TOY TRUCK 1/2 SCALE - \\"DELUXE\\"" (UNOA cannot carry "Wooden toy truck ½ scale – “deluxe”" as it is)');
    expect(out.warnings.filter((w) => w.path === 'lines.0.title')).toHaveLength(1);
  });

  it('hostile data: service characters released, never breaking the interchange; identifiers kept exactly', () => {
    const { po, out } = render('hostile');
    const read = readEdifact(out.content);
    const segments = read.messages[0]!.segments;
    const pia = segments.find((s) => s.tag === 'PIA')!;
    expect(pia.elements[1]).toEqual([po.lines[0]!.supplierSku, 'SA']);
    expect(out.content.toString('latin1')).toContain("PIA+5+TR?+01?:?'??:SA+ACME-TRUCK-01:IN'");
    const nad = segments.find((s) => s.tag === 'NAD' && s.elements[0]![0] === 'ST')!;
    expect(nad.elements[3]![0]).toBe("Zoë *Star~ ^O'Brien> |Ünïcødé|");
    expect(out.warnings.map((w) => w.path)).toEqual(expect.arrayContaining(['shipTo.name', 'shipTo.address1', 'customer.name', 'customer.phone', 'lines.0.title']));
    expect(segments.some((s) => s.tag === 'FTX')).toBe(false);
  });
});

describe('ORDERS D.96A out: round trip', () => {
  it('reads back what it wrote: PO number, dates, parties, lines, totals', () => {
    for (const name of ['acme-eu', 'unoa', 'hostile']) {
      const { po, out } = render(name);
      const read = readEdifact(out.content);
      expect(read.interchanges).toHaveLength(1);
      const m = read.messages[0]!;
      expect(m.identifier.startsWith('ORDERS:D:96A:UN')).toBe(true);
      const get = (tag: string, q?: string) => m.segments.filter((s) => s.tag === tag && (q === undefined || s.elements[0]![0] === q));
      expect(get('BGM')[0]!.elements[1]).toEqual([po.poNumber]);
      const lins = get('LIN');
      expect(lins.map((s) => s.elements[0]![0])).toEqual(po.lines.map((l) => String(l.lineNumber)));
      const pias = get('PIA');
      expect(pias.map((s) => [s.elements[1]![0], s.elements[2]![0]])).toEqual(po.lines.map((l) => [l.supplierSku, l.sku]));
      const decimal = EdifactConfig.parse(orderFixture(name).config).decimalMark;
      expect(get('PRI').map((s) => s.elements[0]![1]!.replace(decimal, '.'))).toEqual(po.lines.map((l) => l.unitPrice));
      expect(get('QTY', '21').map((s) => Number(s.elements[0]![1]))).toEqual(po.lines.map((l) => l.quantity));
      expect(get('MOA', '79')[0]!.elements[0]![1]!.replace(decimal, '.')).toBe(po.total);
      expect(get('DTM', '137')[0]!.elements[0]).toEqual(['137', po.createdAt.slice(0, 10).replace(/-/g, ''), '102']);
    }
  });
});

describe('ORDERS D.96A out: refusals', () => {
  const base = orderFixture('acme-eu');
  const unoa = EdifactConfig.parse({ ...base.config, syntax: 'UNOA' });
  const unoc = EdifactConfig.parse(base.config);
  const refuse = (po: PurchaseOrder, config = unoc): RenderError => {
    try {
      renderOrders(po, config, { controlNumbers: NUMBERS });
    } catch (error) {
      expect(error).toBeInstanceOf(RenderError);
      return error as RenderError;
    }
    throw new Error('expected a RenderError');
  };

  it('an identifier outside the character set is refused, naming the field (never altered)', () => {
    expect(refuse({ ...base.po, poNumber: '1001-acme-eu' }, unoa).message).toBe(
      'poNumber "1001-acme-eu" holds "a" (U+0061), outside UNOA (upper-case A-Z, digits, space and .,-()/=\'+:?!"%&*;<>); identifiers are never altered (use syntax: UNOC, or identifiers in upper case)',
    );
    const line = { ...base.po.lines[0]!, supplierSku: 'TR–01' };
    const error = refuse({ ...base.po, lines: [line] });
    expect(error.message).toContain('lines.0.supplierSku "TR–01" holds "–" (U+2013), outside UNOC (ISO 8859-1)');
    expect(error.details).toMatchObject({ field: 'lines.0.supplierSku' });
  });

  it('an identifier longer than its element is refused', () => {
    expect(refuse({ ...base.po, lines: [{ ...base.po.lines[0]!, sku: 'S'.repeat(36) }] }).message).toContain('lines.0.sku "SSSS');
    expect(refuse({ ...base.po, lines: [{ ...base.po.lines[0]!, sku: 'S'.repeat(36) }] }).message).toContain('is 36 characters; the element allows 35');
  });

  it('a postal code longer than 9 is refused, a ZIP+4 loses its hyphen with a warning', () => {
    expect(refuse({ ...base.po, shipTo: { ...base.po.shipTo, postalCode: '1234567890' } }).message).toContain('shipTo.postalCode "1234567890" is longer than 9 characters');
    const zip = renderOrders({ ...base.po, shipTo: { ...base.po.shipTo, postalCode: '62701-1234' } }, unoc, { controlNumbers: NUMBERS });
    expect(zip.content.toString('latin1')).toContain('+627011234+');
    expect(zip.warnings).toContainEqual({ path: 'shipTo.postalCode', message: 'ZIP+4 62701-1234 written without its hyphen (3251 allows 9 characters)' });
  });

  it('a bad createdAt is refused', () => {
    expect(refuse({ ...base.po, createdAt: 'yesterday' }).message).toBe('createdAt "yesterday" is not a timestamp');
  });
});

describe('the edifact: config', () => {
  it('has documented defaults', () => {
    expect(EdifactConfig.parse({ senderId: 'DROPHUB', receiverId: 'ACME' })).toEqual({
      version: 'D96A',
      syntax: 'UNOC',
      senderId: 'DROPHUB',
      receiverId: 'ACME',
      testIndicator: false,
      una: true,
      newline: false,
      decimalMark: '.',
      acknowledgmentRequest: false,
      partyIdAgency: '92',
      notesQualifier: 'AAI',
    });
  });

  it('names every bad key', () => {
    const result = safeParseInput(EdifactConfig, { version: 'D01B', syntax: 'UNOA', senderId: 'drophub', receiverId: 'X'.repeat(36), extra: 1 });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['version', 'receiverId', '']));
    const lower = safeParseInput(EdifactConfig, { syntax: 'UNOA', senderId: 'drophub', receiverId: 'ACME' });
    expect(lower.error!.issues).toEqual([expect.objectContaining({ path: ['senderId'], message: 'holds "d" (U+0064), outside UNOA (upper-case A-Z, digits, space and .,-()/=\'+:?!"%&*;<>)' })]);
  });

  it('is the outbound plug-in\'s schema; the plug-in always needs control numbers and reads no receipt', () => {
    expect(edifactOutbound.name).toBe('edifact-orders');
    expect(edifactOutbound.settings?.key).toBe('edifact');
    expect(edifactOutbound.settings?.schema).toBe(EdifactConfig);
    const config = EdifactConfig.parse({ senderId: 'A', receiverId: 'B', acknowledgmentRequest: true });
    expect(edifactOutbound.needsControlNumbers(config)).toBe(true);
    expect(edifactOutbound.expectsReceipt(config)).toBe(false);
  });
});

describe('transliteration', () => {
  it('keeps meaning', () => {
    expect(transliterate('½ ™ € “q” — Łódź Œuvre straße', 'UNOC')).toBe('½ TM EUR "q" - Lódz OEuvre straße');
    expect(transliterate('½ ™ € “q” — Łódź Œuvre straße #4 a@b', 'UNOA')).toBe('1/2 TM EUR "Q" - LODZ OEUVRE STRASSE NO.4 A AT B');
    expect(transliterate('tab\there\nnew 🎁 line', 'UNOC')).toBe('tab here new line');
  });
});
