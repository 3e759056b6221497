/**
 * X12 read throughput and memory: a generated ≥ 50 MB 856 (thousands of orders, S/O/P/I) read from
 * a file stream by the hub's streaming reader and by node-x12's streaming X12Parser, each in its
 * own child process so that one's heap does not pollute the other's peak. Throughput is the best of
 * two interleaved runs; peak memory the highest seen (RSS, and heap growth over the child's
 * baseline, sampled every 20 ms).
 *
 * The hub's read + 856 parse (canonical Shipments) is also set beside node-x12's whole-file
 * `X12Parser.parse()` (its object model), run once: it holds the file and its model in memory.
 *
 * Run alone: `npm run bench -- x12-read`.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark, Figure } from './run.ts';

const BENCH = 'x12-read';
const TARGET_BYTES = 52 * 1024 * 1024;
const ROUNDS = 2;
const CHILD_ENV = 'X12_READ_BENCH_CHILD';
const FILE_ENV = 'X12_READ_BENCH_FILE';

interface ChildResult {
  seconds: number;
  bytes: number;
  sets: number;
  segments: number;
  peakRssMb: number;
  peakHeapMb: number;
  baseHeapMb: number;
}

/** One 856 set: `orders` orders, each 2 packs of 3 items, about 2.3 KB per order. */
function ship856(control: number, orders: number, firstPo: number): string {
  const segs: string[] = [
    `ST*856*${String(control).padStart(4, '0')}`,
    `BSN*00*ASN${control}*20261127*1405*0001`,
    'HL*1**S',
    'TD1*CTN25*6****G*12.5*LB',
    'TD5**2*UPSN*M*UPS GROUND*******GND',
    `REF*BM*BOL${control}`,
    'DTM*011*20261127',
    'N1*ST*Ada Lovelace*92*0001',
    'N3*12 Main St*Apt 4',
    'N4*Springfield*IL*62701*US',
    'N1*SF*ACME Toys Warehouse*92*WH1',
  ];
  let hl = 1;
  for (let o = 0; o < orders; o++) {
    const order = ++hl;
    segs.push(`HL*${order}*1*O`, `PRF*PO${firstPo + o}-ACME***20261126`, `REF*VN*SO${firstPo + o}`);
    for (let p = 0; p < 2; p++) {
      const pack = ++hl;
      segs.push(`HL*${pack}*${order}*P`, `PO4*1*6*EA`, `MAN*GM*00000123450000${String(firstPo + o).padStart(5, '0')}${p}`, `MAN*CP*1Z999AA1${String(firstPo * 10 + o * 2 + p).padStart(10, '0')}`);
      for (let i = 0; i < 3; i++) {
        segs.push(
          `HL*${++hl}*${pack}*I`,
          `LIN*${p * 3 + i + 1}*VN*TR-${i}${p}*SK*ACME-TRUCK-${i}${p}*UP*0123456789${i}${p}`,
          `SN1**${i + 1}*EA`,
          `PID*F****Wooden toy truck ${i}${p}, hand finished, non-toxic paint`,
        );
      }
    }
  }
  segs.push(`CTT*${hl}`);
  segs.push(`SE*${segs.length + 1}*${String(control).padStart(4, '0')}`);
  return segs.map((s) => `${s}~\n`).join('');
}

/** Writes the file: one interchange, one group, sets of 25 orders. Returns the largest set's size. */
export async function generate(file: string): Promise<{ bytes: number; orders: number; sets: number; largestSet: number }> {
  const out = createWriteStream(file);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write(
    'ISA*00*          *00*          *ZZ*ACMETOYS       *ZZ*DROPHUB        *261127*1405*U*00401*000000042*0*P*>~\nGS*SH*ACMETOYS*DROPHUB*20261127*1405*42*X*004010~\n',
  );
  let bytes = 0;
  let sets = 0;
  let orders = 0;
  let largestSet = 0;
  while (bytes < TARGET_BYTES) {
    const perSet = sets % 50 === 49 ? 200 : 25; // a few big sets, for the reference figure
    const set = ship856(++sets, perSet, orders + 1);
    orders += perSet;
    largestSet = Math.max(largestSet, Buffer.byteLength(set));
    bytes += Buffer.byteLength(set);
    await write(set);
  }
  await write(`GE*${sets}*42~\nIEA*1*000000042~\n`);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return { bytes: (await stat(file)).size, orders, sets, largestSet };
}

