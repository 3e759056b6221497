/**
 * Security: secrets never leave the hub. A hub whose pino output is captured runs deliveries with a
 * password-auth SFTP supplier that works (sandbox server), one whose password the real sshd refuses,
 * one with an encrypted key and its passphrase, one whose server presents another host key (nothing
 * may be written there), and an HTTP supplier with a bearer token and credentials in its URL; a
 * retailer with every secret a retailer has. Then no secret may appear in the logs, error responses,
 * documents (last_error, receipt), events, /metrics, the admin API or the dashboard pages.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { utils } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/config/env.ts';
import { createApp } from '../../src/http/app.ts';
import { ADMIN_COOKIE, sessionValue } from '../../src/http/request.ts';
import type { Hub } from '../../src/hub.ts';
import { base64Hmac } from '../../src/intake/signatures.ts';
import { createLogger } from '../../src/logger.ts';
import { createHub } from '../../src/main.ts';
import { pollSupplier } from '../../src/pipeline/poll.ts';
import { Worker } from '../../src/pipeline/worker.ts';
import { createRetailer } from '../../src/store/retailers.ts';
import { startSandboxSftpServer, type SandboxSftpServer } from '../../src/transports/sandbox-sftp-server.ts';
import { openTestStore } from '../helpers/db.ts';
import { startHttpPeer, type HttpPeer } from '../helpers/http-peer.ts';
import { ADMIN_TOKEN, jsonRequest, sampleOrder } from '../helpers/hub.ts';
import { writeMapping } from '../helpers/mappings.ts';
import { startSftpServer, type SftpPeer } from '../helpers/sftp-server.ts';

const SECRETS = {
  sftpPasswordOk: 'Pw-ok-7f3a9c1e5b2d',
  sftpPasswordBad: 'Pw-bad-2c8e4a6f0d1b',
  keyPassphrase: 'Pass-phrase-9d7b5f3e1a',
  httpToken: 'Bearer-tok-4e6a8c0b2d9f',
  urlPassword: 'Url-pw-1b3d5f7a9c2e',
  urlQueryKey: 'Url-key-8a6c4e2b0d7f',
  inboundToken: 'Inbound-tok-5c7e9a1b3d6f',
  webhookSecret: 'Webhook-sec-3f5b7d9e1a4c',
  shopifySecret: 'Shopify-sec-6d8f0b2c4e7a',
  wooSecret: 'Woo-sec-0e2c4a6b8d1f',
  shopifyAccessToken: 'shpat_a1c3e5b7d9f2',
  hookQueryToken: 'Hook-qtok-7c9e1a3b5d8f',
  deadHookQueryToken: 'Dead-hook-qtok-4b6d8f0a2c',
  adminToken: ADMIN_TOKEN,
};
/** An HTTP supplier whose error page echoes the request (headers included). */
const ECHO_TOKEN = 'Echo-tok-2a4c6e8b0d3f';

let store: Awaited<ReturnType<typeof openTestStore>>;
let hub: Hub;
let app: ReturnType<typeof createApp>;
let peer: SftpPeer;
let sandbox: SandboxSftpServer;
let sandboxRoot: string;
let httpPeer: HttpPeer;
let retailerPeer: HttpPeer;
let keyDir: string;
let apiKey: string;
/** API keys of the retailers whose webhook URLs hold a token. */
const hookKeys: Record<string, string> = {};
/** Lines of private key material (PEM bodies) that must never be printed. */
const keyMaterial: string[] = [];
let logs = '';
/** Every response body the tests saw (errors included). */
const responses: string[] = [];

const sink = new Writable({
  write(chunk, _encoding, done) {
    logs += chunk.toString();
    done();
  },
});

const retry = { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 20 };
const json = { format: 'json', filename: '{poNumber}.json', template: "{ 'po': poNumber }" };

function sftpMapping(supplier: string, transport: Record<string, unknown>, env: Record<string, string>) {
  return writeMapping(
    {
      supplier,
      name: supplier,
      skus: { prefixes: [`${supplier.toUpperCase()}-`] },
      transport: { type: 'sftp', outboundDir: 'in', inboundDir: 'out', createDirs: true, timeoutMs: 5000, retry, ...transport },
      outbound: json,
      inbound: { files: [{ match: '*.json', format: 'json' }] },
    },
    env,
  );
}

function pemBody(pem: string): string[] {
  return pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
}

