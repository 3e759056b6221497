/**
 * Delivery through the whole hub against a real local sshd: the order-to-file latency (POST
 * accepted → the 850 visible under its final name on the SFTP server) at a steady 20 orders/s, and
 * deliveries/s for 1,000 queued purchase orders; beside them, in the same run, the floor: a bare
 * ssh2-sftp-client put + posix-rename of the same bytes.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { processDatabaseEnv, runHub, startHubProcess, type HubProcess } from '../test/helpers/hub-process.ts';
import { writeMappingDir, x12SftpMapping } from '../test/helpers/mappings.ts';
import { SSHD_PATH, startSftpServer, type SftpPeer } from '../test/helpers/sftp-server.ts';
import type { Benchmark, Figure } from './run.ts';

const RATE = 20;
const STEADY_ORDERS = Number(process.env.BENCH_ORDERS ?? 200);
/**
 * Orders sent at the same rate before the timed ones and not counted: the hub's first orders open its
 * SSH connection and run cold code (60-90 ms each here), as the floor's client connects before its
 * timing starts.
 */
const WARM_UP = 10;
const QUEUED = Number(process.env.BENCH_QUEUED ?? 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function order(externalId: string) {
  return {
    externalId,
    orderNumber: externalId,
    placedAt: '2026-11-26T10:00:00Z',
    currency: 'USD',
    payment: { status: 'paid', reference: 'ch_1' },
    customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
    shipTo: { name: 'Ada Lovelace', address1: '12 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
    lines: Array.from({ length: 5 }, (_, i) => ({ lineId: String(i + 1), sku: `ACME-${i}`, quantity: 1, unitPrice: '9.99' })),
  };
}

/** Records when each file first shows up under its final name in a local folder (the sshd's disk). */
function watchFolder(dir: string): { seen: Map<string, number>; close(): void } {
  const seen = new Map<string, number>();
  const note = (name: string | null) => {
    if (name && !name.startsWith('.') && !seen.has(name) && existsSync(path.join(dir, name))) seen.set(name, performance.now());
  };
  const watcher = watch(dir, (_event, name) => note(name));
  return { seen, close: () => watcher.close() };
}

/**
 * The floor: a bare ssh2-sftp-client put + posix-rename of the same bytes, over one open connection.
 * Timed twice: at the hub's steady rate (one file every 50 ms, the same conditions as the orders,
 * which is what the latency target compares with) and back to back (300 files, no pause), which is
 * faster on an otherwise idle machine: a put issued after 50 ms of quiet pays for waking the client,
 * sshd and the CPUs up, one issued right after the last does not.
 */
async function bareFloor(peer: SftpPeer, bytes: Buffer): Promise<{ paced: number; pacedP99: number; backToBack: number; perSecond: number }> {
  const client = new SftpClient();
  await client.connect({ host: peer.host, port: peer.port, username: peer.username, privateKey: readFileSync(peer.privateKeyPath) });
  let n = 0;
  const putAndRename = async (): Promise<number> => {
    const i = n++;
    const t0 = performance.now();
    await client.put(bytes, `floor/.f${i}.part`);
    await client.posixRename(`floor/.f${i}.part`, `floor/f${i}.edi`);
    return performance.now() - t0;
  };
  try {
    await client.mkdir('floor', true).catch(() => {});
    const paced: number[] = [];
    const start = performance.now();
    for (let i = 0; i < STEADY_ORDERS; i++) {
      await sleep(Math.max(0, start + (i * 1000) / RATE - performance.now()));
      paced.push(await putAndRename());
    }
    const backToBack: number[] = [];
    const started = performance.now();
    for (let i = 0; i < 300; i++) backToBack.push(await putAndRename());
    const perSecond = 300 / ((performance.now() - started) / 1000);
    return { paced: percentile(paced, 50), pacedP99: percentile(paced, 99), backToBack: percentile(backToBack, 50), perSecond };
  } finally {
    await client.end();
  }
}

const bench: Benchmark = {
  name: 'order-to-file',
  requires: () => (existsSync(SSHD_PATH) ? undefined : `needs OpenSSH (${SSHD_PATH})`),
  async run(): Promise<Figure[]> {
    const peer = await startSftpServer();
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-o2f-'));
    const db = processDatabaseEnv(path.join(dir, 'data'));
    const procs: HubProcess[] = [];
    try {
      const acme = x12SftpMapping(peer, { inbound: false, transport: { maxConnections: 4, inboundDir: undefined, processedDir: undefined, failedDir: undefined } });
      mkdirSync(path.join(peer.root, 'in'), { recursive: true });
      const env = {
        ...db.env,
        ...acme.env,
        HUB_MAPPINGS_DIR: writeMappingDir(acme.mapping),
        HUB_DELIVERY_CONCURRENCY: '8',
      };
      const apiKey = (await runHub(['retailers', 'create', 'bench'], env)).stdout.match(/api key: (\S+)/)![1]!;
      const post = (externalId: string) =>
        fetch(`${hub.url}/v1/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
          body: JSON.stringify(order(externalId)),
        });

      // 1. Steady 20 orders/s: POST accepted → file under its final name.
      let hub = await startHubProcess(env);
      procs.push(hub);
      const watcher = watchFolder(path.join(peer.root, 'in'));
      const accepted = new Map<string, number>();
      const posts: Promise<void>[] = [];
      const start = performance.now();
      for (let i = -WARM_UP; i < STEADY_ORDERS; i++) {
        const due = start + ((i + WARM_UP) * 1000) / RATE;
        await sleep(Math.max(0, due - performance.now()));
        const id = i < 0 ? `W${-i}` : `S${i}`;
        posts.push(post(id).then(async (res) => {
          await res.arrayBuffer();
          if (res.status === 201 && i >= 0) accepted.set(`PO_${id}.edi`, performance.now());
        }));
      }
      await Promise.all(posts);
      const deadline = Date.now() + 60_000;
      while ([...accepted.keys()].some((file) => !watcher.seen.has(file)) && Date.now() < deadline) await sleep(50);
      watcher.close();
      const latencies = [...accepted].flatMap(([file, at]) => {
        const seen = watcher.seen.get(file);
        return seen === undefined ? [] : [Math.max(0, seen - at)];
      });
      await hub.kill();

      // 2. 1,000 purchase orders queued while no worker runs, then one worker process delivers them.
      const api = await startHubProcess({ ...env, HUB_WORKERS: '0' });
      procs.push(api);
      hub = api;
      for (let i = 0; i < QUEUED; i += 50) {
        await Promise.all(Array.from({ length: Math.min(50, QUEUED - i) }, (_, j) => post(`Q${i + j}`).then((r) => r.arrayBuffer())));
      }
      const queued = () => readdirSync(path.join(peer.root, 'in')).filter((f) => f.startsWith('PO_Q')).length;
      procs.push(await startHubProcess(env));
      // Timed from the first file, so that the worker's start-up is not counted.
      const limit = Date.now() + 180_000;
      while (queued() === 0 && Date.now() < limit) await sleep(5);
      const t0 = performance.now();
      const first = queued();
      while (queued() < QUEUED && Date.now() < limit) await sleep(20);
      const elapsed = (performance.now() - t0) / 1000;
      const delivered = queued() - first;

      const sample = readFileSync(path.join(peer.root, 'in', 'PO_S0.edi'));
      const floor = await bareFloor(peer, sample);
      return [
        { bench: 'order-to-file', metric: `order-to-file latency p50 (${RATE} orders/s)`, value: percentile(latencies, 50), unit: 'ms', peer: { name: `bare put+rename p50, ${RATE}/s`, value: floor.paced } },
        { bench: 'order-to-file', metric: `order-to-file latency p50 (${RATE} orders/s)`, value: percentile(latencies, 50), unit: 'ms', peer: { name: 'bare put+rename p50, back to back', value: floor.backToBack } },
        { bench: 'order-to-file', metric: `order-to-file latency p99 (${RATE} orders/s)`, value: percentile(latencies, 99), unit: 'ms', peer: { name: `bare put+rename p99, ${RATE}/s`, value: floor.pacedP99 } },
        { bench: 'order-to-file', metric: 'files seen / orders accepted', value: latencies.length, unit: `of ${accepted.size}` },
        { bench: 'order-to-file', metric: `deliveries/s, ${QUEUED} queued orders routed and delivered`, value: delivered / elapsed, unit: 'POs/s', peer: { name: 'bare put+rename, one connection', value: floor.perSecond } },
      ];
    } finally {
      await Promise.all(procs.map((p) => p.kill()));
      await peer.close();
      await db.drop();
    }
  },
};

export default bench;
