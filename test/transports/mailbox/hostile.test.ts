/**
 * The mailbox against clients that do not play fair (ssh2's client, and raw SFTP packets): paths
 * that try to leave the supplier's tree or reach another supplier's, symlinks and renames out of it,
 * floods of requests and connections, files over the limits, uploads cut off or left half-written.
 * Each must be refused with a plain answer, audited, and change nothing: nothing applied, nothing
 * readable that is not the supplier's own.
 */
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import type { SFTPWrapper } from 'ssh2';
import type SftpClient from 'ssh2-sftp-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listMailboxAudit } from '../../../src/store/mailbox.ts';
import { rawConnection, startTestMailbox, type TestMailbox } from '../../helpers/mailbox.ts';
import { shipNotice } from '../../helpers/supplier-files.ts';
import { until } from '../../helpers/wait.ts';

const parties = (n: number) => ({ senderId: 'WONKA', receiverId: 'DROPHUB', controlNumber: n });

function wrapper(client: SftpClient): SFTPWrapper {
  return (client as unknown as { sftp: SFTPWrapper }).sftp;
}

/** An SFTP call as a promise (ssh2's wrapper takes callbacks). */
function call<T = void>(fn: (cb: (error: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value as T))));
}

/** The inbound documents of a supplier, once every upload taken so far is applied. */
async function inboundDocuments(box: TestMailbox, supplier: string): Promise<string[]> {
  await box.server.settled();
  const rows = await box.t.hub.store.db.selectFrom('documents').select('filename').where('supplier_id', '=', supplier).where('direction', '=', 'in').execute();
  return rows.map((r) => r.filename).sort();
}

function spoolFiles(): string[] {
  // Every mailbox of this test process spools under the system temp folder; only owner.pid files stay.
  const base = `${process.env.TMPDIR ?? '/tmp'}/hub-mailbox-spool`;
  if (!existsSync(base)) return [];
  return readdirSync(base).flatMap((dir) => readdirSync(`${base}/${dir}`).filter((f) => f !== 'owner.pid'));
}

