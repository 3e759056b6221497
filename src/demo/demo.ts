/**
 * `hub demo` (`npm run demo`): the whole order-processing flow on a fresh machine, in one process,
 * with no services: embedded PGlite in memory, sandbox suppliers on loopback (three SFTP servers,
 * an HTTP API, and one supplier using the hub's own SFTP mailbox) wired through the ordinary mapping
 * files in `mappings/`, a demo retailer with a webhook endpoint and a sandbox Shopify store, and
 * nine sample orders posted through the real HTTP API. It prints each order's timeline as it happens and a summary once every order is shipped, then
 * leaves the API and the dashboard up until Ctrl-C (or exits, with `--no-wait`).
 *
 * See docs/demo.md for the walk-through.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import pretty from 'pino-pretty';
import { loadEnv } from '../config/env.ts';
import { loadMappings, type LoadedMapping } from '../config/mapping-loader.ts';
import { errorMessage } from '../errors.ts';
import { REDACT_PATHS } from '../logger.ts';
import { createHub, startHub, type RunningHub } from '../main.ts';
import { packageRoot } from '../package-root.ts';
import { loadRoutingPolicy } from '../routing/policy-loader.ts';
import { createRetailer } from '../store/retailers.ts';
import { demoOrders, type DemoOrder } from './orders.ts';
import { createPrinter, describeEvent, padVisible, summaryTable, type Printer, type SummaryRow } from './output.ts';
import { startSandboxShopify, startWebhookReceiver, type ReceivedEvent } from './retailer.ts';
import { startSandbox, type Sandbox } from './suppliers.ts';

export interface DemoOptions {
  /** Stay up (API and dashboard) after the run until SIGINT/SIGTERM; false: return as soon as it is done. */
  keepRunning: boolean;
  /** Give up (exit code 1) when not every order is shipped by then. Default 60 s. */
  timeoutMs?: number;
  /** Where the demo writes its output. Default stdout. */
  out?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** The repository's example mappings, wherever the command is run from (and from src/ or dist/src/). */
export const MAPPINGS_DIR = path.join(packageRoot(import.meta.url), 'mappings');

const RETAILER_ID = 'demo-shop';
const SHOPIFY_API_VERSION = '2025-10';
const INBOUND_POLL_MS = 1000;

