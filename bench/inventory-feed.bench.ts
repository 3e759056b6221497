/**
 * An inventory feed of 1,000,000 rows (a CSV file, `feed: full`) applied in one transaction,
 * streamed: read with csv-parse, every row checked, staged with COPY into a temporary table, merged
 * into the ledger in one statement (src/pipeline/inventory-feed.ts). Its peer, in the same run: a
 * bare PostgreSQL `COPY … FROM STDIN (FORMAT csv)` of the same file into a plain table (no index,
 * no checks), on a client of its own. Twice each, interleaved: the first feed fills an empty ledger
 * (inserts), the second replaces every row (the steady state of a daily feed). The heap is sampled
 * while the feed applies: it must not grow with the feed.
 *
 * Needs PostgreSQL (DATABASE_URL): the peer is PostgreSQL's own COPY.
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { stringify } from 'yaml';
import { loadMappingFile } from '../src/config/mapping-loader.ts';
import { readInventoryCsv } from '../src/formats/inventory-file.ts';
import { applyInventoryFeed } from '../src/pipeline/inventory-feed.ts';
import { openTestStore, DATABASE_URL } from '../test/helpers/db.ts';
import type { Benchmark, Figure } from './run.ts';

const ROWS = Number(process.env.BENCH_FEED_ROWS ?? 1_000_000);

async function writeFeed(file: string, round: number): Promise<number> {
  const out = createWriteStream(file);
  let size = 0;
  const write = async (text: string) => {
    size += text.length;
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('supplierSku,available\n');
  let chunk = '';
  for (let i = 0; i < ROWS; i++) {
    chunk += `ACME-${String(i).padStart(8, '0')},${(i * 7 + round) % 500}\n`;
    if (chunk.length > 64 * 1024) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  out.end();
  await once(out, 'finish');
  return size;
}

const bench: Benchmark = {
  name: 'inventory-feed',
  requires: () => (DATABASE_URL ? undefined : 'DATABASE_URL: the peer is PostgreSQL COPY'),
  async run(): Promise<Figure[]> {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-feed-'));
    const mappingFile = path.join(dir, 'acme.yaml');
    writeFileSync(
      mappingFile,
      stringify({
        supplier: 'acme',
        name: 'ACME',
        skus: { prefixes: ['ACME-'] },
        transport: { type: 'http', url: 'http://127.0.0.1:9/po', inboundToken: 'acme-inbound-token-0000000001' },
        outbound: { format: 'json', filename: 'PO_{poNumber}.json', template: '$' },
        inbound: { files: [{ match: 'stock_*.csv', format: 'csv', document: 'inventory', feed: 'full' }] },
      }),
    );
    const loaded = await loadMappingFile(mappingFile, {});
    const store = await openTestStore();
    const peer = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${store.schema}` });
    await peer.connect();
    const figures: Figure[] = [];
    try {
      await peer.query('create table copy_peer (supplier_sku text, available integer)');
      const copyPeer = async (file: string): Promise<number> => {
        await peer.query('truncate copy_peer');
        const started = performance.now();
        await pipeline(createReadStream(file, { highWaterMark: 256 * 1024 }), peer.query(copyFrom('copy copy_peer (supplier_sku, available) from stdin (format csv, header true)')));
        return (performance.now() - started) / 1000;
      };
      const applyFeed = async (file: string) => {
        global.gc?.();
        const base = process.memoryUsage().heapUsed;
        let peak = base;
        const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 20);
        const started = performance.now();
        const result = await store.db.transaction().execute((trx) =>
          applyInventoryFeed(trx, loaded, readInventoryCsv({ delimiter: ',' }, createReadStream(file, { highWaterMark: 256 * 1024 }), { file }), {
            mode: 'full',
            documentId: null,
            copyIn: store.copyIn!,
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        clearInterval(sampler);
        if (result.rows !== ROWS) throw new Error(`applied ${result.rows} rows of ${ROWS}`);
        return { seconds, heapGrowthMb: (peak - base) / 1024 / 1024, result };
      };

      for (const [round, label] of [[1, 'into an empty ledger'], [2, 'replacing every row']] as const) {
        const file = path.join(dir, `stock_${round}.csv`);
        const size = await writeFeed(file, round);
        const peerSeconds = await copyPeer(file);
        const ours = await applyFeed(file);
        const peerAgain = await copyPeer(file);
        const best = Math.min(peerSeconds, peerAgain);
        figures.push(
          { bench: 'inventory-feed', metric: `${(ROWS / 1e6).toLocaleString('en')}M-row full feed ${label}`, value: ROWS / ours.seconds, unit: 'rows/s', peer: { name: 'bare COPY into a plain table', value: ROWS / best } },
          { bench: 'inventory-feed', metric: `  heap growth while applying (${label})`, value: ours.heapGrowthMb, unit: 'MB' },
        );
        if (round === 1) figures.push({ bench: 'inventory-feed', metric: '  feed file size', value: size / 1024 / 1024, unit: 'MB' });
      }
    } finally {
      await peer.end();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return figures;
  },
};

export default bench;
