import { signHubPayload } from '../intake/signatures.ts';
import { safeUrl } from '../logger.ts';
import type { HubEvent } from './events.ts';
import { errorForNetwork, errorForStatus, excerpt } from './http-failure.ts';

/**
 * The retailer webhook sender: one POST of one event, signed. It does not retry: it throws a
 * TransportError whose `retryable` flag (and `details.retryAfterMs`) tells the outbox what to do;
 * see `http-failure.ts` for the classification.
 *
 * Headers sent:
 * - `Content-Type: application/json`
 * - `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the retailer's webhook secret>`
 * - `X-Hub-Event: order.shipped` (the event type)
 * - `X-Hub-Event-Id: evt_…` (the same as the body's `id`; stable across redeliveries)
 *
 * @example
 *   const receipt = await deliverWebhook(retailer.webhookUrl, retailer.webhookSecret, event, { timeoutMs: 10_000 });
 */
export interface DeliveryOptions {
  /** Gives up (retryable `transport_timeout`) after this long. Default 10 s. */
  timeoutMs?: number;
  userAgent?: string;
}

export interface DeliveryReceipt {
  eventId: string;
  status: number;
  durationMs: number;
  /** The start of the retailer's answer, kept for the operator. */
  responseBody: string;
  /** The exact bytes sent (what the signature covers), for the archive. */
  body: string;
  signature: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** The exact body the hub sends for an event (what `X-Hub-Signature-256` signs). */
export function serializeEvent(event: HubEvent): string {
  return JSON.stringify(event);
}

export async function deliverWebhook(
  url: string,
  secret: string,
  event: HubEvent,
  options: DeliveryOptions = {},
): Promise<DeliveryReceipt> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // The URL may hold a token in its query: messages and details name it censored.
  const shown = safeUrl(url);
  const what = `webhook ${event.type} ${event.id} to ${shown}`;
  const body = serializeEvent(event);
  const signature = signHubPayload(body, secret);
  const started = performance.now();
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': options.userAgent ?? 'dropship-hub-webhooks/1',
        'x-hub-signature-256': signature,
        'x-hub-event': event.type,
        'x-hub-event-id': event.id,
      },
      body,
    });
    text = await response.text();
  } catch (error) {
    throw errorForNetwork(what, shown, error, timeoutMs);
  }
  if (response.status < 200 || response.status > 299) {
    throw errorForStatus(what, response, { url: shown, body: text });
  }
  return {
    eventId: event.id,
    status: response.status,
    durationMs: Math.round(performance.now() - started),
    responseBody: excerpt(text),
    body,
    signature,
  };
}