describe(`hostile clients (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let box: TestMailbox;

  beforeAll(async () => {
    box = await startTestMailbox({
      suppliers: [
        { supplier: 'wonka', transport: { limits: { maxFileBytes: 512 * 1024, requestsPerSecond: 1_000, sessions: 8 } } },
        'other',
        { supplier: 'quota', transport: { limits: { bytesPerDay: 100 * 1024 } } },
      ],
      env: { HUB_SFTP_MAX_CONNECTIONS_PER_ADDRESS: '12' },
    });
  });
  afterEach(async () => {
    await box.endClients();
  });
  afterAll(async () => {
    await box?.close();
  });

  it('keeps every path inside the supplier tree: .., absolute paths, another supplier\'s name', async () => {
    const orderId = await box.placeOrder('8001', 'OTHER-GADGET-1', 1);
    const theirs = (await box.order(orderId)).documents.find((d) => d.kind === 'po')!.filename;
    const client = await box.client('wonka');

    expect(await client.realPath('..')).toBe('/');
    expect(await client.realPath('/../../..')).toBe('/');
    expect(await client.realPath('from-hub/../../..')).toBe('/');
    for (const path of ['/etc/passwd', '../../../etc/passwd', '/from-hub/../../etc/passwd', '/other/from-hub/' + theirs, '../other/from-hub/' + theirs, '/from-hub/' + theirs, 'from-hub/sub/../' + theirs]) {
      await expect(client.get(path), path).rejects.toThrow(/No such file/);
    }
    await expect(client.list('/other')).rejects.toThrow(/No such file/);
    await expect(client.list('/../other/from-hub')).rejects.toThrow(/No such file/);
    expect((await client.list('/')).map((e) => e.name).sort()).toEqual(['from-hub', 'to-hub']);
    expect((await client.list('/from-hub')).map((e) => e.name)).not.toContain(theirs);

    const asn = Buffer.from(shipNotice(parties(9101), 'SHP-X', [{ poNumber: 'X', items: [{ supplierSku: 'X', quantity: 1 }], tracking: ['1ZX'] }]));
    for (const path of ['/../../tmp/escape.856', '/etc/escape.856', '../other/to-hub/escape.856', '/other/to-hub/escape.856', '/from-hub/planted.856', '/planted.856', '/to-hub/sub/planted.856']) {
      await expect(client.put(asn, path), path).rejects.toThrow(/Permission denied|No such file/);
    }
    expect(existsSync('/tmp/escape.856')).toBe(false);
    expect(await inboundDocuments(box, 'wonka')).toEqual([]);
    expect(await inboundDocuments(box, 'other')).toEqual([]);

    const denied = await listMailboxAudit(box.t.hub.store.db, { supplierId: 'wonka', event: 'denied', limit: 50 });
    expect(denied.some((d) => d.detail?.includes('climbs above the mailbox root'))).toBe(true);
    expect(denied.some((d) => d.path === '/other/from-hub/' + theirs)).toBe(true);
  });

  it('refuses symlinks, folders and file names that are not plain names', async () => {
    const client = await box.client('wonka');
    const sftp = wrapper(client);
    await expect(call((cb) => sftp.symlink('/etc/passwd', '/to-hub/link.856', cb))).rejects.toThrow(/Permission denied/);
    await expect(call((cb) => sftp.symlink('/to-hub/link.856', '/etc/passwd', cb))).rejects.toThrow(/Permission denied/);
    await expect(call<string>((cb) => sftp.readlink('/to-hub/link.856', cb))).rejects.toThrow(/No such file/);
    await expect(client.mkdir('/to-hub/sub')).rejects.toThrow(/Permission denied/);
    await expect(client.mkdir('/new')).rejects.toThrow(/Permission denied/);
    await expect(client.rmdir('/from-hub')).rejects.toThrow(/Permission denied/);
    await expect(client.delete('/to-hub')).rejects.toThrow(/Permission denied/);
    for (const name of ['a\\b.856', 'bell\u0007.856', 'x'.repeat(256) + '.856', 'nul\u0000.856']) {
      await expect(client.put(Buffer.from('ISA'), `/to-hub/${name}`), JSON.stringify(name)).rejects.toThrow(/Permission denied/);
    }
    expect(await inboundDocuments(box, 'wonka')).toEqual([]);
  });

  it('lets a held upload be renamed only to a final name in to-hub/, never out of it', async () => {
    const client = await box.client('wonka');
    const body = Buffer.from('not X12 at all, and held');
    await client.put(body, '/to-hub/held.856.part');
    expect((await client.list('/to-hub')).map((e) => e.name)).toContain('held.856.part');
    expect(await inboundDocuments(box, 'wonka')).toEqual([]); // held: not applied

    for (const target of ['/../../held.856', '/from-hub/held.856', '/other/to-hub/held.856', '/to-hub/../../etc/held.856', '/held.856']) {
      await expect(client.rename('/to-hub/held.856.part', target), target).rejects.toThrow(/Permission denied/);
      await expect(client.posixRename('/to-hub/held.856.part', target), target).rejects.toThrow(/Permission denied/);
    }
    expect(await inboundDocuments(box, 'wonka')).toEqual([]);
    await client.rename('/to-hub/held.856.part', '/to-hub/held.856');
    // Applied now, under its final name (quarantined: it is no 856, but it is the supplier's file, kept with its reason).
    expect(await inboundDocuments(box, 'wonka')).toEqual(['held.856']);
    await expect(client.rename('/to-hub/held.856', '/to-hub/renamed.856')).rejects.toThrow(/cannot be renamed/);
    await expect(client.rename('/from-hub/x', '/to-hub/x.856')).rejects.toThrow(/Permission denied/);
  });

  it('refuses a file over the size limit without applying or keeping any of it', async () => {
    const client = await box.client('wonka');
    // Past 256 KiB an upload goes to a temporary file; past 512 KiB (wonka's limit) it is refused.
    const huge = Buffer.alloc(1024 * 1024, 'A');
    const refused = box.nextAudit((e) => e.event === 'upload_refused' && e.path === '/to-hub/huge.856');
    await expect(client.put(huge, '/to-hub/huge.856')).rejects.toThrow(/size limit of 524288 bytes/);
    expect((await refused).detail).toMatch(/size limit/);
    expect(await inboundDocuments(box, 'wonka')).not.toContain('huge.856');
    expect((await client.list('/to-hub')).map((e) => e.name)).not.toContain('huge.856');
    // (Sessions of earlier tests may still be ending: their held files go as they do.)
    await until('the spool to be empty', async () => (spoolFiles().length === 0 ? true : undefined), 20_000);
  });

  it('stops a supplier at its daily upload quota', async () => {
    const client = await box.client('quota');
    await client.put(Buffer.alloc(60 * 1024, 'B'), '/to-hub/first.csv');
    await expect(client.put(Buffer.alloc(60 * 1024, 'C'), '/to-hub/second.csv')).rejects.toThrow(/daily upload quota of 102400 bytes/);
    expect(await inboundDocuments(box, 'quota')).toEqual(['first.csv']);
  });

  it('never reads a half-written upload: not listed, not applied, until it is closed complete', async () => {
    const orderId = await box.placeOrder('8002', 'WONKA-SLOW-1', 1);
    const po = (await box.order(orderId)).purchaseOrders[0]!;
    const content = Buffer.from(shipNotice(parties(9102), 'SHP-8002', [{ poNumber: po.poNumber, items: [{ supplierSku: 'WONKA-SLOW-1', quantity: 1 }], tracking: ['1ZSLOW8002'] }]));
    const half = Math.floor(content.length / 2);
    const client = await box.client('wonka');
    const sftp = wrapper(client);
    const handle = await call<Buffer>((cb) => sftp.open('/to-hub/slow_8002.856', 'w', cb));
    await call((cb) => sftp.write(handle, content, 0, half, 0, cb));

    // Half of it is written (acknowledged): another session sees nothing, nothing is applied.
    const observer = await box.client('wonka');
    expect((await observer.list('/to-hub')).map((e) => e.name)).not.toContain('slow_8002.856');
    await expect(observer.stat('/to-hub/slow_8002.856')).rejects.toThrow(/No such file/);
    await box.server.settled();
    expect((await box.order(orderId)).status).toBe('sent');

    await call((cb) => sftp.write(handle, content, half, content.length - half, half, cb));
    expect((await box.order(orderId)).status).toBe('sent');
    await call((cb) => sftp.close(handle, cb));
    await box.server.settled();
    expect((await box.order(orderId)).status).toBe('shipped');
  });

  it('applies nothing of an upload whose connection drops midway', async () => {
    const orderId = await box.placeOrder('8003', 'WONKA-DROP-1', 1);
    const po = (await box.order(orderId)).purchaseOrders[0]!;
    const content = Buffer.from(shipNotice(parties(9103), 'SHP-8003', [{ poNumber: po.poNumber, items: [{ supplierSku: 'WONKA-DROP-1', quantity: 1 }], tracking: ['1ZDROP8003'] }]));
    const connection = await rawConnection(box, 'wonka');
    const sftp = await call<SFTPWrapper>((cb) => connection.sftp(cb));
    const handle = await call<Buffer>((cb) => sftp.open('/to-hub/drop_8003.856', 'w', cb));
    await call((cb) => sftp.write(handle, content, 0, content.length - 10, 0, cb));

    const aborted = box.nextAudit((e) => e.event === 'upload_aborted' && e.path === '/to-hub/drop_8003.856');
    (connection as unknown as { _sock: net.Socket })._sock.destroy();
    expect((await aborted).bytes).toBe(content.length - 10);

    expect((await box.order(orderId)).status).toBe('sent');
    expect(await inboundDocuments(box, 'wonka')).not.toContain('drop_8003.856');
    const ledger = await box.t.hub.store.db.selectFrom('inbound_ledger').select('filename').where('filename', '=', 'drop_8003.856').execute();
    expect(ledger).toEqual([]);
    await until('the spool to be empty', async () => (spoolFiles().length === 0 ? true : undefined), 20_000);
    // The supplier sends it again, whole: applied once.
    const client = await box.client('wonka');
    await client.put(content, '/to-hub/drop_8003.856');
    await box.server.settled();
    expect((await box.order(orderId)).status).toBe('shipped');
  });

  it('holds a request flood back (bounded queue, rate limit) while other suppliers are served', async () => {
    const other = await box.client('other');
    const flooder = await rawConnection(box, 'wonka');
    try {
      const sftp = await call<SFTPWrapper>((cb) => flooder.sftp(cb));
      const before = box.server.stats().delayedRequests;
      let floodDone = false;
      // 5,000 requests at once; wonka may make 1,000 a second: four seconds of flood at least.
      const requests = 5_000;
      const flood = Promise.all(Array.from({ length: requests }, () => call<unknown>((cb) => sftp.stat('/from-hub', cb)))).then((answers) => {
        floodDone = true;
        return answers.length;
      });
      const listed = await other.list('/');
      expect(listed.map((e) => e.name).sort()).toEqual(['from-hub', 'to-hub']);
      expect(floodDone).toBe(false); // served in the middle of the flood
      expect(await flood).toBe(requests); // every request answered, none dropped
      const stats = box.server.stats();
      expect(stats.delayedRequests).toBeGreaterThan(before);
      expect(stats.peakBacklog).toBeLessThanOrEqual(64 + 32); // stops reading at 64; what was already in the chunk is queued
    } finally {
      flooder.end();
    }
  }, 60_000);

  it('closes a session sending an oversized packet, and only that session', async () => {
    const connection = await rawConnection(box, 'wonka');
    try {
      const stream = await call<import('ssh2').ClientChannel>((cb) => connection.subsys('sftp', cb));
      const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
      stream.on('data', () => undefined);
      const header = Buffer.alloc(4);
      header.writeUInt32BE(0xffff_fff0);
      stream.write(Buffer.concat([header, Buffer.alloc(64)]));
      await closed;
      const other = await box.client('wonka');
      expect((await other.list('/')).length).toBe(2);
    } finally {
      connection.end();
    }
  });

  it('serves SFTP only: no shell, no exec, no port forwarding', async () => {
    const connection = await rawConnection(box, 'wonka');
    try {
      await expect(call<unknown>((cb) => connection.exec('cat /etc/passwd', cb))).rejects.toThrow();
      await expect(call<unknown>((cb) => connection.shell(cb))).rejects.toThrow();
      await expect(call<unknown>((cb) => connection.forwardOut('127.0.0.1', 1234, '127.0.0.1', box.server.port, cb))).rejects.toThrow();
      await expect(call<unknown>((cb) => connection.forwardIn('127.0.0.1', 0, cb))).rejects.toThrow();
      await expect(call<unknown>((cb) => connection.subsys('netconf', cb))).rejects.toThrow();
    } finally {
      connection.end();
    }
  });

  it('refuses connections over the per-address limit, audited once', async () => {
    const refusedAudit = box.nextAudit((e) => e.event === 'connection_refused' && e.detail!.includes('connections from'));
    await until('no mailbox connection left from earlier tests', async () => (box.server.stats().connections <= 2 ? true : undefined), 20_000).catch(() => undefined);
    const sockets: net.Socket[] = [];
    const outcomes: Promise<'banner' | 'closed'>[] = [];
    for (let i = 0; i < 16; i++) {
      const socket = net.connect(box.server.port, '127.0.0.1');
      sockets.push(socket);
      outcomes.push(new Promise((resolve) => {
        socket.once('data', () => resolve('banner'));
        socket.once('close', () => resolve('closed'));
        socket.on('error', () => undefined);
      }));
    }
    const results = await Promise.all(outcomes);
    expect(results.filter((r) => r === 'closed').length).toBeGreaterThanOrEqual(4);
    expect(results.filter((r) => r === 'banner').length).toBeLessThanOrEqual(12);
    expect((await refusedAudit).detail).toMatch(/connections from 127\.0\.0\.1 are open already/);
    for (const socket of sockets) socket.destroy();
    await until('the refused connections to be gone', async () => (box.server.stats().connections === 0 ? true : undefined), 20_000);
    // Freed: a supplier logs in again.
    const client = await box.client('wonka');
    expect((await client.list('/')).length).toBe(2);
  });
});
