import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PurchaseOrder } from '../../../src/canonical/purchase-order.ts';
import { loadMappingFile, type LoadedMapping } from '../../../src/config/mapping-loader.ts';
import { RenderError } from '../../../src/errors.ts';
import { csvCell } from '../../../src/formats/csv.ts';
import { renderFilename, renderOutbound, usesControlNumbers } from '../../../src/formats/outbound.ts';
import { routeOrder } from '../../../src/routing/index.ts';
import { CREATED_AT, NUMBERS, RETAILER, exampleMapping, fixtureOrder } from './examples.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hub-docs-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function mapping(supplier: string, outbound: string): Promise<LoadedMapping> {
  const file = path.join(dir, `${supplier}.yaml`);
  await writeFile(file, `supplier: ${supplier}\nname: Test\nskus: { prefixes: ["ACME-"] }\ntransport: { type: http, url: "https://x.example/" }\noutbound:\n${outbound}`);
  return loadMappingFile(file, {});
}

async function hostilePo(): Promise<PurchaseOrder> {
  const order = fixtureOrder('hostile-order');
  const loaded = await exampleMapping('acme-toys');
  const result = await routeOrder({ orderId: 'ord_h', retailer: RETAILER, order, createdAt: CREATED_AT }, [loaded]);
  if (!result.ok) throw new Error(result.reason);
  return result.purchaseOrders[0]!;
}

describe('csv', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    for (const bad of ['=HYPERLINK("x")', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(bad, 'c')).toBe(`'${bad}`);
    expect(csvCell(-5, 'c')).toBe('-5');
    expect(csvCell(null, 'c')).toBe('');
    expect(() => csvCell({ a: 1 }, 'col')).toThrow(RenderError);
  });

  it('writes hostile data as parseable CSV, one row per line', async () => {
    const loaded = await mapping(
      'csvtest',
      `  format: csv\n  filename: "{poNumber}.csv"\n  delimiter: ";"\n  columns:\n    PO: $po.poNumber\n    Name: $po.shipTo.name\n    Street: $po.shipTo.address1\n    Title: title\n    Formula: "'=1+1'"\n`,
    );
    const doc = await renderOutbound(loaded, await hostilePo());
    const rows = parseCsv(doc.content, { delimiter: ';', columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows[0]!.Name).toBe("Zoë *Star~ ^O'Brien> |Ünïcødé| 🎁");
    expect(rows[0]!.Street).toHaveLength(300);
    expect(rows[0]!.Formula).toBe("'=1+1");
    expect(rows[1]!.Title).toBe('');
  });

  it('uses cancelTemplate rows for a cancellation', async () => {
    const loaded = await mapping(
      'csvcancel',
      `  format: csv\n  filename: "{poNumber}.csv"\n  columns: { PO: $po.poNumber }\n  cancelTemplate: '{"PO": poNumber, "Action": "CANCEL"}'\n`,
    );
    const doc = await renderOutbound(loaded, { ...(await hostilePo()), purpose: 'cancel' });
    expect(doc.content.toString()).toBe('PO,Action\nH-77,CANCEL\n');
  });
});

describe('xml', () => {
  it('escapes text and attributes and drops characters XML cannot hold', async () => {
    const loaded = await mapping(
      'xmltest',
      `  format: xml\n  filename: "{poNumber}.xml"\n  template: '{"Order": {"@_id": shipTo.name, "Street": shipTo.address1, "Ctl": "a\\u0001b</Order>&"}}'\n`,
    );
    const doc = await renderOutbound(loaded, await hostilePo());
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' }).parse(doc.content.toString());
    expect(parsed.Order['@_id']).toBe("Zoë *Star~ ^O'Brien> |Ünïcødé| 🎁");
    expect(parsed.Order.Ctl).toBe('ab</Order>&');
  });

  it('refuses element names that are not XML names', async () => {
    const loaded = await mapping('xmlbad', `  format: xml\n  root: Order\n  filename: "{poNumber}.xml"\n  template: '{"bad name": 1}'\n`);
    await expect(renderOutbound(loaded, await hostilePo())).rejects.toThrow(/"bad name".*not a valid XML name/);
  });
});

describe('json', () => {
  it('evaluation errors name the supplier and the key path', async () => {
    const loaded = await mapping('jsonbad', `  format: json\n  filename: "{poNumber}.json"\n  template: '{"x": $number("abc")}'\n`);
    await expect(renderOutbound(loaded, await hostilePo())).rejects.toThrow(/^jsonbad: outbound\.template: JSONata evaluation failed/);
  });

  it('a cancellation without cancelTemplate renders the main template with purpose "cancel"', async () => {
    const loaded = await mapping('jsoncancel', `  format: json\n  filename: "{poNumber}.json"\n  template: '{"po": poNumber, "purpose": purpose}'\n`);
    const doc = await renderOutbound(loaded, { ...(await hostilePo()), purpose: 'cancel' });
    expect(JSON.parse(doc.content.toString())).toEqual({ po: 'H-77', purpose: 'cancel' });
  });
});

describe('filenames and control numbers', () => {
  it('fills placeholders and never yields a path', async () => {
    const po = { ...(await hostilePo()), poNumber: '../../etc/passwd', orderNumber: 'a/b\u0000c' };
    expect(renderFilename('{poNumber}_{orderNumber}_{date}_{time}_{isa13}.edi', 'acme', po, NUMBERS)).toBe('____etc_passwd_a_b_c_20261126_120000_000001001.edi');
    expect(renderFilename('../{supplier}.x', 'acme', po, NUMBERS)).toBe('__acme.x');
    expect(() => renderFilename('{isa13}.x', 'acme', po, undefined)).toThrow(/needs|no control numbers/);
    expect(renderFilename('{documentId}-{purpose}.json', 'acme', po, undefined, { documentId: 'doc_1' })).toBe('doc_1-original.json');
  });

  it('says which mappings need control numbers, and x12 refuses to render without them', async () => {
    const acme = await exampleMapping('acme-toys');
    expect(usesControlNumbers(acme.mapping)).toBe(true);
    expect(usesControlNumbers((await exampleMapping('umbrella')).mapping)).toBe(false);
    await expect(renderOutbound(acme, await hostilePo())).rejects.toThrow(RenderError);
  });
});
