/**
 * The fuzz properties, shared by the bounded suite (test/fuzz/*.test.ts, ~2 s a property) and the
 * long run (`npx tsx bench/fuzz-long.ts --runs 100000`). Each says: whatever the input, the code
 * under test returns or throws one of the hub's own errors (a HubError subclass), within a time
 * bound per input, and leaves Object.prototype alone.
 *
 * Already in the suite elsewhere, and only run long here: random bytes, byte-mutated files,
 * truncations and delimiter swaps of X12 (test/formats/inbound/fuzz.test.ts), arbitrary and
 * one-field-mangled adapter bodies (test/intake/adapters.property.test.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseMappingSource } from '../../src/config/mapping-loader.ts';
import { HubError } from '../../src/errors.ts';
import { parseInboundJson } from '../../src/formats/inbound-json.ts';
import { parseTrackingCsv } from '../../src/formats/tracking-csv.ts';
import { parseTrackingXml } from '../../src/formats/tracking-xml.ts';
import { parseX12Set, readX12 } from '../../src/formats/x12/read/index.ts';
import { parseCanonicalOrder } from '../../src/intake/canonical.ts';
import { shopifyToCanonical } from '../../src/intake/shopify.ts';
import { wooCommerceToCanonical } from '../../src/intake/woocommerce.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(HERE, '../fixtures');
const ROOT = path.join(HERE, '../..');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

/** How long one input may take before it counts as a hang (a slow input is a finding too). */
// A hang check, not a speed check: generous in the suite (other jobs share the cores); the long
// script (bench/fuzz-long.ts) can set it tighter with FUZZ_PER_RUN_MS.
export const limits = { perRunMs: Number(process.env.FUZZ_PER_RUN_MS ?? 20_000) };

export interface FuzzProperty<T = unknown> {
  name: string;
  /** What the property feeds in. */
  arbitrary: fc.Arbitrary<T>;
  check(input: T): void;
  /** Runs in the bounded suite (the suite also stops at its time limit). */
  suiteRuns: number;
  /** Covered in the suite by another file: only the long run runs it. */
  longOnly?: boolean;
  /** The long run's share of `--runs` for this property (expensive inputs: less than 1). */
  longFactor?: number;
}

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort().join(',');

/** Runs `fn`: it may return, or throw a HubError; anything else, a slow run or a polluted prototype fails. */
export function onlyHubErrors(what: string, fn: () => unknown): void {
  const started = performance.now();
  try {
    fn();
  } catch (error) {
    if (!(error instanceof HubError)) {
      const e = error as Error;
      throw new Error(`${what} threw ${e?.constructor?.name ?? typeof error}, not a HubError: ${e?.message ?? String(error)}`, { cause: error });
    }
  } finally {
    const ms = performance.now() - started;
    if (ms > limits.perRunMs) throw new Error(`${what} took ${ms.toFixed(0)} ms on one input (limit ${limits.perRunMs} ms)`);
    if (Object.getOwnPropertyNames(Object.prototype).sort().join(',') !== PROTO_KEYS || ({} as Record<string, unknown>).polluted !== undefined) {
      throw new Error(`${what} polluted Object.prototype`);
    }
  }
}

