/**
 * The API behind a real HTTP listener (as `hub serve` runs it), where bodies are read from Node's
 * request stream: limits hold for chunked bodies too.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../../src/main.ts';
import { createTestHub, sampleOrder, type TestHub } from '../helpers/hub.ts';

let t: TestHub;
let running: RunningHub;
let key: string;

beforeAll(async () => {
  t = await createTestHub({ env: { HUB_WORKERS: '0' } });
  key = (await t.retailer()).apiKey;
  running = await startHub(t.hub, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await running.stop();
});

/** Sends a body in chunks without a Content-Length (Transfer-Encoding: chunked). */
function postChunked(path: string, chunks: Buffer[], contentType = 'application/json'): Promise<{ status: number; body: string }> {
  const url = new URL(path, running.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${key}` } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('a real listener', () => {
  it('accepts an order sent in chunks', async () => {
    const body = Buffer.from(JSON.stringify(sampleOrder({ externalId: 'chunked-1' })));
    const res = await postChunked('/v1/orders', [body.subarray(0, 100), body.subarray(100)]);
    expect(res.status, res.body).toBe(201);
    expect(JSON.parse(res.body).externalId).toBe('chunked-1');
  });

  it('refuses a chunked body over 1 MiB with 413, and stores nothing', async () => {
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    const res = await postChunked('/v1/orders', [Buffer.from('{"notes":"'), chunk, chunk, chunk, chunk, chunk, Buffer.from('"}')]);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('payload_too_large');
    const rows = await t.hub.store.db.selectFrom('orders').select('external_id').execute();
    expect(rows.map((r) => r.external_id)).toEqual(['chunked-1']);
  });

  it('holds a chunked dashboard form to its 16 KiB limit too', async () => {
    const res = await postChunked('/login', [Buffer.from('token='), Buffer.alloc(20 * 1024, 0x61)], 'application/x-www-form-urlencoded');
    expect(res.status).toBe(413);
  });
});
