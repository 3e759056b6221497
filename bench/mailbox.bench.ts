/**
 * The mailbox's upload rate: 1,000 small files (X12 846 inventory advices, ~300 bytes, each
 * different) uploaded one after another by the same client (ssh2-sftp-client `put`, one connection)
 * to the hub's mailbox, where each is recorded in the database before its CLOSE is answered and
 * applied through the inbound ledger right after, beside the same client uploading the same bytes to
 * OpenSSH's own sftp-server (the test helper's sshd, `internal-sftp`), in the same run, after the
 * same warm-up, in alternating batches of 50 (so that load from elsewhere falls on both alike). A
 * second figure counts until each batch's last file is applied, not only answered.
 *
 * The bench supplier's request rate limit is set out of the way (100,000/s): the figure is the
 * server's speed, as OpenSSH's has no such limit.
 *
 * The mailbox answers a CLOSE once the upload is committed to the database, which costs a WAL flush
 * (fdatasync) per file; OpenSSH's sftp-server answers once the bytes are in the page cache. A second
 * pair of figures compares with OpenSSH asked to make each file durable too (`fsync@openssh.com`).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import { loadEnv } from '../src/config/env.ts';
import { silentLogger } from '../src/logger.ts';
import { createHub } from '../src/main.ts';
import { openStore } from '../src/store/database.ts';
import { generateEd25519KeyPair } from '../src/transports/keys.ts';
import { loadOrCreateHostKey } from '../src/transports/mailbox/host-key.ts';
import { startHubMailbox } from '../src/transports/mailbox/hub.ts';
import { mailboxMapping } from '../test/helpers/mailbox.ts';
import { writeMapping } from '../test/helpers/mappings.ts';
import { SSHD_PATH, startSftpServer } from '../test/helpers/sftp-server.ts';
import { interchange } from '../test/helpers/supplier-files.ts';
import type { Benchmark, Figure } from './run.ts';

const COUNT = 1_000;
const WARM_UP = 50;
const BATCH = 50;

/** Small, all different (the ledger would take a repeat for a duplicate). */
function inventoryFiles(prefix: string, count: number): { name: string; content: Buffer }[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `INV_${prefix}_${i}.846`,
    content: Buffer.from(
      interchange({ senderId: 'BENCH', receiverId: 'DROPHUB', controlNumber: 100_000 + i }, 'IB', [
        { id: '846', body: [`BIA*00*MM*${prefix}${i}*20261203`, `LIN**VN*BENCH-${i % 50}`, `QTY*33*${i}`] },
      ]),
    ),
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * The same uploads to OpenSSH, each made durable before it is closed (`fsync@openssh.com`): open,
 * write, fsync, close, as many requests as a `put` (open, fsetstat, write, close). What the mailbox's
 * answer to a CLOSE promises, a committed database row, is on disk; OpenSSH's plain CLOSE is not.
 */
async function durableLoop(client: SftpClient, dir: string, files: { name: string; content: Buffer }[], latencies: number[]): Promise<number> {
  const sftp = (client as unknown as { sftp: SFTPWrapper }).sftp;
  const call = <T>(fn: (cb: (error: Error | null | undefined, value: T) => void) => void) =>
    new Promise<T>((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value))));
  const started = performance.now();
  for (const file of files) {
    const t0 = performance.now();
    const handle = await call<Buffer>((cb) => sftp.open(`${dir}/${file.name}`, 'w', cb));
    await call<undefined>((cb) => sftp.write(handle, file.content, 0, file.content.length, 0, (error) => cb(error, undefined)));
    await call<unknown>((cb) => sftp.ext_openssh_fsync(handle, (error, info) => cb(error, info)));
    await call<undefined>((cb) => sftp.close(handle, (error) => cb(error, undefined)));
    latencies.push(performance.now() - t0);
  }
  return performance.now() - started;
}

/** Uploads one after another; adds each upload's time to `latencies` and returns the batch's total (ms). */
async function uploadLoop(client: SftpClient, dir: string, files: { name: string; content: Buffer }[], latencies: number[] = []): Promise<number> {
  const started = performance.now();
  for (const file of files) {
    const t0 = performance.now();
    await client.put(file.content, `${dir}/${file.name}`);
    latencies.push(performance.now() - t0);
  }
  return performance.now() - started;
}

