import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';

let t: TestHub;
let apiKey: string;

beforeAll(async () => {
  t = await createTestHub({ env: { HUB_WORKERS: '0' } });
  apiKey = (await t.retailer({ id: 'shop-metrics' })).apiKey;
});
afterAll(async () => t?.close());

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"/y;

/**
 * The Prometheus text exposition format, strictly: `# HELP` / `# TYPE` comments, and
 * `name{label="value",...} value [timestamp]` sample lines. Throws on the first line that is neither.
 */
function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  text.split('\n').forEach((line, index) => {
    const where = `line ${index + 1}: ${line}`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const comment = line.match(/^# (HELP|TYPE) (\S+)(?: (.*))?$/);
      if (!comment) return; // other comments are allowed
      if (!NAME.test(comment[2]!)) throw new Error(`bad metric name in ${where}`);
      if (comment[1] === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(comment[3] ?? '')) throw new Error(`bad type in ${where}`);
        types.set(comment[2]!, comment[3]!);
      }
      return;
    }
    const head = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/);
    if (!head) throw new Error(`not a sample: ${where}`);
    const labels: Record<string, string> = {};
    const body = head[3] ?? '';
    let at = 0;
    while (at < body.length) {
      LABEL.lastIndex = at;
      const label = LABEL.exec(body);
      if (!label) throw new Error(`bad labels in ${where}`);
      labels[label[1]!] = label[2]!;
      at = LABEL.lastIndex;
      if (body[at] === ',') at++;
      else if (at !== body.length) throw new Error(`bad labels in ${where}`);
    }
    const value = parseValue(head[4]!);
    if (value === undefined) throw new Error(`bad value in ${where}`);
    const family = head[1]!.replace(/_(bucket|sum|count)$/, '');
    if (!types.has(head[1]!) && !types.has(family)) throw new Error(`sample without a # TYPE: ${where}`);
    samples.push({ name: head[1]!, labels, value });
  });
  return samples;
}

/**
 * A sample value as Prometheus reads it (Go's strconv.ParseFloat): a decimal or exponent number,
 * or NaN / Inf in any letter case (prom-client writes `Nan` for an empty event-loop histogram).
 */
function parseValue(raw: string): number | undefined {
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) return Number(raw);
  if (/^nan$/i.test(raw)) return NaN;
  const inf = raw.match(/^([-+]?)inf(inity)?$/i);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  return undefined;
}

async function scrape(): Promise<Sample[]> {
  const res = await t.app.request('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return parsePrometheus(await res.text());
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found.reduce((sum, s) => sum + s.value, 0);
}

describe('GET /metrics', () => {
  it('is Prometheus text: every line a comment or `name{labels} value`', async () => {
    const samples = await scrape();
    expect(samples.length).toBeGreaterThan(10);
    const names = new Set(samples.map((s) => s.name));
    for (const name of ['hub_outbox_depth', 'hub_overdue_expectations', 'hub_process_process_cpu_user_seconds_total']) {
      expect(names, name).toContain(name);
    }
  });

  it('the parser itself refuses what is not the format', () => {
    expect(() => parsePrometheus('# TYPE x counter\nx{a="1" 2\n')).toThrow(/not a sample|bad labels/);
    expect(() => parsePrometheus('# TYPE x counter\nx twelve\n')).toThrow(/not a sample|bad value/);
    expect(() => parsePrometheus('y 1\n')).toThrow(/without a # TYPE/);
    expect(parsePrometheus('# HELP x h\n# TYPE x gauge\nx{a="q\\"uote",b="2"} 1.5e3\n')).toEqual([
      { name: 'x', labels: { a: 'q\\"uote', b: '2' }, value: 1500 },
    ]);
  });

  it('counts a posted order in hub_orders_received_total and hub_orders{state="received"}', async () => {
    const before = await scrape();
    const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: 'metrics-1' }), { authorization: `Bearer ${apiKey}` }));
    expect(res.status).toBe(201);
    const after = await scrape();
    expect(value(after, 'hub_orders_received_total', { source: 'api' })).toBe(value(before, 'hub_orders_received_total', { source: 'api' }) + 1);
    expect(value(after, 'hub_orders', { state: 'received' })).toBe(value(before, 'hub_orders', { state: 'received' }) + 1);

    // The same order again is not a new order.
    await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: 'metrics-1' }), { authorization: `Bearer ${apiKey}` }));
    const again = await scrape();
    expect(value(again, 'hub_orders_received_total', { source: 'api' })).toBe(value(after, 'hub_orders_received_total', { source: 'api' }));
  });
});
