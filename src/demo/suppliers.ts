/**
 * The demo's sandbox suppliers and their "EDI teams".
 *
 * - ACME Toys, Globex and Initech each get a real SFTP server (the in-process sandbox server over a
 *   temp folder, with its own host key, pinned by fingerprint like a real supplier's). ACME and
 *   Initech log the hub in with a generated key pair (Initech's private key is passphrase-protected),
 *   Globex with a password. Their folders are laid out as their mapping files expect.
 * - Umbrella is a real HTTP server on loopback: it takes POs as JSON (bearer token) and pushes its
 *   tracking file back to the hub's `POST /v1/suppliers/umbrella/documents` a moment later.
 * - Hanse Spielwaren speaks UN/EDIFACT D.96A over its sandbox SFTP server: ORDERS in, ORDRSP and
 *   DESADV back (edifact-desk.ts); the hub answers its ORDRSP with a CONTRL.
 * - Wonka has no server at all: it logs in to the hub's own SFTP mailbox with its key, picks up its
 *   POs and drops its 997 and 856 there (mailbox-desk.ts).
 *
 * The environment variables the example mappings in `mappings/` read (`${ACME_SFTP_HOST}`, …) are
 * generated here, so the demo loads the ordinary mapping files unchanged.
 *
 * A "supplier desk" plays each supplier's EDI team: it watches the folder where the hub drops POs
 * and, a moment later, writes back what a real supplier would (997, 855, 856 or a tracking CSV) —
 * only the documents its mapping's `inbound.files` says the hub reads from that supplier.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import type { InboundFileConfig } from '../config/mapping-schema.ts';
import { matchInboundFile } from '../formats/inbound.ts';
import { generateEd25519KeyPair } from '../transports/keys.ts';
import { EdifactDesk } from './edifact-desk.ts';
import { startMailboxDesk } from './mailbox-desk.ts';
import { readBody } from './retailer.ts';
import { startSandboxSftpServer, type SandboxSftpServer } from '../transports/sandbox-sftp-server.ts';
import {
  functionalAck997,
  poAck855,
  read850,
  readInitechCsv,
  readUmbrellaJson,
  shipNotice856,
  trackingCsv,
  type Parcel,
  type ReceivedPo,
} from './supplier-files.ts';

/** How each sandbox supplier behaves: its carrier, and items it is short of (backordered, shipped later). */
export interface SupplierProfile {
  carrier: { scac: string; name: string; service: string };
  tracking: (n: number) => string;
  /** Supplier SKUs out of stock: acknowledged as backordered (855 `IB`) and shipped in a second 856. */
  backordered?: string[];
}

export const PROFILES: Record<string, SupplierProfile> = {
  'acme-toys': {
    carrier: { scac: 'UPSN', name: 'UPS', service: 'GROUND' },
    tracking: (n) => `1Z4A7E31${String(3_000_000 + n * 7919).padStart(10, '0')}`,
    backordered: ['ACME-BLOCKS-100'],
  },
  globex: {
    carrier: { scac: 'FDEG', name: 'FedEx', service: 'GROUND' },
    tracking: (n) => String(770_000_000_000 + n * 104_729),
  },
  initech: {
    carrier: { scac: 'USPS', name: 'USPS', service: 'PRIORITY' },
    tracking: (n) => `94001118992231${String(40_000_000 + n * 1_299_709).padStart(8, '0').slice(-8)}`,
  },
  umbrella: {
    carrier: { scac: 'DHL', name: 'DHL', service: 'EXPRESS' },
    tracking: (n) => String(4_000_000_000 + n * 15_485_863).slice(-10),
  },
  hanse: {
    carrier: { scac: 'DHL', name: 'DHL', service: 'PAKET' },
    tracking: (n) => `0034043416${String(1_094_015_902 + n * 7_919).padStart(10, '0')}`,
  },
  wonka: {
    carrier: { scac: 'OTRC', name: 'OnTrac', service: 'GROUND' },
    tracking: (n) => `D${String(10_040_000 + n * 7_331).padStart(14, '0')}`,
  },
};

