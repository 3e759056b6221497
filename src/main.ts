/**
 * The composition root: config → store → mappings → transports → HTTP + workers + schedules.
 */
import { serve as serveHttp, type ServerType } from '@hono/node-server';
import { loadEnv, type HubEnv } from './config/env.ts';
import { loadMappings, type LoadedMapping } from './config/mapping-loader.ts';
import { HubError } from './errors.ts';
import { createApp } from './http/app.ts';
import type { Hub, TransportRegistry } from './hub.ts';
import { Scheduler } from './jobs/scheduler.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { Worker } from './pipeline/worker.ts';
import { StockPusher } from './pipeline/stock-push.ts';
import { BUILT_IN_POLICIES, type RoutingPolicies } from './routing/policy.ts';
import { loadRoutingPolicy } from './routing/policy-loader.ts';
import { openStore, type Store } from './store/database.ts';
import { mailboxAccounts, mailboxTransportContext, startHubMailbox } from './transports/mailbox/hub.ts';
import type { MailboxServer } from './transports/mailbox/server.ts';
import type { MailboxTransportContext } from './transports/mailbox/transport.ts';
import { createTransport, type SupplierTransport, type TransportOptions } from './transports/transport.ts';

export interface HubOptions {
  env?: HubEnv;
  store?: Store;
  mappings?: LoadedMapping[];
  clock?: () => Date;
  logger?: Logger;
  /** The routing policies; default: routing.yaml in HUB_MAPPINGS_DIR, or the built-in one when `mappings` are given. */
  routing?: RoutingPolicies;
}

/** The store the environment asks for: PostgreSQL (DATABASE_URL, HUB_DB_SCHEMA) or embedded PGlite (HUB_DATA_DIR). */
export function storeOptions(env: HubEnv) {
  return {
    databaseUrl: env.DATABASE_URL,
    dataDir: env.HUB_DATA_DIR,
    poolSize: env.HUB_DB_POOL,
    ...(env.HUB_DB_SCHEMA ? { schema: env.HUB_DB_SCHEMA } : {}),
  };
}

export function createTransportRegistry(
  mappings: Map<string, LoadedMapping>,
  logger: Logger,
  mailbox?: MailboxTransportContext,
  options: Pick<TransportOptions, 'stagingLimitMs'> = {},
): TransportRegistry {
  const transports = new Map<string, SupplierTransport>();
  return {
    get(supplierId) {
      let transport = transports.get(supplierId);
      if (!transport) {
        const loaded = mappings.get(supplierId);
        if (!loaded) throw new HubError('not_found', `no mapping loaded for supplier ${supplierId}`);
        transport = createTransport(supplierId, loaded.mapping.transport, { ...options, logger: logger.child({ supplier: supplierId }), ...(mailbox ? { mailbox } : {}) });
        transports.set(supplierId, transport);
      }
      return transport;
    },
    async closeAll() {
      const all = [...transports.values()];
      transports.clear();
      await Promise.allSettled(all.map((t) => t.close()));
    },
  };
}

/** Builds a hub: opens (and migrates) the store, loads and checks every mapping. */
export async function createHub(options: HubOptions = {}): Promise<Hub> {
  const env = options.env ?? loadEnv();
  const logger = options.logger ?? createLogger({ level: env.LOG_LEVEL });
  const mappingList = options.mappings ?? (await loadMappings(env.HUB_MAPPINGS_DIR));
  const mappings = new Map(mappingList.map((m) => [m.supplier, m]));
  const routing = options.routing ?? (options.mappings ? BUILT_IN_POLICIES : await loadRoutingPolicy(env.HUB_MAPPINGS_DIR));
  const store = options.store ?? (await openStore(storeOptions(env)));
  const clock = options.clock ?? (() => new Date());
  return {
    store,
    env,
    mappings,
    routing,
    clock,
    logger,
    metrics: createMetrics(),
    shopifyApiVersion: env.HUB_SHOPIFY_API_VERSION,
    transports: createTransportRegistry(mappings, logger, mailboxTransportContext(env, store.db, clock), { stagingLimitMs: env.HUB_STAGING_LIMIT_MS }),
  };
}

export interface RunningHub {
  hub: Hub;
  url: string;
  server: ServerType;
  worker: Worker | undefined;
  scheduler: Scheduler | undefined;
  /** The SFTP mailbox, when a mapping uses it and HUB_MAILBOX is not 0. */
  mailbox: MailboxServer | undefined;
  stop(): Promise<void>;
}

export function workerOptions(env: HubEnv) {
  return {
    pollIntervalMs: env.HUB_POLL_INTERVAL_MS,
    overdueIntervalMs: env.HUB_OVERDUE_INTERVAL_MS,
    concurrency: env.HUB_DELIVERY_CONCURRENCY,
    leaseMs: env.HUB_LEASE_MS,
  };
}

/**
 * `hub serve`: the HTTP API and dashboard, plus (unless HUB_WORKERS=0) the workers and inbound
 * schedules, plus (when a mapping uses it, unless HUB_MAILBOX=0) the SFTP mailbox.
 */
export async function startHub(hub: Hub, options: { port?: number; host?: string } = {}): Promise<RunningHub> {
  const app = createApp(hub);
  const port = options.port ?? hub.env.PORT;
  const host = options.host ?? hub.env.HOST;
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serveHttp({ fetch: app.fetch, port, hostname: host }, () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(new HubError('config_invalid', `cannot listen on ${host}:${port}: ${error.code ?? error.message}`, { cause: error })),
    );
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  let worker: Worker | undefined;
  let scheduler: Scheduler | undefined;
  let stockPusher: StockPusher | undefined;
  let mailbox: MailboxServer | undefined;
  if (hub.env.HUB_MAILBOX && mailboxAccounts(hub).size > 0) {
    try {
      mailbox = await startHubMailbox(hub);
    } catch (error) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw error;
    }
  }
  if (hub.env.HUB_WORKERS) {
    worker = new Worker(hub, workerOptions(hub.env));
    worker.start();
    scheduler = new Scheduler(hub);
    scheduler.start();
    stockPusher = new StockPusher(hub, hub.env.HUB_STOCK_PUSH_INTERVAL_MS);
    stockPusher.start();
  }
  hub.logger.info(
    { url, engine: hub.store.engine, suppliers: [...hub.mappings.keys()], workers: hub.env.HUB_WORKERS, ...(mailbox ? { mailbox: `${mailbox.host}:${mailbox.port}` } : {}) },
    'hub started',
  );
  return {
    hub,
    url,
    server,
    worker,
    scheduler,
    mailbox,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await mailbox?.close();
      await scheduler?.stop();
      await stockPusher?.stop();
      await worker?.stop();
      await hub.transports.closeAll();
      await hub.store.close();
    },
  };
}
