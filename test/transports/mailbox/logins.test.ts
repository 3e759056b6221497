/**
 * Logging in to the mailbox: wrong keys and passwords are refused and counted; enough of them lock
 * the user (and the address) out in every hub process sharing the database, until the lockout ends
 * on the hub's clock. And connections that never log in, or stop talking mid-upload, are dropped
 * with nothing applied.
 */
import net from 'node:net';
import ssh2, { type SFTPWrapper } from 'ssh2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { activeLockouts, listMailboxAudit } from '../../../src/store/mailbox.ts';
import { generateEd25519KeyPair } from '../../../src/transports/keys.ts';
import { hashPassword } from '../../../src/transports/mailbox/password.ts';
import { rawConnection, startTestMailbox, type TestMailbox } from '../../helpers/mailbox.ts';

const stranger = generateEd25519KeyPair();

function call<T = void>(fn: (cb: (error: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value as T))));
}

describe(`failed logins and lockouts (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let now = Date.parse('2026-12-03T10:00:00Z');
  const clock = () => new Date(now);
  let box: TestMailbox;
  let second: TestMailbox;

  beforeAll(async () => {
    const hash = await hashPassword('correct horse battery staple');
    const suppliers = ['wonka', { supplier: 'pw', transport: { passwordHash: '${PW_HASH}' }, env: { PW_HASH: hash } }];
    const env = { HUB_SFTP_LOCKOUT_FAILURES: '3', HUB_SFTP_LOCKOUT_MS: '600000' };
    box = await startTestMailbox({ suppliers, env, clock });
    // A second hub process on the same database (its own mailbox server, its own counters).
    second = await startTestMailbox({ suppliers, env, clock, shareWith: box });
  });
  beforeEach(async () => {
    await box.t.hub.store.db.deleteFrom('mailbox_login_failures').execute();
  });
  afterAll(async () => {
    await second?.close();
    await box?.close();
  });

  async function failedLogin(target: TestMailbox, username: string, auth: { privateKey?: string; password?: string }): Promise<void> {
    const counted = target.nextAudit((e) => e.event === 'login_failed' && e.username === username);
    await expect(rawConnection(target, username, auth)).rejects.toThrow(/authentication methods failed/);
    await counted;
  }

  it('refuses a key the mapping does not list, audits it, and lets the right key in', async () => {
    await failedLogin(box, 'wonka', { privateKey: stranger.private });
    const audit = (await listMailboxAudit(box.t.hub.store.db, { event: 'login_failed', limit: 1 }))[0]!;
    expect(audit).toMatchObject({ supplierId: 'wonka', username: 'wonka', address: '127.0.0.1' });
    const connection = await rawConnection(box, 'wonka');
    connection.end();
    // A good login clears the user's own count, not its address's.
    const rows = await box.t.hub.store.db.selectFrom('mailbox_login_failures').select(['key', 'failures']).execute();
    expect(rows).toEqual([{ key: 'address:127.0.0.1', failures: 1 }]);
  });

  it('locks the user out after three failures, in every hub process, until the lockout ends', async () => {
    for (let i = 0; i < 3; i++) await failedLogin(box, 'wonka', { privateKey: stranger.private });
    const locks = await activeLockouts(box.t.hub.store.db, clock());
    expect(locks.map((l) => l.key).sort()).toEqual(['address:127.0.0.1', 'user:wonka@127.0.0.1']);
    expect(locks[0]!.until.toISOString()).toBe('2026-12-03T10:10:00.000Z');

    // The right key is refused without being looked at, here and in the other process.
    for (const target of [box, second]) {
      const refused = target.nextAudit((e) => e.event === 'login_locked' && e.detail!.startsWith('refused without checking'));
      await expect(rawConnection(target, 'wonka')).rejects.toThrow();
      await refused;
    }
    // Unknown users from that address too (the address is locked: no scanning for suppliers).
    await expect(rawConnection(second, 'pw', { password: 'correct horse battery staple' })).rejects.toThrow();

    now += 10 * 60_000 + 1_000;
    const connection = await rawConnection(second, 'wonka');
    connection.end();
  });

  it('counts a wrong password; the right one logs in', async () => {
    await failedLogin(box, 'pw', { password: 'wrong horse' });
    const connection = await rawConnection(second, 'pw', { password: 'correct horse battery staple' });
    const sftp = await call<SFTPWrapper>((cb) => connection.sftp(cb));
    const names = await call<{ filename: string }[]>((cb) => sftp.readdir('/', cb));
    expect(names.map((n) => n.filename).sort()).toEqual(['from-hub', 'to-hub']);
    connection.end();
    // Keyboard-interactive, as OpenSSH's client asks for a password.
    const interactive = await new Promise<ssh2.Client>((resolve, reject) => {
      const client = new ssh2.Client();
      client.once('ready', () => resolve(client));
      client.once('error', reject);
      client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => 'correct horse battery staple')));
      client.connect({ host: '127.0.0.1', port: box.server.port, username: 'pw', tryKeyboard: true, hostVerifier: () => true, readyTimeout: 10_000 });
    });
    interactive.end();
    // A supplier without a password is not let in by one (and the attempt costs as much as a real check).
    await failedLogin(box, 'wonka', { password: 'correct horse battery staple' });
  });
});

describe(`connections that stall (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let box: TestMailbox;

  beforeAll(async () => {
    box = await startTestMailbox({ suppliers: ['wonka'], env: { HUB_SFTP_IDLE_TIMEOUT_MS: '1500', HUB_SFTP_LOGIN_GRACE_MS: '1500' } });
  });
  afterAll(async () => {
    await box?.close();
  });

  it('drops a connection that never logs in, without counting a failed login', async () => {
    const socket = net.connect(box.server.port, '127.0.0.1');
    socket.on('error', () => undefined);
    const banner = new Promise<string>((resolve) => socket.once('data', (data) => resolve(data.toString('latin1'))));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(await banner).toMatch(/^SSH-2\.0-dropship-hub-mailbox/);
    socket.write('SSH-2.0-OpenSSH_9.2\r\n'); // and then nothing
    await closed;
    expect(await box.t.hub.store.db.selectFrom('mailbox_login_failures').selectAll().execute()).toEqual([]);
  });

  it('drops a connection that stops sending mid-upload: nothing of the file is applied', async () => {
    const connection = await rawConnection(box, 'wonka');
    const ended = new Promise<void>((resolve) => connection.once('close', () => resolve()));
    const sftp = await call<SFTPWrapper>((cb) => connection.sftp(cb));
    const handle = await call<Buffer>((cb) => sftp.open('/to-hub/stalled.856', 'w', cb));
    const content = Buffer.from('ISA*00*          *00*          *ZZ*WONKA');
    const aborted = box.nextAudit((e) => e.event === 'upload_aborted' && e.path === '/to-hub/stalled.856');
    await call((cb) => sftp.write(handle, content, 0, content.length, 0, cb));
    // ...and the client sends nothing more: the server drops it after the idle timeout.
    expect((await aborted).bytes).toBe(content.length);
    await ended;
    const documents = await box.t.hub.store.db.selectFrom('documents').select('filename').where('direction', '=', 'in').execute();
    expect(documents).toEqual([]);
  });
});
