/**
 * Security: a file over the inbound size limit in a supplier's folder (issue 18, item 9), against a
 * real OpenSSH server (the sandbox server where sshd is missing). It is never downloaded, recorded
 * once as a failed document and counted once in the failed-documents metric (the operator's alert),
 * and moved to the failed folder; where the mapping has no failed folder it stays, known, and later
 * polls neither record nor alert it again. The limit is lowered (HUB_LIMIT_INBOUND_BYTES) so that
 * the test writes kilobytes, not 64 MiB.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollSupplier } from '../../src/pipeline/poll.ts';
import { createTestHub, type TestHub } from '../helpers/hub.ts';
import { writeMapping, x12SftpMapping } from '../helpers/mappings.ts';
import { startSftpServer, type SftpPeer } from '../helpers/sftp-server.ts';

let peer: SftpPeer;
let t: TestHub;
const LIMIT = 4096;

beforeAll(async () => {
  peer = await startSftpServer();
  const withFailed = x12SftpMapping(peer, { supplier: 'acme' });
  const without = x12SftpMapping(peer, { supplier: 'bolt', prefixes: ['BOLT-'] });
  const transport = without.mapping.transport as Record<string, unknown>;
  delete transport.failedDir;
  transport.inboundDir = 'bolt-out';
  transport.processedDir = 'bolt-out/processed';
  const mappings = [await writeMapping(withFailed.mapping, withFailed.env), await writeMapping(without.mapping, without.env)];
  t = await createTestHub({ mappings, env: { HUB_LIMIT_INBOUND_BYTES: String(LIMIT) } });
  mkdirSync(path.join(peer.root, 'out'), { recursive: true });
  mkdirSync(path.join(peer.root, 'bolt-out'), { recursive: true });
});
afterAll(async () => {
  await t?.close();
  await peer?.close();
});

const big = () => `ISA*${'X'.repeat(LIMIT + 100)}~\n`;

async function documentsNamed(name: string) {
  return t.hub.store.db.selectFrom('documents').select(['id', 'status', 'error_code', 'last_error', 'supplier_id']).where('filename', '=', name).execute();
}

async function failedCount(supplier: string): Promise<number> {
  const metric = await t.hub.metrics.documentsFailed.get();
  return metric.values.filter((v) => v.labels.supplier === supplier && v.labels.direction === 'in').reduce((sum, v) => sum + v.value, 0);
}

describe('a pickup file over the size limit', () => {
  it('is moved to the failed folder, recorded and alerted once, and not seen again', async () => {
    writeFileSync(path.join(peer.root, 'out', 'huge.856'), big());
    const first = await pollSupplier(t.hub, 'acme');
    expect(first.files).toEqual([expect.objectContaining({ name: 'huge.856', status: 'failed' })]);
    expect(first.files[0]!.error).toMatch(/huge\.856 is 4\d{3} bytes, over the inbound limit of 4096 bytes: not read, moved to out\/failed/);
    expect(existsSync(path.join(peer.root, 'out', 'failed', 'huge.856'))).toBe(true);
    expect(existsSync(path.join(peer.root, 'out', 'huge.856'))).toBe(false);
    const docs = await documentsNamed('huge.856');
    expect(docs).toEqual([expect.objectContaining({ status: 'failed', error_code: 'payload_too_large', supplier_id: 'acme' })]);
    expect(await failedCount('acme')).toBe(1);

    const second = await pollSupplier(t.hub, 'acme');
    expect(second.files).toEqual([]);
    expect(await documentsNamed('huge.856')).toHaveLength(1);
    expect(await failedCount('acme')).toBe(1);
  });

  it('without a failed folder it stays where it is, known: later polls record and alert nothing more', async () => {
    writeFileSync(path.join(peer.root, 'bolt-out', 'huge.856'), big());
    const first = await pollSupplier(t.hub, 'bolt');
    expect(first.files).toEqual([expect.objectContaining({ name: 'huge.856', status: 'failed' })]);
    expect(first.files[0]!.error).toMatch(/left in place and not read again/);
    const [doc] = await documentsNamed('huge.856').then((d) => d.filter((x) => x.supplier_id === 'bolt'));
    expect(doc).toMatchObject({ status: 'failed', error_code: 'payload_too_large' });
    for (let i = 0; i < 2; i++) {
      const again = await pollSupplier(t.hub, 'bolt');
      expect(again).toMatchObject({ seen: 1, failed: 0, skipped: 0, files: [{ name: 'huge.856', status: 'seen', documentId: doc!.id }] });
    }
    expect(existsSync(path.join(peer.root, 'bolt-out', 'huge.856'))).toBe(true);
    expect((await documentsNamed('huge.856')).filter((x) => x.supplier_id === 'bolt')).toHaveLength(1);
    expect(await failedCount('bolt')).toBe(1);
  });

  it('a file under the limit beside it is still read', async () => {
    writeFileSync(path.join(peer.root, 'bolt-out', 'small.856'), 'not x12 at all\n');
    const result = await pollSupplier(t.hub, 'bolt');
    const small = result.files.find((f) => f.name === 'small.856');
    expect(small).toMatchObject({ status: 'failed' });
    expect(small!.error).not.toMatch(/over the inbound limit/);
  });
});
