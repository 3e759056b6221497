/**
 * Nothing lost, nothing doubled, across real crashes: the hub is SIGKILLed between an upload and its
 * commit, and between an inbound commit and the remote move; after a restart, exactly one file per
 * purchase order is on the supplier's server and every inbound file is applied once. With PostgreSQL,
 * two worker processes deliver 500 purchase orders, each exactly once.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { sampleOrder } from '../helpers/hub.ts';
import { startHttpPeer, type HttpPeer } from '../helpers/http-peer.ts';
import { processDatabaseEnv, runHub, startHubProcess, type HubProcess } from '../helpers/hub-process.ts';
import { startSftpServer, type SftpPeer } from '../helpers/sftp-server.ts';
import { shipNotice } from '../helpers/supplier-files.ts';
import { writeMappingDir, x12SftpMapping } from '../helpers/mappings.ts';
import { sleep, until } from '../helpers/wait.ts';



describe(`crash between upload and commit (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let sftp: SftpPeer;
  const running: HubProcess[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-crash-'));
  const db = processDatabaseEnv(path.join(dir, 'data'));
  let env: Record<string, string>;
  let apiKey: string;

  beforeAll(async () => {
    sftp = await startSftpServer();
    const acme = x12SftpMapping(sftp, { retry: { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 100 } });
    (acme.mapping.inbound as { schedule: string }).schedule = '* * * * *';
    env = {
      ...db.env,
      ...acme.env,
      HUB_MAPPINGS_DIR: writeMappingDir(acme.mapping),
      HUB_POLL_INTERVAL_MS: '200',
      HUB_LEASE_MS: '1000',
    };
    const created = await runHub(['retailers', 'create', 'crash'], env);
    apiKey = created.stdout.match(/api key: (\S+)/)![1]!;
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.kill()));
    await sftp?.close();
    await db.drop();
  });

  /** POSTs an order to a hub process; returns its id once answered 201. */
  async function placeOrder(hub: HubProcess, externalId: string): Promise<string> {
    const res = await fetch(`${hub.url}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(sampleOrder({ externalId, orderNumber: externalId })),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  /** The order as the retailer sees it, once its purchase order is sent. */
  const whenSent = (hub: HubProcess, id: string) =>
    until('the PO to be marked sent', async () => {
      const r = await fetch(`${hub.url}/v1/orders/${id}`, { headers: { authorization: `Bearer ${apiKey}` } });
      const body = await r.json();
      return body.status === 'sent' ? body : undefined;
    });

  it('leaves exactly one file for the PO after a SIGKILL right after the upload', async () => {
    const crashing = await startHubProcess({ ...env, HUB_CRASH_AT: 'after-upload' });
    running.push(crashing);
    const id = await placeOrder(crashing, 'C-1');
    expect(await crashing.exited).toBe('SIGKILL');
    // The upload happened; the commit did not.
    expect(readdirSync(path.join(sftp.root, 'in')).filter((f) => f.startsWith('PO_C-1'))).toEqual(['PO_C-1.edi']);

    const hub = await startHubProcess(env);
    running.push(hub);
    const order = await whenSent(hub, id);
    const po = order.documents.find((d: { kind: string }) => d.kind === 'po');
    expect(po.attempts).toBe(1); // the crashed attempt never committed
    expect(readdirSync(path.join(sftp.root, 'in')).filter((f) => f.includes('C-1'))).toEqual(['PO_C-1.edi']);

    // Inbound: SIGKILL after the commit, before the remote move. Restarted, the file is moved, not applied again.
    await hub.kill();
    mkdirSync(path.join(sftp.root, 'out'), { recursive: true });
    writeFileSync(
      path.join(sftp.root, 'out', 'ship_C-1.856'),
      shipNotice({ senderId: 'ACME', receiverId: 'DROPHUB', controlNumber: 42 }, 'SHP-C1', [{ poNumber: 'C-1', items: [{ supplierSku: 'ACME-TRUCK-01', quantity: 1 }], tracking: ['1ZCRASH'] }]),
    );
    const pollCrash = await runHub(['poll', 'acme'], { ...env, HUB_CRASH_AT: 'after-inbound-commit' });
    expect(pollCrash.code).not.toBe(0);
    expect(readdirSync(path.join(sftp.root, 'out'))).toContain('ship_C-1.856');
    const poll = await runHub(['poll', 'acme'], env);
    expect(poll.code).toBe(0);
    expect(JSON.parse(poll.stdout)).toMatchObject({ applied: 0, duplicate: 1 });
    expect(readdirSync(path.join(sftp.root, 'out', 'processed'))).toContain('ship_C-1.856');

    const again = await startHubProcess({ ...env, HUB_WORKERS: '0' });
    running.push(again);
    const after = await (await fetch(`${again.url}/v1/orders/${id}`, { headers: { authorization: `Bearer ${apiKey}` } })).json();
    expect(after.shipments).toHaveLength(1);
    expect(after.purchaseOrders[0].shipped).toEqual({ 1: 1 });
  }, 180_000);

  it('leaves one file and no staged leftover after a SIGKILL between staging the upload and the routing commit', async () => {
    await Promise.all(running.splice(0).map((p) => p.kill())); // PGlite: one process per data folder
    // A generous staging limit: the upload ahead happens however busy the machine (see fast-route).
    const crashing = await startHubProcess({ ...env, HUB_CRASH_AT: 'after-stage', HUB_STAGING_LIMIT_MS: '60000' });
    running.push(crashing);
    // A first order opens the SSH connection (staging only uses one that is open and idle): it is
    // uploaded by its delivery, not staged, so the crash point does not fire for it.
    await placeOrder(crashing, 'C-2w');
    await until('the warm-up PO delivered', async () => (readdirSync(path.join(sftp.root, 'in')).includes('PO_C-2w.edi') ? true : undefined));
    const id = await placeOrder(crashing, 'C-2');
    expect(await crashing.exited).toBe('SIGKILL');
    // Staged under its temporary name, never committed: the supplier sees no PO.
    expect(readdirSync(path.join(sftp.root, 'in')).filter((f) => f.includes('C-2.'))).toEqual([expect.stringMatching(/^\.PO_C-2\.edi\..*\.part$/)]);

    const hub = await startHubProcess(env);
    running.push(hub);
    const order = await whenSent(hub, id);
    expect(order.purchaseOrders).toHaveLength(1);
    // Routed again (same document id, so the same temporary name): the staged file was overwritten and renamed.
    expect(readdirSync(path.join(sftp.root, 'in')).filter((f) => f.includes('C-2')).sort()).toEqual(['PO_C-2.edi', 'PO_C-2w.edi']);
    await hub.kill();
  }, 120_000);
});

describe.skipIf(!process.env.DATABASE_URL)('two worker processes on one PostgreSQL', () => {
  let peer: HttpPeer;
  const running: HubProcess[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-workers-'));
  const db = processDatabaseEnv(path.join(dir, 'data'));
  beforeAll(async () => {
    peer = await startHttpPeer();
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.kill()));
    await peer.close();
    await db.drop();
  });

  it('deliver 500 purchase orders, each exactly once', async () => {
    const mappings = path.join(dir, 'mappings');
    mkdirSync(mappings);
    writeFileSync(
      path.join(mappings, 'umbrella.yaml'),
      stringify({
        supplier: 'umbrella',
        name: 'Umbrella',
        skus: { prefixes: ['UMB-'] },
        transport: { type: 'http', url: `${peer.url}/po`, timeoutMs: 5000 },
        outbound: { format: 'json', filename: 'PO_{poNumber}.json', template: '{ "po": poNumber }' },
      }),
    );
    const env = { ...db.env, HUB_MAPPINGS_DIR: mappings, HUB_POLL_INTERVAL_MS: '200' };
    const apiKey = (await runHub(['retailers', 'create', 'many'], env)).stdout.match(/api key: (\S+)/)![1]!;
    const api = await startHubProcess({ ...env, HUB_WORKERS: '0' });
    running.push(api);
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const n = batch * 50 + i;
          const res = await fetch(`${api.url}/v1/orders`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
            body: JSON.stringify(sampleOrder({ externalId: `W-${n}`, orderNumber: `W-${n}`, lines: [{ lineId: '1', sku: 'UMB-1', quantity: 1, unitPrice: '1.00' }] })),
          });
          expect(res.status).toBe(201);
        }),
      );
    }
    running.push(await startHubProcess(env), await startHubProcess(env));
    await until('500 deliveries', async () => (peer.requests.length >= 500 ? true : undefined), 120_000);
    await sleep(1000); // anything doubled would arrive now
    const keys = peer.requests.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(500);
    expect(new Set(keys).size).toBe(500);
    const pos = new Set(peer.requests.map((r) => JSON.parse(r.body.toString()).po));
    expect(pos.size).toBe(500);
  }, 240_000);
});