/** Something a supplier did, for the demo's output. */
export type SupplierActivity = (supplier: string, message: string) => void;

export interface SandboxSftpSupplier {
  supplier: string;
  server: SandboxSftpServer;
  /** The local folder the server serves as `/`. */
  root: string;
}

export interface Sandbox {
  /** What the example mappings' `${NAME}` references resolve to. */
  env: Record<string, string>;
  sftp: SandboxSftpSupplier[];
  umbrellaUrl: string;
  /** Call once the mappings are loaded and the hub listens: starts the supplier desks (Wonka's once the mailbox runs). */
  start(mappings: Map<string, LoadedMapping>, hubUrl: string, mailbox?: { host: string; port: number; fingerprint: string }): void;
  /** POs the suppliers have received so far. */
  received(): number;
  close(): Promise<void>;
}

const secret = (bytes = 18) => randomBytes(bytes).toString('base64url');

/** Starts the sandbox suppliers in `workDir` (a temp folder the caller removes afterwards). */
export async function startSandbox(workDir: string, activity: SupplierActivity): Promise<Sandbox> {
  const keysDir = path.join(workDir, 'keys');
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  const env: Record<string, string> = {};
  const sftp: SandboxSftpSupplier[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  const clientKey = async (name: string, passphrase?: string) => {
    const pair = generateEd25519KeyPair({ ...(passphrase ? { passphrase } : {}), comment: `hub-demo ${name}` });
    const file = path.join(keysDir, `${name}_ed25519`);
    await writeFile(file, pair.private, { mode: 0o600 });
    return { file, publicKey: pair.public };
  };

  try {
    // ACME Toys: key login; its folders as in mappings/acme-toys.yaml.
    const acmeKey = await clientKey('acme');
    const acme = await sftpSupplier(workDir, 'acme-toys', ['inbound', 'outbound/archive'], {
      username: 'drophub',
      publicKey: acmeKey.publicKey,
    });
    sftp.push(acme);
    cleanups.push(() => acme.server.close());
    Object.assign(env, {
      ACME_SFTP_HOST: acme.server.host,
      ACME_SFTP_USER: 'drophub',
      ACME_SFTP_KEY_FILE: acmeKey.file,
      ACME_SFTP_HOST_KEY: acme.server.hostKeyFingerprint,
    });

    // Globex: password login.
    const globexPassword = secret();
    const globex = await sftpSupplier(workDir, 'globex', ['edi/in', 'edi/out/done', 'edi/out/rejected'], {
      username: 'drophub',
      password: globexPassword,
    });
    sftp.push(globex);
    cleanups.push(() => globex.server.close());
    Object.assign(env, {
      GLOBEX_SFTP_HOST: globex.server.host,
      GLOBEX_SFTP_PORT: String(globex.server.port),
      GLOBEX_SFTP_USER: 'drophub',
      GLOBEX_SFTP_PASSWORD: globexPassword,
      GLOBEX_SFTP_HOST_KEY: globex.server.hostKeyFingerprint,
    });

    // Initech: a passphrase-protected key.
    const passphrase = secret();
    const initechKey = await clientKey('initech', passphrase);
    const initech = await sftpSupplier(workDir, 'initech', ['orders/new', 'tracking/imported'], {
      username: 'orders',
      publicKey: initechKey.publicKey,
    });
    sftp.push(initech);
    cleanups.push(() => initech.server.close());
    Object.assign(env, {
      INITECH_SFTP_HOST: initech.server.host,
      INITECH_SFTP_USER: 'orders',
      INITECH_SFTP_KEY_FILE: initechKey.file,
      INITECH_SFTP_KEY_PASSPHRASE: passphrase,
      INITECH_SFTP_HOST_KEY: initech.server.hostKeyFingerprint,
    });

    // Hanse Spielwaren (EDIFACT): key login; its folders as in mappings/hanse.yaml.
    const hanseKey = await clientKey('hanse');
    const hanse = await sftpSupplier(workDir, 'hanse', ['edifact/in', 'edifact/out/done'], { username: 'drophub', publicKey: hanseKey.publicKey });
    sftp.push(hanse);
    cleanups.push(() => hanse.server.close());
    Object.assign(env, {
      HANSE_SFTP_HOST: hanse.server.host,
      HANSE_SFTP_USER: 'drophub',
      HANSE_SFTP_KEY_FILE: hanseKey.file,
      HANSE_SFTP_HOST_KEY: hanse.server.hostKeyFingerprint,
    });
  } catch (error) {
    await Promise.allSettled(cleanups.map((c) => c()));
    throw error;
  }

  // Wonka: a key for the hub's mailbox (its public half goes in the mapping, through the environment).
  const wonkaKey = generateEd25519KeyPair({ comment: 'hub-demo wonka' });
  env.WONKA_MAILBOX_KEY = wonkaKey.public;

  // Umbrella: a JSON API on loopback.
  const umbrellaToken = secret();
  const inboundToken = secret(24);
  let umbrellaHandler: ((body: unknown) => void) | undefined;
  const umbrellaServer = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (req.method !== 'POST' || req.url !== '/v2/orders') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      if (req.headers.authorization !== `Bearer ${umbrellaToken}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid JSON"}');
        return;
      }
      const po = readUmbrellaJson(parsed);
      if (!po) {
        res.writeHead(422, { 'content-type': 'application/json' }).end('{"error":"not an order"}');
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `UMB-${po.poNumber}`, status: 'accepted' }));
      umbrellaHandler?.(parsed);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => umbrellaServer.listen(0, '127.0.0.1', resolve));
  const umbrellaUrl = `http://127.0.0.1:${(umbrellaServer.address() as AddressInfo).port}/v2/orders`;
  Object.assign(env, {
    UMBRELLA_API_URL: umbrellaUrl,
    UMBRELLA_API_TOKEN: umbrellaToken,
    UMBRELLA_INBOUND_TOKEN: inboundToken,
  });

  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => Promise<void>) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn().catch((error) => activity('sandbox', `error: ${(error as Error).message}`));
    }, ms);
    timers.add(timer);
  };
  let interval: NodeJS.Timeout | undefined;
  let received = 0;
  let closed = false;
  let mailboxDesk: { close(): Promise<void> } | undefined;

  return {
    env,
    sftp,
    umbrellaUrl,
    received: () => received,
    start(mappings, hubUrl, mailbox) {
      const wonka = mappings.get('wonka');
      if (wonka && mailbox) {
        mailboxDesk = startMailboxDesk({ mailbox, privateKey: wonkaKey.private, loaded: wonka, profile: PROFILES.wonka!, activity, later, count: () => received++ });
      }
      const desks = sftp.map((s) => {
        const loaded = mappings.get(s.supplier)!;
        const Desk = loaded.mapping.outbound.format === 'edifact-orders' ? EdifactDesk : SftpDesk;
        return new Desk(s.root, loaded, PROFILES[s.supplier]!, later, activity, () => received++);
      });
      let busy = false;
      interval = setInterval(() => {
        if (busy || closed) return;
        busy = true;
        void Promise.allSettled(desks.map((d) => d.tick())).finally(() => {
          busy = false;
        });
      }, 500);
      const umbrella = mappings.get('umbrella');
      if (umbrella) {
        const profile = PROFILES.umbrella!;
        let shipments = 0;
        umbrellaHandler = (body) => {
          const po = readUmbrellaJson(body)!;
          received++;
          activity('umbrella', `received ${po.poNumber} over HTTP (${po.lines.length} line${po.lines.length === 1 ? '' : 's'})`);
          if (po.purpose === 'cancel') return;
          later(1500, async () => {
            const rule = trackingRule(umbrella);
            const tracking = profile.tracking(++shipments);
            const csv = trackingCsv(rule.columns ?? {}, po.lines.map((line) => ({
              poNumber: po.poNumber,
              sku: line.supplierSku,
              supplierSku: line.supplierSku,
              quantity: line.quantity,
              carrier: profile.carrier.name,
              service: profile.carrier.service,
              trackingNumber: tracking,
              shippedAt: new Date().toISOString().slice(0, 10),
            })));
            const filename = `tracking_${safe(po.poNumber)}.csv`;
            await pushWithRetry(`${hubUrl}/v1/suppliers/umbrella/documents`, inboundToken, filename, csv);
            activity('umbrella', `pushed ${filename} to the hub (${profile.carrier.name} ${tracking})`);
          });
        };
      }
    },
    async close() {
      closed = true;
      clearInterval(interval);
      await mailboxDesk?.close();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      umbrellaServer.closeAllConnections();
      await new Promise<void>((resolve) => umbrellaServer.close(() => resolve()));
      await Promise.allSettled(cleanups.map((c) => c()));
    },
  };
}

