/**
 * An order answered 2xx is durable: SIGKILL the server right after the 201, start it again, and the
 * order is there (PostgreSQL when DATABASE_URL is set, the embedded database otherwise).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleOrder } from '../helpers/hub.ts';
import { processDatabaseEnv, runHub, startHubProcess, type HubProcess } from '../helpers/hub-process.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'hub-durability-'));
const mappingsDir = mkdtempSync(path.join(tmpdir(), 'hub-nomappings-'));
const db = processDatabaseEnv(path.join(dir, 'data'));
const env = { ...db.env, HUB_MAPPINGS_DIR: mappingsDir, HUB_WORKERS: '0' };
const running: HubProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((p) => p.kill()));
  await db.drop();
});

describe(`durability (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('keeps an order answered 201 across a SIGKILL of the server', async () => {
    const created = await runHub(['retailers', 'create', 'durable'], env);
    expect(created.code).toBe(0);
    const apiKey = created.stdout.match(/api key: (\S+)/)![1]!;

    const first = await startHubProcess(env);
    running.push(first);
    const res = await fetch(`${first.url}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(sampleOrder({ externalId: 'kill-1' })),
    });
    expect(res.status).toBe(201);
    const { id } = await res.json();
    await first.kill(); // right after the 201: no graceful shutdown

    const second = await startHubProcess(env);
    running.push(second);
    const read = await fetch(`${second.url}/v1/orders/${id}`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(read.status).toBe(200);
    expect((await read.json()).externalId).toBe('kill-1');
  }, 120_000);

  it('refuses a second process on the same embedded database with a clear message', async () => {
    if (process.env.DATABASE_URL) return; // PostgreSQL takes any number of processes
    // The server started by the test above still holds the folder.
    expect(running.at(-1)!.child.exitCode).toBeNull();
    const second = await runHub(['migrate'], env);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/in use by process \d+/);
  });
});
