/**
 * The `hub` command as integrators and operators run it: a real child process, its exit code and
 * what it prints.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHub } from './helpers/hub-process.ts';
import { writeMappingDir, x12SftpMapping } from './helpers/mappings.ts';
import { startSftpServer, type SftpPeer } from './helpers/sftp-server.ts';
import { EXAMPLE_ENV, MAPPINGS_DIR, ROOT } from './formats/outbound/examples.ts';

const env = { ...EXAMPLE_ENV, HUB_MAPPINGS_DIR: MAPPINGS_DIR, HUB_DATA_DIR: 'memory://' };

describe('hub mappings', () => {
  it('check: passes the example mappings', async () => {
    const result = await runHub(['mappings', 'check'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ok .*acme-toys\.yaml/);
  });

  it('check: lists every error with file, key path and line, and exits non-zero', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-bad-'));
    writeFileSync(path.join(dir, 'bad.yaml'), 'supplier: other\nname: X\nskus:\n  prefixs: ["A-"]\n');
    const result = await runHub(['mappings', 'check', dir], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('bad.yaml');
    expect(result.stderr).toMatch(/supplier/);
    expect(result.stderr).toMatch(/skus/);
    expect(result.stderr).toMatch(/line \d+/);
  });

  it('check --offline: passes the example mappings with no environment (a fresh clone), listing the variables not set in one list', async () => {
    const offline = await runHub(['mappings', 'check', '--offline'], { HUB_MAPPINGS_DIR: MAPPINGS_DIR, HUB_DATA_DIR: 'memory://' });
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout).toMatch(/ok .*acme-toys\.yaml +\(acme-toys: x12-850 over sftp; structure only, needs ACME_SFTP_HOST, ACME_SFTP_HOST_KEY, ACME_SFTP_KEY_FILE, ACME_SFTP_USER\)/);
    const names = Object.keys(EXAMPLE_ENV).sort();
    expect(offline.stdout).toContain(`environment variables not set (${names.length}): ${names.join(' ')}`);
    const online = await runHub(['mappings', 'check'], { HUB_MAPPINGS_DIR: MAPPINGS_DIR, HUB_DATA_DIR: 'memory://' });
    expect(online.code).toBe(1);
    expect(online.stderr).toContain(`environment variables not set (${names.length}): ${names.join(' ')}`);
  });

  it('check refuses an invalid cron with file and line, and serve refuses it in the same words', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-cron-'));
    writeFileSync(path.join(dir, 'acme-toys.yaml'), readFileSync(path.join(MAPPINGS_DIR, 'acme-toys.yaml'), 'utf8').replace(/schedule: .*/, 'schedule: "*/5 *"'));
    const words = 'inbound.schedule (line 45): "*/5 *" is not a cron schedule: expected 5 or 6 fields but got 2';
    const check = await runHub(['mappings', 'check', dir], env);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`${path.join(dir, 'acme-toys.yaml')}: invalid mapping file`);
    expect(check.stderr).toContain(words);
    const serve = await runHub(['serve'], { ...env, HUB_MAPPINGS_DIR: dir, PORT: '0' });
    expect(serve.code).toBe(1);
    expect(serve.stderr).toContain(words);
  });

  const withRouting = (routing: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-routing-'));
    for (const name of ['acme-toys.yaml', 'initech.yaml', 'initech.catalog.csv']) writeFileSync(path.join(dir, name), readFileSync(path.join(MAPPINGS_DIR, name)));
    writeFileSync(path.join(dir, 'routing.yaml'), routing);
    return dir;
  };

  it('check: reads routing.yaml beside the mappings and says which policy applies', async () => {
    const good = await runHub(['mappings', 'check', withRouting('default:\n  rules: [in-stock, cost]\nretailers:\n  toyshop: { unfillable: partial }\n')], env);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/ok .*acme-toys\.yaml/);
    expect(good.stdout).toMatch(/ok +\S*routing\.yaml +\(routing policy: rules in-stock, cost; stock older than 24h counts as unknown \(route\); unfillable hold; at most 0 reroutes a line; 1 retailer with their own\)/);
  });

  it('check: a bad routing.yaml fails the check like a bad mapping file, with key path and line', async () => {
    const bad = await runHub(['mappings', 'check', withRouting('default:\n  rules: [in-stock, cheapest]\n')], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/ok .*acme-toys\.yaml/);
    expect(bad.stderr).toContain('routing.yaml: invalid routing policy');
    expect(bad.stderr).toContain('default.rules.1 (line 2): unknown rule "cheapest"; the rules are in-stock, priority, cost, fewest-shipments');
  });

  it('preview: prints exactly the bytes for the order, with control numbers marked as preview', async () => {
    const result = await runHub(['mappings', 'preview', 'acme-toys', path.join(ROOT, 'test/fixtures/orders/split-order.json')], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ISA\*/);
    expect(result.stdout).toContain('*999999999*');
    expect(result.stdout).toMatch(/ST\*850\*/);
    expect(result.stderr).toMatch(/preview/);
  });

  it('preview: prints a warning for each text field written differently, naming the field', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-preview-'));
    const order = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/orders/split-order.json'), 'utf8'));
    order.shipTo.address1 = '12½ Main St';
    order.shipTo.name = 'Zoë Lovelace 🎁';
    writeFileSync(path.join(dir, 'order.json'), JSON.stringify(order));
    const result = await runHub(['mappings', 'preview', 'acme-toys', path.join(dir, 'order.json')], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('N3*12 1/2 Main St');
    expect(result.stderr).toContain('warning: shipTo.address1 (N3 N301): "12½ Main St" written as "12 1/2 Main St"');
    expect(result.stderr).toContain('warning: shipTo.name (N1 N102): "Zoë Lovelace 🎁" written as "Zoe Lovelace" (dropped 🎁 (no ASCII form))');
  });

  it('preview: an invalid order prints every bad field with its path', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-preview-'));
    const order = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/orders/split-order.json'), 'utf8'));
    order.lines[0].quantity = 0;
    order.lines[1].unitPrice = 'free';
    delete order.shipTo.city;
    writeFileSync(path.join(dir, 'order.json'), JSON.stringify(order));
    const result = await runHub(['mappings', 'preview', 'acme-toys', path.join(dir, 'order.json')], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/invalid order/);
    for (const field of ['lines.0.quantity', 'lines.1.unitPrice', 'shipTo.city']) expect(result.stderr).toMatch(new RegExp(`\\n  ${field.replace(/\./g, '\\.')}: `));
  });
});

