/**
 * Files the hub uploads to a supplier's SFTP server are never world-writable: 0644 by default, or the
 * mapping's `transport.fileMode`, whatever the server's umask. The servers here run with umask 000
 * (as some hosting setups do), where a file opened with SFTP's usual 0666 lands world-writable.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SftpTransport as SftpTransportSchema } from '../../src/config/mapping-schema.ts';
import { SftpTransport } from '../../src/transports/sftp-transport.ts';
import type { OutboundFile } from '../../src/transports/transport.ts';
import { sftpPeerKinds, startSftpServer, type SftpPeer } from '../helpers/sftp-server.ts';

const po = (filename: string): OutboundFile => ({ filename, content: Buffer.from(`ISA*${filename}~`), contentType: 'application/edi-x12', documentId: `doc_${randomUUID()}` });

describe.each(sftpPeerKinds())('uploaded file modes against %s', (kind) => {
  let peer: SftpPeer;
  let umask: number;
  const open: SftpTransport[] = [];
  const mode = async (name: string) => (await fs.stat(path.join(peer.root, 'in', name))).mode & 0o777;

  beforeAll(async () => {
    // The sandbox server runs in this process, sshd inherits it: both create files as 0666 asks.
    umask = process.umask(0o000);
    peer = await startSftpServer({ kind });
  });
  afterAll(async () => {
    await Promise.all(open.map((t) => t.close()));
    await peer?.close();
    process.umask(umask);
  });
  const transport = (fileMode?: string) => {
    const created = new SftpTransport(`modes-${kind}`, peer.transportConfig({ outboundDir: 'in', createDirs: true, ...(fileMode ? { fileMode } : {}) }), { stagingLimitMs: 60_000 });
    open.push(created);
    return created;
  };

  it('uploads 0644 by default', async () => {
    await transport().deliver(po('PO_M1.edi'));
    expect((await mode('PO_M1.edi')).toString(8)).toBe('644');
  });

  it("uploads with the mapping's fileMode, staged or not, and over a file left by an earlier attempt", async () => {
    const t = transport('0640');
    await t.deliver(po('PO_M2.edi'));
    expect((await mode('PO_M2.edi')).toString(8)).toBe('640');
    // Uploaded ahead (the connection is open and idle, the last upload quick), then renamed.
    const staged = po('PO_M3.edi');
    expect(await t.stage(staged)).toBe(true);
    expect(await t.deliver(staged)).toMatchObject({ staged: true });
    expect((await mode('PO_M3.edi')).toString(8)).toBe('640');
    // A world-writable leftover under the final name is replaced by the rename.
    await fs.writeFile(path.join(peer.root, 'in', 'PO_M4.edi'), 'old', { mode: 0o666 });
    await t.deliver(po('PO_M4.edi'));
    expect((await mode('PO_M4.edi')).toString(8)).toBe('640');
    expect(existsSync(path.join(peer.root, 'in'))).toBe(true);
  });
});

describe('transport.fileMode in a mapping', () => {
  const base = { type: 'sftp', host: 'h', username: 'u', password: 'p', hostKey: `SHA256:${'a'.repeat(43)}`, outboundDir: 'in' };
  const parse = (fileMode: unknown) => SftpTransportSchema.safeParse({ ...base, fileMode });

  it('takes a quoted octal string and defaults to 0644', () => {
    expect(SftpTransportSchema.parse(base).fileMode).toBe('0644');
    expect(parse('0640').data?.fileMode).toBe('0640');
    expect(parse('600').data?.fileMode).toBe('600');
  });

  it('refuses world-writable, unreadable by the hub, non-octal and unquoted modes in plain words', () => {
    const message = (value: unknown) => parse(value).error?.issues[0]?.message;
    expect(message('0666')).toMatch(/must not let other users write/);
    expect(message('0444')).toMatch(/must let the hub read and write/);
    expect(message('0648')).toMatch(/octal string such as "0644"/);
    expect(message('rw-r--r--')).toMatch(/octal string such as "0644"/);
    expect(message(640)).toBe('write the mode as a quoted octal string such as "0644"');
  });
});
