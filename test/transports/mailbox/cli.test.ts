/**
 * The mailbox's commands as an operator runs them, each a real `hub` child process: the host key's
 * fingerprint, a password hash, `hub mailbox` serving alone, `hub suppliers test` against it, and the
 * audit log and lockouts afterwards.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MappingError } from '../../../src/errors.ts';
import { generateEd25519KeyPair } from '../../../src/transports/keys.ts';
import { verifyPassword } from '../../../src/transports/mailbox/password.ts';
import { processDatabaseEnv, runHub } from '../../helpers/hub-process.ts';
import { mailboxMapping } from '../../helpers/mailbox.ts';
import { writeMapping, writeMappingDir } from '../../helpers/mappings.ts';

const HUB_BIN = fileURLToPath(new URL('../../../bin/hub.mjs', import.meta.url));

/** Runs a `hub` command with `input` on its stdin. */
function runHubWithInput(args: string[], env: Record<string, string>, input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HUB_BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `hub mailbox` in the background, once it listens. */
async function startMailboxProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, [HUB_BIN, 'mailbox'], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onData = (data: Buffer) => {
      output += data.toString();
      if (/mailbox listening on/.test(output)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`hub mailbox exited before listening:\n${output}`)));
  });
  return {
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('hub mailbox fingerprint', () => {
  it('makes the host key once and prints the same fingerprint, as ssh-keygen does', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cli-mailbox-key-'));
    const first = await runHub(['mailbox', 'fingerprint'], { HUB_DATA_DIR: dataDir });
    expect(first.code, first.stderr).toBe(0);
    const [fingerprint, publicKey] = first.stdout.trim().split('\n');
    expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(publicKey).toMatch(/^ssh-ed25519 AAAA/);
    const file = path.join(dataDir, 'mailbox_host_ed25519_key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = await runHub(['mailbox', 'fingerprint'], { HUB_DATA_DIR: dataDir });
    expect(again.stdout.trim().split('\n')[0]).toBe(fingerprint);
    if (existsSync('/usr/bin/ssh-keygen')) {
      expect(execFileSync('ssh-keygen', ['-lf', '-'], { input: `${publicKey}\n`, encoding: 'utf8' }).split(' ')[1]).toBe(fingerprint);
    }
    const memory = await runHub(['mailbox', 'fingerprint'], { HUB_DATA_DIR: 'memory://' });
    expect(memory.code).toBe(1);
    expect(memory.stderr).toMatch(/HUB_SFTP_HOST_KEY_FILE/);
  }, 120_000);
});

describe('hub mailbox hash-password', () => {
  it('hashes the password on stdin; the hash is taken from ${NAME} only, a password never', async () => {
    const result = await runHubWithInput(['mailbox', 'hash-password'], {}, 'correct horse battery staple\n');
    expect(result.code, result.stderr).toBe(0);
    const hash = result.stdout.trim();
    expect(hash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', hash)).toBe(false);
    expect((await runHubWithInput(['mailbox', 'hash-password'], {}, 'short\n')).code).toBe(2);

    const key = generateEd25519KeyPair().public;
    const mapping = mailboxMapping({ supplier: 'pw', transport: { passwordHash: '${PW_HASH}' } });
    const loaded = await writeMapping(mapping, { PW_MAILBOX_KEY: key, PW_HASH: hash });
    expect(loaded.mapping.transport).toMatchObject({ type: 'mailbox', passwordHash: hash });

    const written = await writeMapping({ ...mapping, transport: { ...(mapping.transport as object), passwordHash: hash } }, { PW_MAILBOX_KEY: key }).catch((e: unknown) => e);
    expect(written).toBeInstanceOf(MappingError);
    expect((written as MappingError).issues).toEqual([expect.objectContaining({ path: 'transport.passwordHash', message: expect.stringMatching(/environment variable/) })]);

    const clear = await writeMapping(mapping, { PW_MAILBOX_KEY: key, PW_HASH: 'correct horse battery staple' }).catch((e: unknown) => e);
    expect((clear as MappingError).issues).toEqual([expect.objectContaining({ path: 'transport.passwordHash', message: expect.stringMatching(/never the password itself/) })]);
  }, 120_000);
});

describe(`hub mailbox, hub suppliers test, audit and unlock (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('serves alone, passes the supplier test, and records what happened', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'cli-mailbox-'));
    const db = processDatabaseEnv(path.join(work, 'data'));
    const keys = generateEd25519KeyPair();
    const stranger = generateEd25519KeyPair();
    const env: Record<string, string> = {
      HUB_DATA_DIR: path.join(work, 'data'),
      ...db.env,
      HUB_MAPPINGS_DIR: writeMappingDir(mailboxMapping({ supplier: 'wonka' })),
      WONKA_MAILBOX_KEY: keys.public,
      HUB_SFTP_PORT: String(await freePort()),
      HUB_SFTP_LOCKOUT_FAILURES: '1',
    };
    writeFileSync(path.join(work, 'stranger'), stranger.private, { mode: 0o600 });
    try {
      const fingerprint = (await runHub(['mailbox', 'fingerprint'], env)).stdout.split('\n')[0];
      const mailbox = await startMailboxProcess(env);
      try {
        const tested = await runHub(['suppliers', 'test', 'wonka'], env);
        expect(tested.code, `${tested.stdout}\n${tested.stderr}`).toBe(0);
        expect(tested.stdout).toMatch(/ok\s+account .*user wonka: 1 public key\(s\): ssh-ed25519 SHA256:/);
        expect(tested.stdout).toMatch(new RegExp(`ok\\s+host_key .*${fingerprint!.replace(/[+/]/g, '\\$&')}`));
        expect(tested.stdout).toMatch(/ok\s+connect .*the mailbox answers on 127\.0\.0\.1/);
        expect(tested.stdout).toMatch(/ok\s+folders /);

        // A stranger's key: one failure locks (HUB_SFTP_LOCKOUT_FAILURES=1).
        const { Client } = (await import('ssh2')).default;
        await new Promise<void>((resolve) => {
          const client = new Client();
          client.on('error', () => resolve());
          client.on('ready', () => resolve());
          client.connect({ host: '127.0.0.1', port: Number(env.HUB_SFTP_PORT), username: 'wonka', privateKey: stranger.private, hostVerifier: () => true });
        });
      } finally {
        await mailbox.stop();
      }

      const down = await runHub(['suppliers', 'test', 'wonka'], env);
      expect(down.code).toBe(1);
      // With PostgreSQL the lockout is seen first; embedded, the stopped server is.
      expect(down.stdout).toMatch(/FAIL\s+(account .*locked out from 127\.0\.0\.1|connect .*does not answer)/);

      const audit = await runHub(['mailbox', 'audit', '--supplier', 'wonka', '--json'], env);
      expect(audit.code, audit.stderr).toBe(0);
      const events = audit.stdout.trim().split('\n').map((line) => JSON.parse(line).event);
      expect(events).toEqual(expect.arrayContaining(['login_failed', 'login_locked']));

      // (The user's lock; the address's stays: clearLockouts is tested in transport.test.ts.)
      const unlock = await runHub(['mailbox', 'unlock', 'wonka'], env);
      expect(unlock.stdout).toMatch(/cleared 1 failed-login record/);
      expect((await runHub(['mailbox', 'unlock'], env)).code).toBe(2);
    } finally {
      await db.drop();
    }
  }, 180_000);
});