beforeAll(async () => {
  peer = await startSftpServer();
  sandboxRoot = mkdtempSync(path.join(tmpdir(), 'hub-sec-sandbox-'));
  sandbox = await startSandboxSftpServer({ root: sandboxRoot, users: [{ username: 'pwuser', password: SECRETS.sftpPasswordOk }] });
  keyDir = mkdtempSync(path.join(tmpdir(), 'hub-sec-keys-'));
  const encrypted = utils.generateKeyPairSync('ed25519', { passphrase: SECRETS.keyPassphrase, cipher: 'aes256-ctr' } as never);
  const encryptedPath = path.join(keyDir, 'encrypted_key');
  writeFileSync(encryptedPath, encrypted.private, { mode: 0o600 });
  keyMaterial.push(...pemBody(encrypted.private), ...pemBody(readFileSync(peer.privateKeyPath, 'utf8')));

  httpPeer = await startHttpPeer([], { status: 503, body: 'supplier down, try later' });
  retailerPeer = await startHttpPeer([], { status: 500, body: 'retailer endpoint broken' });
  const echoPeer = await startHttpPeer([], (request) => ({ status: 400, body: `bad request; you sent ${JSON.stringify(request.headers)}` }));

  const mappings = [
    await sftpMapping('pwok', { host: '${H}', port: '${P}', username: 'pwuser', password: '${PW}', hostKey: '${HK}' }, {
      H: sandbox.host, P: String(sandbox.port), PW: SECRETS.sftpPasswordOk, HK: sandbox.hostKeyFingerprint,
    }),
    await sftpMapping('pwbad', { host: '${H}', port: '${P}', username: '${U}', password: '${PW}', hostKey: '${HK}' }, {
      H: peer.host, P: String(peer.port), U: peer.username, PW: SECRETS.sftpPasswordBad, HK: peer.hostKeyFingerprint,
    }),
    await sftpMapping('keypass', { host: '${H}', port: '${P}', username: '${U}', privateKey: '${K}', passphrase: '${KP}', hostKey: '${HK}' }, {
      H: peer.host, P: String(peer.port), U: peer.username, K: encryptedPath, KP: SECRETS.keyPassphrase, HK: peer.hostKeyFingerprint,
    }),
    await sftpMapping('hostkey', { host: '${H}', port: '${P}', username: '${U}', privateKey: '${K}', hostKey: '${HK}' }, {
      // The right user and key, but the fingerprint of another server: must not even log in.
      H: peer.host, P: String(peer.port), U: peer.username, K: peer.privateKeyPath, HK: sandbox.hostKeyFingerprint,
    }),
    await writeMapping(
      {
        supplier: 'api',
        name: 'api',
        skus: { prefixes: ['API-'] },
        transport: { type: 'http', url: '${URL}', auth: { type: 'bearer', token: '${TOKEN}' }, inboundToken: '${INBOUND}', retry },
        outbound: json,
      },
      { URL: `http://hub:${SECRETS.urlPassword}@127.0.0.1:${new URL(httpPeer.url).port}/po?api_key=${SECRETS.urlQueryKey}`, TOKEN: SECRETS.httpToken, INBOUND: SECRETS.inboundToken },
    ),
    await writeMapping(
      {
        supplier: 'echo',
        name: 'echo',
        skus: { prefixes: ['ECHO-'] },
        transport: { type: 'http', url: `${echoPeer.url}/po`, auth: { type: 'bearer', token: '${TOKEN}' }, retry },
        outbound: json,
      },
      { TOKEN: ECHO_TOKEN },
    ),
  ];
  (globalThis as { echoPeer?: HttpPeer }).echoPeer = echoPeer;

  store = await openTestStore();
  const env = loadEnv({ HUB_ADMIN_TOKEN: ADMIN_TOKEN, HUB_DATA_DIR: 'memory://' });
  hub = await createHub({ env, store, mappings, logger: createLogger({ level: 'debug', destination: sink }) });
  app = createApp(hub);
  const retailer = await createRetailer(store.db, {
    id: 'shop',
    webhookUrl: `${retailerPeer.url}/hooks`,
    webhookSecret: SECRETS.webhookSecret,
    shopifySecret: SECRETS.shopifySecret,
    woocommerceSecret: SECRETS.wooSecret,
    shopifyShopUrl: retailerPeer.url,
    shopifyAccessToken: SECRETS.shopifyAccessToken,
  });
  apiKey = retailer.apiKey;
  // Retailers whose webhook URLs carry a token in the query: one answers 500, one cannot be reached.
  hookKeys.hooked = (await createRetailer(store.db, { id: 'hooked', webhookUrl: `${retailerPeer.url}/hooks?token=${SECRETS.hookQueryToken}` })).apiKey;
  hookKeys.deadhook = (await createRetailer(store.db, { id: 'deadhook', webhookUrl: `http://127.0.0.1:9/hooks?key=${SECRETS.deadHookQueryToken}` })).apiKey;
}, 60_000);