describe('hub documents parse', () => {
  it('prints what the hub reads from an 856, without applying it', async () => {
    const result = await runHub(['documents', 'parse', 'acme-toys', path.join(ROOT, 'test/fixtures/inbound/856-sopi-two-pos.edi')], env);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout);
    const shipments = parsed.items.filter((i: { kind: string }) => i.kind === 'shipment');
    expect(shipments.length).toBeGreaterThanOrEqual(2);
    expect(shipments[0].shipment.poNumber).toEqual(expect.any(String));
    expect(shipments[0].shipment.trackingNumbers.length).toBeGreaterThan(0);
  });

  it('refuses a file it cannot read with a clear error and a non-zero exit', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'cli-')), 'cut.856');
    writeFileSync(file, 'ISA*00*          *00*          *ZZ*ACME           *ZZ*DROPHUB        *261127*0930*U*00401*000000001*0*P*>~GS*SH*A*B*20261127*0930*1*X*004010~ST*856*0001~BSN*00*1');
    const result = await runHub(['documents', 'parse', 'acme-toys', file], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/segment \d+/);
  });
});

describe('hub suppliers test', () => {
  let peer: SftpPeer;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    peer = await startSftpServer();
    mkdirSync(path.join(peer.root, 'in'));
    mkdirSync(path.join(peer.root, 'out'));
    const acme = x12SftpMapping(peer, { transport: { processedDir: undefined, failedDir: undefined, createDirs: false } });
    dir = writeMappingDir(acme.mapping);
    env = acme.env;
  });
  afterAll(async () => peer.close());

  it('logs in, checks the host key, writes and removes a probe file, lists the inbound folder', async () => {
    const result = await runHub(['suppliers', 'test', 'acme'], { ...env, HUB_MAPPINGS_DIR: dir });
    expect(result.code).toBe(0);
    for (const step of ['connect', 'host_key', 'write', 'remove', 'list_inbound']) expect(result.stdout).toMatch(new RegExp(`ok\\s+${step}`));
  });

  it('says a supplier is unknown and lists the known ones', async () => {
    const result = await runHub(['suppliers', 'test', 'acme-toy'], { ...EXAMPLE_ENV, HUB_MAPPINGS_DIR: MAPPINGS_DIR });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`unknown supplier "acme-toy"; the suppliers in ${MAPPINGS_DIR} are acme-toys, globex, initech, umbrella, wonka`);
  });

  it('hub poll: stdout is the JSON of the pass alone (logs go to stderr), so it pipes to jq', async () => {
    const { processDatabaseEnv } = await import('./helpers/hub-process.ts');
    const db = processDatabaseEnv(path.join(mkdtempSync(path.join(tmpdir(), 'cli-poll-')), 'data'));
    try {
      const result = await runHub(['poll', 'acme'], { ...env, ...db.env, HUB_MAPPINGS_DIR: dir, LOG_LEVEL: 'info' });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ supplier: 'acme', seen: 0, failed: 0 });
      expect(result.stderr).toContain('inbound poll finished');
    } finally {
      await db.drop();
    }
  }, 60_000);

  it('fails on a wrong pinned host key, saying so', async () => {
    const wrong = `SHA256:${'A'.repeat(43)}`;
    const result = await runHub(['suppliers', 'test', 'acme'], { ...env, HUB_MAPPINGS_DIR: dir, SFTP_HOST_KEY: wrong });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL\s+host_key/);
  });
});

