import { parseRetryAfter } from '../transports/retry-after.ts';
import { TransportError } from '../errors.ts';
import { redactUrlsIn } from './urls.ts';

/**
 * How an HTTP peer's answer becomes a TransportError, shared by the retailer webhook sender and the
 * Shopify Admin client, so that the outbox reads one shape:
 *
 * - 2xx: success (the caller's business).
 * - 401, 403: `transport_auth_failed`, permanent (wrong token or secret: retrying cannot help).
 * - 408, 429, 5xx: `transport_failed`, retryable, with `details.retryAfterMs` from `Retry-After`.
 * - any other 3xx/4xx: `transport_rejected`, permanent.
 * - no answer: `transport_timeout` (retryable) or `transport_failed` (retryable).
 */
export interface HttpFailureDetails {
  url: string;
  status?: number;
  /** How long the peer asked us to wait (Retry-After, or Shopify's throttle restore time). */
  retryAfterMs?: number;
  /** The start of the answer, for the operator. */
  body?: string;
}

const BODY_EXCERPT = 500;


/** The delay a retryable error asked for, if any: what the outbox should wait at least. */
export function retryDelayMs(error: unknown): number | undefined {
  if (!(error instanceof TransportError) || !error.retryable) return undefined;
  const details = error.details as Partial<HttpFailureDetails> | undefined;
  return typeof details?.retryAfterMs === 'number' ? details.retryAfterMs : undefined;
}

export function excerpt(body: string): string {
  return body.length > BODY_EXCERPT ? `${body.slice(0, BODY_EXCERPT)}…` : body;
}

/** The error for a non-2xx answer. */
export function errorForStatus(
  what: string,
  response: { status: number; headers: Headers },
  details: { url: string; body: string },
): TransportError {
  const { status } = response;
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  const info: HttpFailureDetails = { url: details.url, status, body: excerpt(details.body) };
  if (retryAfterMs !== undefined) info.retryAfterMs = retryAfterMs;
  if (status === 401 || status === 403) {
    return new TransportError('transport_auth_failed', `${what}: HTTP ${status} (check the secret or token)`, { details: info });
  }
  if (status === 408 || status === 429 || status >= 500) {
    return new TransportError('transport_failed', `${what}: HTTP ${status}`, { details: info, retryable: true });
  }
  const hint = status >= 300 && status < 400 ? ' (redirects are not followed: configure the final URL)' : '';
  return new TransportError('transport_rejected', `${what}: HTTP ${status}${hint}`, { details: info });
}

/** The error for a request that got no answer. */
export function errorForNetwork(what: string, url: string, error: unknown, timeoutMs: number): TransportError {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new TransportError('transport_timeout', `${what}: no answer within ${timeoutMs} ms`, {
      details: { url } satisfies HttpFailureDetails,
      cause: error,
    });
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  const message = error instanceof Error ? error.message : String(error);
  // fetch's own messages may quote the URL ("Failed to parse URL from …"): censor it there too.
  return new TransportError('transport_failed', `${what}: ${redactUrlsIn(cause ?? message)}`, {
    details: { url } satisfies HttpFailureDetails,
    cause: error,
    retryable: true,
  });
}