function runChild(mode: string, file: string): Promise<ChildResult> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', self], {
      env: { ...process.env, [CHILD_ENV]: mode, [FILE_ENV]: file },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${mode} child exited with ${code}: ${out}`));
      const line = out.trim().split('\n').at(-1) ?? '';
      resolve(JSON.parse(line) as ChildResult);
    });
  });
}

/** In the child: read the file with one reader, sampling memory as it goes. */
/** Reads the file (or its first `end` bytes) once the way `mode` says; counts sets and segments. */
async function readOnce(mode: string, file: string, end?: number): Promise<{ sets: number; segments: number }> {
  const hubReader = await import('../src/formats/x12/read/index.ts');
  const { X12Parser } = await import('node-x12');
  const range = { highWaterMark: 256 * 1024, ...(end === undefined ? {} : { end }) };
  let sets = 0;
  let segments = 0;
  if (mode === 'hub' || mode === 'hub+856') {
    const { readX12Stream, parseShipNotice } = hubReader;
    const gen = readX12Stream(createReadStream(file, range));
    try {
      for (;;) {
        const next = await gen.next();
        if (next.done) {
          segments = next.value.segments;
          break;
        }
        sets++;
        if (mode === 'hub+856') parseShipNotice(next.value);
      }
    } catch (error) {
      if (end === undefined) throw error; // a warm-up stops mid-interchange: its error is expected
    }
  } else if (mode === 'node-x12-parse') {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(file, 'utf8');
    const interchange = new X12Parser(true).parse(end === undefined ? text : text.slice(0, end));
    const groups = 'functionalGroups' in interchange ? interchange.functionalGroups : [];
    for (const group of groups) sets += group.transactions.length;
  } else {
    await new Promise<void>((resolve, reject) => {
      const parser = new X12Parser();
      createReadStream(file, range)
        .pipe(parser)
        .on('data', (seg: { tag: string }) => {
          segments++;
          if (seg.tag === 'ST') sets++;
        })
        .on('end', () => resolve())
        .on('error', (error: unknown) => (end === undefined ? reject(error) : resolve()));
    });
  }
  return { sets, segments };
}

async function child(mode: string, file: string): Promise<void> {
  // Both readers get the same warm-up (their code compiled and optimised on the first 4 MB) before
  // the clock starts: what is timed is reading, not the JIT's first pass.
  if (mode !== 'node-x12-parse') await readOnce(mode, file, 4 * 1024 * 1024);
  (globalThis as { gc?: () => void }).gc?.();
  const mb = (n: number) => n / 1024 / 1024;
  const baseHeap = process.memoryUsage().heapUsed;
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 20);
  const bytes = (await stat(file)).size;
  const start = process.hrtime.bigint();
  const { sets, segments } = await readOnce(mode, file);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(timer);
  sample();
  const result: ChildResult = { seconds, bytes, sets, segments, peakRssMb: mb(peakRss), peakHeapMb: mb(peakHeap), baseHeapMb: mb(baseHeap) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const benchmark: Benchmark = {
  name: BENCH,
  async run(): Promise<Figure[]> {
    const dir = await mkdtemp(path.join(tmpdir(), 'hub-x12-read-'));
    const file = path.join(dir, 'big.856');
    try {
      const gen = await generate(file);
      // Best of three, interleaved, so that a noisy neighbour does not decide the ratio.
      const runs: Record<'hub' | 'hub+856' | 'node-x12', ChildResult[]> = { hub: [], 'hub+856': [], 'node-x12': [] };
      for (let round = 0; round < ROUNDS; round++) {
        for (const mode of ['hub', 'node-x12', 'hub+856'] as const) runs[mode].push(await runChild(mode, file));
      }
      const best = (list: ChildResult[]): ChildResult => ({
        ...list.reduce((a, b) => (b.seconds < a.seconds ? b : a)),
        peakRssMb: Math.max(...list.map((r) => r.peakRssMb)),
        peakHeapMb: Math.max(...list.map((r) => r.peakHeapMb - r.baseHeapMb)),
        baseHeapMb: 0,
      });
      const whole = await runChild('node-x12-parse', file);
      const hub = best(runs.hub);
      const hubParsed = best(runs['hub+856']);
      const peer = best(runs['node-x12']);
      const mbps = (r: ChildResult) => r.bytes / 1024 / 1024 / r.seconds;
      const peerName = 'node-x12 1.7.1';
      if (hub.sets !== gen.sets || hub.segments !== peer.segments || whole.sets !== gen.sets) {
        throw new Error(`readers disagree: hub ${hub.sets} sets/${hub.segments} segments, node-x12 ${peer.sets}/${peer.segments} (parse(): ${whole.sets} sets), generated ${gen.sets} sets`);
      }
      return [
        { bench: BENCH, metric: `file size (${gen.orders} orders, ${gen.sets} sets)`, value: gen.bytes / 1024 / 1024, unit: 'MB' },
        { bench: BENCH, metric: 'largest transaction set', value: gen.largestSet / 1024, unit: 'KB' },
        { bench: BENCH, metric: 'streaming read (sets, envelopes checked)', value: mbps(hub), unit: 'MB/s', peer: { name: `${peerName} X12Parser stream`, value: mbps(peer) } },
        {
          bench: BENCH,
          metric: 'read + 856 parse to Shipments (vs parse())',
          value: mbps(hubParsed),
          unit: 'MB/s',
          peer: { name: `${peerName} X12Parser.parse()`, value: mbps(whole) },
        },
        { bench: BENCH, metric: 'peak RSS, read + 856 parse (vs parse())', value: hubParsed.peakRssMb, unit: 'MB', peer: { name: `${peerName} X12Parser.parse()`, value: whole.peakRssMb } },
        { bench: BENCH, metric: 'peak RSS, streaming read', value: hub.peakRssMb, unit: 'MB', peer: { name: `${peerName} X12Parser stream`, value: peer.peakRssMb } },
        { bench: BENCH, metric: 'peak heap growth, streaming read', value: hub.peakHeapMb, unit: 'MB', peer: { name: `${peerName} X12Parser stream`, value: peer.peakHeapMb } },
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default benchmark;

const mode = process.env[CHILD_ENV];
const target = process.env[FILE_ENV];
if (mode && target && process.argv[1] === fileURLToPath(import.meta.url)) {
  child(mode, target).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
