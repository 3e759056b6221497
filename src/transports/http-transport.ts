/**
 * HTTP delivery: one POST (or PUT) per document to the supplier's API, with the built-in fetch.
 *
 * - `Content-Type` from the file, `Idempotency-Key: <documentId>` so that a retry after a lost
 *   response is recognisable, plus the configured headers and auth (bearer, basic, or an HMAC
 *   `sha256=<hex>` of the body in a header).
 * - 2xx: delivered. 408/429/5xx and network errors: retryable, with the server's `Retry-After` as
 *   `details.retryAfterMs`. Other 4xx (and 3xx: a POST is never followed to another place):
 *   `transport_rejected`, not retryable, with status and body in `details`.
 * - HTTP suppliers push their files to the hub's API, so there is no inbound folder to poll.
 */
import { createHmac } from 'node:crypto';
import { parseRetryAfter } from './retry-after.ts';
import type { HttpTransportConfig } from '../config/mapping-schema.ts';
import { TransportError, errorMessage } from '../errors.ts';
import type {
  DeliveryReceipt,
  OutboundFile,
  ProbeStep,
  RemoteFile,
  SupplierTransport,
  TransportErrorCode,
  TransportLogger,
  TransportOptions,
} from './transport.ts';

/** How much of a response body is kept on a receipt or an error. */
export const MAX_KEPT_BODY_BYTES = 64 * 1024;

const USER_AGENT = 'dropship-hub';

/** Details of a TransportError raised for an HTTP answer. */
export interface HttpErrorDetails {
  status?: number;
  responseBody?: string;
  /** From `Retry-After` (seconds or an HTTP date): when the supplier asks to be tried again. */
  retryAfterMs?: number;
}

export class HttpTransport implements SupplierTransport {
  readonly type = 'http';
  private readonly logger: TransportLogger;
  /** The URL fetch is given: without user-info (fetch refuses it; it becomes basic auth instead). */
  private readonly url: string;
  /** User-info from the configured URL, used as basic auth when no `auth` is configured. */
  private readonly urlCredentials: { username: string; password: string } | undefined;

  constructor(
    readonly supplierId: string,
    private readonly config: HttpTransportConfig,
    options: TransportOptions = {},
    /** Injected clock, for `Retry-After` dates. */
    private readonly now: () => number = Date.now,
  ) {
    this.logger = options.logger ?? { debug() {}, warn() {} };
    const url = new URL(config.url);
    this.urlCredentials =
      url.username || url.password
        ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
        : undefined;
    url.username = '';
    url.password = '';
    this.url = url.toString();
  }