afterAll(async () => {
  await hub?.transports.closeAll();
  await store?.close();
  await sandbox?.close();
  await peer?.close();
  await httpPeer?.close();
  await retailerPeer?.close();
  await (globalThis as { echoPeer?: HttpPeer }).echoPeer?.close();
  rmSync(keyDir, { recursive: true, force: true });
  rmSync(sandboxRoot, { recursive: true, force: true });
});

async function request(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await app.request(url, init);
  responses.push(`${init.method ?? 'GET'} ${url} → ${res.status}\n${await res.clone().text()}`);
  return res;
}

function leaks(haystack: string, secrets: readonly string[]): string[] {
  return secrets.filter((s) => haystack.includes(s));
}

const allSecrets = () => [...Object.values(SECRETS), apiKey, ...Object.values(hookKeys), ...keyMaterial];

async function placeOrder(supplier: string): Promise<string> {
  const res = await request(
    '/v1/orders',
    jsonRequest(sampleOrder({ externalId: `sec-${supplier}`, orderNumber: `#SEC-${supplier}`, lines: [{ lineId: '1', sku: `${supplier.toUpperCase()}-1`, title: 'x', quantity: 1, unitPrice: '1.00' }] }), {
      authorization: `Bearer ${apiKey}`,
    }),
  );
  expect(res.status).toBe(201);
  return (await res.json()).id;
}

async function poDocument(orderId: string) {
  return hub.store.db.selectFrom('documents').selectAll().where('order_id', '=', orderId).where('kind', '=', 'po').executeTakeFirstOrThrow();
}

