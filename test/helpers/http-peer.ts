/**
 * A real HTTP server on 127.0.0.1 that plays a supplier API, a retailer's webhook endpoint or
 * Shopify's Admin API in tests: it answers with a scripted sequence of responses and records every
 * request (method, path, headers, raw body). Never a mocked fetch.
 *
 * @example
 * ```ts
 * const peer = await startHttpPeer([{ status: 500 }, { status: 200, body: { id: 1 } }]);
 * // ... point the code under test at peer.url ...
 * expect(peer.requests[1]?.headers['idempotency-key']).toBe(doc.id);
 * await peer.close();
 * ```
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/orders?x=1`. */
  url: string;
  /** Lower-case header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
  receivedAt: Date;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Waits this long before answering (for client timeouts). */
  delayMs?: number;
}

/** A fixed response, or one computed from the request (to verify a signature, say). */
export type ResponseStep = ScriptedResponse | ((request: RecordedRequest) => ScriptedResponse);

export interface HttpPeer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  requests: RecordedRequest[];
  /** Appends steps to the script; once it runs out, `fallback` answers. */
  script(...steps: ResponseStep[]): void;
  /** Resolves once `count` requests have been received. */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

export async function startHttpPeer(
  steps: ResponseStep[] = [],
  fallback: ResponseStep = { status: 200, body: { ok: true } },
): Promise<HttpPeer> {
  const queue = [...steps];
  const requests: RecordedRequest[] = [];
  const listeners = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers,
        body: Buffer.concat(chunks),
        receivedAt: new Date(),
      };
      requests.push(recorded);
      for (const notify of listeners) notify();
      const step = queue.shift() ?? fallback;
      const response = typeof step === 'function' ? step(recorded) : step;
      const send = (): void => {
        timers.delete(timer);
        if (res.destroyed) return;
        const isText = typeof response.body === 'string';
        const body = response.body === undefined ? '' : isText ? (response.body as string) : JSON.stringify(response.body);
        res.writeHead(response.status, {
          ...(response.body === undefined ? {} : { 'content-type': isText ? 'text/plain' : 'application/json' }),
          ...response.headers,
        });
        res.end(body);
      };
      const timer = setTimeout(send, response.delayMs ?? 0);
      timers.add(timer);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script(...more) {
      queue.push(...more);
    },
    waitForRequests(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (requests.length >= count) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(requests);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`http peer: ${requests.length} request(s) after ${timeoutMs} ms, expected ${count}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
