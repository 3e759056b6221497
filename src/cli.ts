/**
 * The `hub` command. Every subcommand has --help; errors go to stderr with a non-zero exit.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

// Only Node's own modules are imported here: each command imports what it needs when it runs, so
// that `hub --help` and `hub <command> --help` load no database driver, Hono, ssh2, pino, zod...
// (test/cli-start.test.ts checks this; `npm run bench -- cli-start` measures the start).

interface Command {
  usage: string;
  summary: string;
  /** Imports the command's modules (lazily, with `await import(...)`) and runs it. */
  run(args: string[]): Promise<number>;
}

/** Opens the hub (database and mappings) for a one-shot command and closes its store afterwards. */
async function withHub(command: (hub: import('./hub.ts').Hub) => Promise<number>): Promise<number> {
  const { createHub } = await import('./main.ts');
  const hub = await createHub();
  try {
    return await command(hub);
  } finally {
    await hub.store.close();
  }
}

const COMMANDS: Record<string, Command> = {
  serve: {
    usage: 'hub serve',
    summary: 'the HTTP API, the dashboard, the delivery workers and the inbound schedules, in one process (HUB_WORKERS=0: the API alone)',
    async run() {
      const { createHub, startHub } = await import('./main.ts');
      const hub = await createHub();
      const running = await startHub(hub);
      console.error(`hub listening on ${running.url} (dashboard: ${running.url}/)`);
      const stop = async () => {
        await running.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      return new Promise<number>(() => {});
    },
  },
  migrate: {
    usage: 'hub migrate',
    summary: 'apply the database migrations (DATABASE_URL, or the embedded database in HUB_DATA_DIR)',
    async run() {
      const { loadEnv } = await import('./config/env.ts');
      const { storeOptions } = await import('./main.ts');
      const { migrate, openStore } = await import('./store/database.ts');
      const env = loadEnv();
      const store = await openStore({ ...storeOptions(env), migrate: false });
      const applied = await migrate(store.db, env.HUB_DB_SCHEMA);
      await store.close();
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      return 0;
    },
  },
  demo: {
    usage: 'hub demo [--no-wait]',
    summary: 'the whole flow with an embedded database and sandbox suppliers; leaves the dashboard up (Ctrl-C to stop)',
    async run(args) {
      const { values } = parseArgs({ args, options: { 'no-wait': { type: 'boolean' } } });
      const { runDemo } = await import('./demo/demo.ts');
      return runDemo({ keepRunning: !values['no-wait'] });
    },
  },
  'retailers create': {
    usage:
      'hub retailers create <id> [--name N] [--webhook-url U] [--webhook-secret S] [--shopify-secret S] [--woocommerce-secret S] [--shopify-shop-url U] [--shopify-access-token T] [--woocommerce-url U] [--woocommerce-key K] [--woocommerce-secret-key S] [--duplicate-order-numbers warn|refuse]',
    summary: 'create a retailer; prints its API key once (and a generated webhook secret)',
    async run(args) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          name: { type: 'string' },
          'webhook-url': { type: 'string' },
          'webhook-secret': { type: 'string' },
          'shopify-secret': { type: 'string' },
          'woocommerce-secret': { type: 'string' },
          'shopify-shop-url': { type: 'string' },
          'shopify-access-token': { type: 'string' },
          'woocommerce-url': { type: 'string' },
          'woocommerce-key': { type: 'string' },
          'woocommerce-secret-key': { type: 'string' },
          'duplicate-order-numbers': { type: 'string' },
        },
      });
      const id = positionals[0];
      if (!id || positionals.length > 1) throw new CliUsageError('give exactly one retailer id');
      const duplicates = values['duplicate-order-numbers'];
      if (duplicates !== undefined && duplicates !== 'warn' && duplicates !== 'refuse') throw new CliUsageError('--duplicate-order-numbers is warn or refuse');
      const { loadEnv } = await import('./config/env.ts');
      const { storeOptions } = await import('./main.ts');
      const { openStore } = await import('./store/database.ts');
      const { createRetailer } = await import('./store/retailers.ts');
      const env = loadEnv();
      const store = await openStore(storeOptions(env));
      try {
        const created = await createRetailer(store.db, {
          id,
          ...(values.name ? { name: values.name } : {}),
          ...(values['webhook-url'] ? { webhookUrl: values['webhook-url'] } : {}),
          ...(values['webhook-secret'] ? { webhookSecret: values['webhook-secret'] } : {}),
          ...(values['shopify-secret'] ? { shopifySecret: values['shopify-secret'] } : {}),
          ...(values['woocommerce-secret'] ? { woocommerceSecret: values['woocommerce-secret'] } : {}),
          ...(values['shopify-shop-url'] ? { shopifyShopUrl: values['shopify-shop-url'] } : {}),
          ...(values['shopify-access-token'] ? { shopifyAccessToken: values['shopify-access-token'] } : {}),
          ...(values['woocommerce-url'] ? { woocommerceUrl: values['woocommerce-url'] } : {}),
          ...(values['woocommerce-key'] ? { woocommerceKey: values['woocommerce-key'] } : {}),
          ...(values['woocommerce-secret-key'] ? { woocommerceSecretKey: values['woocommerce-secret-key'] } : {}),
          ...(duplicates ? { duplicateOrderNumbers: duplicates } : {}),
        });
        console.log(`retailer: ${created.id}`);
        console.log(`api key: ${created.apiKey}   (shown once; only its hash is stored)`);
        if (created.webhookSecret && !values['webhook-secret']) console.log(`webhook secret: ${created.webhookSecret}`);
      } finally {
        await store.close();
      }
      return 0;
    },
  },
  'retailers update': {
    usage: 'hub retailers update <id> --duplicate-order-numbers warn|refuse',
    summary: 'change a retailer\'s settings: what happens to an order number used again under a new external id (warn: accept and flag; refuse: 409)',
    async run(args) {
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'duplicate-order-numbers': { type: 'string' } } });
      const id = positionals[0];
      if (!id || positionals.length > 1) throw new CliUsageError('give exactly one retailer id');
      const duplicates = values['duplicate-order-numbers'];
      if (duplicates !== 'warn' && duplicates !== 'refuse') throw new CliUsageError('--duplicate-order-numbers is warn or refuse');
      const { loadEnv } = await import('./config/env.ts');
      const { storeOptions } = await import('./main.ts');
      const { openStore } = await import('./store/database.ts');
      const { setRetailerDuplicatePolicy } = await import('./store/duplicate-orders.ts');
      const store = await openStore(storeOptions(loadEnv()));
      try {
        if (!(await setRetailerDuplicatePolicy(store.db, id, duplicates))) {
          const { NotFoundError } = await import('./errors.ts');
          throw new NotFoundError(`retailer ${id}`);
        }
        console.log(`retailer: ${id}\nduplicate order numbers: ${duplicates}`);
      } finally {
        await store.close();
      }
      return 0;
    },
  },
  'mappings check': {
    usage: 'hub mappings check [--offline] [dir]',
    summary: 'validate every mapping file and routing.yaml; lists every error (file, key path, line) and exits non-zero if any; --offline: structure only, variables not set are listed, not errors',
    async run(args) {
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { offline: { type: 'boolean' } } });
      const offline = values.offline === true;
      const { loadEnv } = await import('./config/env.ts');
      const { checkMappings } = await import('./config/mapping-loader.ts');
      const dir = positionals[0] ?? loadEnv().HUB_MAPPINGS_DIR;
      const { mappings, errors, structureOnly, missingEnv } = await checkMappings(dir, process.env, { offline });
      const { checkRoutingPolicy } = await import('./routing/policy-loader.ts');
      const { describePolicy } = await import('./routing/policy.ts');
      const routing = await checkRoutingPolicy(dir);
      const shown = (file: string) => path.relative(process.cwd(), file) || file;
      const found = [
        ...mappings.map((m) => ({ file: m.file, text: `${m.supplier}: ${m.mapping.outbound.format} over ${m.mapping.transport.type}` })),
        ...structureOnly.map((m) => ({ file: m.file, text: `${m.supplier}: ${m.format} over ${m.transport}; structure only, needs ${m.missingEnv.join(', ')}` })),
      ].sort((a, b) => a.file.localeCompare(b.file));
      for (const m of found) console.log(`ok      ${shown(m.file)}  (${m.text})`);
      if (routing.error) errors.push(routing.error);
      else if (routing.policies.file) {
        const overrides = routing.policies.retailers.size;
        console.log(`ok      ${shown(routing.policies.file)}  (routing policy: ${describePolicy(routing.policies.default)}; ${overrides} retailer${overrides === 1 ? '' : 's'} with their own)`);
      } else {
        console.log(`        no routing.yaml: the built-in routing policy (${describePolicy(routing.policies.default)})`);
      }
      for (const e of errors) console.error(`invalid ${e.message}`);
      if (missingEnv.length) {
        const line = `environment variables not set (${missingEnv.length}): ${missingEnv.join(' ')}`;
        if (offline) console.log(`${line}\n        set them before \`hub serve\`; \`hub mappings check\` without --offline checks their values`);
        else console.error(line);
      }
      if (found.length === 0 && errors.length === 0) console.error(`no mapping files in ${dir}`);
      return errors.length || found.length === 0 ? 1 : 0;
    },
  },
  'mappings preview': {
    usage: 'hub mappings preview <supplier> <order.json>',
    summary: 'print exactly the bytes that would be sent to the supplier for a canonical order (control numbers marked as preview)',
    async run(args) {
      const [supplier, orderFile] = args;
      if (!supplier || !orderFile) throw new CliUsageError('give a supplier and an order file');
      const { previewPurchaseOrders } = await import('./pipeline/preview.ts');
      const { loadEnv } = await import('./config/env.ts');
      const env = loadEnv();
      const outputs = await previewPurchaseOrders(env.HUB_MAPPINGS_DIR, supplier, JSON.parse(await readFile(orderFile, 'utf8')));
      for (const out of outputs) {
        console.error(`--- ${out.filename} (${out.contentType}; preview: control numbers ${out.controlNumbers ? 'fixed at 999999999' : 'not used'}) ---`);
        for (const w of out.warnings ?? []) console.error(`warning: ${w.field}${w.element ? ` (${w.element})` : ''}: ${w.message}`);
        process.stdout.write(out.content);
        if (!out.content.toString('utf8').endsWith('\n')) process.stdout.write('\n');
      }
      return 0;
    },
  },
  'suppliers test': {
    usage: 'hub suppliers test <supplier>',
    summary: 'SFTP: log in, check the host key, write and remove a probe file, list the inbound folder; HTTP: a HEAD request; AS2: read the certificates, send a signed test message, verify its MDN; mailbox: account, host key, server, folders',
    async run(args) {
      const [supplier] = args;
      if (!supplier) throw new CliUsageError('give a supplier id');
      const { loadEnv } = await import('./config/env.ts');
      const { loadSupplierMapping } = await import('./config/mapping-loader.ts');
      const env = loadEnv();
      const { createTransport } = await import('./transports/transport.ts');
      const { openStore } = await import('./store/database.ts');
      const { storeOptions } = await import('./main.ts');
      const { HubError } = await import('./errors.ts');
      const loaded = await loadSupplierMapping(env.HUB_MAPPINGS_DIR, supplier);
      // A mailbox supplier's account and folders live in the database (which a running hub holds, if embedded).
      let store: Awaited<ReturnType<typeof openStore>> | undefined;
      let unavailable: string | undefined;
      if (loaded.mapping.transport.type === 'mailbox') {
        try {
          store = await openStore(storeOptions(env));
        } catch (error) {
          if (!(error instanceof HubError && error.code === 'storage_locked')) throw error;
          unavailable = error.message;
        }
      }
      let steps;
      try {
        const { mailboxTransportContext } = await import('./transports/mailbox/hub.ts');
        const mailbox = { ...mailboxTransportContext(env, store?.db, () => new Date()), ...(unavailable ? { unavailable } : {}) };
        const transport = createTransport(supplier, loaded.mapping.transport, { mailbox });
        steps = await transport.probe();
        await transport.close();
      } finally {
        await store?.close();
      }
      for (const step of steps) console.log(`${step.ok ? 'ok  ' : 'FAIL'} ${step.step.padEnd(13)} ${String(step.ms).padStart(5)} ms  ${step.detail}`);
      return steps.every((s) => s.ok) ? 0 : 1;
    },
  },
  poll: {
    usage: 'hub poll <supplier>',
    summary: "one inbound pass now: list the supplier's folder, apply new files, move them to processedDir",
    async run(args) {
      const [supplier] = args;
      if (!supplier) throw new CliUsageError('give a supplier id');
      const { loadEnv } = await import('./config/env.ts');
      const { createLogger } = await import('./logger.ts');
      const { createHub } = await import('./main.ts');
      // Logs go to stderr, so that stdout is the pass's JSON alone (`hub poll acme | jq`).
      const hub = await createHub({ logger: createLogger({ level: loadEnv().LOG_LEVEL, destination: process.stderr }) });
      try {
        const { pollSupplier } = await import('./pipeline/poll.ts');
        const result = await pollSupplier(hub, supplier);
        console.log(JSON.stringify(result, null, 2));
        // Send the 997s and events this pass queued, before exiting.
        const { Worker } = await import('./pipeline/worker.ts');
        const { workerOptions } = await import('./main.ts');
        await new Worker(hub, workerOptions(hub.env)).pass();
        return result.failed > 0 ? 1 : 0;
      } finally {
        await hub.transports.closeAll();
        await hub.store.close();
      }
    },
  },
  'documents parse': {
    usage: 'hub documents parse <supplier> <file>',
    summary: 'print what the hub would extract from a supplier file (shipments, acknowledgments, invoices...) as JSON, without applying it',
    async run(args) {
      const [supplier, file] = args;
      if (!supplier || !file) throw new CliUsageError('give a supplier and a file');
      const { loadEnv } = await import('./config/env.ts');
      const { loadSupplierMapping } = await import('./config/mapping-loader.ts');
      const env = loadEnv();
      const loaded = await loadSupplierMapping(env.HUB_MAPPINGS_DIR, supplier);
      const { parseSupplierFile } = await import('./pipeline/parse-file.ts');
      const parsed = await parseSupplierFile(loaded, path.basename(file), file);
      console.log(JSON.stringify(parsed, null, 2));
      return 0;
    },
  },
  'orders reroute': {
    usage: 'hub orders reroute <order id>',
    summary: 'route again an order that could not be routed (unclaimed SKU, refused data), after the mapping is fixed',
    async run(args) {
      const [id] = args;
      if (!id) throw new CliUsageError('give an order id');
      return withHub(async (hub) => {
        const { rerouteOrder } = await import('./pipeline/reroute.ts');
        await rerouteOrder(hub, id);
        console.log(`${id}: received (the router takes it next)`);
        return 0;
      });
    },
  },
  'orders explain': {
    usage: 'hub orders explain <order id>',
    summary: 'why each line of an order went where it went: its routing decisions with every candidate, what waits, what is reserved (JSON)',
    async run(args) {
      const [id] = args;
      if (!id) throw new CliUsageError('give an order id');
      return withHub(async (hub) => {
        const { explainOrder } = await import('./pipeline/routing-preview.ts');
        console.log(JSON.stringify(await explainOrder(hub, id), null, 2));
        return 0;
      });
    },
  },
  'routing preview': {
    usage: 'hub routing preview <order.json> [--retailer <id>]',
    summary: "how a canonical order would be routed now, with the retailer's policy and the live stock (JSON; nothing sent, nothing written)",
    async run(args) {
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { retailer: { type: 'string' } } });
      const [orderFile] = positionals;
      if (!orderFile) throw new CliUsageError('give an order file');
      let body: unknown;
      try {
        body = JSON.parse(await readFile(orderFile, 'utf8'));
      } catch (error) {
        throw new CliUsageError(`${orderFile} is not a JSON order: ${(error as Error).message}`);
      }
      return withHub(async (hub) => {
        const { previewRouting } = await import('./pipeline/routing-preview.ts');
        console.log(JSON.stringify(await previewRouting(hub, body, values.retailer), null, 2));
        return 0;
      });
    },
  },
  'routing backorders': {
    usage: 'hub routing backorders',
    summary: 'route the lines waiting for stock (unfillable: partial) that can go now; the worker does it after stock feeds',
    async run() {
      return withHub(async (hub) => {
        const { routeBackorders } = await import('./pipeline/backorders.ts');
        const routed = await routeBackorders(hub);
        console.log(routed.length ? `routed waiting lines of ${routed.length} order${routed.length === 1 ? '' : 's'}: ${routed.join(', ')}` : 'no waiting line can go now');
        return 0;
      });
    },
  },
  mailbox: {
    usage: 'hub mailbox',
    summary: 'the SFTP mailbox alone (HUB_SFTP_HOST, HUB_SFTP_PORT), for running it in its own processes; `hub serve` runs it too',
    async run() {
      const { createHub } = await import('./main.ts');
      const { HubError } = await import('./errors.ts');
      const hub = await createHub();
      const { mailboxAccounts, startHubMailbox } = await import('./transports/mailbox/hub.ts');
      if (mailboxAccounts(hub).size === 0) {
        await hub.store.close();
        throw new HubError('config_invalid', `no mapping in ${hub.env.HUB_MAPPINGS_DIR} uses transport type mailbox: the mailbox would have no accounts`);
      }
      const server = await startHubMailbox(hub);
      console.error(`mailbox listening on ${server.host}:${server.port} (host key ${server.fingerprint})`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
      await hub.store.close();
      return 0;
    },
  },
  'mailbox fingerprint': {
    usage: 'hub mailbox fingerprint',
    summary: "print the mailbox's host key fingerprint (SHA256:…) and public key for suppliers' known_hosts; makes the key if there is none yet",
    async run() {
      const { loadEnv } = await import('./config/env.ts');
      const { HubError } = await import('./errors.ts');
      const env = loadEnv();
      const { hostKeyFile, loadOrCreateHostKey } = await import('./transports/mailbox/host-key.ts');
      const file = hostKeyFile(env);
      if (!file) throw new HubError('config_invalid', 'HUB_DATA_DIR is memory:// and HUB_SFTP_HOST_KEY_FILE is not set: the mailbox has no lasting host key to print');
      const key = await loadOrCreateHostKey(file);
      console.log(key.fingerprint);
      console.log(key.publicKey);
      console.error(`(${file}; a supplier's known_hosts line: [your.host]:${env.HUB_SFTP_PORT} ${key.publicKey})`);
      return 0;
    },
  },
  'mailbox hash-password': {
    usage: 'hub mailbox hash-password   (the password on stdin, or typed at the prompt)',
    summary: 'print the scrypt hash of a mailbox password, for a mapping\'s transport.passwordHash (given through ${NAME})',
    async run() {
      const password = await readSecret('mailbox password: ');
      if (password.length < 12) throw new CliUsageError('use a password of at least 12 characters');
      const { hashPassword } = await import('./transports/mailbox/password.ts');
      console.log(await hashPassword(password));
      return 0;
    },
  },
  'mailbox audit': {
    usage: 'hub mailbox audit [--supplier S] [--event E] [--limit N] [--json]',
    summary: "the mailbox's audit log, newest first: logins, failed logins, lockouts, uploads, downloads, removals, refused paths",
    async run(args) {
      const { values } = parseArgs({ args, options: { supplier: { type: 'string' }, event: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } } });
      const limit = values.limit === undefined ? 50 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new CliUsageError('--limit is a whole number from 1 to 10000');
      const { loadEnv } = await import('./config/env.ts');
      const { storeOptions } = await import('./main.ts');
      const { openStore } = await import('./store/database.ts');
      const env = loadEnv();
      const store = await openStore(storeOptions(env));
      try {
        const { listMailboxAudit } = await import('./store/mailbox.ts');
        const entries = await listMailboxAudit(store.db, { limit, ...(values.supplier ? { supplierId: values.supplier } : {}), ...(values.event ? { event: values.event } : {}) });
        for (const e of entries) {
          if (values.json) console.log(JSON.stringify({ ...e, at: e.at.toISOString() }));
          else console.log([e.at.toISOString(), `${e.username || '-'}@${e.address}`, e.event, e.path ?? '', e.bytes === null ? '' : `${e.bytes} B`, e.detail ?? ''].filter(Boolean).join('  '));
        }
        if (entries.length === 0) console.error('no audit entries');
      } finally {
        await store.close();
      }
      return 0;
    },
  },
  'mailbox unlock': {
    usage: 'hub mailbox unlock <supplier> | hub mailbox unlock --address A',
    summary: 'lift a mailbox lockout after failed logins: a supplier\'s (from every address), or an address\'s',
    async run(args) {
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { address: { type: 'string' } } });
      if ((positionals.length === 1) === (values.address !== undefined) || positionals.length > 1) throw new CliUsageError('give a supplier id or --address, one of them');
      const { loadEnv } = await import('./config/env.ts');
      const { storeOptions } = await import('./main.ts');
      const { openStore } = await import('./store/database.ts');
      const env = loadEnv();
      const store = await openStore(storeOptions(env));
      try {
        const { clearLockouts } = await import('./store/mailbox.ts');
        const cleared = await clearLockouts(store.db, positionals[0] !== undefined ? { username: positionals[0] } : { address: values.address! });
        console.log(cleared ? `cleared ${cleared} failed-login record(s)` : 'nothing to clear');
      } finally {
        await store.close();
      }
      return 0;
    },
  },
  'documents retry': {
    usage: 'hub documents retry <id>... | hub documents retry --failed [--supplier S] [--direction in|out]',
    summary: 'send failed outbound documents again (same bytes, same control numbers), or re-apply quarantined inbound ones',
    async run(args) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: { failed: { type: 'boolean' }, supplier: { type: 'string' }, direction: { type: 'string' } },
      });
      if (positionals.length === 0 && !values.failed) throw new CliUsageError('give document ids, or --failed');
      if (values.direction !== undefined && !['in', 'out'].includes(values.direction)) throw new CliUsageError('--direction is in or out');
      const { createHub } = await import('./main.ts');
      const { errorMessage } = await import('./errors.ts');
      const hub = await createHub();
      try {
        const { retryDocument } = await import('./pipeline/retry.ts');
        const { Progress } = await import('./progress.ts');
        let ids = positionals;
        if (values.failed) {
          let query = hub.store.db.selectFrom('documents').select('id').where('status', '=', 'failed');
          if (values.supplier) query = query.where('supplier_id', '=', values.supplier);
          if (values.direction) query = query.where('direction', '=', values.direction as 'in' | 'out');
          ids = [...ids, ...(await query.orderBy('created_at').execute()).map((r) => r.id)];
        }
        const progress = new Progress('retrying', ids.length, (n) => `${n} documents`);
        let failures = 0;
        for (const [i, id] of ids.entries()) {
          try {
            console.log(`${id}: ${await retryDocument(hub, id)}`);
          } catch (error) {
            failures++;
            console.error(`${id}: ${errorMessage(error)}`);
          }
          progress.update(i + 1);
        }
        progress.finish(ids.length);
        if (ids.length === 0) console.error('no failed documents');
        return failures ? 1 : 0;
      } finally {
        await hub.transports.closeAll();
        await hub.store.close();
      }
    },
  },
};