const benchmark: Benchmark = {
  name: 'mailbox',
  requires: () => (existsSync(SSHD_PATH) ? undefined : `${SSHD_PATH} not installed`),
  async run(): Promise<Figure[]> {
    const databaseUrl = process.env.DATABASE_URL || undefined;
    const schema = `bench_mailbox_${process.pid}`;
    const store = await openStore(databaseUrl ? { databaseUrl, schema } : { dataDir: 'memory://' });
    const keys = generateEd25519KeyPair();
    const mapping = await writeMapping(
      { ...mailboxMapping({ supplier: 'bench', transport: { limits: { requestsPerSecond: 100_000 } } }), inbound: { files: [{ match: '*.846', format: 'x12' }], send997: false } },
      { BENCH_MAILBOX_KEY: keys.public },
    );
    const hub = await createHub({ env: loadEnv({ HUB_DATA_DIR: 'memory://', LOG_LEVEL: 'silent' }), store, mappings: [mapping], logger: silentLogger });
    const mailbox = await startHubMailbox(hub, { hostKey: await loadOrCreateHostKey(undefined), host: '127.0.0.1', port: 0 });
    const peer = await startSftpServer({ kind: 'openssh' });
    const toMailbox = new SftpClient('bench-mailbox', {});
    const toOpenSsh = new SftpClient('bench-openssh', {});
    try {
      await mkdir(path.join(peer.root, 'in'));
      await mkdir(path.join(peer.root, 'durable'));
      await toMailbox.connect({ host: '127.0.0.1', port: mailbox.port, username: 'bench', privateKey: keys.private, hostVerifier: () => true });
      await toOpenSsh.connect({ host: peer.host, port: peer.port, username: peer.username, privateKey: await readFile(peer.privateKeyPath), hostVerifier: () => true });

      await uploadLoop(toOpenSsh, 'in', inventoryFiles('warm', WARM_UP));
      await uploadLoop(toMailbox, '/to-hub', inventoryFiles('warm', WARM_UP));
      await mailbox.settled();
      // Interleaved in batches, so that both servers see the same machine (others' load comes and goes).
      const files = inventoryFiles('run', COUNT);
      const latencies = { openssh: [] as number[], durable: [] as number[], mailbox: [] as number[] };
      let opensshMs = 0;
      let durableMs = 0;
      let mailboxMs = 0;
      let appliedMs = 0;
      await durableLoop(toOpenSsh, 'in', inventoryFiles('warm-fsync', WARM_UP), []);
      for (let at = 0; at < COUNT; at += BATCH) {
        const batch = files.slice(at, at + BATCH);
        opensshMs += await uploadLoop(toOpenSsh, 'in', batch, latencies.openssh);
        durableMs += await durableLoop(toOpenSsh, 'durable', batch, latencies.durable);
        const started = performance.now();
        mailboxMs += await uploadLoop(toMailbox, '/to-hub', batch, latencies.mailbox);
        await mailbox.settled();
        appliedMs += performance.now() - started;
      }
      const openssh = { perSecond: COUNT / (opensshMs / 1000), p50: median(latencies.openssh) };
      const durable = { perSecond: COUNT / (durableMs / 1000), p50: median(latencies.durable) };
      const hubbed = { perSecond: COUNT / (mailboxMs / 1000), p50: median(latencies.mailbox) };
      const appliedPerSecond = COUNT / (appliedMs / 1000);

      const applied = await hub.store.db
        .selectFrom('documents')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('supplier_id', '=', 'bench')
        .where('status', '=', 'applied')
        .where('filename', 'like', 'INV_run_%')
        .executeTakeFirstOrThrow();
      const peerName = "OpenSSH's sftp-server (internal-sftp), same client";
      return [
        {
          bench: 'mailbox',
          metric: `uploads/s, ${COUNT} x ~300 B, one at a time, answered once recorded (${hub.store.engine})`,
          value: hubbed.perSecond,
          unit: 'files/s',
          peer: { name: peerName, value: openssh.perSecond },
        },
        { bench: 'mailbox', metric: 'p50 latency per upload (open, write, close)', value: hubbed.p50, unit: 'ms', peer: { name: peerName, value: openssh.p50 } },
        {
          bench: 'mailbox',
          metric: 'uploads/s, the same, against uploads made durable on both sides',
          value: hubbed.perSecond,
          unit: 'files/s',
          peer: { name: "OpenSSH's sftp-server with fsync@openssh.com before each close", value: durable.perSecond },
        },
        { bench: 'mailbox', metric: 'p50 latency per durable upload', value: hubbed.p50, unit: 'ms', peer: { name: 'OpenSSH with fsync', value: durable.p50 } },
        {
          bench: 'mailbox',
          metric: 'files/s until the last one is applied',
          value: appliedPerSecond,
          unit: 'files/s',
          peer: { name: peerName, value: openssh.perSecond },
        },
        { bench: 'mailbox', metric: 'uploads applied through the inbound ledger', value: Number(applied.n), unit: `of ${COUNT}` },
      ];
    } finally {
      await toMailbox.end().catch(() => undefined);
      await toOpenSsh.end().catch(() => undefined);
      await mailbox.close();
      await peer.close();
      await hub.transports.closeAll();
      await store.close();
      if (databaseUrl) {
        const pg = (await import('pg')).default;
        const admin = new pg.Client({ connectionString: databaseUrl });
        await admin.connect();
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.end();
      }
    }
  },
};

export default benchmark;
