/**
 * The hub's SFTP mailbox for tests: a hub on its own fresh store with mailbox suppliers (X12 850 out,
 * 997/855/856/tracking CSV in), their key pairs made by src/transports/keys.ts and written to a temp
 * folder, the mailbox server on a free loopback port, and what a supplier's own tools need: OpenSSH's
 * `sftp` in batch mode with a known_hosts file pinning the mailbox's host key, or an ssh2 client.
 *
 * @example
 * ```ts
 * const box = await startTestMailbox({ suppliers: ['wonka'] });
 * const { code, stdout } = await box.sftp('wonka', ['ls -1 from-hub']);
 * await box.close();
 * ```
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import type { MailboxAuditEntry } from '../../src/store/mailbox.ts';
import { Worker } from '../../src/pipeline/worker.ts';
import { loadOrCreateHostKey } from '../../src/transports/mailbox/host-key.ts';
import { startHubMailbox } from '../../src/transports/mailbox/hub.ts';
import type { MailboxServer, MailboxServerOptions } from '../../src/transports/mailbox/server.ts';
import { generateEd25519KeyPair } from '../../src/transports/keys.ts';
import { createTestHub, jsonRequest, sampleOrder, type TestHub } from './hub.ts';
import { writeMapping } from './mappings.ts';

export const SFTP_CLIENT = '/usr/bin/sftp';

let shops = 0;

export interface MailboxSupplierOptions {
  supplier: string;
  prefixes?: string[];
  /** Extra `transport` keys (limits, afterDownload, passwordHash...). */
  transport?: Record<string, unknown>;
  /** Extra environment for the mapping (a `${NAME}` in `transport`). */
  env?: Record<string, string>;
  /** Another `outbound` (default: X12 850). */
  outbound?: Record<string, unknown>;
  /** Other `inbound.files` rules (default: X12 and a tracking CSV). */
  inboundFiles?: Record<string, unknown>[];
}

/** A mailbox supplier's mapping, as an integrator writes it: its public key through the environment. */
export function mailboxMapping(options: MailboxSupplierOptions): Record<string, unknown> {
  const { supplier } = options;
  const variable = `${supplier.toUpperCase().replace(/-/g, '_')}_MAILBOX_KEY`;
  return {
    supplier,
    name: `${supplier} (test)`,
    skus: { prefixes: options.prefixes ?? [`${supplier.toUpperCase()}-`] },
    transport: { type: 'mailbox', publicKeys: [`\${${variable}}`], retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 200 }, ...options.transport },
    outbound: options.outbound ?? {
      format: 'x12-850',
      filename: 'PO_{poNumber}.edi',
      x12: { version: '004010', senderQualifier: 'ZZ', senderId: 'DROPHUB', receiverQualifier: 'ZZ', receiverId: supplier.toUpperCase().slice(0, 15) },
    },
    inbound: {
      files: options.inboundFiles ?? [
        { match: '*.856', format: 'x12' },
        { match: '*.855', format: 'x12' },
        { match: '*.997', format: 'x12' },
        { match: 'tracking_*.csv', format: 'csv', columns: { poNumber: 'PO', sku: 'SKU', quantity: 'Qty', carrier: 'Carrier', trackingNumber: 'Tracking' } },
      ],
    },
  };
}

export interface SupplierKeys {
  privateKey: string;
  publicKey: string;
  /** The private key in a 0600 file, for OpenSSH's `sftp -i`. */
  file: string;
}

export interface TestMailbox {
  t: TestHub;
  server: MailboxServer;
  keys: Map<string, SupplierKeys>;
  /** A retailer's API key, for placing orders. */
  apiKey: string;
  /** A known_hosts file pinning the mailbox's host key. */
  knownHosts: string;
  dir: string;
  worker: Worker;
  /** Places an order with one line of `sku`, delivers it (one worker pass); returns the order id. */
  placeOrder(externalId: string, sku: string, quantity?: number): Promise<string>;
  order(id: string): Promise<OrderJson>;
  /** OpenSSH's sftp in batch mode as `supplier` (its own key unless `key` is given). */
  sftp(supplier: string, commands: string[], options?: { key?: string; cwd?: string }): Promise<{ code: number; stdout: string; stderr: string }>;
  /** An ssh2-sftp-client session as `supplier` (its key, or the given credentials). */
  client(supplier: string, auth?: { privateKey?: string; password?: string }): Promise<SftpClient>;
  /** Ends the sessions opened with `client`. */
  endClients(): Promise<void>;
  /** Resolves with the first audit entry (from now on) that `match` accepts. */
  nextAudit(match: (entry: MailboxAuditEntry) => boolean): Promise<MailboxAuditEntry>;
  close(): Promise<void>;
}

export interface OrderJson {
  id: string;
  status: string;
  purchaseOrders: { id: string; poNumber: string; status: string }[];
  documents: { id: string; direction: string; kind: string; filename: string; status: string }[];
  shipments: { trackingNumbers: string[] }[];
  timeline: { type: string; cause: string; data: Record<string, unknown> | null; at: string }[];
}

