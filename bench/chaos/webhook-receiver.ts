/**
 * The retailer's webhook endpoint for the chaos run: a real HTTP server on loopback that checks
 * `X-Hub-Signature-256` (sha256= hex HMAC of the raw body with the retailer's webhook secret),
 * records every event, and answers 500 at random (a flaky retailer) so that the hub has to retry.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedEvent {
  id: string;
  type: string;
  orderId: string;
  externalId: string;
  /** Deliveries of this id answered 2xx (a retailer de-duplicates these by id). */
  accepted: number;
  /** Deliveries of this id answered 500 on purpose. */
  refused: number;
  body: Record<string, unknown>;
  /** Same id, different bytes: must never happen (the body is fixed when the event is queued). */
  bodyMismatch: boolean;
}

export interface WebhookReceiver {
  url: string;
  events: Map<string, ReceivedEvent>;
  /** Requests with a missing or wrong signature (answered 401). */
  badSignatures: number;
  /** Requests whose body was not an event (answered 400). */
  malformed: number;
  requests: number;
  setSecret(secret: string): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: { failRate: number; random: () => number }): Promise<WebhookReceiver> {
  let secret = '';
  const raws = new Map<string, string>();
  const receiver: WebhookReceiver = {
    url: '',
    events: new Map(),
    badSignatures: 0,
    malformed: 0,
    requests: 0,
    setSecret(s) {
      secret = s;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.requests++;
      const raw = Buffer.concat(chunks);
      const header = String(req.headers['x-hub-signature-256'] ?? '');
      const expected = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
      const valid = secret !== '' && header.length === expected.length && timingSafeEqual(Buffer.from(header), Buffer.from(expected));
      if (!valid) {
        receiver.badSignatures++;
        res.writeHead(401).end('bad signature');
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        receiver.malformed++;
        res.writeHead(400).end('not JSON');
        return;
      }
      const id = String(body.id ?? '');
      const order = (body.order ?? {}) as Record<string, unknown>;
      if (!id || typeof body.type !== 'string' || req.headers['x-hub-event-id'] !== id) {
        receiver.malformed++;
        res.writeHead(400).end('not an event');
        return;
      }
      let event = receiver.events.get(id);
      if (!event) {
        event = { id, type: body.type, orderId: String(order.id), externalId: String(order.externalId), accepted: 0, refused: 0, body, bodyMismatch: false };
        receiver.events.set(id, event);
        raws.set(id, raw.toString('utf8'));
      } else if (raws.get(id) !== raw.toString('utf8')) {
        event.bodyMismatch = true;
      }
      if (options.random() < options.failRate) {
        event.refused++;
        res.writeHead(500, { 'content-type': 'text/plain' }).end('flaky retailer says no');
        return;
      }
      event.accepted++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/chaos`;
  return receiver;
}
