/**
 * EDIFACT read throughput and memory: a generated ≥ 50 MB interchange of DESADV messages (packages,
 * GIN tracking numbers, lines, a released character here and there) read from a file stream by the
 * hub's streaming reader and by the `edifact` package's streaming Parser (tdecaluwe/node-edifact),
 * each in its own child process so that one's heap does not pollute the other's peak. Both are fed
 * the same 256 KB chunks (the peer takes text, so its chunks are decoded as ISO 8859-1, UNOC) and
 * both build every segment as a tag and its elements' components; both get the same warm-up (their
 * first 4 MB) before the clock starts. The peer checks no envelope; the hub's figure includes its
 * envelope checks (UNT/UNZ counts, references, character set). Throughput is the best of two
 * interleaved runs; memory the highest seen (RSS, and heap growth over the child's baseline).
 *
 * The hub's read + DESADV parse to canonical Shipments is printed too, beside the same peer.
 *
 * Run alone: `npm run bench -- edifact-read`.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark, Figure } from './run.ts';

const BENCH = 'edifact-read';
const TARGET_BYTES = 52 * 1024 * 1024;
const WARM_UP_BYTES = 4 * 1024 * 1024;
const ROUNDS = 2;
const CHILD_ENV = 'EDIFACT_READ_BENCH_CHILD';
const FILE_ENV = 'EDIFACT_READ_BENCH_FILE';
const CHUNK = 256 * 1024;

interface ChildResult {
  seconds: number;
  bytes: number;
  messages: number;
  segments: number;
  peakRssMb: number;
  peakHeapMb: number;
}

/** One DESADV: 4 packages of 3 lines, about 1.4 KB. */
function desadv(ref: number): string {
  const segs = [
    `UNH+${ref}+DESADV:D:96A:UN`,
    `BGM+351+DES${ref}+9`,
    'DTM+137:202611281400:203',
    'DTM+11:20261128:102',
    `RFF+ON:PO${ref}-ACME`,
    `RFF+CN:CONS${ref}`,
    'NAD+SU+4012345000009::9++ACME Spielwaren GmbH?+Co. KG',
    'NAD+ST+++Ada Lovelace+12 Main St+London++SW1A 1AA+GB',
    'TDT+20+++:UPS GROUND+UPSN::182:UPS',
    'CPS+1',
  ];
  for (let p = 0; p < 4; p++) {
    segs.push(`CPS+${p + 2}+1`, 'PAC+1++CT', `GIN+BN+1Z999AA1${String(ref * 10 + p).padStart(10, '0')}`);
    for (let i = 0; i < 3; i++) {
      segs.push(`LIN+${p * 3 + i + 1}++40008621414${p}${i}:EN`, `PIA+5+TR-${p}${i}:SA+ACME-TRUCK-${p}${i}:IN`, `QTY+12:${i + 1}`, `IMD+F++:::Wooden toy truck ${p}${i}?: hand finished`);
    }
  }
  segs.push('CNT+2:12');
  segs.push(`UNT+${segs.length + 1}+${ref}`);
  return segs.map((s) => `${s}'`).join('');
}

export async function generate(file: string): Promise<{ bytes: number; messages: number }> {
  const out = createWriteStream(file);
  const write = (s: string) => (out.write(s, 'latin1') ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write("UNA:+.? 'UNB+UNOC:3+ACMEEU:ZZ+DROPHUB:ZZ+261128:1405+4712'");
  let bytes = 0;
  let messages = 0;
  while (bytes < TARGET_BYTES) {
    const m = desadv(++messages);
    bytes += m.length;
    await write(m);
  }
  await write(`UNZ+${messages}+4712'`);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return { bytes: (await stat(file)).size, messages };
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
      resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as ChildResult);
    });
  });
}

interface PeerParser {
  encoding(level: string): void;
  write(chunk: string): void;
  end(): void;
  onopensegment: (name: string) => void;
  onelement: () => void;
  oncomponent: (data: string) => void;
}

