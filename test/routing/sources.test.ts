/**
 * Catalog CSVs (`skus.catalog`): streamed, validated row by row, every bad row named with its file
 * and line; and the sources a set of mappings offers for a SKU.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMappingFile } from '../../src/config/mapping-loader.ts';
import { MappingError } from '../../src/errors.ts';
import { sourceLookup, sourcesFor } from '../../src/routing/claims.ts';
import { CatalogError, loadCatalog, readCatalog, type CatalogIssue, type CatalogRow } from '../../src/routing/sources.ts';

async function rows(text: string | AsyncIterable<string | Buffer>): Promise<{ rows: CatalogRow[]; issues: CatalogIssue[] }> {
  const issues: CatalogIssue[] = [];
  const out: CatalogRow[] = [];
  for await (const row of readCatalog(text, { name: 'x.catalog.csv', onIssue: (issue) => issues.push(issue) })) out.push(row);
  return { rows: out, issues };
}

describe('reading a catalog', () => {
  it('reads the new columns in any order, leaving out the empty ones', async () => {
    const text = '\uFEFFsupplierSku,sku,minQty,cost,priority,leadTimeDays\r\nSW-200-R,INI-STAPLER-RED,5,4.10,1,3\r\n\r\n "TPS-CV-100" , INI-TPS ,,7.25,,\r\nMUG,INI-MUG,,,,\r\n';
    expect((await rows(text)).rows).toEqual([
      { sku: 'INI-STAPLER-RED', supplierSku: 'SW-200-R', cost: '4.10', priority: 1, minQty: 5, leadTimeDays: 3, line: 2 },
      { sku: 'INI-TPS', supplierSku: 'TPS-CV-100', cost: '7.25', line: 4 },
      { sku: 'INI-MUG', supplierSku: 'MUG', line: 5 },
    ]);
  });

  it('keeps reading the catalogs of before: sku,supplierSku,cost', async () => {
    expect((await rows('sku,supplierSku,cost\nA,X,1.00\nB,Y,\n')).rows).toEqual([
      { sku: 'A', supplierSku: 'X', cost: '1.00', line: 2 },
      { sku: 'B', supplierSku: 'Y', line: 3 },
    ]);
    expect((await rows('sku,supplierSku\nA,X\n')).rows).toEqual([{ sku: 'A', supplierSku: 'X', line: 2 }]);
  });

  it('names every bad row with its line, in plain words, and leaves it out', async () => {
    const text = [
      'sku,supplierSku,cost,priority,minQty,leadTimeDays',
      'A,X,-1.00,,,',
      'B,Y,1,5,,',
      'A,Z,2.00,,,',
      'C,W,abc,,,',
      'D,V,1.00,1.5,,',
      'E,U,1.00,,0,',
      'F,T,1.00,,,9999',
      'G,S,1.00,-2,,',
      ',R,1.00,,,',
      'H,Q,1.00,,,,extra',
      'B,P,1.00,,,',
      'I,O,1,2,3,4',
    ].join('\n');
    const { rows: good, issues } = await rows(text);
    expect(good.map((r) => r.sku)).toEqual(['B', 'A', 'I']);
    expect(issues).toEqual([
      { line: 2, message: 'cost -1.00 must not be negative' },
      { line: 5, message: 'cost "abc" must be a decimal such as 12.50' },
      { line: 6, message: 'priority "1.5" must be a whole number (lower wins)' },
      { line: 7, message: 'minQty 0 must be between 1 and 1000000 (the smallest quantity the supplier takes)' },
      { line: 8, message: 'leadTimeDays 9999 must be between 0 and 3650 (days)' },
      { line: 9, message: 'priority -2 must not be negative' },
      { line: 10, message: 'sku and supplierSku must not be empty' },
      { line: 11, message: '7 values but the header has 6 columns' },
      { line: 12, message: 'sku "B" is listed twice (first on line 3)' },
    ]);
  });

  it('refuses a header it does not know, with a hint', async () => {
    expect((await rows('sku,supplierSku,Priority,lead\nA,X,1,2\n')).issues).toEqual([
      { line: 1, message: 'unknown column "Priority" (did you mean "priority"?); the columns are sku, supplierSku, cost, priority, minQty, leadTimeDays' },
      { line: 1, message: 'unknown column "lead"; the columns are sku, supplierSku, cost, priority, minQty, leadTimeDays' },
    ]);
    expect((await rows('sku,cost,cost\nA,1,2\n')).issues.map((i) => i.message)).toEqual([
      'column "cost" appears twice in the header',
      'missing column "supplierSku" (the header is sku,supplierSku,cost and optionally priority, minQty, leadTimeDays)',
    ]);
  });

  it('reports CSV it cannot read with its line, in plain words', async () => {
    expect((await rows('sku,supplierSku\nA,X\n"B,Y\nC,Z\n')).issues).toEqual([{ line: 4, message: 'a quoted value is never closed (a " is missing)' }]);
    expect((await rows('sku,supplierSku\nA,"X"Y\n')).issues[0]).toMatchObject({ line: 2, message: expect.stringMatching(/^a quoted value is followed by more text/) });
  });

  it('without onIssue, fails once the file is read, with every bad row, after yielding the good ones', async () => {
    const seen: string[] = [];
    const error = await (async () => {
      for await (const row of readCatalog('sku,supplierSku,cost\nA,X,1\nB,Y,-1\nC,Z,1\nD,,1\n', { name: 'acme.catalog.csv' })) seen.push(row.sku);
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(seen).toEqual(['A', 'C']); // a bulk load in a transaction rolls back on the error
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as CatalogError).message).toBe(
      'catalog acme.catalog.csv is invalid\n  catalog acme.catalog.csv line 3: cost -1 must not be negative\n  catalog acme.catalog.csv line 5: sku and supplierSku must not be empty',
    );
    expect((error as CatalogError).code).toBe('mapping_invalid');
  });

  it('keeps the first maxIssues problems and counts the rest', async () => {
    const text = `sku,supplierSku\n${Array.from({ length: 250 }, (_, i) => `S${i},`).join('\n')}\n`;
    const error = await (async () => {
      for await (const _ of readCatalog(text, { name: 'big.csv', maxIssues: 3 })) void _;
    })().catch((e: unknown) => e);
    expect((error as CatalogError).issues).toHaveLength(3);
    expect((error as CatalogError).message).toMatch(/… and 247 more$/);
  });

  it('reads a stream cut anywhere into chunks exactly as the whole text (property)', async () => {
    const row = fc.record({
      sku: fc.stringMatching(/^[A-Z][A-Z0-9-]{0,11}$/),
      supplierSku: fc.stringMatching(/^[A-Za-z0-9 ,"-]{1,10}$/).filter((s) => s.trim() === s && s.length > 0),
      cost: fc.option(fc.tuple(fc.nat(9999), fc.nat(99)).map(([w, f]) => `${w}.${String(f).padStart(2, '0')}`), { nil: undefined }),
    });
    const quote = (v: string) => (/[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(row, { selector: (r) => r.sku, maxLength: 30 }), fc.array(fc.nat(), { maxLength: 8 }), async (records, cuts) => {
        const text = `sku,supplierSku,cost\n${records.map((r) => `${r.sku},${quote(r.supplierSku)},${r.cost ?? ''}`).join('\n')}\n`;
        const bytes = Buffer.from(text);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points, bytes.length].slice(1).map((end, i, all) => bytes.subarray(i === 0 ? 0 : all[i - 1], end));
        const whole = await rows(text);
        const streamed = await rows(Readable.from(chunks));
        expect(streamed).toEqual(whole);
        expect(whole.issues).toEqual([]);
        expect(whole.rows.map(({ line: _line, ...r }) => r)).toEqual(records.map((r) => (r.cost === undefined ? { sku: r.sku, supplierSku: r.supplierSku } : r)));
      }),
      { numRuns: 150 },
    );
  });

  it('streams a large catalog from a generator without reading it whole first', async () => {
    let produced = 0;
    async function* big() {
      yield 'sku,supplierSku,cost,priority\n';
      for (let i = 0; i < 20_000; i++) {
        produced++;
        yield `SKU-${i},V-${i},${(i % 100) + 1}.50,${i % 9}\n`;
      }
    }
    let count = 0;
    let producedAtFirst = -1;
    for await (const row of readCatalog(big(), { name: 'big.csv' })) {
      if (count === 0) producedAtFirst = produced;
      count++;
      if (row.sku === 'SKU-19999') expect(row).toEqual({ sku: 'SKU-19999', supplierSku: 'V-19999', cost: '100.50', priority: 19_999 % 9, line: 20_001 });
    }
    expect(count).toBe(20_000);
    expect(producedAtFirst).toBeLessThan(20_000); // the first row came out before the last was produced
  });
});

describe('catalog files beside a mapping', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hub-catalog-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const mapping = (supplier: string, extra = '') => `supplier: ${supplier}
name: ${supplier}
skus:
  catalog: ${supplier}.catalog.csv
transport: { type: sftp, host: h, username: u, password: p, hostKey: "SHA256:${'A'.repeat(43)}", outboundDir: /in }
outbound: { format: csv, filename: "{poNumber}.csv", columns: { Item: supplierSku } }
${extra}`;

  it('loads the new columns into the mapping and makes them sources, with the mapping\'s routing terms', async () => {
    await writeFile(path.join(dir, 'north.catalog.csv'), 'sku,supplierSku,cost,priority,minQty,leadTimeDays\nTRUCK,N-1,6.20,2,3,5\n');
    await writeFile(path.join(dir, 'north.yaml'), mapping('north', 'routing: { priority: 7, shippingFee: "4.95", stockBuffer: 2 }\n'));
    await writeFile(path.join(dir, 'south.catalog.csv'), 'sku,supplierSku,cost\nTRUCK,S-9,5.00\n');
    await writeFile(path.join(dir, 'south.yaml'), mapping('south'));
    const north = await loadMappingFile(path.join(dir, 'north.yaml'), {});
    const south = await loadMappingFile(path.join(dir, 'south.yaml'), {});
    expect(north.catalog.get('TRUCK')).toEqual({ supplierSku: 'N-1', cost: '6.20', priority: 2, minQty: 3, leadTimeDays: 5 });
    expect(sourcesFor('TRUCK', [north, south])).toEqual([
      { supplier: 'north', supplierSku: 'N-1', cost: '6.20', priority: 2, minQty: 3, leadTimeDays: 5, terms: { priority: 7, shippingFee: '4.95', stockBuffer: 2 } },
      { supplier: 'south', supplierSku: 'S-9', cost: '5.00', priority: null, minQty: null, leadTimeDays: null, terms: { priority: null, shippingFee: null, stockBuffer: 0 } },
    ]);
    const lookup = sourceLookup([north, south]);
    expect(lookup('TRUCK')).toBe(lookup('TRUCK')); // remembered per mapping set
    expect(lookup('NOPE')).toEqual([]);
  });

  it('refuses a mapping whose catalog has a bad row, naming the catalog\'s line', async () => {
    await writeFile(path.join(dir, 'east.catalog.csv'), 'sku,supplierSku,cost,minQty\nA,X,1.00,2.5\n');
    await writeFile(path.join(dir, 'east.yaml'), mapping('east'));
    const error = await loadMappingFile(path.join(dir, 'east.yaml'), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MappingError);
    expect((error as MappingError).issues).toEqual([
      { path: 'skus.catalog', line: 4, message: 'catalog east.catalog.csv line 2: minQty "2.5" must be a whole number (the smallest quantity the supplier takes)' },
    ]);
  });

  it('refuses a catalog outside the mapping\'s directory, or one that cannot be read', async () => {
    expect((await loadCatalog(dir, '../x.csv')).issues).toEqual([{ message: '"../x.csv" must be a file name relative to the mapping\'s directory' }]);
    expect((await loadCatalog(dir, 'missing.csv')).issues[0]!.message).toMatch(/^cannot read catalog missing\.csv: .*ENOENT/);
    expect((await loadCatalog(dir, '.')).issues[0]!.message).toMatch(/^cannot read catalog \.: .*EISDIR/);
  });
});
