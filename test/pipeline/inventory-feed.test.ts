/**
 * Stock feeds into the inventory ledger through the whole inbound path (parse, apply, quarantine) on
 * a real database: the feed's own time decides (an older feed never overwrites newer stock), full
 * feeds zero what they leave out and delta feeds do not, every format ends in the same ledger, a bad
 * row or a malformed file changes nothing and is named by its line, and one supplier's feed never
 * touches another's stock. On PostgreSQL the streamed feed is staged with COPY.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMappingFile, type LoadedMapping } from '../../src/config/mapping-loader.ts';
import { readInventoryCsv } from '../../src/formats/inventory-file.ts';
import { receiveInboundFile } from '../../src/pipeline/apply.ts';
import { InventoryFeedError, applyInventoryFeed } from '../../src/pipeline/inventory-feed.ts';
import { stockFigures } from '../../src/store/inventory.ts';
import { ENGINE } from '../helpers/db.ts';
import { createTestHub, type TestHub } from '../helpers/hub.ts';
import { writeMappingDir } from '../helpers/mappings.ts';

let t: TestHub;
let acme: LoadedMapping;
let globex: LoadedMapping;

const http = (supplier: string) => ({ type: 'http', url: 'http://127.0.0.1:9/po', inboundToken: `${supplier}-inbound-token-0000000001` });
const outbound = { format: 'json', filename: 'PO_{poNumber}.json', template: '$' };

beforeAll(async () => {
  const dir = writeMappingDir(
    {
      supplier: 'acme',
      name: 'ACME',
      skus: { prefixes: ['ACME-'] },
      transport: http('acme'),
      outbound,
      inbound: {
        files: [
          { match: 'stock_full_*.csv', format: 'csv', document: 'inventory', feed: 'full', columns: { supplierSku: 'Item', available: 'On Hand', asOf: 'As Of' } },
          { match: 'stock_delta_*.csv', format: 'csv', document: 'inventory', feed: 'delta', columns: { supplierSku: 'Item', available: 'On Hand' } },
          { match: 'stock_*.xml', format: 'xml', document: 'inventory', feed: 'delta', records: 'Stock.Item', fields: { supplierSku: '@sku', available: 'Qty', asOf: 'At' } },
          { match: '*.846', format: 'x12', feed: 'full' },
          { match: '*.json', format: 'json' },
        ],
      },
    },
    {
      supplier: 'globex',
      name: 'Globex',
      skus: { catalog: 'globex.catalog.csv' },
      transport: http('globex'),
      outbound,
      inbound: { files: [{ match: 'stock_*.csv', format: 'csv', document: 'inventory', feed: 'full' }] },
    },
  );
  writeFileSync(path.join(dir, 'globex.catalog.csv'), 'sku,supplierSku,cost\nACME-TRUCK-01,GX-TRUCK,5.00\nGLOBEX-KITE,GX-KITE,3.00\nSHARED,ACME-SHARED,1.00\n');
  acme = await loadMappingFile(path.join(dir, 'acme.yaml'));
  globex = await loadMappingFile(path.join(dir, 'globex.yaml'));
  t = await createTestHub({ mappings: [acme, globex] });
});
afterAll(async () => t?.close());

const receive = (loaded: LoadedMapping, name: string, content: string) =>
  receiveInboundFile(t.hub, loaded, { name, content: Buffer.from(content), via: 'http' });

async function stock(supplier: string): Promise<Record<string, number>> {
  return Object.fromEntries((await stockFigures(t.hub.store.db, supplier)).map((f) => [f.supplierSku, f.available]));
}

async function snapshot() {
  return t.hub.store.db.selectFrom('inventory').selectAll().orderBy('supplier_id').orderBy('supplier_sku').execute();
}

describe('the ledger follows the feeds', () => {
  it('a full CSV feed sets what it lists with its own time and zeroes what it leaves out; a delta feed changes only its rows', async () => {
    const first = await receive(acme, 'stock_full_1.csv', 'Item,On Hand,As Of\nACME-TRUCK-01,40,2026-12-01T09:00:00Z\nACME-KITE-03,7,2026-12-01T09:00:00Z\nACME-BALL-04,3,2026-12-01T09:00:00Z\n');
    expect(first.status).toBe('applied');
    expect(await stock('acme')).toEqual({ 'ACME-TRUCK-01': 40, 'ACME-KITE-03': 7, 'ACME-BALL-04': 3 });
    const truck = (await stockFigures(t.hub.store.db, 'acme', ['ACME-TRUCK-01']))[0]!;
    expect(truck.asOf?.toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(truck.documentId).toBe(first.documentId);

    await receive(acme, 'stock_delta_1.csv', 'Item,On Hand\nACME-KITE-03,2\n');
    expect(await stock('acme')).toEqual({ 'ACME-TRUCK-01': 40, 'ACME-KITE-03': 2, 'ACME-BALL-04': 3 });

    await receive(acme, 'stock_full_2.csv', 'Item,On Hand,As Of\nACME-TRUCK-01,38,2026-12-01T10:00:00Z\n');
    expect(await stock('acme')).toEqual({ 'ACME-TRUCK-01': 38, 'ACME-KITE-03': 0, 'ACME-BALL-04': 0 });
  });

  it('an older feed arriving late never overwrites newer stock, row by row', async () => {
    await receive(acme, 'late.json', JSON.stringify({ type: 'inventory', asOf: '2026-12-01T09:30:00Z', items: [{ supplierSku: 'ACME-TRUCK-01', available: 99 }, { supplierSku: 'ACME-NEW-09', available: 5 }] }));
    const after = await stockFigures(t.hub.store.db, 'acme', ['ACME-TRUCK-01', 'ACME-NEW-09']);
    expect(after.map((f) => [f.supplierSku, f.available, f.asOf?.toISOString()])).toEqual([
      ['ACME-NEW-09', 5, '2026-12-01T09:30:00.000Z'],
      ['ACME-TRUCK-01', 38, '2026-12-01T10:00:00.000Z'],
    ]);
    // A full feed older than a row does not zero it either.
    await receive(acme, 'old-full.json', JSON.stringify({ type: 'inventory', feed: 'full', asOf: '2026-12-01T09:45:00Z', items: [{ supplierSku: 'ACME-NEW-09', available: 6 }] }));
    expect((await stock('acme'))['ACME-TRUCK-01']).toBe(38);
    expect((await stock('acme'))['ACME-NEW-09']).toBe(6);
  });

  it('an X12 846 and an XML feed land in the same ledger; the 846 rule is a full feed', async () => {
    const x846 = [
      'ISA*00*          *00*          *ZZ*ACMETOYS       *ZZ*DROPHUB        *261203*1405*U*00401*000000050*0*P*>~',
      'GS*IB*ACMETOYS*DROPHUB*20261203*1405*51*X*004010~',
      'ST*846*0001~', 'BIA*00*MM*INV-20261203*20261203~',
      'LIN*1*VN*ACME-TRUCK-01~', 'QTY*33*12*EA~', 'LIN*2*VN*ACME-KITE-03~', 'QTY*33*4*EA~',
      'CTT*2~', 'SE*8*0001~', 'GE*1*51~', 'IEA*1*000000050~',
    ].join('\n');
    expect((await receive(acme, 'INV_1.846', x846)).status).toBe('applied');
    expect(await stock('acme')).toEqual({ 'ACME-TRUCK-01': 12, 'ACME-KITE-03': 4, 'ACME-BALL-04': 0, 'ACME-NEW-09': 0 });

    const xml = `<?xml version="1.0"?>\n<Stock>\n  <Item sku="ACME-BALL-04"><Qty>9</Qty></Item>\n  <Item sku="ACME-KITE-03"><Qty>5</Qty></Item>\n</Stock>\n`;
    expect((await receive(acme, 'stock_1.xml', xml)).status).toBe('applied');
    expect(await stock('acme')).toEqual({ 'ACME-TRUCK-01': 12, 'ACME-KITE-03': 5, 'ACME-BALL-04': 9, 'ACME-NEW-09': 0 });
  });
});

describe('bad feeds change nothing', () => {
  it('bad rows (negative, absurd, not a number, unknown SKU) are each named by their line', async () => {
    const before = await snapshot();
    const result = await receive(
      acme,
      'stock_delta_bad.csv',
      'Item,On Hand\nACME-TRUCK-01,1\nACME-KITE-03,-4\nACME-BALL-04,250000000\nACME-NEW-09,lots\nNOT-OURS-1,3\nACME-TRUCK-01,2\n',
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/line 3: On Hand "-4" is negative/);
    expect(result.error).toMatch(/line 4: On Hand 250000000 is more than the hub takes for one item \(100,000,000\)/);
    expect(result.error).toMatch(/line 5: On Hand "lots" is not a whole number/);
    expect(result.error).toMatch(/3 bad rows/);
    expect(result.error).toMatch(/stock_delta_bad\.csv/);
    // The unknown SKU is found once the rows parse: a second file shows it with its line.
    const unknown = await receive(acme, 'stock_delta_bad2.csv', 'Item,On Hand\nACME-TRUCK-01,1\nNOT-OURS-1,3\n');
    expect(unknown.status).toBe('failed');
    expect(unknown.error).toMatch(/line 3: unknown SKU "NOT-OURS-1"/);
    const doc = await t.hub.store.db.selectFrom('documents').select(['status', 'error_code']).where('id', '=', unknown.documentId).executeTakeFirstOrThrow();
    expect(doc).toEqual({ status: 'failed', error_code: 'validation_failed' });
    expect(await snapshot()).toEqual(before);
  });

  it('a SKU listed twice is refused with both lines', async () => {
    const before = await snapshot();
    const result = await receive(acme, 'stock_delta_dup.csv', 'Item,On Hand\nACME-TRUCK-01,1\nACME-KITE-03,2\nACME-TRUCK-01,3\n');
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/SKU "ACME-TRUCK-01" is listed more than once \(lines 2, 4\)/);
    expect(await snapshot()).toEqual(before);
  });

  it('a malformed file is quarantined with a parse error naming the file and line', async () => {
    const before = await snapshot();
    const csv = await receive(acme, 'stock_delta_broken.csv', 'Item,On Hand\nACME-TRUCK-01,1\n"ACME-KITE-03,2\n');
    expect(csv.status).toBe('failed');
    expect(csv.error).toMatch(/^csv: .*quote.*stock_delta_broken\.csv/i);
    const header = await receive(acme, 'stock_delta_header.csv', 'Sku,Qty\nACME-TRUCK-01,1\n');
    expect(header.error).toMatch(/the header has no column "Item", "On Hand"/);
    const xml = await receive(acme, 'stock_2.xml', '<Stock><Item sku="ACME-BALL-04"><Qty>1</Qty></Stock>');
    expect(xml.error).toMatch(/^xml: not well-formed/);
    const json = await receive(acme, 'neg.json', JSON.stringify({ type: 'inventory', items: [{ supplierSku: 'ACME-TRUCK-01', available: -1 }] }));
    expect(json.error).toMatch(/items\.0\.available/);
    for (const r of [csv, header, xml, json]) {
      const doc = await t.hub.store.db.selectFrom('documents').select('error_code').where('id', '=', r.documentId).executeTakeFirstOrThrow();
      expect(doc.error_code).toBe('parse_failed');
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe("one supplier's feed never changes another's stock", () => {
  it("a full feed zeroes only its own supplier's rows, and the same supplier SKU at two suppliers stays two figures", async () => {
    await receive(acme, 'shared.json', JSON.stringify({ type: 'inventory', items: [{ supplierSku: 'ACME-SHARED', available: 11 }] }));
    const acmeBefore = await stockFigures(t.hub.store.db, 'acme');
    const result = await receive(globex, 'stock_1.csv', 'supplierSku,available\nGX-TRUCK,4\nACME-SHARED,2\n');
    expect(result.status).toBe('applied');
    expect(await stock('globex')).toEqual({ 'GX-TRUCK': 4, 'ACME-SHARED': 2 });
    expect(await stockFigures(t.hub.store.db, 'acme')).toEqual(acmeBefore);
    expect((await stock('acme'))['ACME-SHARED']).toBe(11);
    // Globex's full feed zeroes its own missing SKU, nothing of acme's.
    await receive(globex, 'stock_2.csv', 'supplierSku,available\nGX-TRUCK,3\n');
    expect(await stock('globex')).toEqual({ 'GX-TRUCK': 3, 'ACME-SHARED': 0 });
    expect(await stockFigures(t.hub.store.db, 'acme')).toEqual(acmeBefore);
  });

  it("a feed naming another supplier's SKU is refused: it is unknown to the supplier that sent it", async () => {
    const before = await snapshot();
    const result = await receive(globex, 'stock_3.csv', 'supplierSku,available\nGX-TRUCK,3\nACME-TRUCK-01,0\n');
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/line 3: unknown SKU "ACME-TRUCK-01"/);
    expect(await snapshot()).toEqual(before);
  });
});

/** PGlite (embedded, single-threaded) stages in batches: fewer rows keep the file quick there. */
const ROWS = ENGINE === 'postgres' ? 20_000 : 3_000;

