/**
 * The mailbox as a supplier's transport (the `SupplierTransport` port). Outbound, delivering a
 * document is placing it in the supplier's `from-hub/`: one statement that makes it visible under
 * its final name, atomically, with bytes the outbox already committed; placing the same document
 * again (a retry after a crash) changes nothing. Inbound there is nothing to poll: the supplier
 * pushes through the mailbox server (server.ts), which applies each file as it is closed.
 *
 * Shaped for the per-direction ports to come: `deliver` and `probe` are the outbound channel; the
 * polled inbound methods answer that there is nothing to poll.
 */
import type { Kysely } from 'kysely';
import ssh2 from 'ssh2';
import type { MailboxTransportConfig } from '../../config/mapping-schema.ts';
import { TransportError, errorMessage } from '../../errors.ts';
import { activeLockouts, listMailboxFiles, placeMailboxFile } from '../../store/mailbox.ts';
import type { Database } from '../../store/schema.ts';
import { fingerprintsMatch, sshFingerprint } from '../host-key.ts';
import { assertSafeRemoteName } from '../remote-names.ts';
import type { DeliveryReceipt, OutboundFile, ProbeStep, RemoteFile, SupplierTransport, TransportErrorCode } from '../transport.ts';
import { readHostKey } from './host-key.ts';

/** What the mailbox transport needs of the hub: its database and clock, and where its server is. */
export interface MailboxTransportContext {
  /**
   * The hub's database. Absent only for `hub suppliers test` while the running hub holds the
   * embedded database: the probe then checks what it can without it (`unavailable` says why).
   */
  db: Kysely<Database> | undefined;
  unavailable?: string;
  clock: () => Date;
  /** The mailbox server's address and host key file (HUB_SFTP_HOST, HUB_SFTP_PORT, the key file), for `probe`. */
  endpoint: { host: string; port: number; hostKeyFile: string | undefined };
}

export class MailboxTransport implements SupplierTransport {
  readonly type = 'mailbox';

  constructor(
    readonly supplierId: string,
    private readonly config: MailboxTransportConfig,
    private readonly ctx: MailboxTransportContext,
  ) {}

  async deliver(file: OutboundFile): Promise<DeliveryReceipt> {
    assertSafeRemoteName(file.filename);
    const db = this.ctx.db;
    if (!db) throw new TransportError('transport_failed', `${this.supplierId}'s mailbox cannot be reached without the hub's database`);
    try {
      await placeMailboxFile(db, {
        supplierId: this.supplierId,
        folder: 'from-hub',
        name: file.filename,
        documentId: file.documentId,
        size: file.content.length,
        at: this.ctx.clock(),
      });
    } catch (error) {
      throw new TransportError('transport_failed', `could not place ${file.filename} in ${this.supplierId}'s mailbox: ${errorMessage(error)}`, { cause: error });
    }
    return { remotePath: `/from-hub/${file.filename}` };
  }

  async listInbound(): Promise<RemoteFile[]> {
    return [];
  }

  async download(name: string): Promise<Buffer> {
    throw pushed(this.supplierId, name);
  }

  async moveInbound(name: string): Promise<void> {
    throw pushed(this.supplierId, name);
  }

