import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseLease, tryTakeLease } from '../../src/jobs/lease.ts';
import { Scheduler } from '../../src/jobs/scheduler.ts';
import { createTestHub, type TestHub } from '../helpers/hub.ts';
import { x12SftpSupplier } from '../helpers/mappings.ts';
import { startSftpServer, type SftpPeer } from '../helpers/sftp-server.ts';

let peer: SftpPeer;
let t: TestHub;
beforeAll(async () => {
  peer = await startSftpServer();
  mkdirSync(path.join(peer.root, 'out'), { recursive: true });
  t = await createTestHub({ mappings: [await x12SftpSupplier(peer)] });
});
afterAll(async () => {
  await t.close();
  await peer.close();
});

describe('poll leases', () => {
  it('give a supplier\'s poll to one holder at a time, and to another once expired or released', async () => {
    const { store } = t.hub;
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => tryTakeLease(store, 'poll:x', `holder-${i}`, 60_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = `holder-${results.indexOf(true)}`;
    expect(await tryTakeLease(store, 'poll:x', winner, 60_000)).toBe(true); // renewal by the holder
    await releaseLease(store, 'poll:x', winner);
    expect(await tryTakeLease(store, 'poll:x', 'late', 1_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await tryTakeLease(store, 'poll:x', 'after-expiry', 60_000)).toBe(true);
  });

  it('skips a poll while one is running, here or in another process', async () => {
    writeFileSync(path.join(peer.root, 'out', 'note.997'), 'not x12');
    const here = new Scheduler(t.hub);
    const elsewhere = new Scheduler(t.hub); // another process: its own holder id, the same database
    const [a, b, c] = await Promise.all([here.runOnce('acme'), here.runOnce('acme'), elsewhere.runOnce('acme')]);
    expect([a, b, c].filter((r) => r === 'ran')).toHaveLength(1);
    expect([a, b, c].filter((r) => r === 'busy')).toHaveLength(2);
    // Once finished, the next tick runs.
    expect(await elsewhere.runOnce('acme')).toBe('ran');
  });
});