/** Reads the file (or its first `end` bytes) once the way `mode` says; counts messages and segments. */
async function readOnce(mode: string, file: string, end?: number): Promise<{ messages: number; segments: number }> {
  const range = { highWaterMark: CHUNK, ...(end === undefined ? {} : { end }) };
  let messages = 0;
  let segments = 0;
  if (mode === 'hub' || mode === 'hub+desadv') {
    const edifact = await import('../src/formats/edifact/index.ts');
    const config = edifact.EdifactInboundConfig.parse({});
    try {
      if (mode === 'hub') {
        const gen = edifact.readEdifactStream(createReadStream(file, range));
        for (;;) {
          const next = await gen.next();
          if (next.done) {
            segments = next.value.segments;
            break;
          }
          messages++;
        }
      } else {
        for await (const item of edifact.parseEdifactInboundStream(createReadStream(file, range), config)) if (item.kind === 'shipment') messages++;
      }
    } catch (error) {
      if (end === undefined) throw error; // a warm-up stops mid-interchange: its error is expected
    }
    return { messages, segments };
  }
  const require = createRequire(import.meta.url);
  const Parser = require('edifact/parser.js') as new () => PeerParser;
  const parser = new Parser();
  parser.encoding('UNOC');
  // The same work as the hub's tokenizer: each segment as its tag and its elements' components.
  let segment: { tag: string; elements: string[][] } | undefined;
  let components: string[] = [];
  parser.onopensegment = (name) => {
    segments++;
    if (name === 'UNH') messages++;
    segment = { tag: name, elements: [] };
  };
  parser.onelement = () => {
    components = [];
    segment?.elements.push(components);
  };
  parser.oncomponent = (data) => {
    components.push(data);
  };
  try {
    for await (const chunk of createReadStream(file, { ...range, encoding: 'latin1' })) parser.write(chunk as string);
    parser.end();
  } catch (error) {
    if (end === undefined) throw error;
  }
  return { messages, segments };
}

async function child(mode: string, file: string): Promise<void> {
  await readOnce(mode, file, WARM_UP_BYTES);
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
  const { messages, segments } = await readOnce(mode, file);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(timer);
  sample();
  const result: ChildResult = { seconds, bytes, messages, segments, peakRssMb: mb(peakRss), peakHeapMb: mb(peakHeap - baseHeap) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const benchmark: Benchmark = {
  name: BENCH,
  async run(): Promise<Figure[]> {
    const dir = await mkdtemp(path.join(tmpdir(), 'hub-edifact-read-'));
    const file = path.join(dir, 'big.edi');
    try {
      const gen = await generate(file);
      const runs: Record<'hub' | 'hub+desadv' | 'edifact', ChildResult[]> = { hub: [], 'hub+desadv': [], edifact: [] };
      for (let round = 0; round < ROUNDS; round++) {
        for (const mode of ['hub', 'edifact', 'hub+desadv'] as const) runs[mode].push(await runChild(mode, file));
      }
      const best = (list: ChildResult[]): ChildResult => ({
        ...list.reduce((a, b) => (a.seconds <= b.seconds ? a : b)),
        peakRssMb: Math.max(...list.map((r) => r.peakRssMb)),
        peakHeapMb: Math.max(...list.map((r) => r.peakHeapMb)),
      });
      const hub = best(runs.hub);
      const parsed = best(runs['hub+desadv']);
      const peer = best(runs.edifact);
      const require = createRequire(import.meta.url);
      const peerName = `edifact ${(require('edifact/package.json') as { version: string }).version} Parser stream`;
      const mbps = (r: ChildResult) => r.bytes / 1024 / 1024 / r.seconds;
      // The hub counts the UNA as a segment, the peer does not.
      if (peer.segments !== hub.segments - 1 || peer.messages !== hub.messages) {
        throw new Error(`the readers disagree: hub ${hub.messages} messages / ${hub.segments} segments, peer ${peer.messages} / ${peer.segments}`);
      }
      return [
        { bench: BENCH, metric: `file size (${gen.messages} DESADV messages)`, value: gen.bytes / 1024 / 1024, unit: 'MB' },
        { bench: BENCH, metric: 'streaming read (segments, envelopes checked)', value: mbps(hub), unit: 'MB/s', peer: { name: peerName, value: mbps(peer) } },
        { bench: BENCH, metric: 'read + DESADV parse to Shipments', value: mbps(parsed), unit: 'MB/s', peer: { name: peerName, value: mbps(peer) } },
        { bench: BENCH, metric: 'peak RSS, streaming read', value: hub.peakRssMb, unit: 'MB', peer: { name: peerName, value: peer.peakRssMb } },
        { bench: BENCH, metric: 'peak heap growth, streaming read', value: hub.peakHeapMb, unit: 'MB', peer: { name: peerName, value: peer.peakHeapMb } },
        { bench: BENCH, metric: 'peak heap growth, read + DESADV parse', value: parsed.peakHeapMb, unit: 'MB', peer: { name: peerName, value: peer.peakHeapMb } },
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