describe('the streamed feed', () => {
  it(`stages ${ENGINE === 'postgres' ? 'with COPY' : 'in batches'} and merges ${ROWS.toLocaleString('en')} rows in one transaction, then refuses a stream with a bad row at its end`, async () => {
    const lines = function* (n: number, bad = false) {
      yield 'supplierSku,available\n';
      for (let i = 0; i < n; i++) yield `ACME-S${String(i).padStart(6, '0')},${i % 50}\n`;
      if (bad) yield 'ACME-LAST,-1\n';
    };
    const rule = { delimiter: ',' };
    const result = await t.hub.store.db.transaction().execute((trx) =>
      applyInventoryFeed(trx, acme, readInventoryCsv(rule, Readable.from(lines(ROWS))), { mode: 'delta', documentId: null, ...(t.hub.store.copyIn ? { copyIn: t.hub.store.copyIn } : {}) }),
    );
    expect(result).toMatchObject({ rows: ROWS, written: ROWS, olderKept: 0, zeroed: 0 });
    const count = await t.hub.store.db.selectFrom('inventory').select((eb) => eb.fn.countAll<string>().as('n')).where('supplier_id', '=', 'acme').where('supplier_sku', 'like', 'ACME-S0%').executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(ROWS);
    expect((await stockFigures(t.hub.store.db, 'acme', ['ACME-S000049']))[0]?.available).toBe(49);

    const before = await snapshot();
    const refused = t.hub.store.db.transaction().execute((trx) =>
      applyInventoryFeed(trx, acme, readInventoryCsv(rule, Readable.from(lines(ROWS, true)), { file: 'big.csv' }), { mode: 'full', documentId: null, ...(t.hub.store.copyIn ? { copyIn: t.hub.store.copyIn } : {}) }),
    );
    await expect(refused).rejects.toThrow(new RegExp(`line ${ROWS + 2}: available "-1" is negative.*big\\.csv`));
    expect(await snapshot()).toEqual(before);
  });

  it('the error is typed and lists the rows in its details', async () => {
    const error = await t.hub.store.db
      .transaction()
      .execute((trx) => applyInventoryFeed(trx, acme, [{ supplierSku: 'ACME-X', available: 1 }, { supplierSku: 'WHO-1', available: 1 }], { documentId: null }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InventoryFeedError);
    expect((error as InventoryFeedError).issues).toEqual([{ line: 2, message: 'item 2: unknown SKU "WHO-1": not in this supplier\'s skus rules or catalog' }]);
  });
});
