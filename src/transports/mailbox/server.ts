/**
 * The hub's own SFTP server, where suppliers without a server of their own log in (user name: their
 * supplier id) to pick up their POs from `from-hub/` and drop their files in `to-hub/`.
 *
 * The SSH side is ssh2's `Server`; the SFTP protocol is the hub's (src/transports/sftp-server/,
 * shared with the sandbox); each session serves a `MailboxFileSystem` (file-system.ts) bound to the
 * supplier that logged in. Around it, what a server facing the internet needs:
 *
 * - connections capped per process and per client address; a login within `loginGraceMs`; a
 *   connection that sends nothing for `idleTimeoutMs` dropped (with any upload in it, unapplied);
 * - SFTP sessions capped per supplier, its requests rate-limited (delayed, not refused), and a
 *   flood held back by SSH flow control (session.ts);
 * - failed logins counted in the database per user and address and per address, so that a lockout
 *   holds across every hub process; a locked key is refused before any credential is checked;
 * - every login, failure, lockout, transfer, removal and refused path in the audit log.
 *
 * Only `sftp` sessions: no shell, exec, port forwarding.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Kysely } from 'kysely';
import ssh2, { type Connection, type ParsedKey } from 'ssh2';
import type { MailboxTransportConfig } from '../../config/mapping-schema.ts';
import { HubError, errorMessage } from '../../errors.ts';
import {
  clearLoginFailures,
  lockedUntil,
  recordLoginFailure,
  recordMailboxAudit,
  recordUpload,
  UPLOAD_PREFIX,
  type LockoutPolicy,
  type MailboxAuditEntry,
} from '../../store/mailbox.ts';
import type { Database } from '../../store/schema.ts';
import { sshFingerprint } from '../host-key.ts';
import { SftpSession } from '../sftp-server/session.ts';
import type { TransportLogger } from '../transport.ts';
import { MailboxApplier, type MailboxInbox } from './applier.ts';
import { MailboxFileSystem, type SessionAudit } from './file-system.ts';
import type { MailboxHostKey } from './host-key.ts';
import { Counter, TokenBucket } from './limits.ts';
import { QuotaTracker } from './quota.ts';
import { verifyNothing, verifyPassword } from './password.ts';
import { Spool } from './spool.ts';

const { Server, utils } = ssh2;

export interface MailboxServerLimits {
  maxConnections: number;
  maxConnectionsPerAddress: number;
  loginGraceMs: number;
  idleTimeoutMs: number;
  lockout: LockoutPolicy;
}

export interface MailboxServerOptions {
  db: Kysely<Database>;
  clock: () => Date;
  logger: TransportLogger & { info(object: Record<string, unknown>, message: string): void };
  /** Where a complete upload goes (the exactly-once inbound ledger). */
  inbox: MailboxInbox;
  /** Supplier id → its mapping's `transport` (type mailbox). */
  accounts: Map<string, MailboxTransportConfig>;
  hostKey: MailboxHostKey;
  host: string;
  /** 0: any free port. */
  port: number;
  /** Where uploads in progress are written; default: the system's temp folder. */
  spoolDir?: string;
  limits: MailboxServerLimits;
  /**
   * How long a recorded upload stays this process's to apply (default 60 s), and how often uploads
   * left unapplied by a process that stopped are looked for (default 15 s).
   */
  uploadLeaseMs?: number;
  sweepMs?: number;
  /** Tests only: record uploads but do not apply them (a process that dies right after answering). */
  applyUploads?: boolean;
}