export async function startTestMailbox(
  options: {
    suppliers: (string | MailboxSupplierOptions)[];
    env?: Record<string, string>;
    clock?: () => Date;
    server?: Partial<MailboxServerOptions>;
    /** Another hub's test mailbox whose database this one shares (a second hub process). */
    shareWith?: TestMailbox;
  },
): Promise<TestMailbox> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-mailbox-test-'));
  const keys = new Map<string, SupplierKeys>();
  const mappings = [];
  for (const entry of options.suppliers) {
    const supplier = typeof entry === 'string' ? { supplier: entry } : entry;
    const pair = options.shareWith?.keys.get(supplier.supplier) ?? (() => {
      const made = generateEd25519KeyPair({ comment: `${supplier.supplier}@test` });
      const file = path.join(dir, `${supplier.supplier}_ed25519`);
      writeFileSync(file, made.private, { mode: 0o600 });
      return { privateKey: made.private, publicKey: made.public, file };
    })();
    keys.set(supplier.supplier, pair);
    const variable = `${supplier.supplier.toUpperCase().replace(/-/g, '_')}_MAILBOX_KEY`;
    mappings.push(await writeMapping(mailboxMapping(supplier), { [variable]: pair.publicKey, ...supplier.env }));
  }
  const hostKey = await loadOrCreateHostKey(path.join(dir, 'host_key'));
  const t = await createTestHub({
    mappings,
    env: { HUB_SFTP_PORT: '0', HUB_SFTP_HOST_KEY_FILE: path.join(dir, 'host_key'), ...options.env },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.shareWith ? { store: options.shareWith.t.hub.store } : {}),
  });
  const server = await startHubMailbox(t.hub, { hostKey, host: '127.0.0.1', port: 0, ...options.server });
  const knownHosts = path.join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${server.port} ${hostKey.publicKey}\n`);
  const apiKey = (await t.retailer({ id: `shop-${++shops}` })).apiKey;
  const worker = new Worker(t.hub, { pollIntervalMs: 60_000, overdueIntervalMs: 60_000, concurrency: 4, leaseMs: 30_000 });
  const clients: SftpClient[] = [];

  const box: TestMailbox = {
    t,
    server,
    keys,
    apiKey,
    knownHosts,
    dir,
    worker,
    async placeOrder(externalId, sku, quantity = 2) {
      const lines = [{ lineId: '1', sku, title: sku, quantity, unitPrice: '9.99' }];
      const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId, orderNumber: `#${externalId}`, lines }), { authorization: `Bearer ${apiKey}` }));
      if (res.status !== 201) throw new Error(`order ${externalId}: ${res.status} ${await res.text()}`);
      const id = ((await res.json()) as { id: string }).id;
      await worker.pass();
      return id;
    },
    async order(id) {
      const res = await t.app.request(`/v1/orders/${id}`, { headers: { authorization: `Bearer ${apiKey}` } });
      return (await res.json()) as OrderJson;
    },
    sftp(supplier, commands, sftpOptions = {}) {
      const key = sftpOptions.key ?? keys.get(supplier)!.file;
      const args = [
        '-b', '-',
        '-P', String(server.port),
        '-i', key,
        '-o', 'BatchMode=yes',
        '-o', 'IdentitiesOnly=yes',
        '-o', 'IdentityAgent=none',
        '-o', 'StrictHostKeyChecking=yes',
        '-o', `UserKnownHostsFile=${knownHosts}`,
        '-o', 'GlobalKnownHostsFile=/dev/null',
        '-o', 'ConnectTimeout=10',
        `${supplier}@127.0.0.1`,
      ];
      return new Promise((resolve) => {
        const child = execFile(SFTP_CLIENT, args, { cwd: sftpOptions.cwd ?? dir, timeout: 60_000 }, (error, stdout, stderr) => {
          const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
          resolve({ code, stdout, stderr });
        });
        child.stdin!.end(`${commands.join('\n')}\n`);
      });
    },
    async client(supplier, auth) {
      const client = new SftpClient(`test-${supplier}`, { error: () => undefined, end: () => undefined, close: () => undefined });
      clients.push(client);
      await client.connect({
        host: '127.0.0.1',
        port: server.port,
        username: supplier,
        ...(auth ?? { privateKey: keys.get(supplier)!.privateKey }),
        hostVerifier: () => true,
        readyTimeout: 10_000,
      });
      return client;
    },
    async endClients() {
      await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
    },
    nextAudit(match) {
      return new Promise((resolve) => {
        const listener = (entry: MailboxAuditEntry): void => {
          if (!match(entry)) return;
          server.events.off('audit', listener);
          resolve(entry);
        };
        server.events.on('audit', listener);
      });
    },
    async close() {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      await server.close();
      if (options.shareWith) await t.hub.transports.closeAll();
      else await t.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return box;
}

/** A raw SSH connection (ssh2's Client) to the mailbox, for what no SFTP library would send. */
export function rawConnection(box: TestMailbox, supplier: string, auth: { privateKey?: string; password?: string } = {}): Promise<ssh2.Client> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.once('ready', () => resolve(client));
    client.once('error', reject);
    client.connect({
      host: '127.0.0.1',
      port: box.server.port,
      username: supplier,
      ...(auth.privateKey || auth.password ? auth : { privateKey: box.keys.get(supplier)!.privateKey }),
      hostVerifier: () => true,
      readyTimeout: 10_000,
    });
  });
}
