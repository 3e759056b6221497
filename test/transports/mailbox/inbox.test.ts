/**
 * An upload answered OK is the hub's: recorded before the answer, then applied by the process that
 * took it. When that process stops first (here: a mailbox that records but never applies, as one
 * killed right after answering), any other hub process on the same database applies it once its
 * lease runs out, exactly once, however many look for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMailboxAudit } from '../../../src/store/mailbox.ts';
import { startTestMailbox, type TestMailbox } from '../../helpers/mailbox.ts';
import { shipNotice } from '../../helpers/supplier-files.ts';

describe(`uploads left unapplied by a stopped process (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let now = Date.parse('2026-12-03T12:00:00Z');
  const clock = () => new Date(now);
  let dying: TestMailbox;
  let others: TestMailbox[];

  beforeAll(async () => {
    dying = await startTestMailbox({ suppliers: ['wonka'], clock, server: { applyUploads: false } });
    // Two more hub processes on the same database, each with its own mailbox and applier.
    others = [
      await startTestMailbox({ suppliers: ['wonka'], clock, shareWith: dying }),
      await startTestMailbox({ suppliers: ['wonka'], clock, shareWith: dying }),
    ];
  });
  afterAll(async () => {
    for (const box of others ?? []) await box.close();
    await dying?.close();
  });

  it('is applied by another process once its lease runs out, and only once', async () => {
    const orderId = await dying.placeOrder('9501', 'WONKA-LEFT-1', 1);
    const po = (await dying.order(orderId)).purchaseOrders[0]!;
    const content = Buffer.from(shipNotice({ senderId: 'WONKA', receiverId: 'DROPHUB', controlNumber: 9501 }, 'SHP-9501', [{ poNumber: po.poNumber, items: [{ supplierSku: 'WONKA-LEFT-1', quantity: 1 }], tracking: ['1ZLEFT9501'] }]));
    const client = await dying.client('wonka');
    await client.put(content, '/to-hub/left_9501.856');
    await dying.endClients();

    // Answered: recorded and listed, not applied (its process "died").
    const [upload] = await listMailboxAudit(dying.t.hub.store.db, { supplierId: 'wonka', event: 'upload', limit: 1 });
    expect(upload).toMatchObject({ path: '/to-hub/left_9501.856', bytes: content.length });
    expect((await dying.order(orderId)).status).toBe('sent');
    const listed = await (await others[0]!.client('wonka')).list('/to-hub');
    expect(listed.map((e) => e.name)).toContain('left_9501.856');

    // Still leased to the dead process: nobody takes it yet.
    expect(await others[0]!.server.sweep()).toBe(0);

    now += 61_000;
    const taken = await Promise.all(others.map((box) => box.server.sweep()));
    expect(taken.sort()).toEqual([0, 1]); // one process claims it; the other finds nothing
    await Promise.all(others.map((box) => box.server.settled()));

    const order = await dying.order(orderId);
    expect(order.status).toBe('shipped');
    expect(order.shipments).toHaveLength(1);
    const applied = await listMailboxAudit(dying.t.hub.store.db, { supplierId: 'wonka', event: 'upload_applied', limit: 10 });
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ path: '/to-hub/left_9501.856', detail: 'applied' });
    expect(await Promise.all(others.map((box) => box.server.sweep()))).toEqual([0, 0]);

    // The listing now points at the applied document; its bytes read back the same.
    const back = (await (await others[1]!.client('wonka')).get('/to-hub/left_9501.856')) as Buffer;
    expect(back.equals(content)).toBe(true);
  });
});