/** Runs the demo; resolves with the process exit code (0: every order shipped with tracking). */
export async function runDemo(options: DemoOptions): Promise<number> {
  const started = Date.now();
  const p = createPrinter(options.out ?? process.stdout, started);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
    cleanups.length = 0;
  };

  try {
    const workDir = await mkdtemp(path.join(tmpdir(), 'hub-demo-'));
    cleanups.push(() => rm(workDir, { recursive: true, force: true }));

    p.line(p.bold('dropship hub demo') + p.dim(' — the whole flow in one process: no database server, no real suppliers needed'));
    p.line();

    // 1. Sandbox suppliers, and the environment the example mappings read.
    const timeline = new Timeline(p);
    const sandbox = await startSandbox(workDir, (supplier, message) => {
      if (message.startsWith('error')) timeline.actor('', supplier, p.paint(31, message));
      else if (message.includes('(846:')) timeline.actor('', supplier, message); // its stock, before any order
      else if (message.includes('(ORDERS ') || message.includes('(CONTRL:')) timeline.actor('', supplier, message); // the EDIFACT partner's side
    });
    cleanups.push(() => sandbox.close());
    const mappings = await loadDemoMappings(sandbox);

    // 2. The retailer's webhook endpoint and its (sandbox) Shopify store.
    const webhookSecret = randomBytes(24).toString('base64url');
    const receiver = await startWebhookReceiver(webhookSecret, (event, duplicate) => timeline.webhook(event, duplicate));
    cleanups.push(() => receiver.close());
    const shopifyToken = `shpat_${randomBytes(16).toString('hex')}`;
    const shop = await startSandboxShopify(shopifyToken, SHOPIFY_API_VERSION, (f) =>
      timeline.received(f.orderName, 'shopify (sandbox)', `fulfillment created: ${f.company} ${f.numbers.join(', ')} (${f.items} item${f.items === 1 ? '' : 's'})${f.notifyCustomer ? ', customer emailed' : ''}`),
    );
    cleanups.push(() => shop.close());

    // 3. The hub: embedded database in memory, the mappings above, workers on, quiet logs.
    const adminToken = process.env.HUB_ADMIN_TOKEN || `adm_${randomBytes(32).toString('base64url')}`;
    const env = loadEnv({
      HUB_DATA_DIR: 'memory://',
      HUB_MAPPINGS_DIR: MAPPINGS_DIR,
      HUB_ADMIN_TOKEN: adminToken,
      HUB_WORKERS: '1',
      HUB_POLL_INTERVAL_MS: '500',
      HUB_SHOPIFY_API_VERSION: SHOPIFY_API_VERSION,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      // The hub's SFTP mailbox, for the supplier without a server of its own (Wonka).
      HUB_SFTP_HOST: '127.0.0.1',
      HUB_SFTP_PORT: '0',
      HUB_SFTP_HOST_KEY_FILE: path.join(workDir, 'mailbox_host_ed25519_key'),
    });
    const logger = pino(
      { level: 'warn', redact: { paths: REDACT_PATHS, censor: '***' } },
      pretty({ destination: 2, colorize: process.stderr.isTTY === true, ignore: 'pid,hostname', sync: true }),
    );
    p.line(p.dim('starting: embedded database (migrations), sandbox suppliers, hub…'));
    // routing.yaml beside the example mappings: stock first, reroutes on (docs/routing.md).
    const hub = await createHub({ env, mappings, logger, routing: await loadRoutingPolicy(MAPPINGS_DIR, sandbox.env) });
    let running: RunningHub | undefined;
    cleanups.push(async () => (running ? running.stop() : hub.store.close()));
    const shopifySecret = randomBytes(24).toString('base64url');
    const retailer = await createRetailer(hub.store.db, {
      id: RETAILER_ID,
      name: 'Demo Shop',
      webhookUrl: receiver.url,
      webhookSecret,
      shopifySecret,
      shopifyShopUrl: shop.url,
      shopifyAccessToken: shopifyToken,
    });
    running = await startHub(hub, { port: await freePort(Number(process.env.PORT ?? 8080), '127.0.0.1'), host: '127.0.0.1' });
    const hubUrl = running.url;
    const mailbox = running.mailbox;
    sandbox.start(hub.mappings, hubUrl, mailbox && { host: mailbox.host, port: mailbox.port, fingerprint: mailbox.fingerprint });

    printSetup(p, hub.mappings, hubUrl, receiver.url, shop.url, mailbox && `sftp://${mailbox.host}:${mailbox.port}, host key ${mailbox.fingerprint.slice(0, 19)}…`);

    // 4. Inbound polls every second (the mapping schedules are minutes apart), and the timeline.
    const scheduler = running.scheduler!;
    const worker = running.worker!;
    const sftpSuppliers = [...hub.mappings.values()].filter((m) => m.mapping.transport.type === 'sftp').map((m) => m.supplier);
    const polls = startLoop(INBOUND_POLL_MS, async () => {
      await Promise.all(sftpSuppliers.map((s) => scheduler.runOnce(s)));
      worker.kick();
    });
    cleanups.push(() => polls.stop());

    // ACME's 846 (it sends one when stock changes) is read before the orders come in, so that the
    // router knows it is out of delta kites.
    await waitForStock(hub.store.db, 'acme-toys', Date.now() + 15_000);

    // 5. The sample orders, through the real HTTP API.
    p.line(p.bold('timeline') + p.dim('  (time since start, order, its status, what happened)'));
    const api = new DemoApi(hubUrl, retailer.apiKey, shopifySecret);
    const orders = demoOrders();
    const ids = new Map<string, string>();
    for (const order of orders) {
      if (order.via === 'shopify') shop.addOrder(order.body);
      const placed = await api.place(order);
      ids.set(placed.id, order.orderNumber);
      timeline.orders.set(placed.id, order.orderNumber);
      timeline.actor(order.orderNumber, 'retailer', `${placed.route} → ${placed.status}  ${p.dim(order.story)}`);
      if (order.via === 'shopify' && order.payLaterMs !== undefined) {
        const body = { ...order.body, financial_status: 'paid' };
        setTimeout(() => {
          void api
            .shopify('orders/paid', body)
            .then((res) => timeline.actor(order.orderNumber, 'retailer', `POST /v1/webhooks/shopify/${RETAILER_ID} (orders/paid) → ${res.status}`))
            .catch((error) => timeline.actor(order.orderNumber, 'retailer', `orders/paid failed: ${errorMessage(error)}`));
        }, order.payLaterMs).unref();
      }
    }

    const printing = startLoop(200, () => timeline.poll(hub.store.db));
    cleanups.push(() => printing.stop());

    // 6. Until every order is shipped (or stuck).
    const outcome = await waitForShipped(hub.store.db, [...ids.keys()], started + timeoutMs);
    await timeline.poll(hub.store.db);
    if (outcome === 'shipped') await waitForOutbox(hub.store.db, 5000, () => timeline.poll(hub.store.db));
    await timeline.poll(hub.store.db);

    const rows: SummaryRow[] = [];
    const views = [];
    for (const id of ids.keys()) {
      const view = await api.order(id);
      views.push(view);
      rows.push({
        orderNumber: view.orderNumber,
        status: view.status,
        pos: view.purchaseOrders.map((po) => `${po.poNumber} (${po.supplierId})`),
        carriers: view.shipments.map((s) => s.carrierName ?? s.carrier ?? '?'),
        tracking: view.shipments.flatMap((s) => s.trackingNumbers),
      });
    }
    p.line();
    p.line(p.bold('summary'));
    for (const line of summaryTable(p, rows)) p.line(line);
    p.line();

    const ok = outcome === 'shipped' && views.every((v) => v.status === 'shipped' && v.shipments.length > 0 && v.shipments.every((s) => s.trackingNumbers.length > 0));
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (ok) {
      p.line(
        p.paint(32, `✔ all ${views.length} orders shipped with tracking in ${seconds} s`) +
          p.dim(` — ${sandbox.received()} POs to ${hub.mappings.size} suppliers, ${receiver.events.length} signed webhooks to the retailer, ${shop.fulfillments.length} Shopify fulfillments`),
      );
    } else {
      p.line(p.paint(31, `✘ not every order shipped after ${seconds} s:`));
      for (const v of views.filter((v) => v.status !== 'shipped')) {
        p.line(`  ${v.orderNumber}  ${p.status(v.status)}${v.statusReason ? `: ${v.statusReason}` : ''}`);
        for (const po of v.purchaseOrders) p.line(`      PO ${po.poNumber} (${po.supplierId}): ${po.status}${po.statusReason ? ` — ${po.statusReason}` : ''}`);
        for (const doc of v.documents.filter((d) => d.lastError)) p.line(`      ${doc.direction} ${doc.filename}: ${doc.status} — ${doc.lastError}`);
      }
    }
    p.line();
    p.line(`  API        ${hubUrl}/v1   ${p.dim(`(OpenAPI: ${hubUrl}/openapi.json)`)}`);
    p.line(`  dashboard  ${hubUrl}/`);
    p.line(`  admin      HUB_ADMIN_TOKEN=${adminToken}${process.env.HUB_ADMIN_TOKEN ? p.dim(' (from the environment)') : p.dim(' (generated for this run)')}`);
    p.line(`  retailer   ${RETAILER_ID}, API key ${retailer.apiKey}`);

    if (options.keepRunning) {
      p.line();
      p.line(p.dim('The hub and the sandbox suppliers stay up: post more orders, e.g.'));
      p.line(p.dim(`  curl -s ${hubUrl}/v1/orders -H 'authorization: Bearer ${retailer.apiKey}' -H 'content-type: application/json' -d @test/fixtures/orders/split-order.json`));
      p.line(p.dim('Ctrl-C to stop.'));
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      p.line(p.dim('stopping…'));
    }
    return ok ? 0 : 1;
  } catch (error) {
    p.line(p.paint(31, `demo failed: ${errorMessage(error)}`));
    return 1;
  } finally {
    await cleanup();
  }
}

