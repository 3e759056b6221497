/**
 * The hub's SFTP mailbox with a supplier's everyday tool: OpenSSH's `sftp` client (Debian's
 * openssh-client) in batch mode, its key made by src/transports/keys.ts, the mailbox's host key
 * pinned in its known_hosts. It picks up its PO, drops its 856 (applied before `sftp` returns), and
 * drops it again (not applied twice).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBuffer } from '../../../src/store/ids.ts';
import { listMailboxAudit } from '../../../src/store/mailbox.ts';
import { SFTP_CLIENT, startTestMailbox, type TestMailbox } from '../../helpers/mailbox.ts';
import { shipNotice } from '../../helpers/supplier-files.ts';

const hasSftp = existsSync(SFTP_CLIENT);
const parties = (n: number) => ({ senderId: 'WONKA', receiverId: 'DROPHUB', controlNumber: n });
/** What sftp printed, without the batch commands it echoes. */
const printed = (stdout: string) => stdout.split('\n').filter((line) => !line.startsWith('sftp> ')).join('\n');

describe.skipIf(!hasSftp)(`the mailbox with OpenSSH's sftp client (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let box: TestMailbox;

  beforeAll(async () => {
    box = await startTestMailbox({ suppliers: ['wonka', 'other'] });
    mkdirSync(path.join(box.dir, 'local'), { recursive: true });
  });
  afterAll(async () => {
    await box?.close();
  });

  async function poDocument(orderId: string) {
    return box.t.hub.store.db.selectFrom('documents').selectAll().where('order_id', '=', orderId).where('kind', '=', 'po').executeTakeFirstOrThrow();
  }

  it('shows the supplier its two folders and nothing else', async () => {
    const result = await box.sftp('wonka', ['pwd', 'ls -1', 'cd ..', 'pwd', 'cd /../..', 'ls -1']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Remote working directory: \/\n/);
    expect(result.stdout.match(/^(from-hub|to-hub)$/gm)).toEqual(['from-hub', 'to-hub', 'from-hub', 'to-hub']);
  });

  it('picks up its PO: the bytes the hub recorded, and the download is on the order timeline', async () => {
    const orderId = await box.placeOrder('7001', 'WONKA-BAR-01');
    expect((await box.order(orderId)).status).toBe('sent');
    const doc = await poDocument(orderId);

    const local = path.join(box.dir, 'local', 'po-7001.edi');
    const result = await box.sftp('wonka', ['cd from-hub', 'ls -1', `get ${doc.filename} ${local}`]);
    expect(result.code, result.stderr).toBe(0);
    expect(printed(result.stdout)).toContain(doc.filename);
    expect(readFileSync(local).equals(toBuffer(doc.content))).toBe(true);

    // sftp has its answer to the CLOSE only once the download is recorded: nothing to wait for.
    const order = await box.order(orderId);
    const downloaded = order.timeline.filter((e) => e.type === 'document_downloaded');
    expect(downloaded).toHaveLength(1);
    expect(downloaded[0]!.data).toMatchObject({ documentId: doc.id, filename: doc.filename, supplier: 'wonka' });

    // A second download is audited but not put on the timeline again.
    expect((await box.sftp('wonka', [`get from-hub/${doc.filename} ${local}.again`])).code).toBe(0);
    expect((await box.order(orderId)).timeline.filter((e) => e.type === 'document_downloaded')).toHaveLength(1);
    const audit = await listMailboxAudit(box.t.hub.store.db, { supplierId: 'wonka', event: 'download', limit: 10 });
    expect(audit.map((a) => a.detail)).toEqual(['downloaded again', 'first download']);

    // Another supplier sees none of it.
    const other = await box.sftp('other', ['ls -1 from-hub', `get from-hub/${doc.filename} ${local}.stolen`]);
    expect(printed(other.stdout)).not.toContain(doc.filename);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/not found/);
    expect(existsSync(`${local}.stolen`)).toBe(false);
  });

  it('drops an 856 in to-hub/: applied at once, the order is shipped when sftp returns', async () => {
    const orderId = await box.placeOrder('7002', 'WONKA-BAR-02', 3);
    const po = (await box.order(orderId)).purchaseOrders[0]!;
    const local = path.join(box.dir, 'local', 'asn-7002.856');
    writeFileSync(local, shipNotice(parties(9002), 'SHP-7002', [{ poNumber: po.poNumber, items: [{ supplierSku: 'WONKA-BAR-02', quantity: 3 }], tracking: ['1Z999AA10000007002'] }]));

    const result = await box.sftp('wonka', [`put ${local} to-hub/ASN_7002.856`, 'ls -l to-hub']);
    expect(result.code, result.stderr).toBe(0);
    expect(printed(result.stdout)).toMatch(/ASN_7002\.856/);

    // Recorded before sftp had its answer; applied right after, by the mailbox's applier.
    await box.server.settled();
    const order = await box.order(orderId);
    expect(order.status).toBe('shipped');
    expect(order.shipments.map((s) => s.trackingNumbers)).toEqual([['1Z999AA10000007002']]);
    const received = order.documents.find((d) => d.filename === 'ASN_7002.856');
    expect(received).toMatchObject({ direction: 'in', status: 'applied' });
    const upload = (await listMailboxAudit(box.t.hub.store.db, { supplierId: 'wonka', event: 'upload', limit: 1 }))[0];
    expect(upload).toMatchObject({ path: '/to-hub/ASN_7002.856', detail: 'received: applied next', bytes: readFileSync(local).length });
    const applied = (await listMailboxAudit(box.t.hub.store.db, { supplierId: 'wonka', event: 'upload_applied', limit: 1 }))[0];
    expect(applied).toMatchObject({ path: '/to-hub/ASN_7002.856', documentId: received!.id, detail: 'applied', bytes: readFileSync(local).length });
  });

  it('does not apply the same file twice: again under its name, or under another one', async () => {
    const orderId = await box.placeOrder('7003', 'WONKA-BAR-03', 1);
    const po = (await box.order(orderId)).purchaseOrders[0]!;
    const local = path.join(box.dir, 'local', 'asn-7003.856');
    writeFileSync(local, shipNotice(parties(9003), 'SHP-7003', [{ poNumber: po.poNumber, items: [{ supplierSku: 'WONKA-BAR-03', quantity: 1 }], tracking: ['1Z999AA10000007003'] }]));

    const result = await box.sftp('wonka', [`put ${local} to-hub/ASN_7003.856`, `put ${local} to-hub/ASN_7003.856`, `put ${local} to-hub/ASN_7003_again.856`]);
    expect(result.code, result.stderr).toBe(0);
    await box.server.settled();
    const order = await box.order(orderId);
    expect(order.status).toBe('shipped');
    expect(order.shipments).toHaveLength(1);
    const uploads = await listMailboxAudit(box.t.hub.store.db, { supplierId: 'wonka', event: 'upload_applied', limit: 3 });
    expect(uploads.map((u) => u.detail).reverse()).toEqual(['applied', 'seen', 'duplicate']);
    const ledger = await box.t.hub.store.db.selectFrom('inbound_ledger').select('filename').where('supplier_id', '=', 'wonka').where('filename', 'like', 'ASN_7003%').execute();
    expect(ledger.map((l) => l.filename)).toEqual(['ASN_7003.856']);
  });

  it('applies a file uploaded under a temporary name once, when it is renamed to its final name', async () => {
    const orderId = await box.placeOrder('7004', 'WONKA-BAR-04', 1);
    const po = (await box.order(orderId)).purchaseOrders[0]!;
    const local = path.join(box.dir, 'local', 'asn-7004.856');
    writeFileSync(local, shipNotice(parties(9004), 'SHP-7004', [{ poNumber: po.poNumber, items: [{ supplierSku: 'WONKA-BAR-04', quantity: 1 }], tracking: ['1Z999AA10000007004'] }]));

    const result = await box.sftp('wonka', [`put ${local} to-hub/ASN_7004.856.part`, 'rename to-hub/ASN_7004.856.part to-hub/ASN_7004.856', 'ls -1 to-hub']);
    expect(result.code, result.stderr).toBe(0);
    expect(printed(result.stdout)).toContain('ASN_7004.856');
    expect(printed(result.stdout)).not.toContain('ASN_7004.856.part');
    await box.server.settled();
    const order = await box.order(orderId);
    expect(order.status).toBe('shipped');
    expect(order.documents.filter((d) => d.direction === 'in').map((d) => d.filename)).toEqual(['ASN_7004.856']);
  });

  it('refuses a key the mapping does not list, and a client pinning another host key refuses the mailbox', async () => {
    const wrong = await box.sftp('wonka', ['ls'], { key: box.keys.get('other')!.file });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/Permission denied/);

    const otherKnownHosts = path.join(box.dir, 'known_hosts_wrong');
    writeFileSync(otherKnownHosts, readFileSync(box.knownHosts, 'utf8').replace(/ssh-ed25519 \S+/, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'));
    const spoofed = await new Promise<{ code: number; stderr: string }>((resolve) => {
      import('node:child_process').then(({ execFile }) => {
        const child = execFile(SFTP_CLIENT, ['-b', '-', '-P', String(box.server.port), '-i', box.keys.get('wonka')!.file, '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${otherKnownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null', 'wonka@127.0.0.1'], (error, _stdout, stderr) => {
          resolve({ code: error ? 1 : 0, stderr });
        });
        child.stdin!.end('ls\n');
      });
    });
    expect(spoofed.code).not.toBe(0);
    expect(spoofed.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });
});
