import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PurchaseOrder } from '../../../src/canonical/purchase-order.ts';
import { loadMappingFile, type LoadedMapping } from '../../../src/config/mapping-loader.ts';
import { renderOutbound, usesControlNumbers } from '../../../src/formats/outbound.ts';
import { routeOrder, toCancellation } from '../../../src/routing/index.ts';
import { check850 } from '../../helpers/x12-850-check.ts';
import { CREATED_AT, NUMBERS, RETAILER, exampleMappings, expectGolden, fixtureOrder } from './examples.ts';

const FILENAMES: Record<string, string> = {
  'acme-toys': 'PO_1001-acme-toys_000001001.edi',
  globex: 'globex_20261126_000001001.x12',
  initech: 'initech_1001-initech_20261126.csv',
  umbrella: '1001-umbrella.json',
};
const EXTENSIONS: Record<string, string> = { 'x12-850': 'edi', csv: 'csv', xml: 'xml', json: 'json' };

async function routed(orderName: string, mappings: LoadedMapping[]): Promise<PurchaseOrder[]> {
  const result = await routeOrder({ orderId: 'ord_golden', retailer: RETAILER, order: fixtureOrder(orderName), createdAt: CREATED_AT }, mappings);
  if (!result.ok) throw new Error(result.reason);
  return result.purchaseOrders;
}

describe('golden outputs of the example suppliers', async () => {
  const mappings = await exampleMappings();
  const pos = await routed('split-order', mappings);

  it('splits the fixture order over all four example suppliers', () => {
    expect(pos.map((po) => po.supplierId)).toEqual(['acme-toys', 'globex', 'initech', 'umbrella']);
  });

  for (const supplier of ['acme-toys', 'globex', 'initech', 'umbrella']) {
    const loaded = mappings.find((m) => m.supplier === supplier)!;
    const po = pos.find((p) => p.supplierId === supplier)!;
    const ext = EXTENSIONS[loaded.mapping.outbound.format]!;
    const numbers = usesControlNumbers(loaded.mapping) ? NUMBERS : undefined;

    it(`${supplier}: purchase order (${loaded.mapping.outbound.format})`, async () => {
      const doc = await renderOutbound(loaded, po, numbers);
      expectGolden(`${supplier}.${ext}`, doc.content);
      if (ext === 'edi') expect(check850(doc.content.toString())).toEqual([]);
      expect(doc.filename).toBe(FILENAMES[supplier]);
    });

    it(`${supplier}: cancellation`, async () => {
      const doc = await renderOutbound(loaded, toCancellation(po, '2026-11-27T08:30:00Z'), numbers && { isa13: 1002, gs06: 1002, st02: 1 });
      expectGolden(`${supplier}.cancel.${ext}`, doc.content);
      if (ext === 'edi') {
        expect(check850(doc.content.toString())).toEqual([]);
        expect(doc.content.toString()).toContain('BEG*01*DS*');
      }
    });
  }

  it('acme-toys: a hostile order number is an identifier (REF*CO): refused, naming the override, never rewritten', async () => {
    const [po] = await routed('hostile-order', mappings);
    const acme = mappings.find((m) => m.supplier === 'acme-toys')!;
    await expect(renderOutbound(acme, po!, NUMBERS)).rejects.toThrow(
      /^REF\*CO REF02 \(outbound\.overrides\.REF\*CO\.02\): "#H-77\*~\^>\|" cannot be sent: it holds "\*", the element separator; it holds "~", the segment terminator; it holds ">", the component separator/,
    );
  });

  it('acme-toys: hostile order text is transliterated with a warning per field, never breaks the file', async () => {
    const [po] = await routed('hostile-order', mappings);
    const acme = mappings.find((m) => m.supplier === 'acme-toys')!;
    // The same supplier without the REF*CO override, whose value (the order number) cannot be sent.
    const withoutRef = { ...acme, expressions: { ...acme.expressions, overrides: acme.expressions.overrides.filter((o) => o.key !== 'REF*CO.02') } };
    const doc = await renderOutbound(withoutRef, po!, NUMBERS);
    const text = doc.content.toString();
    expectGolden('acme-toys.hostile.edi', text);
    expect(check850(text)).toEqual([]);
    expect(doc.filename).toBe('PO_H-77_000001001.edi');
    expect(doc.warnings?.map((w) => `${w.field} ${w.element}`)).toEqual([
      'shipTo.name N1 N102',
      'shipTo.address1 N3 N301',
      'shipTo.address1 N3 N301',
      'shipTo.city N4 N401',
      'shipTo.region N4 N402',
      'customer.phone PER PER04',
      'lines[0].title PID PID05',
    ]);
  });
});

describe('golden output of an XML supplier', () => {
  let dir: string;
  let loaded: LoadedMapping;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hub-xml-'));
    await writeFile(
      path.join(dir, 'hooli.yaml'),
      `supplier: hooli
name: Hooli XYZ
skus: { prefixes: ["ACME-"] }
transport: { type: http, url: "https://hooli.example/po" }
outbound:
  format: xml
  root: PurchaseOrder
  filename: "hooli-{poNumber}-{date}.xml"
  template: |
    {
      "@_number": poNumber,
      "@_type": purpose = "cancel" ? "Cancel" : "New",
      "Retailer": retailer.name,
      "ShipTo": { "Name": shipTo.name, "Street": shipTo.address1, "City": shipTo.city, "Country": shipTo.country },
      "Note": notes,
      "Items": { "Item": [lines.{ "@_line": lineNumber, "Sku": supplierSku, "Qty": quantity, "Price": unitPrice, "Title": title }] }
    }
`,
    );
    loaded = await loadMappingFile(path.join(dir, 'hooli.yaml'), {});
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('renders escaped XML from the template', async () => {
    const order = fixtureOrder('split-order');
    const acmeOnly = { ...order, lines: order.lines.filter((l) => l.sku.startsWith('ACME-')) };
    const result = await routeOrder({ orderId: 'ord_golden', retailer: RETAILER, order: acmeOnly, createdAt: CREATED_AT }, [loaded]);
    if (!result.ok) throw new Error(result.reason);
    const doc = await renderOutbound(loaded, result.purchaseOrders[0]!);
    expect(doc.contentType).toBe('application/xml');
    expect(doc.filename).toBe('hooli-1001-20261126.xml');
    expectGolden('hooli.xml', doc.content);
    expect(doc.content.toString()).toContain('The Toy Shop &amp; Co');
  });
});