/**
 * The example mappings, loaded unchanged with the sandbox's environment. ACME's and Initech's files
 * name their real servers' ports (22, 2222); the sandbox servers listen wherever the OS put them, so
 * the loaded transport is pointed there — what an integrator's test setup does with a port-forward.
 */
async function loadDemoMappings(sandbox: Sandbox): Promise<LoadedMapping[]> {
  const mappings = await loadMappings(MAPPINGS_DIR, sandbox.env);
  for (const loaded of mappings) {
    const server = sandbox.sftp.find((s) => s.supplier === loaded.supplier)?.server;
    if (loaded.mapping.transport.type === 'sftp' && server) {
      loaded.mapping.transport.port = server.port;
      // Short timeouts and retries: everything is on loopback.
      loaded.mapping.transport.timeoutMs = 5000;
      loaded.mapping.transport.retry = { ...loaded.mapping.transport.retry, baseDelayMs: 200, maxDelayMs: 2000 };
    }
  }
  const expected = ['acme-toys', 'globex', 'initech', 'umbrella', 'wonka', 'hanse'];
  const missing = expected.filter((s) => !mappings.some((m) => m.supplier === s));
  if (missing.length) throw new Error(`the demo needs the example mappings ${missing.join(', ')} in ${MAPPINGS_DIR}`);
  return mappings.filter((m) => expected.includes(m.supplier));
}

