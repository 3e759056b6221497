/**
 * The mailbox as a supplier's transport: delivering is placing a document in `from-hub/`, exactly
 * once however often it is retried; a download takes it out when the mapping says so; the probe
 * reports the account, the host key, the server and the folders, and says what is wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError } from '../../../src/errors.ts';
import { activeLockouts, clearLockouts, recordLoginFailure } from '../../../src/store/mailbox.ts';
import { MailboxTransport } from '../../../src/transports/mailbox/transport.ts';
import { startTestMailbox, type TestMailbox } from '../../helpers/mailbox.ts';

describe(`the mailbox transport (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let box: TestMailbox;

  beforeAll(async () => {
    box = await startTestMailbox({ suppliers: ['wonka', { supplier: 'tidy', transport: { afterDownload: 'remove' } }] });
  });
  afterAll(async () => {
    await box?.close();
  });

  function transport(supplier: string, endpoint = { host: '127.0.0.1', port: box.server.port, hostKeyFile: `${box.dir}/host_key` }): MailboxTransport {
    const loaded = box.t.hub.mappings.get(supplier)!;
    if (loaded.mapping.transport.type !== 'mailbox') throw new Error('not a mailbox supplier');
    return new MailboxTransport(supplier, loaded.mapping.transport, { db: box.t.hub.store.db, clock: box.t.hub.clock, endpoint });
  }

  it('places a document once, however often its delivery is retried; never brings back a removed one', async () => {
    const orderId = await box.placeOrder('9601', 'WONKA-ONCE-1', 1);
    const doc = (await box.order(orderId)).documents.find((d) => d.kind === 'po')!;
    const client = await box.client('wonka');
    expect((await client.list('/from-hub')).map((e) => e.name)).toEqual([doc.filename]);

    // The outbox retrying the same document (a crash between the placing and its record, say).
    const row = await box.t.hub.store.db.selectFrom('documents').select(['content', 'content_type']).where('id', '=', doc.id).executeTakeFirstOrThrow();
    const again = { filename: doc.filename, content: Buffer.from(row.content), contentType: row.content_type, documentId: doc.id };
    expect(await transport('wonka').deliver(again)).toEqual({ remotePath: `/from-hub/${doc.filename}` });
    expect((await client.list('/from-hub')).map((e) => e.name)).toEqual([doc.filename]);

    await client.delete(`/from-hub/${doc.filename}`);
    await transport('wonka').deliver(again);
    expect(await client.list('/from-hub')).toEqual([]);

    // Another document under the same name replaces it, as a posix-rename would.
    await transport('wonka').deliver({ ...again, documentId: 'doc_other', content: Buffer.from('other') });
    expect((await client.list('/from-hub')).map((e) => [e.name, e.size])).toEqual([[doc.filename, 5]]);
    await box.endClients();
  });

  it('takes a PO out of from-hub/ once it is downloaded whole, with afterDownload: remove', async () => {
    const orderId = await box.placeOrder('9602', 'TIDY-PICK-1', 1);
    const doc = (await box.order(orderId)).documents.find((d) => d.kind === 'po')!;
    const client = await box.client('tidy');
    expect((await client.list('/from-hub')).map((e) => e.name)).toEqual([doc.filename]);
    const sftp = (client as unknown as { sftp: import('ssh2').SFTPWrapper }).sftp;
    // Half of it read and closed: not a download.
    const handle = await new Promise<Buffer>((resolve, reject) => sftp.open(`/from-hub/${doc.filename}`, 'r', (e, h) => (e ? reject(e) : resolve(h))));
    await new Promise<void>((resolve, reject) => sftp.read(handle, Buffer.alloc(10), 0, 10, 0, (e) => (e ? reject(e) : resolve())));
    await new Promise<void>((resolve, reject) => sftp.close(handle, (e) => (e ? reject(e) : resolve())));
    expect((await client.list('/from-hub')).map((e) => e.name)).toEqual([doc.filename]);
    expect((await box.order(orderId)).timeline.filter((e) => e.type === 'document_downloaded')).toEqual([]);

    await client.get(`/from-hub/${doc.filename}`);
    expect(await client.list('/from-hub')).toEqual([]);
    expect((await box.order(orderId)).timeline.find((e) => e.type === 'document_downloaded')?.data).toMatchObject({ filename: doc.filename, removed: true });
    await box.endClients();
  });

  it('has nothing to poll: the supplier pushes', async () => {
    const t = transport('wonka');
    expect(await t.listInbound()).toEqual([]);
    await expect(t.download('x.856')).rejects.toThrow(TransportError);
    await expect(t.moveInbound('x.856')).rejects.toThrow(/pushes its files to the hub's mailbox/);
  });

  it('probes the account, the host key, the server and the folders, and says which is wrong', async () => {
    const steps = await transport('wonka').probe();
    expect(steps.map((s) => [s.step, s.ok])).toEqual([
      ['account', true],
      ['host_key', true],
      ['connect', true],
      ['folders', true],
    ]);
    expect(steps[1]!.detail).toContain(box.server.fingerprint);
    expect(steps[3]!.detail).toMatch(/^from-hub\/: \d+ file\(s\)/);

    const nowhere = await transport('wonka', { host: '127.0.0.1', port: 1, hostKeyFile: `${box.dir}/host_key` }).probe();
    expect(nowhere.at(-1)).toMatchObject({ step: 'connect', ok: false });
    expect(nowhere.at(-1)!.detail).toMatch(/start `hub serve` or `hub mailbox`/);

    const keyless = await transport('wonka', { host: '127.0.0.1', port: box.server.port, hostKeyFile: `${box.dir}/no_such_key` }).probe();
    expect(keyless.at(-1)).toMatchObject({ step: 'host_key', ok: false });

    await recordLoginFailure(box.t.hub.store.db, ['user:wonka@203.0.113.9'], box.t.hub.clock(), { maxFailures: 1, windowMs: 60_000, lockMs: 60_000 });
    const locked = await transport('wonka').probe();
    expect(locked).toHaveLength(1);
    expect(locked[0]).toMatchObject({ step: 'account', ok: false, error: { code: 'transport_auth_failed' } });
    expect(locked[0]!.detail).toMatch(/locked out from 203\.0\.113\.9 until .* \(hub mailbox unlock wonka\)/);
  });

  it('lifts lockouts by user or by address (hub mailbox unlock), leaving the others', async () => {
    const db = box.t.hub.store.db;
    const policy = { maxFailures: 1, windowMs: 60_000, lockMs: 60_000 };
    await clearLockouts(db, { address: '203.0.113.9' });
    await recordLoginFailure(db, ['user:wonka@198.51.100.1', 'address:198.51.100.1'], box.t.hub.clock(), policy);
    await recordLoginFailure(db, ['user:tidy@198.51.100.1'], box.t.hub.clock(), policy);
    await recordLoginFailure(db, ['user:wonka@198.51.100.2', 'address:198.51.100.2'], box.t.hub.clock(), policy);
    // `%` and `_` in a filter are matched as themselves.
    expect(await clearLockouts(db, { username: 'w%' })).toBe(0);
    expect(await clearLockouts(db, { address: '198.51.100.1' })).toBe(3);
    expect((await activeLockouts(db, box.t.hub.clock())).map((l) => l.key)).toEqual(['address:198.51.100.2', 'user:wonka@198.51.100.2']);
    expect(await clearLockouts(db, { username: 'wonka' })).toBe(1);
    expect((await activeLockouts(db, box.t.hub.clock())).map((l) => l.key)).toEqual(['address:198.51.100.2']);
  });
});
