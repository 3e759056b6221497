/**
 * Big and hostile supplier files do not freeze or lock the hub (issue 18, item 2). A file is read in
 * slices that give the event loop back; at the first slice boundary the test makes its requests and
 * waits for them before the reading goes on, so each assertion is about order of events, not time:
 * `/healthz` answers, another file is applied, and the retailer's cancel of the very order a huge
 * 997 is about goes through, all while the file is still being read (a reader that held the event
 * loop or the order's lock could not let them). Sizes are bounded to keep CI fast; the limits are
 * those of src/limits.ts (rows lowered through HUB_LIMIT_RECORDS_PER_FILE).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedMapping } from '../../src/config/mapping-loader.ts';
import { receiveInboundFile } from '../../src/pipeline/apply.ts';
import { yieldToEventLoop } from '../../src/pipeline/parse-file.ts';
import { routeReceivedOrders } from '../../src/pipeline/route.ts';
import { createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';
import { acmeHttpX12Mapping, writeMapping } from '../helpers/mappings.ts';
import { interchange, shipNotice } from '../helpers/supplier-files.ts';

let t: TestHub;
let acme: LoadedMapping;
let key: string;
let control = 700;

beforeAll(async () => {
  acme = await writeMapping(acmeHttpX12Mapping('ACME (X12 and CSV over HTTP)'));
  t = await createTestHub({ mappings: [acme], env: { HUB_LIMIT_RECORDS_PER_FILE: '30000' } });
  key = (await t.retailer({ id: 'toys' })).apiKey;
});
afterAll(async () => t?.close());

const auth = () => ({ authorization: `Bearer ${key}` });

async function placeOrder(n: number): Promise<string> {
  const lines = [{ lineId: '1', sku: 'ACME-TRUCK-01', title: 'Truck', quantity: 2, unitPrice: '19.99' }];
  const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: String(n), orderNumber: `#${n}`, lines }), auth()));
  expect(res.status).toBe(201);
  const { id } = await res.json();
  await routeReceivedOrders(t.hub);
  return id as string;
}

/**
 * Receives `content` as `name`; at the first slice boundary runs `meanwhile` to its end before the
 * reading goes on. Returns the events in the order they happened.
 */
async function receiveWhile(name: string, content: string, meanwhile: (log: (e: string) => void) => Promise<void>) {
  const events: string[] = [];
  let slices = 0;
  let started = false;
  const pause = async () => {
    slices++;
    if (!started) {
      started = true;
      events.push('reading started');
      await meanwhile((e) => events.push(e));
    }
    await yieldToEventLoop();
  };
  const result = await receiveInboundFile(t.hub, acme, { name, content: Buffer.from(content), via: 'http' }, { pause });
  events.push(`file ${result.status}`);
  return { events, result, slices };
}

describe('a big file is read without holding the event loop or an order', () => {
  it('a tracking CSV over the row limit: /healthz answers and another file is applied while it is read; it stops at the limit', async () => {
    const other = await placeOrder(9301);
    const rows = Array.from({ length: 40_000 }, (_, i) => `NO-SUCH-PO-${i},ACME-TRUCK-01,1,UPS,1Z999AA1${String(i).padStart(10, '0')}`);
    const { events, result, slices } = await receiveWhile('big.csv', ['PO,SKU,Qty,Carrier,Tracking', ...rows].join('\n'), async (log) => {
      const health = await t.app.request('/healthz');
      log(`healthz ${health.status}`);
      const small = shipNotice({ senderId: 'ACMETOYS', receiverId: 'DROPHUB', controlNumber: ++control }, 'SHP-9301', [
        { poNumber: '9301-ACME', items: [{ supplierSku: 'ACME-TRUCK-01', sku: 'ACME-TRUCK-01', quantity: 2 }], tracking: ['1Z999AA10000093014'] },
      ]);
      const applied = await receiveInboundFile(t.hub, acme, { name: 'small.edi', content: Buffer.from(small), via: 'http' });
      log(`other file ${applied.status}`);
    });
    expect(events).toEqual(['reading started', 'healthz 200', 'other file applied', 'file failed']);
    expect(slices).toBeGreaterThan(1); // read in slices, the requests between them
    expect(result.error).toMatch(/30001 rows or records in one file, over the hub's limit of 30000.*line 30002/);
    const order = await (await t.app.request(`/v1/orders/${other}`, { headers: auth() })).json();
    expect(order.status).toBe('shipped');
  });

  it("a 997 with thousands of sets for one order: the retailer's cancel of that order goes through while it is read, and the file adds nothing to the order", async () => {
    const orderId = await placeOrder(9302);
    const po = await t.hub.store.db.selectFrom('documents').select('gs06').where('order_id', '=', orderId).where('kind', '=', 'po').executeTakeFirstOrThrow();
    const sets = Array.from({ length: 20_000 }, () => ({ id: '997', body: [`AK1*PO*${po.gs06}`, 'AK2*850*0001', 'AK5*A', 'AK9*A*1*1*1'] }));
    const file = interchange({ senderId: 'ACMETOYS', receiverId: 'DROPHUB', controlNumber: ++control }, 'FA', sets);
    const { events, result } = await receiveWhile('acks.edi', file, async (log) => {
      const cancel = await t.app.request(`/v1/orders/${orderId}/cancel`, { method: 'POST', headers: auth() });
      log(`cancel ${cancel.status}`);
    });
    expect(events).toEqual(['reading started', 'cancel 200', 'file failed']);
    expect(result.error).toMatch(/51 sets or records per purchase order in one file, over the hub's limit of 50/);
    const order = await (await t.app.request(`/v1/orders/${orderId}`, { headers: auth() })).json();
    expect(order.status).toBe('cancelled');
    expect(order.timeline.filter((e: { type: string }) => e.type === 'functional_ack_received')).toEqual([]);
  });
});
