/**
 * The mailbox's upload rate: 1,000 small files (X12 846 inventory advices, ~300 bytes, each
 * different) uploaded one after another by the same client (ssh2-sftp-client `put`, one connection)
 * to the hub's mailbox, where each is recorded in the database before its CLOSE is answered and
 * applied through the inbound ledger right after, beside the same client uploading the same bytes to
 * OpenSSH's own sftp-server (the test helper's sshd, `internal-sftp`), in the same run, after the
 * same warm-up. A second figure counts until the last file is applied, not only answered.
 *
 * The bench supplier's request rate limit is set out of the way (100,000/s): the figure is the
 * server's speed, as OpenSSH's has no such limit.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
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

async function uploadLoop(client: SftpClient, dir: string, files: { name: string; content: Buffer }[]): Promise<{ perSecond: number; p50: number }> {
  const latencies: number[] = [];
  const started = performance.now();
  for (const file of files) {
    const t0 = performance.now();
    await client.put(file.content, `${dir}/${file.name}`);
    latencies.push(performance.now() - t0);
  }
  return { perSecond: files.length / ((performance.now() - started) / 1000), p50: median(latencies) };
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
      await toMailbox.connect({ host: '127.0.0.1', port: mailbox.port, username: 'bench', privateKey: keys.private, hostVerifier: () => true });
      await toOpenSsh.connect({ host: peer.host, port: peer.port, username: peer.username, privateKey: await readFile(peer.privateKeyPath), hostVerifier: () => true });

      await uploadLoop(toOpenSsh, 'in', inventoryFiles('warm', WARM_UP));
      await uploadLoop(toMailbox, '/to-hub', inventoryFiles('warm', WARM_UP));
      await mailbox.settled();
      const openssh = await uploadLoop(toOpenSsh, 'in', inventoryFiles('run', COUNT));
      const started = performance.now();
      const hubbed = await uploadLoop(toMailbox, '/to-hub', inventoryFiles('run', COUNT));
      await mailbox.settled();
      const appliedPerSecond = COUNT / ((performance.now() - started) / 1000);

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
