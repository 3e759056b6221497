/**
 * Intake throughput: `POST /v1/orders` at 32 concurrent connections against real PostgreSQL (a real
 * HTTP server, autocannon as the load), beside the ceiling measured in the same run: the same rows
 * (the order and its first timeline event, in one transaction) inserted straight through `pg` at the
 * same concurrency.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { runHub, startHubProcess } from '../test/helpers/hub-process.ts';
import type { Benchmark, Figure } from './run.ts';

const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);

function order(n: string) {
  return {
    externalId: n,
    orderNumber: `#${n}`,
    placedAt: '2026-11-26T10:00:00Z',
    currency: 'USD',
    payment: { status: 'paid', reference: 'ch_123' },
    customer: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+1 555 0100' },
    shipTo: { name: 'Ada Lovelace', address1: '12 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
    shipping: { method: 'Standard', serviceLevel: 'GROUND' },
    lines: [{ lineId: '1', sku: 'ACME-TRUCK-01', title: 'Wooden toy truck', quantity: 2, unitPrice: '19.99' }],
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** The ceiling: the same two rows per order through pg, 32 loops in parallel. */
async function ceiling(url: string, schema: string): Promise<{ perSecond: number; p50: number; p99: number }> {
  const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, max: CONNECTIONS });
  const latencies: number[] = [];
  const end = Date.now() + SECONDS * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) {
        const started = performance.now();
        const client = await pool.connect();
        try {
          const id = `ord_${randomUUID().replace(/-/g, '')}`;
          const body = JSON.stringify(order(id));
          await client.query('begin');
          await client.query(
            `insert into orders (id, retailer_id, external_id, order_number, source, body_hash, data, status)
             values ($1, 'bench', $2, $3, 'api', $4, $5, 'received')`,
            [id, `c-${id}`, '#c', randomBytes(32).toString('hex'), body],
          );
          await client.query(`insert into order_events (order_id, type, cause, status, data) values ($1, 'order_received', 'api intake', 'received', $2)`, [id, '{}']);
          await client.query('commit');
        } finally {
          client.release();
        }
        latencies.push(performance.now() - started);
        count++;
      }
    }),
  );
  await pool.end();
  latencies.sort((a, b) => a - b);
  return { perSecond: count / SECONDS, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

interface Load {
  tool: string;
  perSecond: number;
  p50: number;
  p99: number;
  failures: number;
}

/** wrk (C, light: leaves the cores to the hub and PostgreSQL) when installed, else autocannon. */
async function load(url: string, apiKey: string): Promise<Load> {
  const wrk = ['/usr/bin/wrk', '/usr/local/bin/wrk'].find((p) => existsSync(p));
  if (wrk) return loadWithWrk(wrk, url, apiKey);
  let n = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        setupRequest: (request) => ({ ...request, body: JSON.stringify(order(`a-${n++}`)) }),
      },
    ],
  });
  return { tool: 'autocannon', perSecond: result['2xx'] / SECONDS, p50: result.latency.p50, p99: result.latency.p99, failures: result.non2xx + result.errors };
}

async function loadWithWrk(wrk: string, url: string, apiKey: string): Promise<Load> {
  // Every request a new externalId: the body is a template with one %s.
  const template = JSON.stringify(order('@ID@')).replace('@ID@', '%s');
  const script = `
local counter = 0
local threads = {}
function setup(thread) thread:set("id", #threads) table.insert(threads, thread) end
function init(args) failed = 0 end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer ${apiKey}"
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, string.format(${JSON.stringify(template)}, "w" .. id .. "-" .. counter))
end
response = function(status) if status < 200 or status > 299 then failed = failed + 1 end end
done = function(summary, latency)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("failed") end
  local e = summary.errors
  io.write(string.format('RESULT {"requests":%d,"bad":%d,"errors":%d,"p50":%f,"p99":%f,"us":%d}\\n',
    summary.requests, bad, e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99), summary.duration))
end`;
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-wrk-'));
  const file = path.join(dir, 'intake.lua');
  writeFileSync(file, script);
  const out = await new Promise<string>((resolve, reject) => {
    execFile(wrk, ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '-s', file, url], { maxBuffer: 1 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`wrk failed: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`wrk printed no result:\n${out}`);
  const r = JSON.parse(line.slice(7)) as { requests: number; bad: number; errors: number; p50: number; p99: number; us: number };
  return { tool: 'wrk', perSecond: (r.requests - r.bad) / (r.us / 1e6), p50: r.p50 / 1000, p99: r.p99 / 1000, failures: r.bad + r.errors };
}

const bench: Benchmark = {
  name: 'intake',
  requires: () => (process.env.DATABASE_URL ? undefined : 'set DATABASE_URL to a PostgreSQL server'),
  async run(): Promise<Figure[]> {
    const url = process.env.DATABASE_URL!;
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const mappings = mkdtempSync(path.join(tmpdir(), 'bench-nomappings-'));
    // The hub runs as it does in production: its own process (`hub serve`, API only), so that the
    // load generator does not share its event loop.
    const env = { DATABASE_URL: url, HUB_DB_SCHEMA: schema, HUB_MAPPINGS_DIR: mappings, HUB_WORKERS: '0', HUB_DB_POOL: String(CONNECTIONS) };
    const created = await runHub(['retailers', 'create', 'bench'], env);
    const apiKey = created.stdout.match(/api key: (\S+)/)?.[1];
    if (!apiKey) throw new Error(`could not create the bench retailer: ${created.stderr}`);
    const hub = await startHubProcess(env);
    try {
      const result = await load(`${hub.url}/v1/orders`, apiKey);
      await hub.kill();
      const floor = await ceiling(url, schema);
      return [
        { bench: 'intake', metric: `POST /v1/orders throughput (32 connections, ${result.tool})`, value: result.perSecond, unit: 'orders/s', peer: { name: 'pg insert ceiling', value: floor.perSecond } },
        { bench: 'intake', metric: 'POST /v1/orders latency p50', value: result.p50, unit: 'ms', peer: { name: 'pg insert ceiling', value: floor.p50 } },
        { bench: 'intake', metric: 'POST /v1/orders latency p99', value: result.p99, unit: 'ms', peer: { name: 'pg insert ceiling', value: floor.p99 } },
        { bench: 'intake', metric: 'failed requests (non-2xx, errors)', value: result.failures, unit: 'requests' },
      ];
    } finally {
      await hub.kill();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    }
  },
};

export default bench;
