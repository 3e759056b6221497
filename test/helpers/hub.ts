import type { LoadedMapping } from '../../src/config/mapping-loader.ts';
import { loadEnv } from '../../src/config/env.ts';
import { createApp } from '../../src/http/app.ts';
import type { Hub } from '../../src/hub.ts';
import { silentLogger } from '../../src/logger.ts';
import { createHub } from '../../src/main.ts';
import type { RoutingPolicies } from '../../src/routing/policy.ts';
import type { Store } from '../../src/store/database.ts';
import { createRetailer, type NewRetailer } from '../../src/store/retailers.ts';
import { openTestStore } from './db.ts';

/** At least 32 characters: the hub refuses a weaker admin token. */
export const ADMIN_TOKEN = 'test-admin-token-0123456789-abcdefghij';

/**
 * Signs in to the dashboard of `app` with the admin token, as a browser does; returns the
 * `Cookie` header value of the new session.
 */
export async function signInCookie(app: { request: (url: string, init?: RequestInit) => Response | Promise<Response> }, token = ADMIN_TOKEN): Promise<string> {
  const res = await app.request('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, next: '/' }).toString(),
  });
  const setCookie = res.headers.get('set-cookie');
  if (res.status !== 303 || !setCookie) throw new Error(`sign-in answered ${res.status}`);
  return setCookie.split(';')[0]!;
}

export interface TestHub {
  hub: Hub;
  app: ReturnType<typeof createApp>;
  /** Creates a retailer and returns its API key. */
  retailer(input?: Partial<NewRetailer>): Promise<{ id: string; apiKey: string; webhookSecret: string | null }>;
  close(): Promise<void>;
}

let counter = 0;

/** A hub on its own fresh store, with the given mappings, a silent logger and (optionally) a fixed clock. */
export async function createTestHub(
  options: { mappings?: LoadedMapping[]; routing?: RoutingPolicies; clock?: () => Date; env?: Record<string, string>; store?: Store } = {},
): Promise<TestHub> {
  const store = options.store ?? (await openTestStore());
  const env = loadEnv({ HUB_ADMIN_TOKEN: ADMIN_TOKEN, HUB_DATA_DIR: 'memory://', ...options.env });
  const hub = await createHub({
    env,
    store,
    mappings: options.mappings ?? [],
    ...(options.routing ? { routing: options.routing } : {}),
    logger: silentLogger,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    hub,
    app: createApp(hub),
    async retailer(input = {}) {
      counter += 1;
      return createRetailer(store.db, { id: input.id ?? `retailer-${counter}`, ...input });
    },
    async close() {
      await hub.transports.closeAll();
      await store.close();
    },
  };
}

/** A canonical order body with sensible defaults. */
export function sampleOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalId: '1001',
    orderNumber: '#1001',
    placedAt: '2026-11-26T10:00:00Z',
    currency: 'USD',
    payment: { status: 'paid', reference: 'ch_123' },
    customer: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+1 555 0100' },
    shipTo: {
      name: 'Ada Lovelace', company: null, address1: '12 Main St', address2: 'Apt 4', city: 'Springfield',
      region: 'IL', postalCode: '62701', country: 'US', phone: '+1 555 0100',
    },
    shipping: { method: 'Standard', carrier: null, serviceLevel: 'GROUND' },
    lines: [{ lineId: '1', sku: 'ACME-TRUCK-01', title: 'Wooden toy truck', quantity: 2, unitPrice: '19.99' }],
    notes: 'Gift wrap',
    ...overrides,
  };
}

export function jsonRequest(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}