export interface MailboxServer {
  host: string;
  port: number;
  fingerprint: string;
  /** 'audit' (MailboxAuditEntry) after each entry is written: what tests wait on. */
  readonly events: EventEmitter;
  /** Counters for tests and metrics. */
  stats(): { connections: number; sessions: number; peakBacklog: number; delayedRequests: number; applied: number };
  /** Applies now the uploads nobody is applying (also done every `sweepMs`); resolves with how many it took. */
  sweep(): Promise<number>;
  /** Resolves once every upload taken so far is applied. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** Authentication attempts one connection may make (OpenSSH's MaxAuthTries). */
const MAX_AUTH_TRIES = 6;
/** SSH channels one connection may open. */
const MAX_CHANNELS = 2;
/** A refused connection from one address is audited once in this long (a flood would fill the log). */
const REFUSAL_AUDIT_MS = 60_000;
const METHODS: ('publickey' | 'password' | 'keyboard-interactive')[] = ['publickey', 'password', 'keyboard-interactive'];

interface Account {
  supplierId: string;
  config: MailboxTransportConfig;
  keys: ParsedKey[];
}

interface ConnectionState {
  id: string;
  socket: net.Socket;
  address: string;
  username: string;
  account: Account | undefined;
  authenticated: boolean;
  attempts: number;
  /** A credential was offered (a key, a password). */
  offered: boolean;
  failureRecorded: boolean;
  lockAudited: boolean;
  channels: number;
  sessions: Set<{ fs: MailboxFileSystem; sftp: SftpSession }>;
  connectedAt: number;
  totals: { uploads: number; downloads: number; denied: number };
  /** Resolves once the socket's 'close' was handled (the wind-up is then in `finishing`). */
  closed: Promise<void>;
}

export async function startMailboxServer(options: MailboxServerOptions): Promise<MailboxServer> {
  const { db, clock, logger, limits } = options;
  const accounts = parseAccounts(options.accounts);
  const spool = await Spool.open(options.spoolDir);
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const counters = new Counter();
  const buckets = new Map<string, TokenBucket>();
  const pending = new Map<string, ConnectionState>();
  const live = new Set<ConnectionState>();
  /** Connections being wound up (sessions ended, logout audited). */
  const finishing = new Set<Promise<void>>();
  const lastRefusalAudit = new Map<string, number>();
  let peakBacklog = 0;
  let nextConnection = 1;
  const quota = new QuotaTracker(db, clock);
  const applier = new MailboxApplier({
    db,
    clock,
    inbox: options.inbox,
    logger,
    events,
    supplierIds: [...accounts.keys()],
    leaseMs: options.uploadLeaseMs ?? 60_000,
    sweepMs: options.sweepMs ?? 15_000,
  });

  const audit = async (state: Pick<ConnectionState, 'address' | 'username' | 'account' | 'id'> | { address: string; username: string; account: undefined; id: null }, entry: SessionAudit): Promise<void> => {
    const full: MailboxAuditEntry = {
      at: clock(),
      supplierId: state.account?.supplierId ?? null,
      username: state.username,
      address: state.address,
      sessionId: state.id,
      ...entry,
    };
    try {
      await recordMailboxAudit(db, full);
    } catch (error) {
      logger.warn({ error: errorMessage(error), event: full.event }, 'mailbox: could not write the audit log');
    }
    events.emit('audit', full);
  };

  const refuse = (socket: net.Socket, address: string, reason: string): void => {
    socket.destroy();
    const now = Date.now();
    if ((lastRefusalAudit.get(address) ?? 0) > now - REFUSAL_AUDIT_MS) return;
    lastRefusalAudit.set(address, now);
    if (lastRefusalAudit.size > 10_000) lastRefusalAudit.clear();
    void audit({ address, username: '', account: undefined, id: null }, { event: 'connection_refused', detail: reason });
  };

  const lockKeys = (state: ConnectionState): string[] => [`user:${state.username}@${state.address}`, `address:${state.address}`];

  /** Counts a failed login; ends the connection when that locks it out. */
  const fail = async (state: ConnectionState, detail: string): Promise<void> => {
    state.failureRecorded = true;
    const locked = await recordLoginFailure(db, lockKeys(state), clock(), limits.lockout);
    await audit(state, { event: 'login_failed', detail });
    if (locked) {
      state.lockAudited = true;
      await audit(state, { event: 'login_locked', detail: `${limits.lockout.maxFailures} failed logins: locked out until ${locked.toISOString()}` });
      state.socket.destroy();
    }
  };

  const authenticate = async (state: ConnectionState, ctx: ssh2.AuthContext): Promise<void> => {
    if (ctx.method === 'none') return ctx.reject(METHODS);
    if (++state.attempts > MAX_AUTH_TRIES) {
      ctx.reject();
      state.socket.destroy();
      return;
    }
    state.username = ctx.username;
    state.account = accounts.get(ctx.username);
    const lockedTill = await lockedUntil(db, lockKeys(state), clock());
    if (lockedTill) {
      if (!state.lockAudited) {
        state.lockAudited = true;
        await audit(state, { event: 'login_locked', detail: `refused without checking: locked out until ${lockedTill.toISOString()}` });
      }
      ctx.reject([]);
      state.socket.destroy();
      return;
    }
    const account = state.account;
    switch (ctx.method) {
      case 'publickey': {
        state.offered = true;
        const key = account?.keys.find((k) => k.getPublicSSH().equals(ctx.key.data));
        if (!key) {
          // Without a signature the client only asks whether a key would do; it may offer another.
          if (ctx.signature) await fail(state, 'public key not allowed for this user');
          return ctx.reject(METHODS);
        }
        if (!ctx.signature) return ctx.accept();
        if (!ctx.blob || key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) {
          await fail(state, 'public key signature did not verify');
          return ctx.reject(METHODS);
        }
        return succeed(state, ctx, `public key ${sshFingerprint(key.getPublicSSH())}`);
      }
      case 'password':
        return checkPassword(state, ctx, ctx.password);
      case 'keyboard-interactive':
        ctx.prompt([{ prompt: 'Password: ', echo: false }], 'dropship hub mailbox', '', (answers) => {
          const answer = Array.isArray(answers) ? answers[0] : undefined;
          void checkPassword(state, ctx, typeof answer === 'string' ? answer : '').catch((error) => {
            logger.warn({ error: errorMessage(error) }, 'mailbox: login check failed');
            ctx.reject();
          });
        });
        return;
      default:
        return ctx.reject(METHODS);
    }
  };

  const checkPassword = async (state: ConnectionState, ctx: ssh2.AuthContext, password: string): Promise<void> => {
    state.offered = true;
    const hash = state.account?.config.passwordHash;
    const ok = hash ? await verifyPassword(password, hash) : await verifyNothing(password);
    if (!ok) {
      await fail(state, `wrong password${hash ? '' : ' (this user has no password login)'}`);
      return ctx.reject(METHODS);
    }
    return succeed(state, ctx, 'password');
  };

  const succeed = async (state: ConnectionState, ctx: ssh2.AuthContext, method: string): Promise<void> => {
    state.authenticated = true;
    await clearLoginFailures(db, lockKeys(state)[0]!).catch(() => undefined);
    await audit(state, { event: 'login', detail: method });
    ctx.accept();
  };

  const openSftp = (state: ConnectionState, channel: ssh2.ServerChannel, release: () => void): void => {
    const account = state.account!;
    let bucket = buckets.get(account.supplierId);
    if (!bucket) {
      bucket = new TokenBucket(account.config.limits.requestsPerSecond);
      buckets.set(account.supplierId, bucket);
    }
    const limiter = bucket;
    const fs = new MailboxFileSystem({
      supplierId: account.supplierId,
      config: account.config,
      db,
      clock,
      spool,
      take: async (file) => {
        const at = clock();
        const upload = { id: `${UPLOAD_PREFIX}${randomUUID().replace(/-/g, '')}`, supplierId: account.supplierId, name: file.name, content: file.content, address: state.address, sessionId: state.id };
        await recordUpload(db, { ...upload, username: state.username, at, leaseUntil: applier.leaseUntil(at) });
        events.emit('audit', { at, supplierId: account.supplierId, username: state.username, address: state.address, sessionId: state.id, event: 'upload', path: `/to-hub/${file.name}`, bytes: file.content.length, documentId: upload.id, detail: 'received: applied next' } satisfies MailboxAuditEntry);
        quota.add(account.supplierId, file.content.length);
        if (options.applyUploads !== false) applier.enqueue(upload);
      },
      usedToday: () => quota.usedToday(account.supplierId),
      audit: (entry) => audit(state, entry),
      logger,
    });
    const sftp = new SftpSession(channel, fs, {
      logger,
      owner: account.supplierId,
      beforeRequest: () => {
        const wait = limiter.take();
        return wait > 0 ? new Promise<void>((resolve) => setTimeout(resolve, wait)) : undefined;
      },
    });
    const entry = { fs, sftp };
    state.sessions.add(entry);
    channel.once('close', () => {
      release();
      peakBacklog = Math.max(peakBacklog, sftp.peakBacklog);
      void sftp.end().finally(() => {
        state.sessions.delete(entry);
        for (const key of ['uploads', 'downloads', 'denied'] as const) state.totals[key] += fs.stats[key];
      });
    });
  };

  const ssh = new Server({ hostKeys: [options.hostKey.privateKey], ident: 'dropship-hub-mailbox' }, (client: Connection, info) => {
    const state = pending.get(`${info.ip}|${info.port}`);
    if (!state) {
      client.end();
      return;
    }
    pending.delete(`${info.ip}|${info.port}`);
    client.on('error', (error) => logger.debug({ error: error.message, address: state.address }, 'mailbox: client error'));
    client.on('authentication', (ctx) => {
      authenticate(state, ctx).catch((error) => {
        logger.warn({ error: errorMessage(error), address: state.address }, 'mailbox: login check failed');
        try {
          ctx.reject();
        } catch {
          // the connection is gone
        }
      });
    });
    client.on('request', (_accept, reject) => reject?.());
    client.on('ready', () => {
      state.socket.setTimeout(limits.idleTimeoutMs);
      client.on('session', (acceptSession, rejectSession) => {
        if (state.channels >= MAX_CHANNELS) return rejectSession();
        state.channels++;
        const session = acceptSession();
        session.on('subsystem', (accept, reject, request) => {
          const account = state.account;
          if (request.name !== 'sftp' || !account) return reject();
          const release = counters.acquire(`sessions:${account.supplierId}`, account.config.limits.sessions);
          if (!release) {
            void audit(state, { event: 'connection_refused', detail: `already ${account.config.limits.sessions} sessions open for ${account.supplierId}` });
            return reject();
          }
          openSftp(state, accept(), release);
        });
      });
    });
  });

  const listener = net.createServer((socket) => {
    const address = normalizeAddress(socket.remoteAddress);
    const releaseAll = counters.acquire('connections', limits.maxConnections);
    if (!releaseAll) return refuse(socket, address, `the mailbox has ${limits.maxConnections} connections open already`);
    const releaseAddress = counters.acquire(`address:${address}`, limits.maxConnectionsPerAddress);
    if (!releaseAddress) {
      releaseAll();
      return refuse(socket, address, `${limits.maxConnectionsPerAddress} connections from ${address} are open already`);
    }
    const state: ConnectionState = {
      id: `mbx_${process.pid.toString(36)}_${(nextConnection++).toString(36)}`,
      socket,
      address,
      username: '',
      account: undefined,
      authenticated: false,
      attempts: 0,
      offered: false,
      failureRecorded: false,
      lockAudited: false,
      channels: 0,
      sessions: new Set(),
      connectedAt: Date.now(),
      totals: { uploads: 0, downloads: 0, denied: 0 },
      closed: Promise.resolve(),
    };
    let markClosed = (): void => {};
    state.closed = new Promise<void>((resolve) => {
      markClosed = resolve;
    });
    live.add(state);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.setTimeout(limits.loginGraceMs);
    socket.on('timeout', () => socket.destroy());
    const grace = setTimeout(() => {
      if (!state.authenticated) socket.destroy();
    }, limits.loginGraceMs);
    grace.unref();
    const key = `${socket.remoteAddress}|${socket.remotePort}`;
    pending.set(key, state);
    socket.once('close', () => {
      clearTimeout(grace);
      pending.delete(key);
      releaseAddress();
      releaseAll();
      const done = finish(state).finally(() => {
        live.delete(state);
        finishing.delete(done);
      });
      finishing.add(done);
      markClosed();
    });
    ssh.injectSocket(socket);
  });

  /** A connection is over: a login that never succeeded counts as failed once; a session's end is audited. */
  const finish = async (state: ConnectionState): Promise<void> => {
    try {
      if (!state.authenticated) {
        if (state.offered && !state.failureRecorded) await fail(state, 'the connection ended without an accepted key or password');
        return;
      }
      await Promise.all([...state.sessions].map((s) => s.sftp.end()));
      const seconds = ((Date.now() - state.connectedAt) / 1000).toFixed(1);
      const { uploads, downloads, denied } = state.totals;
      await audit(state, { event: 'logout', detail: `after ${seconds} s: ${uploads} upload(s), ${downloads} download(s)${denied ? `, ${denied} refused path(s)` : ''}` });
    } catch (error) {
      logger.warn({ error: errorMessage(error) }, 'mailbox: closing a connection failed');
    }
  };

  await new Promise<void>((resolve, reject) => {
    listener.once('error', (error: NodeJS.ErrnoException) =>
      reject(new HubError('config_invalid', `the mailbox cannot listen on ${options.host}:${options.port}: ${error.code ?? error.message} (HUB_SFTP_HOST, HUB_SFTP_PORT)`, { cause: error })),
    );
    listener.listen(options.port, options.host, () => resolve());
  });
  listener.on('error', (error) => logger.warn({ error: error.message }, 'mailbox: listener error'));
  const port = (listener.address() as net.AddressInfo).port;
  if (options.applyUploads !== false) applier.start();
  logger.info({ host: options.host, port, fingerprint: options.hostKey.fingerprint, suppliers: [...accounts.keys()] }, 'mailbox listening');

  return {
    host: options.host,
    port,
    fingerprint: options.hostKey.fingerprint,
    events,
    stats: () => {
      let sessions = 0;
      let backlog = peakBacklog;
      for (const state of live) {
        for (const s of state.sessions) {
          sessions++;
          backlog = Math.max(backlog, s.sftp.peakBacklog);
        }
      }
      return { connections: live.size, sessions, peakBacklog: backlog, delayedRequests: [...buckets.values()].reduce((n, b) => n + b.delayed, 0), applied: applier.applied };
    },
    sweep: () => applier.sweep(),
    settled: () => applier.idle(),
    async close() {
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      // Every connection dropped, and its 'close' handled (a socket already destroyed may not have said so yet).
      const dropped = [...live].map((state) => {
        state.socket.destroy();
        return state.closed;
      });
      await Promise.all(dropped);
      await closed;
      // Sessions end (their uploads discarded) before the spool goes.
      while (finishing.size) await Promise.all(finishing);
      await applier.stop();
      await spool.close();
    },
  };
}

function parseAccounts(configs: Map<string, MailboxTransportConfig>): Map<string, Account> {
  const accounts = new Map<string, Account>();
  for (const [supplierId, config] of configs) {
    const keys = config.publicKeys.map((line, i) => {
      const parsed = utils.parseKey(line);
      const key = Array.isArray(parsed) ? parsed[0] : parsed;
      if (!key || key instanceof Error) {
        throw new HubError('mapping_invalid', `${supplierId}: transport.publicKeys.${i} cannot be read as an SSH public key${key instanceof Error ? ` (${key.message})` : ''}`);
      }
      return key;
    });
    accounts.set(supplierId, { supplierId, config, keys });
  }
  return accounts;
}

function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
