import { createHmac, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransport as HttpTransportSchema, type HttpTransportConfig } from '../../src/config/mapping-schema.ts';
import { TransportError } from '../../src/errors.ts';
import { HttpTransport, MAX_KEPT_BODY_BYTES, parseRetryAfter, type HttpErrorDetails } from '../../src/transports/http-transport.ts';
import { createTransport, type OutboundFile } from '../../src/transports/transport.ts';
import { startHttpPeer, type HttpPeer, type RecordedRequest } from '../helpers/http-peer.ts';

const file: OutboundFile = {
  filename: 'PO_1001.json',
  content: Buffer.from('{"poNumber":"1001","lines":[{"sku":"ACME-TRUCK-01","quantity":2}]}'),
  contentType: 'application/json',
  documentId: 'doc_01JABCDEF',
};

const peers: HttpPeer[] = [];
async function peer(...args: Parameters<typeof startHttpPeer>): Promise<HttpPeer> {
  const started = await startHttpPeer(...args);
  peers.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function transport(url: string, overrides: Partial<HttpTransportConfig> = {}): HttpTransport {
  return new HttpTransport('acme', HttpTransportSchema.parse({ type: 'http', url, ...overrides }));
}

async function rejection(promise: Promise<unknown>): Promise<TransportError & { details: HttpErrorDetails }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError & { details: HttpErrorDetails };
  }
  throw new Error('expected a rejection');
}

describe('HttpTransport: answers', () => {
  it('retries after a 500 and delivers on the 200, with the same Idempotency-Key both times', async () => {
    const supplier = await peer([{ status: 500, body: 'database down' }, { status: 201, body: { id: 'ord_9' } }]);
    const t = transport(`${supplier.url}/orders`);
    const first = await rejection(t.deliver(file));
    expect(first.code).toBe('transport_failed');
    expect(first.retryable).toBe(true);
    expect(first.details).toMatchObject({ status: 500, responseBody: 'database down' });

    const receipt = await t.deliver(file);
    expect(receipt).toEqual({ status: 201, responseBody: '{"id":"ord_9"}' });
    expect(supplier.requests).toHaveLength(2);
    for (const request of supplier.requests) {
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/orders');
      expect(request.headers['idempotency-key']).toBe('doc_01JABCDEF');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.body.equals(file.content)).toBe(true);
    }
  });

  it('rejects a 400 without retrying, keeping the response', async () => {
    const supplier = await peer([{ status: 400, body: { error: 'unknown SKU ACME-TRUCK-01' } }]);
    const error = await rejection(transport(supplier.url).deliver(file));
    expect(error.code).toBe('transport_rejected');
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual({ status: 400, responseBody: '{"error":"unknown SKU ACME-TRUCK-01"}' });
    expect(error.message).toContain('unknown SKU');
  });

  it.each([408, 429, 502, 503])('treats %i as retryable', async (status) => {
    const supplier = await peer([{ status }]);
    const error = await rejection(transport(supplier.url).deliver(file));
    expect(error.retryable).toBe(true);
    expect(error.details.status).toBe(status);
  });

  it('passes Retry-After on as retryAfterMs (seconds and HTTP dates)', async () => {
    const inTwoMinutes = new Date(Date.now() + 120_000).toUTCString();
    const supplier = await peer([
      { status: 429, headers: { 'retry-after': '7' } },
      { status: 503, headers: { 'retry-after': inTwoMinutes } },
    ]);
    const t = transport(supplier.url);
    expect((await rejection(t.deliver(file))).details.retryAfterMs).toBe(7_000);
    const dated = (await rejection(t.deliver(file))).details.retryAfterMs!;
    expect(dated).toBeGreaterThan(110_000);
    expect(dated).toBeLessThanOrEqual(120_000);
  });

  it('does not follow a redirect with the document', async () => {
    const supplier = await peer([{ status: 302, headers: { location: 'http://127.0.0.1:9/elsewhere' } }]);
    const error = await rejection(transport(supplier.url).deliver(file));
    expect(error.code).toBe('transport_rejected');
    expect(supplier.requests).toHaveLength(1);
  });

  it('keeps only the first 64 KiB of a response body', async () => {
    const supplier = await peer([{ status: 200, body: 'x'.repeat(200 * 1024) }]);
    const receipt = await transport(supplier.url).deliver(file);
    expect(receipt.responseBody).toHaveLength(MAX_KEPT_BODY_BYTES);
  });

  it('uses PUT when configured', async () => {
    const supplier = await peer();
    await transport(supplier.url, { method: 'PUT' }).deliver(file);
    expect(supplier.requests[0]!.method).toBe('PUT');
  });
});

