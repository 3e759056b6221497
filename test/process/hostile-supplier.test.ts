/**
 * A supplier drops hostile files on a running `hub serve` (issue 18, "Done when"): while each is
 * pushed and processed, `/healthz` keeps answering and the process's resident memory stays under
 * 300 MB; every file is quarantined. Sizes are bounded to keep CI fast (a few MB each, under the
 * 10 MiB push limit) but are of the shapes that took the hub down: thousands of tracking numbers
 * on one PO, a 997 of 20,000 sets for one group, a tracking CSV over the row limit, thousands of
 * ship notices for one PO. The health latencies are printed (measured, never asserted).
 *
 * Against PostgreSQL the whole process stays under 300 MB. Embedded PGlite is a PostgreSQL compiled
 * to WebAssembly inside the hub's own process, resident from the start (about 800 MB here before any
 * file): there the bound is on what the files add over that idle baseline.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processDatabaseEnv, startHubProcess, type HubProcess } from '../helpers/hub-process.ts';
import { interchange, shipNotice } from '../helpers/supplier-files.ts';

const TOKEN = 'acme-inbound-token-0000000000001';
const dir = mkdtempSync(path.join(tmpdir(), 'hub-hostile-'));
const mappingsDir = mkdtempSync(path.join(tmpdir(), 'hub-hostile-mappings-'));
const db = processDatabaseEnv(path.join(dir, 'data'));
let hub: HubProcess;
let baseline = 0;
const BOUND = 300 * 2 ** 20;

beforeAll(async () => {
  writeFileSync(
    path.join(mappingsDir, 'acme.yaml'),
    stringify({
      supplier: 'acme',
      name: 'ACME (pushes over HTTP)',
      skus: { prefixes: ['ACME-'] },
      transport: { type: 'http', url: 'http://127.0.0.1:9/po', inboundToken: TOKEN },
      outbound: { format: 'x12-850', filename: 'PO_{poNumber}.edi', x12: { version: '004010', senderQualifier: 'ZZ', senderId: 'DROPHUB', receiverQualifier: 'ZZ', receiverId: 'ACMETOYS' } },
      inbound: {
        files: [
          { match: '*.edi', format: 'x12' },
          { match: '*.csv', format: 'csv', columns: { poNumber: 'PO', sku: 'SKU', quantity: 'Qty', carrier: 'Carrier', trackingNumber: 'Tracking' } },
        ],
      },
    }),
  );
  hub = await startHubProcess({ ...db.env, HUB_MAPPINGS_DIR: mappingsDir, HUB_WORKERS: '0' });
  baseline = process.env.DATABASE_URL ? 0 : await rssBytes();
});
afterAll(async () => {
  await hub?.kill();
  await db.drop();
});

const parties = (n: number) => ({ senderId: 'ACMETOYS', receiverId: 'DROPHUB', controlNumber: n });

const HOSTILE: [string, () => string][] = [
  ['tracking.edi', () => shipNotice(parties(1), 'S1', [{ poNumber: 'PO-1', items: [{ supplierSku: 'ACME-1', quantity: 1 }], tracking: Array.from({ length: 5_000 }, (_, i) => `1Z${String(i).padStart(16, '0')}`) }])],
  ['acks.edi', () => interchange(parties(2), 'FA', Array.from({ length: 20_000 }, () => ({ id: '997', body: ['AK1*PO*1', 'AK2*850*0001', 'AK5*A', 'AK9*A*1*1*1'] })))],
  ['rows.csv', () => ['PO,SKU,Qty,Carrier,Tracking', ...Array.from({ length: 60_000 }, (_, i) => `PO-${i % 7},ACME-1,1,UPS,1Z${String(i).padStart(16, '0')}`)].join('\n')],
  ['notices.edi', () => interchange(parties(3), 'SH', Array.from({ length: 2_000 }, (_, i) => ({ id: '856', body: [`BSN*00*S${i}*20261127*0930`, 'HL*1**S', 'HL*2*1*O', 'PRF*PO-1', 'HL*3*2*P', `MAN*CP*1Z${String(i).padStart(16, '0')}`, 'CTT*3'] })))],
];

async function rssBytes(): Promise<number> {
  const text = await (await fetch(`${hub.url}/metrics`)).text();
  return Number(text.match(/^hub_process_process_resident_memory_bytes (\S+)$/m)![1]);
}

describe('a supplier dropping hostile files on a running hub', () => {
  it.each(HOSTILE)('%s: quarantined, /healthz answers while it is processed, RSS under 300 MB (PGlite: over its idle size)', async (name, make) => {
    const body = make();
    let done = false;
    const push = fetch(`${hub.url}/v1/suppliers/acme/documents`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'x-filename': name }, body })
      .then(async (res) => ({ status: res.status, json: await res.json() }))
      .finally(() => (done = true));
    let answeredDuring = 0;
    let slowest = 0;
    let peakRss = 0;
    while (!done) {
      const started = performance.now();
      const health = await fetch(`${hub.url}/healthz`);
      expect(health.status).toBe(200);
      slowest = Math.max(slowest, performance.now() - started);
      if (!done) answeredDuring++;
      peakRss = Math.max(peakRss, await rssBytes());
    }
    const result = await push;
    peakRss = Math.max(peakRss, await rssBytes());
    console.log(`${name}: ${(body.length / 2 ** 20).toFixed(1)} MB, /healthz answered ${answeredDuring} times while it was processed (slowest ${slowest.toFixed(0)} ms), peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB${baseline ? ` (${(baseline / 2 ** 20).toFixed(0)} MB idle with PGlite)` : ''}`);
    expect(result.status).toBe(422);
    expect(result.json).toMatchObject({ status: 'failed' });
    // That /healthz is answered while a file is read, in order, not by the clock: big-files.test.ts.
    expect(peakRss - baseline).toBeLessThan(BOUND);
  });
});