class CliUsageError extends Error {}

/** A secret from stdin: typed at a prompt without echo on a terminal, else the whole input (one trailing newline dropped). */
async function readSecret(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  const { createInterface } = await import('node:readline');
  const ask = (question: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      // Print the prompt, then nothing of what is typed.
      (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = (text: string) => {
        if (text.startsWith(question)) process.stderr.write(question);
      };
      rl.question(question, (answer) => {
        rl.close();
        process.stderr.write('\n');
        resolve(answer);
      });
    });
  const first = await ask(prompt);
  const again = await ask('again: ');
  if (first !== again) throw new CliUsageError('the two passwords differ');
  return first;
}

function help(): string {
  const lines = ['usage: hub <command> [options]', '', 'commands:'];
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;
  for (const [name, command] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(width)}${command.summary}`);
  lines.push('', 'Every command takes --help. Configuration is by environment: see README.md.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<void> {
  const name = [`${argv[0]} ${argv[1]}`, argv[0]].find((n) => n !== undefined && n in COMMANDS);
  if (!name) {
    const wantsHelp = argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help';
    (wantsHelp ? console.log : console.error)(wantsHelp ? help() : `hub: unknown command "${argv.join(' ')}"\n\n${help()}`);
    process.exit(wantsHelp ? 0 : 2);
  }
  const command = COMMANDS[name]!;
  const args = argv.slice(name.split(' ').length);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`usage: ${command.usage}\n\n${command.summary}`);
    process.exit(0);
  }
  try {
    const code = await command.run(args);
    process.exit(code);
  } catch (error) {
    if (error instanceof CliUsageError) {
      console.error(`hub ${name}: ${error.message}\nusage: ${command.usage}`);
      process.exit(2);
    }
    const { HubError, MappingError, errorMessage } = await import('./errors.ts');
    if (error instanceof MappingError || error instanceof HubError) {
      console.error(`hub ${name}: ${error.message}`);
    } else {
      console.error(`hub ${name}: ${errorMessage(error)}`);
    }
    process.exit(1);
  }
}