describe('secrets stay out of logs, errors, metrics and pages', () => {
  const orders: Record<string, string> = {};

  it('runs deliveries that succeed and fail in every way', async () => {
    for (const supplier of ['pwok', 'pwbad', 'keypass', 'hostkey', 'api', 'echo']) orders[supplier] = await placeOrder(supplier);
    // A cancelled order of each webhook retailer: an order.cancelled event for the worker to send.
    for (const [retailer, key] of Object.entries(hookKeys)) {
      const headers = { authorization: `Bearer ${key}` };
      const placed = await request('/v1/orders', jsonRequest(sampleOrder({ externalId: `hook-${retailer}`, orderNumber: `#SEC-${retailer}`, lines: [{ lineId: '1', sku: 'NOSUCH-1', title: 'x', quantity: 1, unitPrice: '1.00' }] }), headers));
      expect(placed.status).toBe(201);
      orders[retailer] = (await placed.json()).id;
      expect((await request(`/v1/orders/${orders[retailer]}/cancel`, { method: 'POST', headers })).status).toBe(200);
    }
    const worker = new Worker(hub, { pollIntervalMs: 60_000, overdueIntervalMs: 60_000, concurrency: 6, leaseMs: 30_000 });
    await worker.pass();
    await worker.stop();

    const pwok = await poDocument(orders.pwok!);
    expect(pwok.status).toBe('sent');
    expect(readdirSync(path.join(sandboxRoot, 'in'))).toContain(pwok.filename);

    const pwbad = await poDocument(orders.pwbad!);
    expect(pwbad).toMatchObject({ status: 'failed', error_code: 'transport_auth_failed' });
    const keypass = await poDocument(orders.keypass!);
    expect(keypass).toMatchObject({ status: 'failed', error_code: 'transport_auth_failed' });
    const api = await poDocument(orders.api!);
    expect(api.status).toBe('failed');
    expect(httpPeer.requests[0]?.headers.authorization).toBe(`Bearer ${SECRETS.httpToken}`);
  });

  it('retailer webhooks with a token in the URL failed (500, unreachable), and say so without the token', async () => {
    for (const retailer of Object.keys(hookKeys)) {
      const event = await hub.store.db.selectFrom('documents').selectAll().where('order_id', '=', orders[retailer]!).where('kind', '=', 'event').executeTakeFirstOrThrow();
      expect(event.last_error, retailer).toMatch(/\/hooks\?\*\*\*/);
    }
    expect(retailerPeer.requests.some((r) => r.url.includes(SECRETS.hookQueryToken))).toBe(true);
  });

  it('refuses a server presenting another host key: nothing written there, no login attempted', async () => {
    const doc = await poDocument(orders.hostkey!);
    expect(doc).toMatchObject({ status: 'failed', error_code: 'transport_host_key_mismatch' });
    expect(existsSync(path.join(peer.root, 'in', doc.filename))).toBe(false);
    expect(existsSync(path.join(peer.root, 'in')) ? readdirSync(path.join(peer.root, 'in')) : []).toEqual([]);
  });

  it('runs the other paths that handle secrets: polls, probes, forged webhooks, wrong sign-ins, pushes', async () => {
    await expect(pollSupplier(hub, 'pwbad')).rejects.toThrow();
    await expect(pollSupplier(hub, 'hostkey')).rejects.toThrow();
    for (const supplier of ['pwok', 'pwbad', 'keypass', 'hostkey', 'api']) {
      responses.push(JSON.stringify(await hub.transports.get(supplier).probe()));
    }
    const body = JSON.stringify({ id: 1 });
    await request('/v1/webhooks/shopify/shop', { method: 'POST', headers: { 'content-type': 'application/json', 'x-shopify-topic': 'orders/create', 'x-shopify-hmac-sha256': base64Hmac(body, 'wrong') }, body });
    await request('/v1/webhooks/shopify/shop', { method: 'POST', headers: { 'content-type': 'application/json', 'x-shopify-topic': 'orders/create', 'x-shopify-hmac-sha256': base64Hmac(body, SECRETS.shopifySecret) }, body });
    await request('/v1/webhooks/woocommerce/shop', { method: 'POST', headers: { 'content-type': 'application/json', 'x-wc-webhook-topic': 'order.created', 'x-wc-webhook-signature': base64Hmac(body, SECRETS.wooSecret) }, body });
    await request('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${SECRETS.adminToken}x` });
    await request('/v1/orders', { headers: { authorization: `Bearer ${apiKey}x` } });
    await request('/v1/suppliers/api/documents', { method: 'POST', headers: { authorization: `Bearer ${SECRETS.inboundToken}`, 'x-filename': 'x.json', 'content-type': 'application/json' }, body: '{"type":"shipment"' });
    await request('/v1/suppliers/api/documents', { method: 'POST', headers: { authorization: `Bearer ${SECRETS.inboundToken}z` }, body: '{}' });
    await request('/v1/orders', jsonRequest({ externalId: 1 }, { authorization: `Bearer ${apiKey}` }));
  });

  it('the logs hold none of them (and did log the failures)', () => {
    expect(logs).toMatch(/document dead-lettered/);
    expect(logs).toMatch(/host key/);
    expect(leaks(logs, allSecrets())).toEqual([]);
  });

  it('error responses and probe reports hold none of them', () => {
    expect(leaks(responses.join('\n'), allSecrets())).toEqual([]);
  });

  it('documents (last_error, receipt, content), events and supplier activity hold none of them', async () => {
    const documents = await hub.store.db.selectFrom('documents').selectAll().execute();
    const rows = documents.map((d) => ({ ...d, content: Buffer.from(d.content as Uint8Array).toString('utf8') }));
    expect(rows.some((d) => d.last_error)).toBe(true);
    const events = await hub.store.db.selectFrom('order_events').selectAll().execute();
    const activity = await hub.store.db.selectFrom('supplier_activity').selectAll().execute();
    const orders = await hub.store.db.selectFrom('orders').selectAll().execute();
    const pos = await hub.store.db.selectFrom('purchase_orders').selectAll().execute();
    const secrets = allSecrets().filter((s) => s !== apiKey || true);
    expect(leaks(JSON.stringify({ rows, events, activity, orders, pos }), secrets)).toEqual([]);
  });

  it('/metrics, the admin API and every dashboard page hold none of them', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const cookie = { cookie: `${ADMIN_COOKIE}=${sessionValue(ADMIN_TOKEN)}` };
    const documents = await hub.store.db.selectFrom('documents').select('id').execute();
    const pages = ['/metrics', '/readyz', '/openapi.json'].map((u) => [u, {}] as const);
    pages.push(['/v1/admin/documents', admin], ['/v1/admin/overdue', admin]);
    for (const { id } of documents) pages.push([`/v1/admin/documents/${id}`, admin], [`/v1/admin/documents/${id}/raw`, admin], [`/documents/${id}`, cookie]);
    for (const [name, id] of Object.entries(orders)) pages.push([`/orders/${id}`, cookie], [`/v1/orders/${id}`, { authorization: `Bearer ${hookKeys[name] ?? apiKey}` }]);
    pages.push(['/', cookie], ['/documents', cookie], ['/documents?status=failed', cookie], ['/orders', cookie], ['/search?q=SEC', cookie]);
    const bodies: string[] = [];
    for (const [url, headers] of pages) {
      const res = await app.request(url, { headers });
      expect(res.status, url).toBe(200);
      bodies.push(`${url}\n${await res.text()}`);
    }
    const all = bodies.join('\n');
    expect(all).toMatch(/transport_auth_failed|refused the login/);
    // The admin token may appear nowhere in a page either (the form token is derived, not the token).
    expect(leaks(all, allSecrets())).toEqual([]);
  });

  it("a supplier echoing the request (its Authorization header) in an error page: the token stays out of last_error and logs", async () => {
    const echoPeer = (globalThis as { echoPeer?: HttpPeer }).echoPeer!;
    expect(echoPeer.requests[0]?.headers.authorization).toBe(`Bearer ${ECHO_TOKEN}`);
    const doc = await poDocument(orders.echo!);
    expect(doc.status).toBe('failed');
    expect(doc.last_error).toMatch(/answered 400/);
    expect(leaks(`${doc.last_error}\n${JSON.stringify(doc.receipt)}`, [ECHO_TOKEN])).toEqual([]);
    expect(leaks(logs, [ECHO_TOKEN])).toEqual([]);
  });
});

