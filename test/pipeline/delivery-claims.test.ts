/**
 * One retailer event, one delivery, when several hub processes deliver (`hub serve` beside a
 * `hub poll` that delivers what it queued): two hubs on one database, a retailer whose receiver is
 * slower than the claim's lease. The delivering hub keeps its claim while the request is in flight,
 * so the other finds nothing to take. The receiver counts deliveries per event id.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueRetailerEvent } from '../../src/pipeline/notify.ts';
import { Worker } from '../../src/pipeline/worker.ts';
import { openTestStore } from '../helpers/db.ts';
import { createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';
import { until } from '../helpers/wait.ts';

const LEASE_MS = 1_500;
let serve: TestHub;
let poll: TestHub;
let receiver: http.Server;
let receiverUrl: string;
/** Event ids of the deliveries received, in order. */
const received: string[] = [];
const firstArrived = deferred();
/** Answers the first delivery: until then it is held (a retailer slower than the lease). */
const answerFirst = deferred();

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(String(req.headers['x-hub-event-id']));
      const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      if (received.length > 1) return answer();
      firstArrived.resolve();
      void answerFirst.promise.then(answer);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const store = await openTestStore();
  serve = await createTestHub({ store });
  poll = await createTestHub({ store });
});
afterAll(async () => {
  answerFirst.resolve();
  await serve?.close();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

describe('delivery claims across processes', () => {
  it('delivers an event once when its delivery outlasts the lease and another hub looks meanwhile', async () => {
    const { apiKey } = await serve.retailer({ id: 'shop', webhookUrl: `${receiverUrl}/hooks` });
    const res = await serve.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: 'DC-1', orderNumber: 'DC-1', lines: [{ lineId: '1', sku: 'NONE-1', quantity: 1, unitPrice: '1.00' }] }), { authorization: `Bearer ${apiKey}` }));
    const { id } = (await res.json()) as { id: string };
    const eventId = await serve.hub.store.db.transaction().execute((trx) =>
      enqueueRetailerEvent(trx, serve.hub, id, { type: 'order.overdue', data: { poNumber: 'DC-1', supplierId: 'acme', awaiting: 'shipment', dueAt: '2026-12-03T00:00:00.000Z' } }),
    );
    const options = { pollIntervalMs: 60_000, overdueIntervalMs: 60_000, concurrency: 4, leaseMs: LEASE_MS };
    const first = new Worker(serve.hub, options).pass();
    await firstArrived.promise;
    const held = () => serve.hub.store.db.selectFrom('documents').select(['status', 'locked_until']).where('filename', 'like', `%${received[0]}%`).executeTakeFirstOrThrow();
    const claimedUntil = new Date((await held()).locked_until!).getTime();
    // Wait (on the database's clock) until the first claim would have run out.
    await until('the first lease to be over', async () => {
      const { rows } = await sql<{ now: Date }>`select now() as now`.execute(serve.hub.store.db);
      return new Date(rows[0]!.now).getTime() > claimedUntil + 100 ? true : undefined;
    });
    // The other process delivers what is due: the event is still claimed by the first.
    await new Worker(poll.hub, options).pass();
    answerFirst.resolve();
    await first;
    expect((await held()).status).toBe('sent');
    // The pass also routed the order (unroutable here): its order.exception is a second event.
    expect(received).toContain(eventId);
    expect(received.length).toBe(2);
    expect(new Set(received).size).toBe(received.length);
  });
});
