/**
 * SFTP delivery throughput against a real local OpenSSH sshd: 1,000 small POs (~1 KB) through the
 * SftpTransport (pooled connections, temp name + posix-rename, host key pinned), beside the floor
 * measured in the same run: a bare ssh2-sftp-client put + posix-rename loop of the same bytes over
 * one connection.
 */
import { existsSync } from 'node:fs';
import { readFile, mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { SftpTransport } from '../src/transports/sftp-transport.ts';
import type { OutboundFile } from '../src/transports/transport.ts';
import { SSHD_PATH, startSftpServer, type SftpPeer } from '../test/helpers/sftp-server.ts';
import type { Benchmark, Figure } from './run.ts';

const COUNT = 1_000;
const CONCURRENCY = 4;

function purchaseOrders(prefix: string): OutboundFile[] {
  return Array.from({ length: COUNT }, (_, i) => {
    const segments = [
      `ISA*00*          *00*          *ZZ*DROPHUB        *ZZ*ACMETOYS       *261126*1000*U*00401*${String(i).padStart(9, '0')}*0*P*>`,
      'GS*PO*DROPHUB*ACMETOYS*20261126*1000*1*X*004010',
      'ST*850*0001',
      `BEG*00*DS*${prefix}${i}**20261126`,
      'N1*ST*Ada Lovelace',
      'N3*12 Main St*Apt 4',
      'N4*Springfield*IL*62701*US',
      ...Array.from({ length: 8 }, (_, l) => `PO1*${l + 1}*2*EA*19.99**VP*ACME-TRUCK-0${l}`),
      'CTT*8',
      'SE*16*0001',
      'GE*1*1',
      `IEA*1*${String(i).padStart(9, '0')}`,
    ];
    return {
      filename: `PO_${prefix}${i}.edi`,
      content: Buffer.from(`${segments.join('~\n')}~\n`),
      contentType: 'application/edi-x12',
      documentId: `${prefix}${i}`,
    };
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The floor: what ssh2-sftp-client does with no pool, no pinning logic and no timeouts. */
async function bareLoop(peer: SftpPeer, files: OutboundFile[]): Promise<{ perSecond: number; p50: number }> {
  const client = new SftpClient('bench', {});
  const sock = net.connect({ host: peer.host, port: peer.port });
  sock.setNoDelay(true);
  await client.connect({
    sock,
    username: peer.username,
    privateKey: await readFile(peer.privateKeyPath),
    hostVerifier: () => true,
  });
  const latencies: number[] = [];
  const started = performance.now();
  for (const file of files) {
    const t0 = performance.now();
    const temp = `in/.${file.filename}.part`;
    await client.put(file.content, temp);
    await client.posixRename(temp, `in/${file.filename}`);
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  await client.end();
  return { perSecond: files.length / seconds, p50: median(latencies) };
}

async function transportLoop(
  peer: SftpPeer,
  files: OutboundFile[],
  concurrency: number,
): Promise<{ perSecond: number; p50: number }> {
  const transport = new SftpTransport('bench', peer.transportConfig({ maxConnections: concurrency }));
  try {
    await transport.deliver(files[0]!); // connect outside the measurement, as the bare loop does
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < files.length) {
          const file = files[next++]!;
          const t0 = performance.now();
          await transport.deliver(file);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { perSecond: files.length / seconds, p50: median(latencies) };
  } finally {
    await transport.close();
  }
}

const benchmark: Benchmark = {
  name: 'sftp-deliver',
  requires: () => (existsSync(SSHD_PATH) ? undefined : `${SSHD_PATH} not installed`),
  async run(): Promise<Figure[]> {
    const peer = await startSftpServer({ kind: 'openssh' });
    try {
      await mkdir(path.join(peer.root, 'in'));
      await bareLoop(peer, purchaseOrders('warm').slice(0, 50));
      const bare = await bareLoop(peer, purchaseOrders('bare'));
      const pooled = await transportLoop(peer, purchaseOrders('seq'), 1);
      const parallel = await transportLoop(peer, purchaseOrders('par'), CONCURRENCY);
      const floor = { name: 'bare ssh2-sftp-client put+posixRename, 1 connection' };
      return [
        {
          bench: 'sftp-deliver',
          metric: `deliveries/s, ${COUNT} x 1 KB POs, one at a time`,
          value: pooled.perSecond,
          unit: 'deliveries/s',
          peer: { ...floor, value: bare.perSecond },
        },
        {
          bench: 'sftp-deliver',
          metric: 'p50 latency per delivery, one at a time',
          value: pooled.p50,
          unit: 'ms',
          peer: { ...floor, value: bare.p50 },
        },
        {
          bench: 'sftp-deliver',
          metric: `deliveries/s, ${CONCURRENCY} at a time (maxConnections ${CONCURRENCY})`,
          value: parallel.perSecond,
          unit: 'deliveries/s',
          peer: { ...floor, value: bare.perSecond },
        },
        {
          bench: 'sftp-deliver',
          metric: `p50 latency per delivery, ${CONCURRENCY} at a time`,
          value: parallel.p50,
          unit: 'ms',
          peer: { ...floor, value: bare.p50 },
        },
      ];
    } finally {
      await peer.close();
    }
  },
};

export default benchmark;