/** fast-check parameters for a run: the suite's bounded one, or the long one. */
export function runProperty<T>(property: FuzzProperty<T>, options: { numRuns: number; timeLimitMs?: number; seed?: number }): fc.RunDetails<[T]> {
  return fc.check(fc.property(property.arbitrary, (input) => property.check(input)), {
    numRuns: options.numRuns,
    ...(options.timeLimitMs ? { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
}

/** fc.assert-like: throws with fast-check's report (seed, path, counterexample) on a failure. */
export function assertProperty<T>(property: FuzzProperty<T>, options: { numRuns: number; timeLimitMs?: number; seed?: number }): fc.RunDetails<[T]> {
  const details = runProperty(property, options);
  if (details.failed) throw new Error(fc.defaultReportMessage(details) ?? `${property.name} failed`);
  return details;
}

const edit = (text: string, insert: fc.Arbitrary<string> = fc.string({ maxLength: 10 })) =>
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 12 }), insert).map(([at, len, ins]) => {
    const pos = at % (text.length + 1);
    return text.slice(0, pos) + ins + text.slice(pos + len);
  });

// ---- X12 ----------------------------------------------------------------------------------------

const X12_FIXTURES = ['856-sopi-two-pos.edi', '856-soip-5010-bom-crlf.edi', '856-tare.edi', '855-acks.edi', '997-accept-reject.edi', '999-partial.edi', '810-846-two-groups.edi'].map((f) => fixture(`inbound/${f}`));
const TRACKING_FROM = ['REF*CN', 'MAN*CP', 'REF*2I'] as const;

function readAllX12(input: string | Buffer): void {
  for (const set of readX12(input, { file: 'fuzz.edi' }).sets) parseX12Set(set, { trackingFrom: TRACKING_FROM as never });
}

/** A fixture as segments (delimiters read from its ISA), to mutate and write back with good counts. */
function segmentsOf(text: string): { element: string; terminator: string; segments: string[][] } {
  const clean = text.replace(/^\uFEFF/, '');
  const element = clean[3]!;
  const terminator = clean[105]!;
  const segments = clean
    .split(terminator)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => s.split(element));
  return { element, terminator, segments };
}
const X12_SEGMENTED = X12_FIXTURES.map(segmentsOf);

const SEGMENT_IDS = ['HL', 'PRF', 'LIN', 'SN1', 'TD1', 'TD5', 'REF', 'MAN', 'DTM', 'N1', 'BSN', 'BAK', 'ACK', 'PO1', 'AK1', 'AK2', 'AK5', 'AK9', 'IK5', 'BIG', 'IT1', 'TDS', 'CTT', 'QTY', 'LIN', 'PID', 'XX', ''];
const ELEMENT_VALUES = fc.oneof(
  fc.constantFrom('', ' ', '0', '-1', '1.5', '99999999999999999999', 'NaN', '1e308', 'S', 'O', 'P', 'I', 'T', 'AC', 'IA', 'R', 'A', 'E', 'CN', 'CP', '2I', '20261301', '20260230', '2400', '>', '^', 'VN', 'SK', 'UP', 'EA', '__proto__', 'constructor', 'x'.repeat(300)),
  fc.string({ maxLength: 20 }),
  fc.integer({ min: -5, max: 100_000 }).map(String),
);