describe('HttpTransport: network', () => {
  it('times out retryably when the supplier does not answer in time', async () => {
    const supplier = await peer([{ status: 200, delayMs: 3_000 }]);
    const started = Date.now();
    const error = await rejection(transport(supplier.url, { timeoutMs: 200 }).deliver(file));
    expect(error.code).toBe('transport_timeout');
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('fails retryably when nothing listens', async () => {
    const port = await closedPort();
    const error = await rejection(transport(`http://127.0.0.1:${port}/po`).deliver(file));
    expect(error.code).toBe('transport_failed');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/ECONNREFUSED/);
  });
});

describe('HttpTransport: authentication', () => {
  it('signs the body with HMAC-SHA256 so that the supplier can verify it', async () => {
    const secret = 'shared-with-acme';
    const verify = (request: RecordedRequest) => {
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(request.body).digest('hex')}`);
      const given = Buffer.from(request.headers['x-acme-signature'] ?? '');
      const ok = given.length === expected.length && timingSafeEqual(given, expected);
      return ok ? { status: 202, body: 'accepted' } : { status: 401, body: 'bad signature' };
    };
    const supplier = await peer([verify, verify]);
    await expect(
      transport(supplier.url, { auth: { type: 'hmac', secret, header: 'X-Acme-Signature' } }).deliver(file),
    ).resolves.toEqual({ status: 202, responseBody: 'accepted' });
    const wrong = await rejection(
      transport(supplier.url, { auth: { type: 'hmac', secret: 'not-the-secret', header: 'X-Acme-Signature' } }).deliver(file),
    );
    expect(wrong.details.status).toBe(401);
    expect(wrong.retryable).toBe(false);
  });

  it('sends bearer and basic credentials and the configured headers', async () => {
    const supplier = await peer();
    await transport(supplier.url, { auth: { type: 'bearer', token: 'tok_123' }, headers: { 'X-Partner': 'hub' } }).deliver(file);
    await transport(supplier.url, { auth: { type: 'basic', username: 'hub', password: 'p@ss' } }).deliver(file);
    expect(supplier.requests[0]!.headers).toMatchObject({ authorization: 'Bearer tok_123', 'x-partner': 'hub' });
    expect(supplier.requests[1]!.headers.authorization).toBe(`Basic ${Buffer.from('hub:p@ss').toString('base64')}`);
  });

  it('turns credentials in the URL into basic auth and never puts them in an error message', async () => {
    const supplier = await peer([{ status: 500 }]);
    const url = new URL(supplier.url);
    url.username = 'user';
    url.password = 'hunter2';
    url.searchParams.set('token', 'sekrit');
    const error = await rejection(transport(url.toString()).deliver(file));
    expect(error.message).not.toMatch(/hunter2|sekrit/);
    expect(supplier.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('user:hunter2').toString('base64')}`);
    expect(supplier.requests[0]!.url).toBe('/?token=sekrit');

    url.port = String(await closedPort());
    const unreachable = await rejection(transport(url.toString()).deliver(file));
    expect(unreachable.message).not.toMatch(/hunter2|sekrit/);
  });
});

describe('HttpTransport: the rest of the port', () => {
  it('has no inbound folder and probes with a HEAD request', async () => {
    const supplier = await peer([{ status: 405 }, { status: 401 }]);
    const t = createTransport('acme', HttpTransportSchema.parse({ type: 'http', url: supplier.url }));
    expect(t.type).toBe('http');
    expect(await t.listInbound()).toEqual([]);
    expect((await rejection(t.download('x', 10))).code).toBe('transport_rejected');
    expect((await t.probe())[0]).toMatchObject({ step: 'request', ok: true });
    expect((await t.probe())[0]).toMatchObject({ step: 'request', ok: false, error: { code: 'transport_auth_failed' } });
    expect(supplier.requests.map((r) => r.method)).toEqual(['HEAD', 'HEAD']);
    await t.close();
  });

  it('parses Retry-After', () => {
    const now = Date.parse('2026-11-26T10:00:00Z');
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