describe('hub --help', () => {
  it('describes every command, and refuses an unknown one', async () => {
    const help = await runHub(['--help'], {});
    expect(help.code).toBe(0);
    for (const name of ['serve', 'migrate', 'demo', 'retailers create', 'mappings check', 'mappings preview', 'suppliers test', 'poll', 'documents parse', 'documents retry']) {
      expect(help.stdout).toContain(name);
    }
    const one = await runHub(['poll', '--help'], {});
    expect(one.stdout).toMatch(/usage: hub poll <supplier>/);
    const unknown = await runHub(['frobnicate'], {});
    expect(unknown.code).toBe(2);
  });
});

describe('hub documents retry', () => {
  it('--failed sends every failed document again, and says which', async () => {
    const { processDatabaseEnv } = await import('./helpers/hub-process.ts');
    const { openStore } = await import('../src/store/database.ts');
    const { newId } = await import('../src/store/ids.ts');
    const db = processDatabaseEnv(path.join(mkdtempSync(path.join(tmpdir(), 'cli-retry-')), 'data'));
    const hubEnv: Record<string, string> = { ...db.env, HUB_MAPPINGS_DIR: mkdtempSync(path.join(tmpdir(), "cli-nomap-")) };
    try {
      const store = await openStore({
        databaseUrl: hubEnv.DATABASE_URL,
        dataDir: hubEnv.HUB_DATA_DIR,
        ...(hubEnv.HUB_DB_SCHEMA ? { schema: hubEnv.HUB_DB_SCHEMA } : {}),
      });
      const ids = [newId('doc'), newId('doc')];
      for (const id of ids) {
        await store.db.insertInto('documents').values({
          id, direction: 'out', kind: 'event', format: 'webhook', filename: `${id}.json`, content: Buffer.from('{}'),
          content_type: 'application/json', content_hash: 'x', size: 2, status: 'failed', retailer_id: 'r',
        }).execute();
      }
      await store.close();
      const result = await runHub(['documents', 'retry', '--failed'], hubEnv);
      expect(result.code, result.stderr).toBe(0);
      for (const id of ids) expect(result.stdout).toContain(`${id}: pending`);
      const again = await runHub(['documents', 'retry', ids[0]!], hubEnv);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/is pending, not failed/);
    } finally {
      await db.drop();
    }
  }, 120_000);
});
