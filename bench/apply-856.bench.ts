/**
 * Applying one 856 that ships 10,000 purchase orders: parse, match every PO, record shipments, move
 * states, queue retailer events, all in the one transaction that also writes the file's ledger row.
 * Runs on PostgreSQL when DATABASE_URL is set, else on embedded PGlite.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadMappingFile } from '../src/config/mapping-loader.ts';
import { loadEnv } from '../src/config/env.ts';
import { silentLogger } from '../src/logger.ts';
import { createHub } from '../src/main.ts';
import { receiveInboundFile } from '../src/pipeline/apply.ts';
import { newId } from '../src/store/ids.ts';
import { createRetailer } from '../src/store/retailers.ts';
import { openTestStore } from '../test/helpers/db.ts';
import type { Benchmark, Figure } from './run.ts';

const ORDERS = Number(process.env.BENCH_APPLY_ORDERS ?? 10_000);

function shipNotice(poNumbers: string[]): Buffer {
  const segments = [
    'ISA*00*          *00*          *ZZ*ACME           *ZZ*DROPHUB        *261127*0930*U*00401*000000001*0*P*>',
    'GS*SH*ACME*DROPHUB*20261127*0930*1*X*004010',
    'ST*856*0001',
  ];
  const body = ['BSN*00*BIG-1*20261127*0930*0001', 'HL*1**S', 'TD5**2*UPSN', 'DTM*011*20261127'];
  let hl = 1;
  for (const po of poNumbers) {
    const order = ++hl;
    body.push(`HL*${order}*1*O`, `PRF*${po}`);
    const pack = ++hl;
    body.push(`HL*${pack}*${order}*P`, `MAN*CP*1Z${po.replace(/\W/g, '')}`);
    body.push(`HL*${++hl}*${pack}*I`, 'LIN**VN*ACME-1', 'SN1**1*EA');
  }
  body.push(`CTT*${hl}`);
  segments.push(...body, `SE*${body.length + 2}*0001`, 'GE*1*1', 'IEA*1*000000001');
  return Buffer.from(`${segments.join('~\n')}~\n`);
}

const bench: Benchmark = {
  name: 'apply-856',
  async run(): Promise<Figure[]> {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-apply-'));
    const file = path.join(dir, 'acme.yaml');
    writeFileSync(
      file,
      stringify({
        supplier: 'acme',
        name: 'ACME',
        skus: { prefixes: ['ACME-'] },
        transport: { type: 'sftp', host: 'localhost', username: 'x', password: 'x', hostKey: `SHA256:${'A'.repeat(43)}`, outboundDir: 'in', inboundDir: 'out' },
        outbound: { format: 'x12-850', filename: 'PO_{poNumber}.edi', x12: { version: '004010', senderQualifier: 'ZZ', senderId: 'DROPHUB', receiverQualifier: 'ZZ', receiverId: 'ACME' } },
        inbound: { files: [{ match: '*.856', format: 'x12' }] },
      }),
    );
    const loaded = await loadMappingFile(file, {});
    const store = await openTestStore();
    try {
      const hub = await createHub({ env: loadEnv({ HUB_WORKERS: '0' }), store, mappings: [loaded], logger: silentLogger });
      await createRetailer(store.db, { id: 'bench', webhookUrl: 'http://127.0.0.1:9/hooks' });
      // 10,000 sent purchase orders, written straight to the tables in batches.
      const poNumbers: string[] = [];
      for (let start = 0; start < ORDERS; start += 500) {
        const orders = [];
        const pos = [];
        for (let i = start; i < Math.min(ORDERS, start + 500); i++) {
          const orderId = newId('ord');
          const poNumber = `B${i}`;
          poNumbers.push(poNumber);
          orders.push({ id: orderId, retailer_id: 'bench', external_id: poNumber, order_number: poNumber, source: 'api', body_hash: 'x', data: JSON.stringify({ externalId: poNumber }), status: 'sent' });
          pos.push({
            id: newId('po'), order_id: orderId, supplier_id: 'acme', po_number: poNumber, status: 'sent',
            data: JSON.stringify({ poNumber, lines: [{ lineNumber: 1, lineId: '1', sku: 'ACME-1', supplierSku: 'ACME-1', quantity: 1, unitPrice: '1.00' }] }),
          });
        }
        await store.db.insertInto('orders').values(orders).execute();
        await store.db.insertInto('purchase_orders').values(pos).execute();
      }
      const content = shipNotice(poNumbers);
      const started = performance.now();
      const result = await receiveInboundFile(hub, loaded, { name: 'big.856', content, via: 'sftp' });
      const seconds = (performance.now() - started) / 1000;
      if (result.status !== 'applied') throw new Error(`the 856 was not applied: ${result.error}`);
      return [
        { bench: 'apply-856', metric: `apply one ${ORDERS.toLocaleString('en')}-order 856 (${store.engine})`, value: seconds, unit: 's' },
        { bench: 'apply-856', metric: 'purchase orders shipped per second', value: ORDERS / seconds, unit: 'POs/s' },
        { bench: 'apply-856', metric: '856 size', value: content.length / 1024 / 1024, unit: 'MB' },
      ];
    } finally {
      await store.close();
    }
  },
};

export default bench;
