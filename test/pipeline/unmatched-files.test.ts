/**
 * Files in a supplier's inbound folder that no rule matches (an ASN named `.txt`): listed in the poll
 * result, on the dashboard and in a metric, alerted once per file, never moved or deleted.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { pollSupplier } from '../../src/pipeline/poll.ts';
import { ADMIN_TOKEN, createTestHub, type TestHub } from '../helpers/hub.ts';
import { x12SftpSupplier } from '../helpers/mappings.ts';
import { startSftpServer, type SftpPeer } from '../helpers/sftp-server.ts';

let sftp: SftpPeer;
let t: TestHub;
const logLines: { msg: string; file?: string; alert?: string }[] = [];

beforeAll(async () => {
  sftp = await startSftpServer();
  mkdirSync(path.join(sftp.root, 'out'), { recursive: true });
  t = await createTestHub({ mappings: [await x12SftpSupplier(sftp)] });
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  (t.hub as { logger: unknown }).logger = createLogger({ level: 'warn', destination: sink });
});
afterAll(async () => {
  await t.close();
  await sftp.close();
});

const alerts = () => logLines.filter((l) => l.alert === 'inbound_unmatched_file');

describe('inbound files that match no rule', () => {
  it('are listed by every pass, alerted once each, and left where they are', async () => {
    writeFileSync(path.join(sftp.root, 'out', 'ASN_5001.txt'), 'ISA*00*...');
    const first = await pollSupplier(t.hub, 'acme');
    expect(first.unmatched).toEqual([{ name: 'ASN_5001.txt', size: 10 }]);
    expect(first.seen).toBe(0);
    expect(alerts().map((a) => a.file)).toEqual(['ASN_5001.txt']);
    expect(alerts()[0]!.msg).toContain('"ASN_5001.txt" in the inbound folder matches no inbound rule (*.856, *.855, *.997, tracking_*.csv)');

    writeFileSync(path.join(sftp.root, 'out', 'notes.pdf'), 'pdf');
    const second = await pollSupplier(t.hub, 'acme');
    expect(second.unmatched.map((f) => f.name).sort()).toEqual(['ASN_5001.txt', 'notes.pdf']);
    expect(alerts().map((a) => a.file)).toEqual(['ASN_5001.txt', 'notes.pdf']); // the first one not again
    expect(existsSync(path.join(sftp.root, 'out', 'ASN_5001.txt'))).toBe(true);
    expect(existsSync(path.join(sftp.root, 'out', 'processed', 'ASN_5001.txt'))).toBe(false);

    const metrics = await t.hub.metrics.registry.metrics();
    expect(metrics).toContain('hub_inbound_unmatched_files{supplier="acme"} 2');
  });

  it('are shown on the dashboard until they are gone', async () => {
    const home = async () => (await t.app.request('/', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    const before = await home();
    expect(before).toContain('Files matching no inbound rule (2)');
    expect(before).toContain('data-unmatched="acme/ASN_5001.txt"');
    rmSync(path.join(sftp.root, 'out', 'notes.pdf'));
    const third = await pollSupplier(t.hub, 'acme');
    expect(third.unmatched.map((f) => f.name)).toEqual(['ASN_5001.txt']);
    expect(await home()).toContain('Files matching no inbound rule (1)');
    expect(alerts()).toHaveLength(2);
  });
});
