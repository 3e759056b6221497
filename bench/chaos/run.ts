/**
 * The chaos run (`npm run chaos -- --orders N --kills K`): the hub as separate processes on real
 * PostgreSQL and a real OpenSSH server, orders posted at a steady rate, suppliers answering on the
 * SFTP server, a flaky retailer webhook — while hub processes are SIGKILLed and restarted, sshd is
 * stopped and started, and PostgreSQL is restarted. At the end it checks that nothing was lost,
 * duplicated or sent twice, prints a summary and exits non-zero on any violation. See docs/chaos.md.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { hasOpenSsh, startSftpServer, type SftpPeer } from '../../test/helpers/sftp-server.ts';
import { checkInvariants, type ApiOrderView, type PostedOrder } from './checks.ts';
import { HubProcesses, buildHub, runHubCommand, type HubProcess } from './hub-processes.ts';
import { SUPPLIERS, SupplierSimulator, folders, writeMappings } from './suppliers.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const USAGE = `usage: npm run chaos -- [options]

  --orders N          orders to post (default 200)
  --kills K           SIGKILLs of a random hub process, each followed by a restart (default 3)
  --rate R            orders posted per second (default 20)
  --apis A            API-only processes, HUB_WORKERS=0 (default 1)
  --workers W         worker processes (default 2)
  --sshd-restarts S   times sshd is stopped for a few seconds and started again (default 2)
  --no-pg-restart     do not restart PostgreSQL (the default restarts it once, with pg_ctlcluster)
  --fail-rate F       share of webhook deliveries the retailer answers 500 (default 0.1)
  --timeout SEC       give up waiting for every order to ship after this long (default 120 + 0.3 s/order)
  --seed S            seed of the run's random choices (default: random; printed)
  --keep              keep the database schema and the temp folder (logs, mappings) afterwards
  --hub-dir DIR       run the hub from another checkout (default: this one), e.g. to try a fix
  --help

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test). Needs /usr/sbin/sshd
(Debian's openssh-server) and, for the PostgreSQL restart, pg_ctlcluster and the right to use it.`;

interface Options {
  orders: number;
  kills: number;
  rate: number;
  apis: number;
  workers: number;
  sshdRestarts: number;
  pgRestart: boolean;
  failRate: number;
  timeoutMs: number;
  seed: number;
  keep: boolean;
  hubDir: string;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      orders: { type: 'string' },
      kills: { type: 'string' },
      rate: { type: 'string' },
      apis: { type: 'string' },
      workers: { type: 'string' },
      'sshd-restarts': { type: 'string' },
      'no-pg-restart': { type: 'boolean' },
      'fail-rate': { type: 'string' },
      timeout: { type: 'string' },
      seed: { type: 'string' },
      keep: { type: 'boolean' },
      'hub-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  const int = (name: string, value: string | undefined, fallback: number, min: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}`);
    return n;
  };
  const orders = int('orders', values.orders, 200, 1);
  const rate = Number(values.rate ?? 20);
  if (!(rate > 0)) throw new Error('--rate must be positive');
  const failRate = Number(values['fail-rate'] ?? 0.1);
  if (!(failRate >= 0 && failRate < 1)) throw new Error('--fail-rate must be in [0, 1)');
  return {
    orders,
    kills: int('kills', values.kills, 3, 0),
    rate,
    apis: int('apis', values.apis, 1, 1),
    workers: int('workers', values.workers, 2, 1),
    sshdRestarts: int('sshd-restarts', values['sshd-restarts'], 2, 0),
    pgRestart: !values['no-pg-restart'],
    failRate,
    timeoutMs: values.timeout !== undefined ? int('timeout', values.timeout, 0, 1) * 1000 : 120_000 + orders * 300,
    seed: values.seed !== undefined ? int('seed', values.seed, 0, 0) : randomBytes(4).readUInt32BE(0),
    keep: values.keep ?? false,
    hubDir: path.resolve(values['hub-dir'] ?? REPO_ROOT),
  };
}

/** mulberry32: small, seeded, good enough to pick orders and moments. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

class Cleanup {
  private readonly steps: { name: string; fn: () => Promise<void> | void }[] = [];
  private ran = false;
  push(name: string, fn: () => Promise<void> | void): void {
    this.steps.push({ name, fn });
  }
  async run(): Promise<void> {
    if (this.ran) return;
    this.ran = true;
    for (const step of this.steps.reverse()) {
      try {
        await step.fn();
      } catch (error) {
        console.error(`chaos: cleanup "${step.name}" failed: ${(error as Error).message}`);
      }
    }
  }
}

// ---- orders ------------------------------------------------------------------------------------

const SUPPLIER_MIXES: { weight: number; suppliers: string[] }[] = [
  { weight: 30, suppliers: ['acme'] },
  { weight: 15, suppliers: ['globex'] },
  { weight: 15, suppliers: ['bolt'] },
  { weight: 15, suppliers: ['acme', 'bolt'] },
  { weight: 10, suppliers: ['acme', 'globex'] },
  { weight: 15, suppliers: ['acme', 'globex', 'bolt'] },
];

function makeOrder(i: number, random: () => number): { body: Record<string, unknown>; suppliers: string[] } {
  const total = SUPPLIER_MIXES.reduce((a, m) => a + m.weight, 0);
  let pick = random() * total;
  const mix = SUPPLIER_MIXES.find((m) => (pick -= m.weight) < 0) ?? SUPPLIER_MIXES[0]!;
  const lines: Record<string, unknown>[] = [];
  for (const supplier of mix.suppliers) {
    const skus = [...SUPPLIERS.find((s) => s.id === supplier)!.skus];
    const count = 1 + Math.floor(random() * Math.min(2, skus.length));
    for (let k = 0; k < count; k++) {
      const sku = skus.splice(Math.floor(random() * skus.length), 1)[0]!;
      lines.push({ lineId: String(lines.length + 1), sku, title: `Item ${sku}`, quantity: 1 + Math.floor(random() * 3), unitPrice: `${5 + Math.floor(random() * 40)}.99` });
    }
  }
  // Now and then a name with X12 delimiters in it: the hub must clean it, or the supplier cannot read the 850.
  const name = random() < 0.05 ? 'Ada * Lovelace ~ Jr' : `Customer ${i}`;
  return {
    suppliers: mix.suppliers,
    body: {
      externalId: `chaos-${i}`,
      orderNumber: `#CH${i}`,
      placedAt: new Date().toISOString(),
      currency: 'USD',
      payment: { status: 'paid', reference: `ch_${i}` },
      customer: { name, email: `customer${i}@example.com`, phone: '+1 555 0100' },
      shipTo: { name, company: null, address1: `${i} Main St`, address2: null, city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US', phone: '+1 555 0100' },
      shipping: { method: 'Standard', carrier: null, serviceLevel: 'GROUND' },
      lines,
      notes: null,
    },
  };
}

/** PostgreSQL's own cluster control (Debian): the chaos run restarts the server once. */
async function pgCtl(action: 'restart' | 'start'): Promise<void> {
  const versions = readdirSync('/etc/postgresql');
  if (versions.length === 0) throw new Error('no cluster under /etc/postgresql');
  await new Promise<void>((resolve, reject) => {
    execFile('pg_ctlcluster', ['--skip-systemctl-redirect', versions[0]!, 'main', action], { timeout: 120_000 }, (error, _out, stderr) =>
      error ? reject(new Error(`pg_ctlcluster ${action}: ${error.message} ${stderr}`)) : resolve(),
    );
  });
}
async function waitForPostgres(databaseUrl: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const c = new pg.Client({ connectionString: databaseUrl });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.query('select 1');
      await c.end();
      return;
    } catch (error) {
      await c.end().catch(() => {});
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not come back within 60 s: ${(error as Error).message}`);
      await sleep(250);
    }
  }
}


// ---- the run -----------------------------------------------------------------------------------

interface Counters {
  kills: string[];
  sshdRestarts: number;
  pgRestarts: number;
  postRetries: number;
  idempotentRepeats: number;
  refused: string[];
}

async function run(opts: Options, cleanup: Cleanup): Promise<number> {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`;
  const log = (msg: string) => console.log(`[chaos ${elapsed()}] ${msg}`);
  const random = seeded(opts.seed);
  const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const runTag = randomBytes(3).toString('hex').toUpperCase();
  const schema = `chaos_${runTag.toLowerCase()}`;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hub-chaos-'));
  const logDir = path.join(tmp, 'logs');
  const mappingsDir = path.join(tmp, 'mappings');
  mkdirSync(logDir);
  let failed = true;
  cleanup.push('temp folder', () => {
    if (opts.keep || failed) console.log(`chaos: logs, mappings and state kept in ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  });
  if (opts.hubDir !== REPO_ROOT) log(`hub from ${opts.hubDir}`);
  buildHub(opts.hubDir);
  log(`seed ${opts.seed}, schema ${schema}, ${opts.orders} orders at ${opts.rate}/s, ${opts.kills} kills, ${opts.sshdRestarts} sshd restarts, ${opts.pgRestart ? 1 : 0} PostgreSQL restart`);

  // PostgreSQL: our own pool for progress and checks; the schema is dropped at the end.
  const db = new pg.Pool({ connectionString: databaseUrl, options: `-c search_path=${schema}`, max: 3 });
  db.on('error', () => {});
  let pgDown = false;
  cleanup.push('database', async () => {
    if (pgDown) await pgCtl('start').catch((e) => console.error(`chaos: could not start PostgreSQL again: ${(e as Error).message}`));
    await db.end().catch(() => {});
    if (opts.keep) {
      console.log(`chaos: schema ${schema} kept`);
      return;
    }
    for (let attempt = 1; attempt <= 10; attempt++) {
      const admin = new pg.Client({ connectionString: databaseUrl });
      admin.on('error', () => {});
      try {
        await admin.connect();
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.end();
        return;
      } catch (error) {
        await admin.end().catch(() => {});
        if (attempt === 10) throw error;
        await sleep(1_000);
      }
    }
  });
  {
    const probe = new pg.Client({ connectionString: databaseUrl });
    try {
      await probe.connect();
      await probe.query('select 1');
    } catch (error) {
      throw new Error(`cannot reach PostgreSQL at ${databaseUrl.replace(/:[^:@/]*@/, ':***@')}: ${(error as Error).message}`);
    } finally {
      await probe.end().catch(() => {});
    }
  }

  // The suppliers' SFTP server.
  if (!hasOpenSsh) throw new Error('/usr/sbin/sshd not found: install openssh-server (the chaos run needs a real sshd)');
  const peer: SftpPeer = await startSftpServer({ kind: 'openssh' });
  cleanup.push('sshd', () => peer.close());
  log(`sshd on ${peer.host}:${peer.port}, serving ${peer.root}`);
  const simulator = new SupplierSimulator(peer.root, random, runTag);
  writeMappings(mappingsDir, { scheduleSeconds: 2 });

  // The retailer's webhook endpoint.
  const receiver: WebhookReceiver = await startWebhookReceiver({ failRate: opts.failRate, random });
  cleanup.push('webhook receiver', () => receiver.close());

  const hubEnv: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    HUB_DB_SCHEMA: schema,
    HUB_MAPPINGS_DIR: mappingsDir,
    HUB_DATA_DIR: path.join(tmp, 'hub-data'),
    HOST: '127.0.0.1',
    HUB_POLL_INTERVAL_MS: '500',
    HUB_LEASE_MS: '5000',
    HUB_OVERDUE_INTERVAL_MS: '2000',
    HUB_ADMIN_TOKEN: `chaos-admin-${runTag}-0123456789-abcdefghij`,
    LOG_LEVEL: 'info',
    CHAOS_SFTP_HOST: peer.host,
    CHAOS_SFTP_PORT: String(peer.port),
    CHAOS_SFTP_USER: peer.username,
    CHAOS_SFTP_KEY_FILE: peer.privateKeyPath,
    CHAOS_SFTP_HOST_KEY: peer.hostKeyFingerprint,
  };
  const procs = new HubProcesses({ repoRoot: opts.hubDir, logDir, env: hubEnv });

  const check = runHubCommand({ repoRoot: opts.hubDir, logDir, env: hubEnv }, ['mappings', 'check', mappingsDir]);
  if (check.code !== 0) throw new Error(`hub mappings check failed:\n${check.stdout}${check.stderr}`);
  const created = runHubCommand({ repoRoot: opts.hubDir, logDir, env: hubEnv }, ['retailers', 'create', 'chaos', '--name', 'Chaos Retail', '--webhook-url', receiver.url]);
  const apiKey = /api key: (\S+)/.exec(created.stdout)?.[1];
  const webhookSecret = /webhook secret: (\S+)/.exec(created.stdout)?.[1];
  if (created.code !== 0 || !apiKey || !webhookSecret) throw new Error(`hub retailers create failed (${created.code}):\n${created.stdout}${created.stderr}`);
  receiver.setSecret(webhookSecret);
  log('retailer "chaos" created (API key and webhook secret read from the CLI)');

  // The hub: API-only processes and worker processes.
  let stopping = false;
  cleanup.push('hub processes', () => {
    stopping = true;
    return procs.stopAll(5_000);
  });
  for (let i = 1; i <= opts.apis; i++) procs.add(`api-${i}`, 'api');
  for (let i = 1; i <= opts.workers; i++) procs.add(`worker-${i}`, 'worker');
  procs.onCrash = (proc) => {
    if (stopping) return;
    log(`!! ${proc.name} exited on its own (see ${proc.logFiles.at(-1)}); restarting it`);
    void sleep(1_000).then(() => (stopping ? undefined : startWithRetry(proc)));
  };
  const startWithRetry = async (proc: HubProcess): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await procs.start(proc);
        return;
      } catch (error) {
        if (stopping || attempt >= 5) throw error;
        log(`${proc.name} did not start (${(error as Error).message.split('\n')[0]}); trying again`);
        await sleep(1_000);
      }
    }
  };
  await Promise.all(procs.all.map((p) => startWithRetry(p)));
  log(`hub up: ${procs.all.map((p) => `${p.name} ${p.url}`).join(', ')}`);

  // The suppliers at work.
  const simTimer = setInterval(() => {
    try {
      simulator.tick();
    } catch (error) {
      simulator.stats.unreadable.push(`simulator error: ${(error as Error).message}`);
    }
  }, 200);
  cleanup.push('simulator', () => clearInterval(simTimer));

  const counters: Counters = { kills: [], sshdRestarts: 0, pgRestarts: 0, postRetries: 0, idempotentRepeats: 0, refused: [] };
  const posted = new Map<string, PostedOrder>();
  const unanswered = new Set<string>();

  // Progress, every five seconds.
  const progress = setInterval(() => {
    void db
      .query<{ status: string; n: string }>('select status, count(*) n from orders group by 1 order by 1')
      .then((r) => {
        const accepted = [...posted.values()].filter((p) => p.orderId).length;
        log(`posted ${accepted}/${opts.orders}; ${r.rows.map((x) => `${x.status} ${x.n}`).join(', ') || 'no orders yet'}; events ${receiver.events.size}; supplier backlog ${simulator.backlog}`);
      })
      .catch(() => log('progress: database unreachable'));
  }, 5_000);
  cleanup.push('progress', () => clearInterval(progress));

  // ---- posting ----
  const postDurationMs = (opts.orders / opts.rate) * 1000;
  const posting = (async () => {
    const t0 = Date.now();
    const inflight: Promise<void>[] = [];
    let next = 0;
    for (let i = 1; i <= opts.orders; i++) {
      await sleep(t0 + ((i - 1) * 1000) / opts.rate - Date.now());
      const { body, suppliers } = makeOrder(i, random);
      const entry: PostedOrder = { externalId: String(body.externalId), suppliers };
      posted.set(entry.externalId, entry);
      // Round robin over every process: an API-only process leaves the order to the workers' routers
      // (NOTIFY), a worker process routes it itself from memory; both face the kills.
      inflight.push(postOrder(JSON.stringify(body), entry, () => procs.servers()[next++ % Math.max(1, procs.servers().length)]));
    }
    await Promise.all(inflight);
  })();

  async function postOrder(json: string, entry: PostedOrder, api: () => HubProcess | undefined): Promise<void> {
    const giveUpAt = Date.now() + 180_000;
    for (let attempt = 1; ; attempt++) {
      const target = api();
      if (target?.url) {
        try {
          const res = await fetch(`${target.url}/v1/orders`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
            body: json,
            signal: AbortSignal.timeout(15_000),
          });
          const text = await res.text();
          if (res.status === 200 || res.status === 201) {
            entry.orderId = (JSON.parse(text) as { id: string }).id;
            if (res.status === 200) counters.idempotentRepeats++;
            return;
          }
          if (res.status < 500) {
            counters.refused.push(`${entry.externalId}: ${res.status} ${text.slice(0, 300)}`);
            return;
          }
        } catch {
          // no answer (connection refused or cut, timeout): the same body again is safe
        }
      }
      if (Date.now() > giveUpAt) {
        unanswered.add(entry.externalId);
        return;
      }
      counters.postRetries++;
      await sleep(Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)));
    }
  }

  // ---- chaos ----
  type ChaosKind = 'kill' | 'sshd' | 'pg';
  const plan: ChaosKind[] = [
    ...Array<ChaosKind>(opts.kills).fill('kill'),
    ...Array<ChaosKind>(opts.sshdRestarts).fill('sshd'),
    ...Array<ChaosKind>(opts.pgRestart ? 1 : 0).fill('pg'),
  ];
  // While orders are being posted (and for a little after): the moments with work in flight.
  const windowMs = Math.max(postDurationMs, plan.length * 3_000);
  const chaosStart = Date.now();
  const schedule = plan.map((kind) => ({ kind, at: chaosStart + 1_000 + random() * windowMs })).sort((a, b) => a.at - b.at);
  const chaos = (async () => {
    for (const event of schedule) {
      await sleep(event.at - Date.now());
      if (event.kind === 'kill') {
        const candidates = procs.all.filter((p) => p.up);
        const victim = candidates[Math.floor(random() * candidates.length)];
        if (!victim) continue;
        await procs.kill(victim);
        counters.kills.push(victim.name);
        log(`SIGKILL ${victim.name} (pid ${victim.child?.pid})`);
        await sleep(200 + random() * 1_500);
        await startWithRetry(victim);
        log(`${victim.name} restarted on ${victim.url}`);
      } else if (event.kind === 'sshd') {
        await peer.stop();
        const down = 2_000 + random() * 2_000;
        log(`sshd stopped for ${(down / 1000).toFixed(1)} s`);
        await sleep(down);
        await peer.start();
        counters.sshdRestarts++;
        log('sshd started again');
      } else {
        log('restarting PostgreSQL');
        pgDown = true;
        try {
          await pgCtl('restart');
        } catch (error) {
          log(`${(error as Error).message}; trying to start it`);
          await pgCtl('start');
        }
        await waitForPostgres(databaseUrl);
        pgDown = false;
        counters.pgRestarts++;
        log('PostgreSQL is back');
      }
    }
  })();

  await Promise.all([posting, chaos]);
  log(`posting and chaos done: ${[...posted.values()].filter((p) => p.orderId).length} orders accepted, ${counters.kills.length} kills, ${counters.sshdRestarts} sshd restarts, ${counters.pgRestarts} PostgreSQL restarts`);

  // ---- wait for the flow to finish ----
  const accepted = () => [...posted.values()].filter((p) => p.orderId);
  const deadline = started + opts.timeoutMs;
  let settledSince: number | undefined;
  let outcome = 'timeout';
  for (;;) {
    const state = await db
      .query<{ shipped: string; terminal: string; pending: string }>(
        `select (select count(*) from orders where status = 'shipped') shipped,
                (select count(*) from orders where status in ('exception', 'cancelled')) terminal,
                (select count(*) from documents where direction = 'out' and status = 'pending') pending`,
      )
      .then((r) => r.rows[0]!)
      .catch(() => undefined);
    const inboundLeft = SUPPLIERS.reduce(
      (n, s) => n + readdirSync(path.join(peer.root, folders(s.id).inbound), { withFileTypes: true }).filter((d) => d.isFile() && !d.name.startsWith('.')).length,
      0,
    );
    if (state) {
      const quiet = Number(state.pending) === 0 && simulator.backlog === 0 && inboundLeft === 0;
      if (quiet && Number(state.shipped) === accepted().length) {
        outcome = 'all shipped';
        break;
      }
      // Everything that could move has stopped, but some orders are stuck: no point waiting.
      if (quiet && Number(state.shipped) + Number(state.terminal) === accepted().length) {
        settledSince ??= Date.now();
        if (Date.now() - settledSince > 10_000) {
          outcome = 'stuck (orders in exception or cancelled)';
          break;
        }
      } else {
        settledSince = undefined;
      }
    }
    if (Date.now() > deadline) break;
    await sleep(1_000);
  }
  const flowMs = Date.now() - started;
  log(`flow finished: ${outcome}`);

  // What the retailer sees through the API, while an API process is still up.
  const apiViews = new Map<string, ApiOrderView>();
  {
    const ids = accepted().map((p) => p.orderId!);
    let cursor = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (cursor < ids.length) {
          const id = ids[cursor++]!;
          for (let attempt = 1; attempt <= 5; attempt++) {
            const api = procs.apis()[0];
            try {
              const res = await fetch(`${api?.url}/v1/orders/${id}`, { headers: { authorization: `Bearer ${apiKey}` }, signal: AbortSignal.timeout(10_000) });
              if (res.ok) {
                apiViews.set(id, (await res.json()) as ApiOrderView);
                break;
              }
            } catch {
              // try again
            }
            await sleep(500);
          }
        }
      }),
    );
  }

  stopping = true;
  clearInterval(simTimer);
  clearInterval(progress);
  await procs.stopAll(10_000);

  const result = await checkInvariants({ db, retailerId: 'chaos', sftpRoot: peer.root, simulator, receiver, posted, unanswered, apiViews });
  const violations = [...result.violations];
  if (outcome !== 'all shipped') violations.unshift(`[flow] ${outcome} after ${(flowMs / 1000).toFixed(0)} s`);
  for (const crash of procs.crashes) violations.push(`[crash] ${crash.name} #${crash.incarnation} exited (${crash.exit}) on its own; log ${crash.logFile}: ${crash.stderr.split('\n').filter(Boolean).slice(-3).join(' | ')}`);
  for (const r of counters.refused) violations.push(`[intake] post refused: ${r}`);
  if (unanswered.size) violations.push(`[intake] ${unanswered.size} post(s) never answered within 180 s: ${[...unanswered].slice(0, 5).join(', ')}`);

  const f = result.figures;
  const bySupplier = SUPPLIERS.map((s) => `${s.id} ${simulator.stats.filesWritten[s.id] ?? 0}`).join(', ');
  const summary = [
    '',
    '=== chaos run summary ===',
    `seed:             ${opts.seed}`,
    `orders:           ${f.orders} accepted of ${opts.orders} posted (${counters.postRetries} post retries, ${counters.idempotentRepeats} idempotent repeats)`,
    `POs:              ${f.pos} (${SUPPLIERS.map((s) => `${s.id} ${[...simulator.answered.values()].filter((a) => a.supplier === s.id).length}`).join(', ')}); ${simulator.stats.partialPos} shipped in two parts`,
    `supplier files:   ${f.inboundFiles} written (${bySupplier}); ${simulator.stats.ninesSeven} 997s, ${simulator.stats.shipmentFiles} 856s/tracking files`,
    `hub 997s:         ${f.ackFiles} on the SFTP server`,
    `shipments:        ${f.shipments}`,
    `processes:        ${opts.apis} API (HUB_WORKERS=0), ${opts.workers} workers`,
    `kills:            ${counters.kills.length} (${counters.kills.join(', ') || 'none'})`,
    `sshd restarts:    ${counters.sshdRestarts}`,
    `pg restarts:      ${counters.pgRestarts}`,
    `hub crashes:      ${procs.crashes.length}`,
    `events:           ${f.events} distinct (${f.shippedEvents} order.shipped, ${f.ackEvents} order.acknowledged); ${f.eventDeliveries} deliveries, ${f.eventRefusals} answered 500, ${f.eventRedeliveries} redelivered after a 2xx`,
    `duration:         ${(flowMs / 1000).toFixed(1)} s to ${outcome}`,
    `violations:       ${violations.length}`,
  ];
  console.log(summary.join('\n'));
  for (const v of violations) console.log(`  VIOLATION ${v}`);
  for (const n of result.notes.slice(0, 20)) console.log(`  note: ${n}`);
  failed = violations.length > 0;
  return failed ? 1 : 0;
}

async function main(): Promise<void> {
  let opts: Options | undefined;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`chaos: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (!opts) process.exit(0);
  const cleanup = new Cleanup();
  const interrupted = (signal: string) => {
    console.error(`chaos: ${signal}, cleaning up`);
    void cleanup.run().finally(() => process.exit(130));
  };
  process.once('SIGINT', () => interrupted('SIGINT'));
  process.once('SIGTERM', () => interrupted('SIGTERM'));
  let code = 2;
  try {
    code = await run(opts, cleanup);
  } catch (error) {
    console.error(`chaos: ${(error as Error).stack ?? error}`);
    code = 2;
  } finally {
    await cleanup.run();
  }
  process.exit(code);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main();
}