/** `preferred` when it is free on `host`, else any free port (0). */
async function freePort(preferred: number, host: string): Promise<number> {
  if (!Number.isInteger(preferred) || preferred <= 0) return 0;
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(0));
    probe.listen(preferred, host, () => probe.close(() => resolve(preferred)));
  });
}

function printSetup(p: Printer, mappings: Map<string, LoadedMapping>, hubUrl: string, webhookUrl: string, shopUrl: string, mailbox?: string): void {
  const row = (label: string, text: string) => p.line(`  ${padVisible(p.dim(label), 10)} ${text}`);
  row('database', 'embedded PGlite, in memory (HUB_DATA_DIR=memory://)');
  let first = true;
  for (const loaded of mappings.values()) {
    const { mapping } = loaded;
    const t = mapping.transport;
    const format =
      mapping.outbound.format === 'x12-850'
        ? `X12 850 ${mapping.outbound.x12?.version ?? ''}`
        : mapping.outbound.format === 'edifact-orders'
          ? `EDIFACT ORDERS ${mapping.outbound.edifact?.version ?? ''}`
          : mapping.outbound.format.toUpperCase();
    const where =
      t.type === 'sftp'
        ? `sftp://${t.username}@${t.host}:${t.port}${t.password !== undefined ? ' (password)' : t.passphrase !== undefined ? ' (key + passphrase)' : ' (key)'}, host key ${t.hostKey.slice(0, 19)}…`
        : t.type === 'http'
          ? `${t.url} (pushes tracking to the hub)`
          : `logs in to the hub's mailbox as ${loaded.supplier} (key), picks up from-hub/, drops in to-hub/`;
    row(first ? 'suppliers' : '', `${padVisible(loaded.supplier, 10)} ${padVisible(format + ' over ' + t.type.toUpperCase(), 27)} ${p.dim(where)}`);
    first = false;
  }
  row('retailer', `${RETAILER_ID}: webhooks → ${webhookUrl} (signature checked), Shopify store (sandbox) ${shopUrl}`);
  row('hub', `${hubUrl}  (mappings: ${path.relative(process.cwd(), MAPPINGS_DIR) || MAPPINGS_DIR})`);
  if (mailbox) row('mailbox', `${mailbox}  (the hub's own SFTP server, for suppliers without one)`);
  p.line();
}