async function sftpSupplier(
  workDir: string,
  supplier: string,
  folders: string[],
  user: { username: string; publicKey?: string; password?: string },
): Promise<SandboxSftpSupplier> {
  const root = path.join(workDir, 'suppliers', supplier);
  for (const folder of folders) await mkdir(path.join(root, folder), { recursive: true });
  const server = await startSandboxSftpServer({ root, users: [user], host: '127.0.0.1' });
  return { supplier, server, root };
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

function trackingRule(loaded: LoadedMapping): Extract<InboundFileConfig, { format: 'csv' }> {
  const rule = loaded.mapping.inbound.files.find((f): f is Extract<InboundFileConfig, { format: 'csv' }> => f.format === 'csv' && !!f.columns);
  if (!rule) throw new Error(`${loaded.supplier}: its mapping reads no tracking CSV`);
  return rule;
}

async function pushWithRetry(url: string, token: string, filename: string, content: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'x-filename': filename },
        body: content,
      });
      if (res.ok) return;
      if (res.status < 500 || attempt >= 5) throw new Error(`the hub answered ${res.status}: ${await res.text()}`);
    } catch (error) {
      if (attempt >= 5) throw error;
    }
    await new Promise((r) => setTimeout(r, 500 * attempt));
  }
}

let controlNumber = 4000;