/** Valid envelopes (ISA/GS/ST counts kept right), hostile content inside the sets: every input reaches the set parsers. */
const x12ElementMutation = fc
  .tuple(
    fc.nat(X12_SEGMENTED.length - 1),
    fc.array(
      fc.record({ kind: fc.integer({ min: 0, max: 5 }), at: fc.nat(), el: fc.nat(12), value: ELEMENT_VALUES, id: fc.constantFrom(...SEGMENT_IDS) }),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([i, ops]) => {
    const { element, terminator, segments } = X12_SEGMENTED[i]!;
    const segs = segments.map((s) => [...s]);
    const inner = () => segs.map((s, n) => (['ISA', 'GS', 'ST', 'SE', 'GE', 'IEA'].includes(s[0]!) ? -1 : n)).filter((n) => n >= 0);
    for (const op of ops) {
      const candidates = inner();
      if (!candidates.length) break;
      const at = candidates[op.at % candidates.length]!;
      const seg = segs[at]!;
      const value = op.value.split(element).join('').split(terminator).join('');
      switch (op.kind) {
        case 0: // replace an element (or add one past the end)
          seg[1 + (op.el % Math.max(1, seg.length))] = value;
          break;
        case 1: // repeat a segment
          segs.splice(at, 0, [...seg]);
          break;
        case 2: // drop a segment
          segs.splice(at, 1);
          break;
        case 3: // another segment id
          seg[0] = op.id;
          break;
        case 4: // swap with the next inner segment
          if (segs[at + 1] && !['SE'].includes(segs[at + 1]![0]!)) [segs[at], segs[at + 1]] = [segs[at + 1]!, segs[at]!];
          break;
        default: // empty out every element
          segs[at] = [seg[0]!];
      }
    }
    // SE01 = segments from ST to SE, both included.
    let st = -1;
    segs.forEach((s, n) => {
      if (s[0] === 'ST') st = n;
      if (s[0] === 'SE' && st >= 0) s[1] = String(n - st + 1);
    });
    return segs.map((s) => s.join(element)).join(`${terminator}\n`) + `${terminator}\n`;
  });

const X12_TOKENS = ['ISA', 'GS', 'ST', 'SE', 'GE', 'IEA', 'HL', 'LIN', 'SN1', 'REF', 'MAN', '*', '*', '*', '~', '~\n', '>', '^', '|', '\n', ' ', '0', '1', '856', '855', '997', '0001', '00401', '004010', 'CN', '1Z', 'S', 'O', 'I', 'P'];
const ISA = X12_FIXTURES[0]!.slice(0, 106);

export const x12Properties: FuzzProperty<any>[] = [
  {
    name: 'x12: random bytes',
    arbitrary: fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
    check: (b) => onlyHubErrors('readX12', () => readAllX12(b)),
    suiteRuns: 300,
    longOnly: true,
  },
  {
    name: 'x12: a valid ISA followed by a soup of X12 tokens',
    arbitrary: fc.array(fc.constantFrom(...X12_TOKENS), { maxLength: 120 }).map((t) => ISA + t.join('')),
    check: (s) => onlyHubErrors('readX12', () => readAllX12(s)),
    suiteRuns: 400,
  },
  {
    name: 'x12: valid envelopes around mutated transaction sets (856, 855, 997, 999, 810, 846)',
    arbitrary: x12ElementMutation,
    check: (s) => onlyHubErrors('readX12 + parseX12Set', () => readAllX12(s)),
    suiteRuns: 600,
  },
  {
    name: 'x12: byte-level edits of valid files',
    arbitrary: fc.constantFrom(...X12_FIXTURES).chain((f) => edit(f, fc.string({ unit: fc.constantFrom(...'*~>^|\n ISAGSTEH0123456789'.split('')), maxLength: 6 }))),
    check: (s) => onlyHubErrors('readX12', () => readAllX12(s)),
    suiteRuns: 400,
    longOnly: true,
  },
  {
    name: 'x12: truncations of valid files',
    arbitrary: fc.constantFrom(...X12_FIXTURES).chain((f) => fc.nat(f.length).map((n) => f.slice(0, n))),
    check: (s) => onlyHubErrors('readX12', () => readAllX12(s)),
    suiteRuns: 300,
    longOnly: true,
  },
  {
    name: 'x12: delimiter swaps',
    arbitrary: fc
      .tuple(fc.constantFrom(...X12_SEGMENTED), fc.constantFrom('*', '~', '>', '|', '^', '!', '\u001c', '\u001d', '\n', 'A', ' '), fc.constantFrom('~', '|', '\n', '\u001e', '*', 'Z'), fc.constantFrom('', '\n', '\r\n'))
      .map(([f, element, terminator, after]) => f.segments.map((s) => s.join(element)).join(terminator + after) + terminator),
    check: (s) => onlyHubErrors('readX12', () => readAllX12(s)),
    suiteRuns: 300,
    longOnly: true,
  },
  {
    name: 'x12: huge segments, elements and counts stay fast',
    arbitrary: fc.record({ kind: fc.integer({ min: 0, max: 4 }), n: fc.integer({ min: 1_000, max: 200_000 }) }).map(({ kind, n }) => {
      const st = 'ST*856*0001~BSN*00*S1*20261127*1405~';
      switch (kind) {
        case 0: return `${ISA}\nGS*SH*A*B*20261127*1405*1*X*004010~${st}REF${'*CN'.repeat(n)}~SE*4*0001~GE*1*1~IEA*1*000000042~`;
        case 1: return `${ISA}\nGS*SH*A*B*20261127*1405*1*X*004010~${st}REF*CN*${'9'.repeat(n)}~SE*4*0001~GE*1*1~IEA*1*000000042~`;
        case 2: return `${ISA}\nGS*SH*A*B*20261127*1405*1*X*004010~${st}${'HL*1**S~'.repeat(Math.min(n, 20_000))}SE*${Math.min(n, 20_000) + 3}*0001~GE*1*1~IEA*1*000000042~`;
        case 3: return `${ISA}${'~'.repeat(n)}`;
        default: return `${ISA}\nGS*SH*A*B*20261127*1405*1*X*004010~${st}LIN**VN*${'>'.repeat(n)}~SE*4*0001~GE*1*1~IEA*1*000000042~`;
      }
    }),
    check: (s) => onlyHubErrors('readX12', () => readAllX12(s)),
    suiteRuns: 30,
    longFactor: 0.01,
  },
];

// ---- tracking CSV / XML, inbound JSON ----------------------------------------------------------

const HEADER_POOL = ['PO', 'SKU', 'Qty', 'Carrier', 'Tracking', 'Ship Date', ' PO ', 'po', '', '__proto__', 'constructor', 'toString', 'Ünï', '"', '=HYPERLINK("x")'];
const CSV_FIELDS = ['poNumber', 'trackingNumber', 'carrier', 'service', 'shippedAt', 'sku', 'supplierSku', 'quantity'] as const;
const csvRule = fc.record(
  {
    columns: fc.dictionary(fc.constantFrom(...CSV_FIELDS), fc.constantFrom(...HEADER_POOL), { maxKeys: 8 }),
    delimiter: fc.constantFrom(',', ';', '\t', '|', ' ', '"', 'a'),
  },
  { requiredKeys: [] },
);
const csvText = fc
  .array(fc.array(fc.oneof(fc.constantFrom(...HEADER_POOL, '1Z999', '2026-11-27', '11/27/2026', '0', '-1', '2.0', '1e3', '99999999999', '', '"a,b"', '"open', 'a""b'), fc.string({ maxLength: 12 })), { maxLength: 8 }), { maxLength: 12 })
  .chain((rows) => fc.constantFrom(',', ';', '\t', '|').chain((d) => fc.constantFrom('\n', '\r\n', '\r').map((nl) => rows.map((r) => r.join(d)).join(nl))));

const XML_PATHS = ['Shipments.Shipment', 'ShipConfirm.Shipments.Shipment', '__proto__', 'constructor.prototype', 'a.__proto__.b', '@id', '#text', 'PONumber', 'Packages.Package.TrackingNumber', 'Items.Item', 'SKU', 'Qty', '', '.', 'a..b', 'toString'];
const XML_FIELDS = ['poNumber', 'trackingNumber', 'carrier', 'service', 'shippedAt', 'shipmentId', 'lines', 'sku', 'supplierSku', 'quantity', '__proto__'];
const xmlRule = fc.record(
  { records: fc.constantFrom(...XML_PATHS), fields: fc.dictionary(fc.constantFrom(...XML_FIELDS), fc.constantFrom(...XML_PATHS), { maxKeys: 8 }) },
  { requiredKeys: [] },
);
const XML_TOKENS = ['<', '>', '/', '</', '/>', '<Shipments>', '</Shipments>', '<Shipment>', '</Shipment>', '<PONumber>', '</PONumber>', '<TrackingNumber>', '</TrackingNumber>', '<a x="1">', '</a>', '<!--', '-->', '<![CDATA[', ']]>', '&amp;', '&lt;', '&#65;', '&#x41;', '&#0;', '&x;', '&', '"', "'", '=', ' ', '\n', '<?xml version="1.0"?>', '<!DOCTYPE x>', '<!DOCTYPE x [', ']>', '<!ENTITY', '__proto__', 'constructor', '1Z999', 'PO-1', '\u0000', '\uFEFF'];
const trackingXml = fixture('inbound/tracking.xml');

export const trackingProperties: FuzzProperty<any>[] = [
  {
    name: 'tracking CSV: random mapping rules (columns, delimiter) over random CSV',
    arbitrary: fc.tuple(csvRule, csvText),
    check: ([rule, text]) => onlyHubErrors('parseTrackingCsv', () => parseTrackingCsv(rule as never, text, { file: 'fuzz.csv' })),
    suiteRuns: 500,
  },
  {
    name: 'tracking XML: random records/fields paths over random markup and edited files',
    arbitrary: fc.tuple(xmlRule, fc.oneof(fc.array(fc.constantFrom(...XML_TOKENS), { maxLength: 80 }).map((t) => t.join('')), edit(trackingXml))),
    check: ([rule, text]) => onlyHubErrors('parseTrackingXml', () => parseTrackingXml(rule as never, text, { file: 'fuzz.xml' })),
    suiteRuns: 500,
  },
  {
    name: 'tracking XML: pathological sizes (unclosed tags, quotes, comments, deep or wide trees) stay fast',
    arbitrary: fc.record({ kind: fc.integer({ min: 0, max: 7 }), n: fc.integer({ min: 1_000, max: 100_000 }) }).map(({ kind, n }) => {
      switch (kind) {
        case 0: return '<'.repeat(n);
        case 1: return `<Shipments><a x="${'>'.repeat(n)}`;
        case 2: return '<!--'.repeat(n);
        case 3: return '<a>'.repeat(n);
        case 4: return `<Shipments>${'<Shipment/>'.repeat(Math.min(n, 20_000))}</Shipments>`;
        case 5: return `<Shipments>${'<a/>'.repeat(Math.min(n, 100_000))}</Shipments>`;
        case 6: return `<!DOCTYPE x [${'['.repeat(n)}`;
        default: return `<Shipments><Shipment><PONumber>${'&amp;'.repeat(n)}</PONumber><TrackingNumber>1</TrackingNumber></Shipment></Shipments>`;
      }
    }),
    check: (s) => onlyHubErrors('parseTrackingXml', () => parseTrackingXml({ records: 'Shipments.Shipment', fields: { poNumber: 'PONumber', trackingNumber: 'TrackingNumber' } } as never, s)),
    suiteRuns: 40,
    longFactor: 0.01,
  },
  {
    name: 'inbound JSON: deep nesting, huge arrays and prototype keys',
    arbitrary: fc.oneof(
      fc.integer({ min: 100, max: 100_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
      fc.integer({ min: 100, max: 50_000 }).map((n) => `{"type":"shipment","poNumber":"P","trackingNumbers":["1"],"lines":${'['.repeat(n)}${']'.repeat(n)}}`),
      fc.integer({ min: 100, max: 20_000 }).map((n) => JSON.stringify({ documents: Array.from({ length: n }, () => ({ type: 'inventory', items: [] })) })),
      fc.jsonValue({ maxDepth: 4 }).map((v) => `{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"type":"shipment","x":${JSON.stringify(v)}}`),
    ),
    check: (s) => onlyHubErrors('parseInboundJson', () => parseInboundJson(s, { file: 'fuzz.json' })),
    suiteRuns: 60,
    longFactor: 0.01,
  },
];

// ---- mapping files ----------------------------------------------------------------------------

const MAPPING_SOURCES = ['acme-toys', 'globex', 'initech', 'umbrella'].map((s) => ({ supplier: s, text: readFileSync(path.join(ROOT, 'mappings', `${s}.yaml`), 'utf8') }));
/** Enough environment for the example mappings (see test/formats/outbound/examples.ts). */
const MAPPING_ENV: Record<string, string> = new Proxy({} as Record<string, string>, {
  get: (_t, key) => (typeof key === 'string' ? (/HOST_KEY$/.test(key) ? `SHA256:${'A'.repeat(43)}` : /PORT$/.test(key) ? '22' : /URL$/.test(key) ? 'https://example.com/x' : 'value-1234567890abcdef') : undefined),
  has: () => true,
  ownKeys: () => [],
});

const YAML_TOKENS = ['supplier: ', 'acme-toys', 'name: ', 'skus:', 'prefixes: ', '["A-"]', 'transport:', 'type: sftp', 'type: http', 'outbound:', 'format: x12-850', 'inbound:', 'files:', '- match: "*.856"', '  ', '\n', ': ', '- ', '&a ', '*a', '<<: *a', '!!binary ', '!!js/function ', '!!python/object ', '!custom ', '${', '}', '${X}', '$${Y}', '[', ']', '{', '}', ',', '"', "'", '#', '---', '...', '|', '>', '? ', '%YAML 1.2', '__proto__: ', 'constructor: ', '{ polluted: 1 }', '~', 'null', 'true', '1e999', '0x1F', '.inf'];

/** Sets a random key path of a plain value to `value` (or deletes it). */
function mutateAt(root: unknown, pathChoice: number[], value: unknown, remove: boolean): unknown {
  const copy = structuredClone(root) as Record<string, unknown>;
  let node: unknown = copy;
  for (let depth = 0; depth < pathChoice.length; depth++) {
    if (node === null || typeof node !== 'object') break;
    const keys = Object.keys(node as object);
    if (!keys.length) break;
    const key = keys[pathChoice[depth]! % keys.length]!;
    const child = (node as Record<string, unknown>)[key];
    if (depth === pathChoice.length - 1 || child === null || typeof child !== 'object') {
      if (remove) delete (node as Record<string, unknown>)[key];
      else (node as Record<string, unknown>)[key] = value;
      break;
    }
    node = child;
  }
  return copy;
}

function loadSource(source: string, supplier: string): void {
  onlyHubErrors('parseMappingSource', () => {
    const result = parseMappingSource(source, `/mappings/${supplier}.yaml`, MAPPING_ENV);
    if (!(result instanceof HubError) && (typeof result !== 'object' || !('mapping' in result))) throw new Error('parseMappingSource returned neither a mapping nor a MappingError');
  });
}

export const mappingProperties: FuzzProperty<any>[] = [
  {
    name: 'mapping loader: example mappings with one key replaced or removed',
    arbitrary: fc.tuple(fc.constantFrom(...MAPPING_SOURCES), fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('${MISSING}', '${', '$${X}', '__proto__', -1, 1e308, '', 'x'.repeat(10_000))), fc.boolean()),
    check: ([m, at, value, remove]) => loadSource(stringifyYaml(mutateAt(parseYaml(m.text), at, value, remove)), m.supplier),
    suiteRuns: 300,
    longFactor: 0.2,
  },
  {
    name: 'mapping loader: text edits of the example mapping files',
    arbitrary: fc.constantFrom(...MAPPING_SOURCES).chain((m) => edit(m.text, fc.constantFrom(...YAML_TOKENS)).map((text) => ({ text, supplier: m.supplier }))),
    check: ({ text, supplier }) => loadSource(text, supplier),
    suiteRuns: 300,
    longFactor: 0.2,
  },
  {
    name: 'mapping loader: a soup of YAML tokens',
    arbitrary: fc.array(fc.constantFrom(...YAML_TOKENS), { maxLength: 60 }).map((t) => t.join('')),
    check: (text) => loadSource(text, 'acme-toys'),
    suiteRuns: 300,
  },
  {
    name: 'mapping loader: arbitrary objects written as YAML',
    arbitrary: fc.oneof(fc.object({ maxDepth: 4 }), fc.anything({ maxDepth: 3 })),
    check: (value) => loadSource(stringifyYaml(value) ?? '', 'acme-toys'),
    suiteRuns: 200,
  },
];

// ---- intake adapters ---------------------------------------------------------------------------

const canonical = JSON.parse(fixture('shopify/order-create.canonical.json'));
const shopify = JSON.parse(fixture('shopify/order-create.json'));
const woo = JSON.parse(fixture('woocommerce/order-created.json'));
const ADAPTERS = [
  ['parseCanonicalOrder', parseCanonicalOrder, canonical],
  ['shopifyToCanonical', shopifyToCanonical, shopify],
  ['wooCommerceToCanonical', wooCommerceToCanonical, woo],
] as const;
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'then', 'length', '0'];

/** A body with hostile keys planted at random depths; made through JSON.parse so that `__proto__` is an own key, as from a request. */
const plantedBody = fc
  .tuple(
    fc.nat(ADAPTERS.length - 1),
    fc.array(fc.tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), fc.constantFrom(...HOSTILE_KEYS), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant({ polluted: 1 }), fc.constant([{ polluted: 1 }]))), { minLength: 1, maxLength: 4 }),
  )
  .map(([i, plants]) => {
    const [name, , base] = ADAPTERS[i]!;
    let text = JSON.stringify(base);
    let body = JSON.parse(text) as Record<string, unknown>;
    for (const [at, key, value] of plants) {
      // Plant `"key": value` inside a random object of the body by text, so JSON.parse makes it an own property.
      const target = mutateAt(body, at, '\u0000PLANT\u0000', false);
      text = JSON.stringify(target).replace('"\\u0000PLANT\\u0000"', () => `{${JSON.stringify(key)}:${JSON.stringify(value)}}`);
      body = JSON.parse(text);
    }
    return { adapter: i, name, text };
  });

