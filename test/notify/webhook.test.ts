import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { TransportError } from '../../src/errors.ts';
import { resolveCarrier } from '../../src/notify/carriers.ts';
import { HubEvent, orderShippedEvent } from '../../src/notify/events.ts';
import { retryDelayMs } from '../../src/notify/http-failure.ts';
import { deliverWebhook } from '../../src/notify/webhook.ts';
import { startHttpPeer, type HttpPeer, type RecordedRequest } from '../helpers/http-peer.ts';

const secret = 'whsec_retailer_7c1d';
const event = orderShippedEvent(
  {
    retailerId: 'toys-example',
    order: { id: 'ord_01', externalId: '4127', orderNumber: '4127', status: 'shipped' },
    createdAt: '2026-11-27T15:04:05Z',
  },
  {
    id: 'shp_01',
    carrier: resolveCarrier('FDEG'),
    trackingNumbers: ['794644790138'],
    lines: [{ lineId: '911', sku: 'ACME-TRUCK-01', quantity: 2 }],
  },
);

/** What a retailer's endpoint does: HMAC the raw bytes received, compare in constant time. */
function retailerVerifies(request: RecordedRequest): boolean {
  const header = request.headers['x-hub-signature-256'] ?? '';
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(request.body).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function failure(promise: Promise<unknown>): Promise<TransportError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

let peer: HttpPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

describe('deliverWebhook against a real HTTP server', () => {
  it('posts the event as JSON, signed so that the retailer can verify it', async () => {
    peer = await startHttpPeer([(request) => ({ status: retailerVerifies(request) ? 204 : 401 })]);
    const receipt = await deliverWebhook(`${peer.url}/hooks/hub`, secret, event, { timeoutMs: 2000 });
    expect(receipt).toMatchObject({ eventId: event.id, status: 204 });
    const [request] = peer.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/hooks/hub');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['x-hub-event']).toBe('order.shipped');
    expect(request?.headers['x-hub-event-id']).toBe(event.id);
    expect(HubEvent.parse(JSON.parse(request!.body.toString('utf8')))).toEqual(event);
    expect(request!.body.toString('utf8')).toBe(receipt.body);
  });

  it('a signature made with another secret does not verify', async () => {
    peer = await startHttpPeer([(request) => ({ status: retailerVerifies(request) ? 200 : 401 })]);
    const error = await failure(deliverWebhook(peer.url, 'not-the-secret', event, { timeoutMs: 2000 }));
    expect(error.code).toBe('transport_auth_failed');
    expect(error.retryable).toBe(false);
  });

  it('500 is retryable; the redelivery carries the same event id and body', async () => {
    peer = await startHttpPeer([{ status: 500, body: 'oops' }, { status: 200 }]);
    const first = await failure(deliverWebhook(peer.url, secret, event, { timeoutMs: 2000 }));
    expect(first).toMatchObject({ code: 'transport_failed', retryable: true });
    expect(first.details).toMatchObject({ status: 500, body: 'oops' });
    const receipt = await deliverWebhook(peer.url, secret, event, { timeoutMs: 2000 });
    expect(receipt.status).toBe(200);
    expect(peer.requests[0]?.headers['x-hub-event-id']).toBe(peer.requests[1]?.headers['x-hub-event-id']);
    expect(peer.requests[0]?.body.equals(peer.requests[1]!.body)).toBe(true);
  });

  it('400 is permanent', async () => {
    peer = await startHttpPeer([{ status: 400, body: { error: 'unknown order' } }]);
    const error = await failure(deliverWebhook(peer.url, secret, event, { timeoutMs: 2000 }));
    expect(error).toMatchObject({ code: 'transport_rejected', retryable: false });
  });

  it('408 and 429 are retryable, with the Retry-After delay', async () => {
    peer = await startHttpPeer([
      { status: 429, headers: { 'retry-after': '3' } },
      { status: 408 },
      { status: 503, headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() } },
    ]);
    const throttled = await failure(deliverWebhook(peer.url, secret, event));
    expect(throttled.retryable).toBe(true);
    expect(retryDelayMs(throttled)).toBe(3000);
    const timedOut = await failure(deliverWebhook(peer.url, secret, event));
    expect(timedOut.retryable).toBe(true);
    expect(retryDelayMs(timedOut)).toBeUndefined();
    const unavailable = await failure(deliverWebhook(peer.url, secret, event));
    expect(retryDelayMs(unavailable)).toBeGreaterThan(50_000);
  });

  it('does not follow redirects', async () => {
    peer = await startHttpPeer([{ status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } }]);
    const error = await failure(deliverWebhook(peer.url, secret, event, { timeoutMs: 2000 }));
    expect(error).toMatchObject({ code: 'transport_rejected', retryable: false });
    expect(peer.requests).toHaveLength(1);
  });

  it('a slow endpoint times out, retryably', async () => {
    peer = await startHttpPeer([{ status: 200, delayMs: 1000 }]);
    const error = await failure(deliverWebhook(peer.url, secret, event, { timeoutMs: 100 }));
    expect(error).toMatchObject({ code: 'transport_timeout', retryable: true });
  });

  it('a refused connection is retryable', async () => {
    const closed = await startHttpPeer();
    const url = closed.url;
    await closed.close();
    const error = await failure(deliverWebhook(url, secret, event, { timeoutMs: 2000 }));
    expect(error).toMatchObject({ code: 'transport_failed', retryable: true });
  });
});