  async deliver(file: OutboundFile): Promise<DeliveryReceipt> {
    const { method, timeoutMs } = this.config;
    const url = this.url;
    const headers = this.headersFor(file);
    const started = this.now();
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        // A Buffer is a Uint8Array over an ArrayBuffer (never a SharedArrayBuffer here).
        body: file.content as Uint8Array<ArrayBuffer>,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw this.networkError(error);
    }
    let body: string;
    try {
      // A supplier's error page may echo our request, credentials included: keep none of them.
      body = this.scrub(await readBodyPrefix(response, MAX_KEPT_BODY_BYTES));
    } catch (error) {
      throw this.networkError(error);
    }
    const status = response.status;
    this.logger.debug({ supplier: this.supplierId, url: this.safeUrl(), status, ms: this.now() - started }, 'http delivery answered');
    if (status >= 200 && status < 300) return { status, responseBody: body };

    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.now());
    const details: HttpErrorDetails = { status, responseBody: body, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    const summary = `${method} ${this.safeUrl()} answered ${status}${body ? `: ${oneLine(body)}` : ''}`;
    if (status === 408 || status === 429 || status >= 500) {
      throw new TransportError('transport_failed', summary, { details, retryable: true });
    }
    throw new TransportError('transport_rejected', summary, { details, retryable: false });
  }

  async listInbound(): Promise<RemoteFile[]> {
    return [];
  }

  async download(name: string): Promise<Buffer> {
    throw new TransportError('transport_rejected', `http transport of ${this.supplierId} has no inbound folder (cannot download ${name})`);
  }

  async moveInbound(name: string): Promise<void> {
    throw new TransportError('transport_rejected', `http transport of ${this.supplierId} has no inbound folder (cannot move ${name})`);
  }

  /**
   * Sends a HEAD request: any answer proves DNS, TCP and TLS; 401/403 says the credentials are
   * refused. Nothing is delivered.
   */
  async probe(): Promise<ProbeStep[]> {
    const started = this.now();
    const headers = this.headersFor({
      filename: '',
      content: Buffer.alloc(0),
      contentType: 'application/octet-stream',
      documentId: 'probe',
    });
    headers.delete('content-type');
    headers.delete('idempotency-key');
    try {
      const response = await fetch(this.url, {
        method: 'HEAD',
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      const status = response.status;
      const refused = status === 401 || status === 403;
      return [
        {
          step: 'request',
          ok: !refused && status < 500,
          detail: `HEAD ${this.safeUrl()} answered ${status}${refused ? ' (credentials refused)' : ''}`,
          ms: this.now() - started,
          ...(refused ? { error: { code: 'transport_auth_failed' as const, retryable: false } } : {}),
          ...(status >= 500 ? { error: { code: 'transport_failed' as const, retryable: true } } : {}),
        },
      ];
    } catch (error) {
      const te = this.networkError(error);
      return [
        {
          step: 'request',
          ok: false,
          detail: te.message,
          ms: this.now() - started,
          error: { code: te.code as TransportErrorCode, retryable: te.retryable },
        },
      ];
    }
  }

  async close(): Promise<void> {}

  private headersFor(file: OutboundFile): Headers {
    const headers = new Headers(this.config.headers);
    headers.set('content-type', file.contentType);
    headers.set('idempotency-key', file.documentId);
    if (!headers.has('user-agent')) headers.set('user-agent', USER_AGENT);
    const auth =
      this.config.auth ?? (this.urlCredentials ? ({ type: 'basic', ...this.urlCredentials } as const) : undefined);
    switch (auth?.type) {
      case undefined:
        break;
      case 'bearer':
        headers.set('authorization', `Bearer ${auth.token}`);
        break;
      case 'basic':
        headers.set('authorization', `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`);
        break;
      case 'hmac':
        headers.set(auth.header, `sha256=${createHmac('sha256', auth.secret).update(file.content).digest('hex')}`);
        break;
      default: {
        const unknown: never = auth;
        throw new Error(`unknown http auth ${JSON.stringify(unknown)}`);
      }
    }
    return headers;
  }

  private networkError(error: unknown): TransportError {
    const name = (error as { name?: string } | undefined)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new TransportError('transport_timeout', `${this.config.method} ${this.safeUrl()}: no answer within ${this.config.timeoutMs} ms`, {
        details: { timeoutMs: this.config.timeoutMs },
        cause: error,
      });
    }
    const cause = (error as { cause?: unknown } | undefined)?.cause;
    const code = (cause as { code?: unknown } | undefined)?.code;
    const reason = this.scrub(cause === undefined ? errorMessage(error) : errorMessage(cause));
    return new TransportError('transport_failed', `${this.config.method} ${this.safeUrl()}: ${reason}`, {
      details: { cause: typeof code === 'string' ? code : undefined },
      cause: error,
      retryable: true,
    });
  }

  /** The URL without user-info or query string (either may hold a token). */
  private safeUrl(): string {
    const url = new URL(this.config.url);
    return `${url.protocol}//${url.host}${url.pathname}`;
  }

  /** Removes the URL and every configured secret from an error message or a response body. */
  private scrub(message: string): string {
    const auth = this.config.auth;
    const basic = auth?.type === 'basic' ? auth : this.urlCredentials;
    const secrets = [
      this.config.url,
      this.url,
      this.urlCredentials?.password,
      auth?.type === 'bearer' ? auth.token : auth?.type === 'basic' ? auth.password : auth?.secret,
      // As they travel: a basic-auth header, and configured headers that carry credentials.
      basic ? Buffer.from(`${basic.username}:${basic.password}`).toString('base64') : undefined,
      ...Object.entries(this.config.headers)
        .filter(([name]) => /auth|key|token|secret|signature/i.test(name))
        .map(([, value]) => value),
    ];
    let out = message;
    for (const secret of secrets) {
      if (secret && secret.length >= 3) out = out.split(secret).join(secret.startsWith('http') ? this.safeUrl() : '***');
    }
    return out;
  }
}


/** Reads at most `limit` bytes of the body as UTF-8 and drops the rest without buffering it. */
async function readBodyPrefix(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

function oneLine(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

export { parseRetryAfter };