const largeBody = fc
  .tuple(fc.nat(ADAPTERS.length - 1), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1_000, max: 100_000 }))
  .map(([i, kind, n]) => {
    const [name, , base] = ADAPTERS[i]!;
    const body = structuredClone(base) as Record<string, unknown>;
    const lines = 'line_items' in body ? 'line_items' : 'lines';
    if (kind === 0) for (const key of Object.keys(body)) if (typeof body[key] === 'string') body[key] = 'x'.repeat(n);
    if (kind === 1) body[lines] = Array.from({ length: Math.min(n, 20_000) }, (_, k) => ({ ...(body[lines] as object[])[0], id: k, lineId: String(k) }));
    if (kind === 2) body[lines === 'lines' ? 'notes' : 'note'] = '\u0000DEEP\u0000';
    let text = JSON.stringify(body);
    if (kind === 2) text = text.replace('"\\u0000DEEP\\u0000"', () => `${'['.repeat(Math.min(n, 5_000))}${']'.repeat(Math.min(n, 5_000))}`);
    if (kind === 3) text = JSON.stringify({ ...body, [lines]: new Array(Math.min(n, 50_000)).fill(null) });
    return { adapter: i, name, text };
  });

export const intakeProperties: FuzzProperty<any>[] = [
  {
    name: 'intake adapters: __proto__, constructor and other hostile keys anywhere in the body',
    arbitrary: plantedBody,
    check: ({ adapter, name, text }) => onlyHubErrors(name, () => ADAPTERS[adapter]![1](JSON.parse(text))),
    suiteRuns: 400,
  },
  {
    name: 'intake adapters: huge strings, many lines, deep nesting stay fast',
    arbitrary: largeBody,
    check: ({ adapter, name, text }) => onlyHubErrors(name, () => ADAPTERS[adapter]![1](JSON.parse(text))),
    suiteRuns: 40,
    longFactor: 0.01,
  },
  {
    name: 'intake adapters: arbitrary JSON',
    arbitrary: fc.tuple(fc.nat(ADAPTERS.length - 1), fc.jsonValue()),
    check: ([i, body]) => onlyHubErrors(ADAPTERS[i]![0], () => ADAPTERS[i]![1](body)),
    suiteRuns: 300,
    longOnly: true,
  },
];

export const allProperties: FuzzProperty<any>[] = [...x12Properties, ...trackingProperties, ...mappingProperties, ...intakeProperties];