/** One SFTP supplier's EDI team: reads new POs from its folder and writes its answers back. */
class SftpDesk {
  private readonly seen = new Set<string>();
  private shipments = 0;
  private readonly outbound: string;
  private readonly inbound: string;

  constructor(
    root: string,
    private readonly loaded: LoadedMapping,
    private readonly profile: SupplierProfile,
    private readonly later: (ms: number, fn: () => Promise<void>) => void,
    private readonly activity: SupplierActivity,
    private readonly count: () => void,
  ) {
    const t = loaded.mapping.transport;
    if (t.type !== 'sftp' || !t.inboundDir) throw new Error(`${loaded.supplier} is not an SFTP supplier with an inbound folder`);
    this.outbound = path.join(root, ...t.outboundDir.split('/').filter(Boolean));
    this.inbound = path.join(root, ...t.inboundDir.split('/').filter(Boolean));
  }

  private get supplier(): string {
    return this.loaded.supplier;
  }

  async tick(): Promise<void> {
    const names = await readdir(this.outbound).catch(() => [] as string[]);
    for (const name of names.sort()) {
      if (this.seen.has(name) || name.startsWith('.') || name.endsWith('.part')) continue;
      this.seen.add(name);
      const content = await readFile(path.join(this.outbound, name), 'utf8');
      const po = this.loaded.mapping.outbound.format === 'csv' ? readInitechCsv(content) : read850(content);
      if (!po) continue; // the hub's 997s for our files land here too
      this.count();
      this.activity(this.supplier, `picked up ${name} (PO ${po.poNumber}, ${po.lines.length} line${po.lines.length === 1 ? '' : 's'})`);
      if (po.x12) this.answerX12(po);
      else this.answerCsv(po);
    }
  }