/** Runs `fn` again `ms` after each run ends, until stopped. */
function startLoop(ms: number, fn: () => Promise<unknown>): { stop(): Promise<void> } {
  let stopped = false;
  let wake: (() => void) | undefined;
  const run = (async () => {
    while (!stopped) {
      await fn().catch(() => undefined);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, ms);
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await run;
    },
  };
}

type Db = import('../hub.ts').Hub['store']['db'];

async function waitForShipped(db: Db, orderIds: string[], deadline: number): Promise<'shipped' | 'stuck' | 'timeout'> {
  for (;;) {
    const rows = await db.selectFrom('orders').select(['id', 'status']).where('id', 'in', orderIds).execute();
    if (rows.length === orderIds.length && rows.every((r) => r.status === 'shipped')) return 'shipped';
    if (rows.length === orderIds.length && rows.every((r) => ['shipped', 'exception', 'cancelled'].includes(r.status))) return 'stuck';
    if (Date.now() > deadline) return 'timeout';
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Until a supplier's stock feed has been applied (it is polled every second), or the deadline. */
async function waitForStock(db: Db, supplier: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const row = await db.selectFrom('inventory').select('supplier_id').where('supplier_id', '=', supplier).executeTakeFirst();
    if (row) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Lets the last webhooks and Shopify fulfillments go out before the summary. */
async function waitForOutbox(db: Db, ms: number, tick: () => Promise<void>): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const pending = await db.selectFrom('documents').select((eb) => eb.fn.countAll<number>().as('n')).where('direction', '=', 'out').where('status', '=', 'pending').executeTakeFirst();
    await tick();
    if (Number(pending?.n ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Prints timeline events from the database as they are recorded, and what the retailer's side sees. */
class Timeline {
  readonly orders = new Map<string, string>();
  private readonly statuses = new Map<string, string>();
  private lastId = 0;
  private polling: Promise<void> | undefined;
  private queue: { at: number; line: () => void }[] = [];

  constructor(private readonly p: Printer) {}

  private print(orderNumber: string, status: string, what: string, detail: string): void {
    const p = this.p;
    p.line(`  ${p.dim(p.elapsed())}  ${padVisible(p.bold(orderNumber), 6)}  ${padVisible(status, 17)}  ${padVisible(what, 24)} ${detail}`);
  }

  /** Something outside the hub did (the retailer, its shop, a supplier). */
  actor(orderNumber: string, who: string, detail: string): void {
    this.print(orderNumber, this.p.dim('·'), this.p.dim(who), detail);
  }

  /**
   * What the retailer received: printed after the hub events read by the next poll, since the hub
   * sends it only once its cause is committed (so the timeline reads in causal order).
   */
  received(orderNumber: string, who: string, detail: string): void {
    this.queue.push({ at: Date.now(), line: () => this.actor(orderNumber, who, detail) });
  }

  webhook(event: ReceivedEvent, duplicate: boolean): void {
    const d = event.data as { shipment?: { carrier?: { name?: string }; trackingNumbers?: string[] }; poNumber?: string; status?: string; reason?: string };
    const detail =
      event.type === 'order.shipped'
        ? `${d.shipment?.carrier?.name ?? '?'} ${(d.shipment?.trackingNumbers ?? []).join(', ')}`
        : event.type === 'order.acknowledged'
          ? `${d.poNumber ?? ''} ${d.status ?? ''}`
          : (d.reason ?? '');
    this.received(event.order.orderNumber, 'retailer webhook', `${this.p.paint(36, event.type)} ${detail} ${this.p.dim(duplicate ? '(redelivery, ignored)' : '(signature ok)')}`);
  }

  poll(db: Db): Promise<void> {
    this.polling ??= this.read(db).finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async read(db: Db): Promise<void> {
    const startedAt = Date.now();
    const events = await db
      .selectFrom('order_events')
      .innerJoin('orders', 'orders.id', 'order_events.order_id')
      .select(['order_events.id', 'order_events.order_id', 'order_events.type', 'order_events.cause', 'order_events.status', 'order_events.data', 'orders.order_number'])
      .where('order_events.id', '>', String(this.lastId))
      .where('orders.retailer_id', '=', RETAILER_ID)
      .orderBy('order_events.id')
      .execute();
    for (const e of events) {
      this.lastId = Math.max(this.lastId, Number(e.id));
      const data = (typeof e.data === 'string' ? JSON.parse(e.data) : e.data) as Record<string, unknown> | null;
      const to = e.type === 'status_changed' ? String(data?.to ?? e.status) : e.status;
      if (to) this.statuses.set(e.order_id, to);
      // Status changes show in the status column; skip their own line unless it says something new.
      const status = this.statuses.get(e.order_id) ?? '';
      const type = e.type === 'status_changed' ? this.p.paint(1, 'status') : e.type;
      this.print(e.order_number, this.p.status(status), type, describeEvent(e.type, e.cause, data));
    }
    const due = this.queue.filter((q) => q.at < startedAt);
    this.queue = this.queue.filter((q) => q.at >= startedAt);
    for (const q of due) q.line();
  }
}

interface OrderViewJson {
  id: string;
  orderNumber: string;
  status: string;
  statusReason: string | null;
  purchaseOrders: { poNumber: string; supplierId: string; status: string; statusReason: string | null }[];
  documents: { direction: string; filename: string; status: string; lastError: string | null }[];
  shipments: { carrier: string | null; carrierName: string | null; trackingNumbers: string[] }[];
}

/** The retailer's side of the HTTP API: orders in (canonical or Shopify webhooks), orders read. */
class DemoApi {
  private webhookIds = 0;

  constructor(
    private readonly url: string,
    private readonly apiKey: string,
    private readonly shopifySecret: string,
  ) {}

  async place(order: DemoOrder): Promise<{ id: string; status: number; route: string }> {
    if (order.via === 'shopify') {
      const res = await this.shopify('orders/create', order.body);
      const body = (await res.json()) as { id?: string; error?: { message: string } };
      if (!res.ok || !body.id) throw new Error(`Shopify webhook for ${order.orderNumber} answered ${res.status}: ${JSON.stringify(body)}`);
      return { id: body.id, status: res.status, route: `POST /v1/webhooks/shopify/${RETAILER_ID} (orders/create)` };
    }
    const res = await fetch(`${this.url}/v1/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(order.body),
    });
    const body = (await res.json()) as { id?: string };
    if (!res.ok || !body.id) throw new Error(`POST /v1/orders for ${order.orderNumber} answered ${res.status}: ${JSON.stringify(body)}`);
    return { id: body.id, status: res.status, route: 'POST /v1/orders' };
  }

  /** A Shopify webhook delivery, signed as Shopify signs it (base64 HMAC-SHA256 of the raw body). */
  async shopify(topic: string, order: unknown): Promise<Response> {
    const raw = JSON.stringify(order);
    const res = await fetch(`${this.url}/v1/webhooks/shopify/${RETAILER_ID}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-hmac-sha256': createHmac('sha256', this.shopifySecret).update(raw).digest('base64'),
        'x-shopify-webhook-id': `demo-${Date.now()}-${++this.webhookIds}`,
        'x-shopify-shop-domain': 'demo-shop.myshopify.com',
        'x-shopify-api-version': SHOPIFY_API_VERSION,
      },
      body: raw,
    });
    if (!res.ok) throw new Error(`Shopify ${topic} answered ${res.status}: ${await res.text()}`);
    return res;
  }

  async order(id: string): Promise<OrderViewJson> {
    const res = await fetch(`${this.url}/v1/orders/${id}`, { headers: { authorization: `Bearer ${this.apiKey}` } });
    if (!res.ok) throw new Error(`GET /v1/orders/${id} answered ${res.status}`);
    return (await res.json()) as OrderViewJson;
  }
}