  /**
   * `hub suppliers test`: the account (its keys, password login, any lockout), the host key, the
   * server answering with it, and the two folders.
   */
  async probe(): Promise<ProbeStep[]> {
    const steps: ProbeStep[] = [];
    let mark = Date.now();
    const step = (name: ProbeStep['step'], ok: boolean, detail: string, code?: TransportErrorCode): boolean => {
      const now = Date.now();
      steps.push({ step: name, ok, detail, ms: now - mark, ...(ok ? {} : { error: { code: code ?? 'transport_failed', retryable: code !== 'transport_rejected' } }) });
      mark = now;
      return ok;
    };

    const keys = this.config.publicKeys.map((line) => {
      const parsed = ssh2.utils.parseKey(line);
      const key = Array.isArray(parsed) ? parsed[0] : parsed;
      return key && !(key instanceof Error) ? `${key.type} ${sshFingerprint(key.getPublicSSH())}` : 'unreadable key';
    });
    const login = [
      keys.length ? `${keys.length} public key(s): ${keys.join(', ')}` : 'no public key',
      this.config.passwordHash ? 'password login on' : 'password login off',
    ].join('; ');
    let locks: { key: string; until: Date }[] = [];
    try {
      if (this.ctx.db) locks = await activeLockouts(this.ctx.db, this.ctx.clock(), { username: this.supplierId });
    } catch (error) {
      step('account', false, `cannot read the mailbox tables: ${errorMessage(error)} (run hub migrate)`);
      return steps;
    }
    const locked = locks.map((l) => `${l.key.slice(l.key.indexOf('@') + 1)} until ${l.until.toISOString()}`);
    if (keys.includes('unreadable key')) {
      step('account', false, `user ${this.supplierId}: ${login}`, 'transport_rejected');
      return steps;
    }
    if (!step('account', locked.length === 0, `user ${this.supplierId}: ${login}${locked.length ? `; locked out from ${locked.join(', ')} (hub mailbox unlock ${this.supplierId})` : ''}`, 'transport_auth_failed')) {
      return steps;
    }

    const { host, port, hostKeyFile } = this.ctx.endpoint;
    const hostKey = hostKeyFile ? await readHostKey(hostKeyFile).catch(() => undefined) : undefined;
    if (!step('host_key', hostKey !== undefined, hostKey ? `${hostKey.fingerprint} (${hostKeyFile}): give it to the supplier` : `no host key in ${hostKeyFile ?? 'memory'} yet: \`hub mailbox fingerprint\` makes it`, 'transport_rejected')) {
      return steps;
    }

    const target = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const presented = await presentedHostKey(target, port).catch((error: unknown) => error as Error);
    if (presented instanceof Error) {
      step('connect', false, `the mailbox does not answer on ${target}:${port} (${presented.message}): start \`hub serve\` or \`hub mailbox\``);
      return steps;
    }
    if (!step('connect', fingerprintsMatch(presented, hostKey!.fingerprint), `the mailbox answers on ${target}:${port} with host key ${presented}`, 'transport_host_key_mismatch')) {
      return steps;
    }

    const db = this.ctx.db;
    if (!db) {
      step('folders', true, `not looked at: ${this.ctx.unavailable ?? 'no database'}`);
      return steps;
    }
    try {
      const outgoing = await listMailboxFiles(db, this.supplierId, 'from-hub');
      const received = await listMailboxFiles(db, this.supplierId, 'to-hub');
      const waiting = outgoing.filter((f) => f.downloadedAt === null).length;
      step('folders', true, `from-hub/: ${outgoing.length} file(s), ${waiting} not downloaded yet; to-hub/: ${received.length} file(s) received in the last ${this.config.keepReceivedDays} day(s)`);
    } catch (error) {
      step('folders', false, `cannot list the folders: ${errorMessage(error)}`);
    }
    return steps;
  }

  async close(): Promise<void> {}
}

function pushed(supplierId: string, name: string): TransportError {
  return new TransportError('transport_rejected', `${supplierId} pushes its files to the hub's mailbox: there is nothing to fetch (${name})`, { details: { name } });
}

/** Connects to an SSH server only far enough to see its host key (no credentials are offered). */
function presentedHostKey(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let fingerprint: string | undefined;
    const done = (error?: Error): void => {
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end();
      if (fingerprint) resolve(fingerprint);
      else reject(error ?? new Error('no host key presented'));
    };
    client.on('error', (error) => done(error));
    client.on('ready', () => done());
    client.connect({
      host,
      port,
      username: 'hub-probe',
      readyTimeout: 5_000,
      // Seen the key, offer nothing: no failed login on the server's books.
      authHandler: () => false,
      hostVerifier: (key: Buffer) => {
        fingerprint = sshFingerprint(key);
        setImmediate(() => done());
        return true;
      },
    });
  });
}