  /** Writes a file into our outbox folder the way a careful supplier does: a hidden temp name, then a rename. */
  private async drop(name: string, content: string): Promise<void> {
    const temp = path.join(this.inbound, `.${name}.part`);
    await writeFile(temp, content);
    await rename(temp, path.join(this.inbound, name));
  }

  /** Whether our mapping says the hub reads this kind of file from us (e.g. Globex sends no 855). */
  private reads(name: string): boolean {
    return matchInboundFile(this.loaded.mapping.inbound, name) !== undefined;
  }

  private fileName(po: ReceivedPo, ext: string): string {
    return `${String(++controlNumber).padStart(6, '0')}_${safe(po.poNumber)}.${ext}`;
  }

  private answerX12(po: ReceivedPo): void {
    if (this.reads('x.997')) {
      this.later(300, async () => {
        const name = this.fileName(po, '997');
        await this.drop(name, functionalAck997(po, controlNumber));
        this.activity(this.supplier, `wrote ${name} (997: PO group ${po.x12!.groupControlNumber} accepted)`);
      });
    }
    if (po.purpose === 'cancel') return;
    const short = new Set(this.profile.backordered ?? []);
    const backordered = new Set(po.lines.filter((l) => short.has(l.supplierSku)).map((l) => l.lineNumber));
    if (this.reads('x.855')) {
      this.later(900, async () => {
        const name = this.fileName(po, '855');
        await this.drop(name, poAck855(po, controlNumber, backordered));
        this.activity(this.supplier, `wrote ${name} (855: accepted${backordered.size ? `, ${backordered.size} line backordered` : ''})`);
      });
    }
    const inStock = po.lines.filter((l) => !backordered.has(l.lineNumber));
    const shortLines = po.lines.filter((l) => backordered.has(l.lineNumber));
    const ship = (ms: number, lines: typeof po.lines) =>
      this.later(ms, async () => {
        const parcel: Parcel = { trackingNumber: this.profile.tracking(++this.shipments), lines };
        const name = this.fileName(po, '856');
        const shipmentId = `SHP${controlNumber}`;
        const trackingAt = this.loaded.mapping.inbound.trackingFrom.find((t) => t.startsWith('MAN')) ?? this.loaded.mapping.inbound.trackingFrom[0];
        await this.drop(name, shipNotice856(po, controlNumber, shipmentId, this.profile.carrier, [parcel], trackingAt));
        this.activity(this.supplier, `wrote ${name} (856: ${this.profile.carrier.scac} ${parcel.trackingNumber}, ${lines.length} line${lines.length === 1 ? '' : 's'})`);
      });
    if (inStock.length) ship(1800, inStock);
    if (shortLines.length) ship(inStock.length ? 4500 : 3000, shortLines);
  }

  private answerCsv(po: ReceivedPo): void {
    if (po.purpose === 'cancel') return;
    this.later(1500, async () => {
      const rule = trackingRule(this.loaded);
      const tracking = this.profile.tracking(++this.shipments);
      const rows = po.lines.map((line) => ({
        poNumber: po.poNumber,
        lineNumber: line.lineNumber,
        sku: line.supplierSku,
        supplierSku: line.supplierSku,
        quantity: line.quantity,
        carrier: this.profile.carrier.name,
        service: this.profile.carrier.service,
        trackingNumber: tracking,
        shippedAt: new Date().toISOString().slice(0, 10),
      }));
      const name = `tracking_${safe(po.poNumber)}.csv`;
      await this.drop(name, trackingCsv(rule.columns ?? {}, rows));
      this.activity(this.supplier, `wrote ${name} (${this.profile.carrier.name} ${tracking})`);
    });
  }
}
