import { generateEd25519KeyPair } from '../../src/transports/keys.ts';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SftpTransportConfig } from '../../src/config/mapping-schema.ts';
import { TransportError } from '../../src/errors.ts';
import { sshFingerprint } from '../../src/transports/host-key.ts';
import { SftpTransport } from '../../src/transports/sftp-transport.ts';
import { createTransport, type OutboundFile, type TransportOptions } from '../../src/transports/transport.ts';

/** Staging is tried only after an upload quicker than a quarter of the limit: with this one, always (a busy machine cannot turn it off). */
const STAGE_ALWAYS_MS = 600_000;
import { sftpPeerKinds, startSftpServer, type SftpPeer } from '../helpers/sftp-server.ts';

function po(filename: string, content: Buffer | string): OutboundFile {
  return {
    filename,
    content: typeof content === 'string' ? Buffer.from(content) : content,
    contentType: 'application/edi-x12',
    documentId: `doc-${filename}`,
  };
}

async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function rejection(promise: Promise<unknown>): Promise<TransportError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error('expected a rejection');
}

describe.each(sftpPeerKinds())('SftpTransport against %s', (kind) => {
  let peer: SftpPeer;
  let inDir: string;
  let outDir: string;
  const open: SftpTransport[] = [];

  const transport = (overrides: Partial<SftpTransportConfig> = {}, options: TransportOptions = {}): SftpTransport => {
    const created = new SftpTransport(`acme-${kind}`, peer.transportConfig(overrides), options);
    open.push(created);
    return created;
  };
  const localFiles = async (dir = inDir): Promise<string[]> => (await fs.readdir(dir)).sort();
  /** Waits until the temp file of `filename` has received some bytes. */
  const partialUpload = (filename: string) =>
    waitFor(async () => {
      for (const name of await fs.readdir(inDir)) {
        if (name.startsWith(`.${filename}.`) && (await fs.stat(path.join(inDir, name))).size > 0) return true;
      }
      return false;
    }, `a partial upload of ${filename}`);

  beforeAll(async () => {
    peer = await startSftpServer({ kind });
    inDir = path.join(peer.root, 'in');
    outDir = path.join(peer.root, 'out');
    await fs.mkdir(inDir);
    await fs.mkdir(outDir);
  });
  afterEach(async () => {
    peer.thaw();
    await Promise.all(open.splice(0).map((t) => t.close()));
  });
  afterAll(async () => {
    await peer?.close();
  });

  it('delivers a PO under its final name, byte-identical, leaving no temp file', async () => {
    const content = randomBytes(1024);
    const receipt = await transport().deliver(po('PO_1001.edi', content));
    expect(receipt.remotePath).toBe('in/PO_1001.edi');
    expect(await fs.readFile(path.join(inDir, 'PO_1001.edi'))).toEqual(content);
    expect((await localFiles()).filter((n) => n.includes('PO_1001'))).toEqual(['PO_1001.edi']);
  });

  it('stages a PO under its temporary name only; its delivery then just renames it into place', async () => {
    const content = randomBytes(2048);
    const file = po('PO_2001.edi', content);
    const t = transport({}, { stagingLimitMs: STAGE_ALWAYS_MS });
    await t.deliver(po('PO_2000.edi', 'warm')); // staging needs an open, idle connection to a quick server
    expect(await t.stage(file)).toBe(true);
    const staged = (await localFiles()).filter((f) => f.includes('PO_2001'));
    expect(staged).toEqual([expect.stringMatching(/^\.PO_2001\.edi\.[0-9a-f]+\.part$/)]); // nobody reads a .part file
    expect(await fs.readFile(path.join(inDir, staged[0]!))).toEqual(content);

    const receipt = await t.deliver(file);
    expect(receipt).toEqual({ remotePath: 'in/PO_2001.edi', staged: true });
    expect((await localFiles()).filter((f) => f.includes('PO_2001'))).toEqual(['PO_2001.edi']);
    expect(await fs.readFile(path.join(inDir, 'PO_2001.edi'))).toEqual(content);
  });

  it('uploads again when the staged file is gone or the bytes changed, and unstages on request', async () => {
    const t = transport({}, { stagingLimitMs: STAGE_ALWAYS_MS });
    await t.deliver(po('PO_2000.edi', 'warm'));
    const gone = po('PO_2002.edi', 'first bytes');
    expect(await t.stage(gone)).toBe(true);
    for (const name of await localFiles()) if (name.startsWith('.PO_2002')) await fs.unlink(path.join(inDir, name));
    expect(await t.deliver(gone)).toEqual({ remotePath: 'in/PO_2002.edi' });
    expect(await fs.readFile(path.join(inDir, 'PO_2002.edi'), 'utf8')).toBe('first bytes');

    expect(await t.stage(po('PO_2003.edi', 'staged bytes'))).toBe(true);
    expect(await t.deliver(po('PO_2003.edi', 'committed bytes'))).toEqual({ remotePath: 'in/PO_2003.edi' });
    expect(await fs.readFile(path.join(inDir, 'PO_2003.edi'), 'utf8')).toBe('committed bytes');

    const dropped = po('PO_2004.edi', 'never committed');
    expect(await t.stage(dropped)).toBe(true);
    await t.unstage(dropped);
    expect((await localFiles()).filter((f) => f.includes('PO_2004') || f.includes('PO_2003.edi.'))).toEqual([]);
    expect(await t.stage(po('PO_2008.edi', 'x'))).toBe(true);
    await t.unstage(po('PO_2008.edi', 'x'));
  });

  it('stages nothing without an idle connection, and gives up on a frozen server instead of waiting for it', async () => {
    const t = transport({ timeoutMs: 30_000 });
    const cold = po('PO_2005.edi', 'no connection yet');
    expect(await t.stage(cold)).toBe(false);
    expect((await localFiles()).filter((f) => f.includes('PO_2005'))).toEqual([]);
    expect(await t.deliver(cold)).toEqual({ remotePath: 'in/PO_2005.edi' });

    const frozen = po('PO_2006.edi', 'server frozen');
    peer.freeze();
    const settled = await Promise.race([t.stage(frozen), new Promise((r) => setTimeout(() => r('still waiting'), 10_000))]);
    expect(settled).toBe(false); // given up long before the transport's own 30 s timeout
    peer.thaw();
    expect(await t.deliver(frozen)).toEqual({ remotePath: 'in/PO_2006.edi' }); // not staged: uploaded whole
    expect(await fs.readFile(path.join(inDir, 'PO_2006.edi'), 'utf8')).toBe('server frozen');
    // Nothing left of the staging that ran out of time, under either temporary name.
    expect((await localFiles()).filter((f) => f.includes('PO_2006'))).toEqual(['PO_2006.edi']);
    // After a staging ran out of time, the supplier is not staged for a while.
    expect(await t.stage(po('PO_2007.edi', 'later'))).toBe(false);
    expect((await localFiles()).filter((f) => f.includes('PO_2007'))).toEqual([]);
  });

  it('never shows an incomplete file under the final name while uploading', async () => {
    const content = randomBytes(16 * 1024 * 1024);
    const finalPath = path.join(inDir, 'PO_big.edi');
    const seenSizes: number[] = [];
    let sawTemp = false;
    let done = false;
    const delivery = transport()
      .deliver(po('PO_big.edi', content))
      .finally(() => {
        done = true;
      });
    while (!done) {
      const names = await fs.readdir(inDir);
      if (names.some((n) => n.startsWith('.PO_big.edi.') && n.endsWith('.part'))) sawTemp = true;
      const size = await fs.stat(finalPath).then((s) => s.size, () => undefined);
      if (size !== undefined) seenSizes.push(size);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await delivery;
    expect(sawTemp).toBe(true);
    expect(seenSizes.filter((size) => size !== content.length)).toEqual([]);
    expect((await fs.readFile(finalPath)).equals(content)).toBe(true);
  });

  it('replaces an existing file of the same name atomically (a retry delivers exactly once)', async () => {
    await fs.writeFile(path.join(inDir, 'PO_1002.edi'), 'an earlier attempt');
    const t = transport();
    await t.deliver(po('PO_1002.edi', 'ISA*final~'));
    await t.deliver(po('PO_1002.edi', 'ISA*final~'));
    expect(await fs.readFile(path.join(inDir, 'PO_1002.edi'), 'utf8')).toBe('ISA*final~');
    expect((await localFiles()).filter((n) => n.includes('PO_1002'))).toEqual(['PO_1002.edi']);
  });

  it('fails retryably while the server is down and delivers once it is back', async () => {
    const t = transport();
    await t.deliver(po('PO_1003a.edi', 'before')); // leaves a pooled connection behind
    await peer.stop();
    try {
      const error = await rejection(t.deliver(po('PO_1003.edi', 'while down')));
      expect(error.code).toBe('transport_failed');
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/refused|ECONNREFUSED/i);
    } finally {
      await peer.start();
    }
    await t.deliver(po('PO_1003.edi', 'after'));
    expect(await fs.readFile(path.join(inDir, 'PO_1003.edi'), 'utf8')).toBe('after');
  });

  it('leaves no partial file under the final name when the server dies mid-upload; a retry delivers once', async () => {
    const content = randomBytes(32 * 1024 * 1024);
    const t = transport();
    const delivery = t.deliver(po('PO_1004.edi', content));
    delivery.catch(() => undefined);
    await partialUpload('PO_1004.edi');
    await peer.kill();
    try {
      const error = await rejection(delivery);
      expect(error.retryable).toBe(true);
      expect(existsSync(path.join(inDir, 'PO_1004.edi'))).toBe(false);
    } finally {
      await peer.start();
    }
    await t.deliver(po('PO_1004.edi', content));
    expect((await fs.readFile(path.join(inDir, 'PO_1004.edi'))).equals(content)).toBe(true);
    expect((await localFiles()).filter((n) => n === 'PO_1004.edi')).toHaveLength(1);
  });

  it('times out (retryably) on a frozen server instead of hanging, mid-upload and at connect', async () => {
    const content = randomBytes(32 * 1024 * 1024);
    const t = transport({ timeoutMs: 1_000 });
    const delivery = t.deliver(po('PO_1005.edi', content));
    delivery.catch(() => undefined);
    await partialUpload('PO_1005.edi');
    peer.freeze();
    let started = Date.now();
    const error = await rejection(delivery);
    expect(error.code).toBe('transport_timeout');
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(existsSync(path.join(inDir, 'PO_1005.edi'))).toBe(false);

    started = Date.now();
    const atConnect = await rejection(transport({ timeoutMs: 1_000 }).deliver(po('PO_1005b.edi', 'x')));
    expect(atConnect.code).toBe('transport_timeout');
    expect(atConnect.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);

    peer.thaw();
    await t.deliver(po('PO_1005.edi', content));
    expect((await fs.readFile(path.join(inDir, 'PO_1005.edi'))).equals(content)).toBe(true);
  });

  it('refuses a wrong client key: transport_auth_failed, not retryable, no key material in the message', async () => {
    const keyPath = path.join(peer.root, '..', 'wrong_key');
    const wrong = generateEd25519KeyPair();
    await fs.writeFile(keyPath, wrong.private, { mode: 0o600 });
    const error = await rejection(transport({ privateKey: keyPath }).deliver(po('PO_1006.edi', 'x')));
    expect(error.code).toBe('transport_auth_failed');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/refused the login of/);
    expect(error.message).not.toContain(wrong.private.split('\n')[1]!);
    expect(existsSync(path.join(inDir, 'PO_1006.edi'))).toBe(false);
  });

  it('never puts a password in an error message', async () => {
    const password = 'correct-horse-battery-staple';
    const error = await rejection(
      transport({ privateKey: undefined, password }).deliver(po('PO_1007.edi', 'x')),
    );
    expect(error.code).toBe('transport_auth_failed');
    expect(error.retryable).toBe(false);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(password);
  });

  it('refuses a server whose host key does not match the pinned one, before logging in', async () => {
    const other = ssh2.utils.parseKey(generateEd25519KeyPair().public);
    if (other instanceof Error || Array.isArray(other)) throw new Error('cannot parse generated key');
    const loginsBefore = peer.logins();
    const error = await rejection(
      transport({ hostKey: sshFingerprint(other.getPublicSSH()) }).deliver(po('PO_1008.edi', 'x')),
    );
    expect(error.code).toBe('transport_host_key_mismatch');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(peer.hostKeyFingerprint);
    expect(existsSync(path.join(inDir, 'PO_1008.edi'))).toBe(false);
    expect(peer.logins()).toBe(loginsBefore);
  });

  it('names a missing outbound folder, and creates it only when createDirs allows', async () => {
    const error = await rejection(transport({ outboundDir: 'missing/in' }).deliver(po('PO_1009.edi', 'x')));
    expect(error.code).toBe('transport_rejected');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('missing/in');
    await transport({ outboundDir: 'created/in', createDirs: true }).deliver(po('PO_1009.edi', 'x'));
    expect(await fs.readFile(path.join(peer.root, 'created/in/PO_1009.edi'), 'utf8')).toBe('x');
  });

  it('lists, downloads and moves inbound files', async () => {
    await fs.writeFile(path.join(outDir, 'ASN_1.856'), 'ISA*856~');
    await fs.writeFile(path.join(outDir, 'tracking_1.csv'), 'PO,Tracking\n1001,1Z\n');
    await fs.writeFile(path.join(outDir, '.hidden'), 'x');
    await fs.writeFile(path.join(outDir, '.upload.csv.part'), 'x');
    await fs.writeFile(path.join(outDir, 'still-uploading.part'), 'x');
    await fs.mkdir(path.join(outDir, 'archive'), { recursive: true });
    await fs.mkdir(path.join(outDir, 'processed'), { recursive: true });
    await fs.writeFile(path.join(outDir, 'processed', 'ASN_1.856'), 'an older copy');
    const t = transport();

    const listed = await t.listInbound();
    expect(listed.map((f) => f.name).sort()).toEqual(['ASN_1.856', 'tracking_1.csv']);
    expect(listed.find((f) => f.name === 'ASN_1.856')).toMatchObject({ size: 8 });
    expect(listed[0]!.modifiedAt).toBeInstanceOf(Date);

    expect((await t.download('ASN_1.856', 1024)).toString()).toBe('ISA*856~');
    const tooBig = await rejection(t.download('tracking_1.csv', 4));
    expect(tooBig.code).toBe('transport_rejected');
    expect(tooBig.message).toMatch(/over the limit/);

    await t.moveInbound('ASN_1.856', 'processed');
    expect(await fs.readFile(path.join(outDir, 'processed', 'ASN_1.856'), 'utf8')).toBe('ISA*856~');
    expect(existsSync(path.join(outDir, 'ASN_1.856'))).toBe(false);

    const noFailedDir = await rejection(t.moveInbound('tracking_1.csv', 'failed'));
    expect(noFailedDir.code).toBe('transport_rejected');
    expect(noFailedDir.message).toContain('out/failed');
    await transport({ createDirs: true }).moveInbound('tracking_1.csv', 'failed');
    expect(existsSync(path.join(outDir, 'failed', 'tracking_1.csv'))).toBe(true);

    const gone = await rejection(t.moveInbound('ASN_1.856', 'processed'));
    expect(gone.code).toBe('transport_rejected');
    expect(await t.listInbound()).toEqual([]);
  });

  it('refuses hostile remote names from a listing or a caller', async () => {
    await fs.writeFile(path.join(outDir, 'back\\slash.856'), 'x');
    await fs.writeFile(path.join(outDir, '..sneaky.856'), 'x');
    const t = transport();
    expect((await t.listInbound()).map((f) => f.name)).toEqual([]);
    for (const name of ['../../etc/passwd', 'a/b', 'back\\slash.856', 'nul\0byte', '..', '']) {
      expect((await rejection(t.download(name, 1024))).code).toBe('transport_rejected');
      expect((await rejection(t.moveInbound(name, 'processed'))).code).toBe('transport_rejected');
    }
    expect((await rejection(t.deliver(po('../escape.edi', 'x')))).code).toBe('transport_rejected');
    await fs.rm(path.join(outDir, 'back\\slash.856'));
    await fs.rm(path.join(outDir, '..sneaky.856'));
  });

  it('reuses pooled connections, up to maxConnections', async () => {
    const before = peer.logins();
    const t = transport({ maxConnections: 2 });
    for (let i = 0; i < 5; i++) await t.deliver(po(`PO_11${i}.edi`, `po ${i}`));
    expect(t.connectionsOpened).toBe(1);
    await vi.waitFor(() => expect(peer.logins() - before).toBe(1));

    await Promise.all(Array.from({ length: 8 }, (_, i) => t.deliver(po(`PO_12${i}.edi`, `po ${i}`))));
    expect(t.connectionsOpened).toBeLessThanOrEqual(2);
    for (let i = 0; i < 8; i++) expect(await fs.readFile(path.join(inDir, `PO_12${i}.edi`), 'utf8')).toBe(`po ${i}`);
  });

  it('probes a supplier: connect, host key, login, write, remove, list', async () => {
    const steps = await createTransport('acme', peer.transportConfig()).probe();
    expect(steps.map((s) => [s.step, s.ok])).toEqual([
      ['connect', true],
      ['host_key', true],
      ['login', true],
      ['write', true],
      ['remove', true],
      ['list_inbound', true],
    ]);
    expect((await localFiles()).filter((n) => n.startsWith('.hub-probe'))).toEqual([]);

    const other = ssh2.utils.parseKey(generateEd25519KeyPair().public);
    if (other instanceof Error || Array.isArray(other)) throw new Error('cannot parse generated key');
    const bad = await createTransport('acme', peer.transportConfig({ hostKey: sshFingerprint(other.getPublicSSH()) })).probe();
    expect(bad.map((s) => [s.step, s.ok])).toEqual([
      ['connect', true],
      ['host_key', false],
    ]);
    expect(bad[1]!.error).toEqual({ code: 'transport_host_key_mismatch', retryable: false });
  });
});
