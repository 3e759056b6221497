import { generateEd25519KeyPair } from '../../src/transports/keys.ts';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SftpTransport as SftpTransportSchema } from '../../src/config/mapping-schema.ts';
import { startSandboxSftpServer, type SandboxSftpServer } from '../../src/transports/sandbox-sftp-server.ts';
import { createTransport } from '../../src/transports/transport.ts';

const execFileAsync = promisify(execFile);
const hasKeyscan = existsSync('/usr/bin/ssh-keyscan') && existsSync('/usr/bin/ssh-keygen');

describe('sandbox SFTP server', () => {
  let dir: string;
  let root: string;
  let server: SandboxSftpServer;
  const keys = generateEd25519KeyPair();
  const clients: SftpClient[] = [];

  async function connect(auth: { password?: string; privateKey?: string } = { password: 's3cret' }): Promise<SftpClient> {
    const client = new SftpClient('test', {});
    clients.push(client);
    await client.connect({
      host: server.host,
      port: server.port,
      username: 'hub',
      ...auth,
      hostVerifier: () => true,
      readyTimeout: 5_000,
    });
    return client;
  }

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hub-sandbox-'));
    root = path.join(dir, 'root');
    await fs.mkdir(path.join(dir, 'outside'), { recursive: true });
    await fs.writeFile(path.join(dir, 'outside', 'secret.txt'), 'not for suppliers');
    server = await startSandboxSftpServer({
      root,
      users: [{ username: 'hub', password: 's3cret', publicKey: keys.public }],
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  });
  afterAll(async () => {
    await server?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reports the host key fingerprint exactly as ssh-keyscan | ssh-keygen -lf - prints it', async (context) => {
    if (!hasKeyscan) context.skip();
    // Asynchronously: the server runs in this process and must keep answering.
    const { stdout: scanned } = await execFileAsync('ssh-keyscan', ['-p', String(server.port), '-t', 'ed25519', server.host]);
    const printed = execFileSync('ssh-keygen', ['-lf', '-'], { input: scanned, encoding: 'utf8' });
    expect(printed.split(' ')[1]).toBe(server.hostKeyFingerprint);
  });

  it('accepts the configured password or public key and nothing else', async () => {
    await expect(connect({ password: 's3cret' })).resolves.toBeDefined();
    await expect(connect({ privateKey: keys.private })).resolves.toBeDefined();
    await expect(connect({ password: 'wrong' })).rejects.toThrow(/authentication methods failed/);
    await expect(connect({ privateKey: generateEd25519KeyPair().private })).rejects.toThrow(
      /authentication methods failed/,
    );
  });

  it('keeps every path inside the root', async () => {
    const client = await connect();
    expect(await client.realPath('..')).toBe('/');
    expect(await client.realPath('/../../etc')).toBe('/etc');
    await client.put(Buffer.from('inside'), '/../../escape.txt');
    expect(await fs.readFile(path.join(root, 'escape.txt'), 'utf8')).toBe('inside');
    expect(existsSync(path.join(dir, 'escape.txt'))).toBe(false);
    await expect(client.get('../outside/secret.txt')).rejects.toThrow();

    await fs.symlink(path.join(dir, 'outside'), path.join(root, 'link'));
    await expect(client.get('/link/secret.txt')).rejects.toThrow();
    await expect(client.list('/link')).rejects.toThrow();
    await expect(client.put(Buffer.from('x'), '/link/planted.txt')).rejects.toThrow();
    expect(existsSync(path.join(dir, 'outside', 'planted.txt'))).toBe(false);
  });

  it('refuses a plain rename onto an existing file but replaces it with posix-rename', async () => {
    const client = await connect();
    await client.put(Buffer.from('old'), '/target.txt');
    await client.put(Buffer.from('new'), '/.target.txt.part');
    await expect(client.rename('/.target.txt.part', '/target.txt')).rejects.toThrow();
    await client.posixRename('/.target.txt.part', '/target.txt');
    expect(await fs.readFile(path.join(root, 'target.txt'), 'utf8')).toBe('new');
    expect(existsSync(path.join(root, '.target.txt.part'))).toBe(false);
  });

  it('supports what the transport needs: folders, listing, stat, reading, removing', async () => {
    const client = await connect();
    await client.mkdir('/a/b/c', true);
    await client.put(Buffer.from('hello'), '/a/b/c/file.txt');
    expect(await client.exists('/a/b/c')).toBe('d');
    expect((await client.stat('/a/b/c/file.txt')).size).toBe(5);
    expect((await client.list('/a/b/c')).map((e) => [e.name, e.type, e.size])).toEqual([['file.txt', '-', 5]]);
    expect(((await client.get('/a/b/c/file.txt')) as Buffer).toString()).toBe('hello');
    await client.delete('/a/b/c/file.txt');
    await client.rmdir('/a', true);
    expect(await client.exists('/a')).toBe(false);
  });

  it('is pinned and used by the SFTP transport like any supplier server', async () => {
    const transport = createTransport(
      'sandbox',
      SftpTransportSchema.parse({
        type: 'sftp',
        host: server.host,
        port: server.port,
        username: 'hub',
        password: 's3cret',
        hostKey: server.hostKeyFingerprint,
        outboundDir: '/in',
        inboundDir: '/out',
        createDirs: true,
      }),
    );
    try {
      await transport.deliver({ filename: 'PO_1.edi', content: Buffer.from('ISA~'), contentType: 'application/edi-x12', documentId: 'd1' });
      expect(await fs.readFile(path.join(root, 'in', 'PO_1.edi'), 'utf8')).toBe('ISA~');
      const steps = await transport.probe();
      expect(steps.at(-1)).toMatchObject({ step: 'list_inbound', ok: false, error: { code: 'transport_rejected' } });
      await fs.mkdir(path.join(root, 'out'));
      expect((await transport.probe()).map((step) => [step.step, step.ok])).toEqual([
        ['connect', true],
        ['host_key', true],
        ['login', true],
        ['write', true],
        ['remove', true],
        ['list_inbound', true],
      ]);
    } finally {
      await transport.close();
    }
  });
});