describe('log redaction, wherever a config object or a database row would put a secret', () => {
  it('censors secrets in a logged mapping, transport or retailer row', async () => {
    let out = '';
    const logger = createLogger({ destination: new Writable({ write(chunk, _e, done) { out += chunk.toString(); done(); } }) });
    const retailer = await hub.store.db.selectFrom('retailers').selectAll().where('id', '=', 'shop').executeTakeFirstOrThrow();
    const sftp = hub.mappings.get('pwbad')!.mapping;
    const http = hub.mappings.get('api')!.mapping;
    logger.info({ transport: sftp.transport }, 'one level deep');
    logger.info({ mapping: sftp }, 'a whole mapping');
    logger.info({ supplier: { mapping: http } }, 'nested deeper');
    logger.info({ retailer }, 'a retailer row');
    logger.info({ headers: { authorization: `Bearer ${apiKey}` } }, 'request headers');
    logger.info({ err: new Error(`boom`), config: { auth: { token: SECRETS.httpToken } } }, 'an error with config');
    expect(out.split('\n').filter(Boolean)).toHaveLength(6);
    expect(leaks(out, [...allSecrets(), retailer.api_key_hash])).toEqual([]);
  });
});

describe('retailer URLs are checked when the retailer is created', () => {
  const refused = async (input: Record<string, string>, path: string) => {
    const error = await createRetailer(store.db, { id: `bad-${Object.keys(hookKeys).length}-${path.length}`, ...input }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, JSON.stringify(input)).toMatchObject({ code: 'validation_failed' });
    expect((error as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual([path]);
  };

  it('a webhook URL that can never work (user-info, not http, no host) is refused, and nothing is created', async () => {
    for (const webhookUrl of [
      `https://hub:${SECRETS.urlPassword}@hooks.example/in`,
      'https://user@hooks.example/in',
      'ftp://hooks.example/in',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'not a url',
      'http://',
      `https://hooks.example/${'x'.repeat(3000)}`,
    ]) {
      await refused({ webhookUrl }, 'webhookUrl');
    }
    const made = await hub.store.db.selectFrom('retailers').select('id').where('id', 'like', 'bad-%').execute();
    expect(made).toEqual([]);
    // A token in the query is fine: the hub sends it as given, and shows it censored.
    await createRetailer(store.db, { id: 'query-token', webhookUrl: 'https://hooks.example/in?token=abc' });
  });

  it('--shopify-shop-url takes https only (plain http only on this machine)', async () => {
    for (const shopifyShopUrl of ['file:///etc/passwd', 'http://toyshop.myshopify.com', 'http://10.0.0.1', 'ftp://toyshop.myshopify.com', 'gopher://x', 'toyshop.myshopify.com', 'https://u:p@toyshop.myshopify.com']) {
      await refused({ shopifyShopUrl }, 'shopifyShopUrl');
    }
    for (const [i, shopifyShopUrl] of ['https://toyshop.myshopify.com', 'http://127.0.0.1:8123', 'http://localhost:8123', 'http://[::1]:8123'].entries()) {
      await createRetailer(store.db, { id: `shop-ok-${i}`, shopifyShopUrl });
    }
  });
});
