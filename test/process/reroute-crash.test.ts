/**
 * Automatic reroute is one commit: a hub SIGKILLed in the middle of moving a rejected line (the new
 * purchase order written, the first supplier's cancellation not yet) leaves nothing behind; the 855
 * applied again after the restart moves the line once, and each supplier gets its file once.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleOrder } from '../helpers/hub.ts';
import { processDatabaseEnv, runHub, startHubProcess, type HubProcess } from '../helpers/hub-process.ts';
import { writeMappingDir, x12SftpMapping } from '../helpers/mappings.ts';
import { startSftpServer, type SftpPeer } from '../helpers/sftp-server.ts';
import { poAck } from '../helpers/supplier-files.ts';
import { until } from '../helpers/wait.ts';

describe(`a crash in the middle of a reroute (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let sftp: SftpPeer;
  const running: HubProcess[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-reroute-crash-'));
  const db = processDatabaseEnv(path.join(dir, 'data'));
  let env: Record<string, string>;
  let apiKey: string;

  beforeAll(async () => {
    sftp = await startSftpServer();
    const mappings = ['acme', 'globex'].map((id, i) => {
      const dirs = { outboundDir: `${id}/in`, inboundDir: `${id}/out`, processedDir: `${id}/out/processed`, failedDir: `${id}/out/failed` };
      const { mapping } = x12SftpMapping(sftp, { supplier: id, prefixes: ['TOY-'], transport: dirs });
      (mapping.inbound as { schedule: string }).schedule = '0 0 1 1 *'; // polled by `hub poll` only
      mkdirSync(path.join(sftp.root, id, 'out'), { recursive: true });
      return { ...mapping, routing: { priority: i + 1 } };
    });
    const mappingsDir = writeMappingDir(...mappings);
    writeFileSync(path.join(mappingsDir, 'routing.yaml'), 'default:\n  maxReroutes: 2\n');
    env = { ...db.env, ...x12SftpMapping(sftp).env, HUB_MAPPINGS_DIR: mappingsDir, HUB_POLL_INTERVAL_MS: '200' };
    const created = await runHub(['retailers', 'create', 'crash'], env);
    apiKey = created.stdout.match(/api key: (\S+)/)![1]!;
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.kill()));
    await sftp?.close();
    await db.drop();
  });

  const filesIn = (supplier: string) => readdirSync(path.join(sftp.root, supplier, 'in')).filter((f) => !f.startsWith('.')).sort();
  const order = async (hub: HubProcess, id: string) => (await fetch(`${hub.url}/v1/orders/${id}`, { headers: { authorization: `Bearer ${apiKey}` } })).json();

  it('moves the line once: one cancellation for acme, one purchase order for globex', async () => {
    let hub = await startHubProcess(env);
    running.push(hub);
    const res = await fetch(`${hub.url}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(sampleOrder({ externalId: 'RC-1', orderNumber: 'RC-1', lines: [{ lineId: '1', sku: 'TOY-TRUCK', quantity: 1, unitPrice: '5.00' }] })),
    });
    const { id } = (await res.json()) as { id: string };
    await until('the PO sent to acme', async () => ((await order(hub, id)).status === 'sent' ? true : undefined));
    await hub.kill(); // PGlite: one process per data folder

    writeFileSync(path.join(sftp.root, 'acme', 'out', 'ack_RC-1.855'), poAck({ senderId: 'ACME', receiverId: 'DROPHUB', controlNumber: 61 }, 'RC-1', 'AC', [{ supplierSku: 'TOY-TRUCK', quantity: 1, ack: 'IR' }]));
    const crashed = await runHub(['poll', 'acme'], { ...env, HUB_CRASH_AT: 'mid-reroute' });
    expect(crashed.code).not.toBe(0);
    expect(readdirSync(path.join(sftp.root, 'acme', 'out'))).toContain('ack_RC-1.855'); // nothing committed, not moved

    const poll = await runHub(['poll', 'acme'], env);
    expect(poll.code).toBe(0);
    expect(JSON.parse(poll.stdout)).toMatchObject({ applied: 1 });

    hub = await startHubProcess(env);
    running.push(hub);
    const done = await until('the cancellation and the new PO delivered', async () => {
      const view = await order(hub, id);
      const out = view.documents.filter((d: { direction: string; kind: string }) => d.direction === 'out' && d.kind.startsWith('po'));
      return out.length === 3 && out.every((d: { status: string }) => d.status === 'sent') ? view : undefined;
    });
    expect(done.timeline.filter((e: { type: string }) => e.type === 'line_rerouted')).toHaveLength(1);
    expect(done.purchaseOrders.map((p: { supplierId: string; status: string }) => [p.supplierId, p.status]).sort()).toEqual([['acme', 'cancelled'], ['globex', 'sent']]);
    // The hub's 997 for the 855, once: the crashed apply never committed it either.
    expect(filesIn('acme')).toEqual([expect.stringMatching(/^997_\d+\.edi$/), 'PO_RC-1.edi', 'PO_RC-1_cancel.edi']);
    expect(readFileSync(path.join(sftp.root, 'acme', 'in', 'PO_RC-1_cancel.edi'), 'utf8')).toMatch(/BEG\*01\*[A-Z]{2}\*RC-1\*/);
    expect(filesIn('globex')).toEqual(['PO_RC-1.edi']);
  }, 180_000);
});
