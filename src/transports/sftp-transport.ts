/**
 * SFTP delivery and pick-up (ssh2-sftp-client over ssh2).
 *
 * - The server's host key is pinned: its SHA-256 fingerprint must equal `hostKey` before a byte
 *   of the login (let alone a file) is sent.
 * - A file is uploaded as `.<name>.<hash of the document id>.part` in the target folder and then
 *   renamed with `posix-rename@openssh.com` onto its final name: the final name never shows a
 *   partial file, and a retry after a crash replaces the same file instead of adding a second one.
 *   The upload can be done ahead (`stage`, while the caller commits the document), leaving only the
 *   rename to `deliver`.
 * - Connections are pooled per supplier (at most `maxConnections`), one operation at a time per
 *   connection; a connection that failed at the network level is discarded.
 * - An operation that receives nothing from the server for `timeoutMs` is abandoned (its
 *   connection destroyed) with a retryable `transport_timeout`; SSH keepalives detect dead idle
 *   connections.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import type { Client, SFTPWrapper, Stats } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import type { SftpTransportConfig } from '../config/mapping-schema.ts';
import { TransportError, errorMessage } from '../errors.ts';
import { fingerprintsMatch, sshFingerprint } from './host-key.ts';
import { assertSafeRemoteName, remoteJoin } from './remote-names.ts';
import type {
  DeliveryReceipt,
  OutboundFile,
  ProbeStep,
  RemoteFile,
  SupplierTransport,
  TransportErrorCode,
  TransportLogger,
  TransportOptions,
} from './transport.ts';

/** SFTP status codes (draft-ietf-secsh-filexfer-02) that ssh2 puts on `error.code`. */
const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;

/** Socket-level error codes after which a later attempt may well succeed. */
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Staged documents remembered per transport (see `stage`). */
const MAX_STAGED = 1_000;
/** The longest `stage` or `unstage` may take by default (a healthy server needs a few milliseconds). */
const STAGE_LIMIT_MS = 200;
/** How long staging stays off for a supplier after one ran out of time. */
const STAGE_PAUSE_MS = 10 * 60_000;

/** Idle pooled connections are closed after this long. */
const IDLE_CLOSE_MS = 30_000;

type Phase = 'connect' | 'host_key' | 'login' | 'sftp';

/** What ssh2-sftp-client keeps on the instance but its type definitions do not declare. */
interface SftpClientInternals {
  client: Client;
  sftp: SFTPWrapper | undefined;
}

interface ConnectTrace {
  phase: Phase;
  presentedHostKey?: string;
  hostKeyMismatch: boolean;
}

/** One SSH connection with its SFTP channel, used by one operation at a time. */
class SftpConnection {
  alive = true;
  idleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly client: SftpClient,
    readonly sftp: SFTPWrapper,
    private readonly socket: net.Socket,
    private readonly timeoutMs: number,
    private readonly where: string,
  ) {}

  /**
   * Runs one operation, abandoning it (and this connection) when the server sends nothing for
   * `timeoutMs`: a frozen server must not hang a delivery worker. Progress is read from the socket's
   * byte counter, so a large transfer that keeps being acknowledged is never cut short.
   */
  run<T>(action: string, operation: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let lastBytes = this.socket.bytesRead;
      let lastProgress = Date.now();
      const tick = Math.max(25, Math.min(1_000, Math.floor(this.timeoutMs / 5)));
      const watchdog = setInterval(() => {
        const bytes = this.socket.bytesRead;
        if (bytes !== lastBytes) {
          lastBytes = bytes;
          lastProgress = Date.now();
        } else if (Date.now() - lastProgress >= this.timeoutMs) {
          clearInterval(watchdog);
          this.destroy();
          reject(
            new TransportError('transport_timeout', `${action}: no answer from ${this.where} for ${this.timeoutMs} ms`, {
              details: { action, timeoutMs: this.timeoutMs },
            }),
          );
        }
      }, tick);
      operation().then(resolve, reject).finally(() => clearInterval(watchdog));
    });
  }

  /** `reset`: with a TCP reset, so that the server drops what it has not read yet. */
  destroy(reset = false): void {
    this.alive = false;
    clearTimeout(this.idleTimer);
    (this.client as unknown as SftpClientInternals).client.destroy();
    if (reset) this.socket.resetAndDestroy();
    else this.socket.destroy();
  }

  /** A polite close (SSH disconnect), forced after a second. */
  async end(): Promise<void> {
    this.alive = false;
    clearTimeout(this.idleTimer);
    const forced = setTimeout(() => this.destroy(), 1_000);
    try {
      await this.client.end();
    } catch {
      this.destroy();
    } finally {
      clearTimeout(forced);
    }
  }
}

export class SftpTransport implements SupplierTransport {
  readonly type = 'sftp';
  private readonly logger: TransportLogger;
  private readonly all = new Set<SftpConnection>();
  private readonly idle: SftpConnection[] = [];
  private readonly waiters: (() => void)[] = [];
  private connecting = 0;
  private closed = false;
  /** Documents `stage`d and not yet delivered: id → hash of the staged bytes. */
  private readonly staged = new Map<string, string>();
  /** Documents whose staging was given up: their delivery uses another temporary name. */
  private readonly tainted = new Map<string, true>();
  /** How long the last upload took (staging is only tried on a quick server). */
  private lastUploadMs: number | undefined;
  private stagingPausedUntil = 0;
  private opened = 0;
  /** See TransportOptions.stagingLimitMs. */
  private readonly stagingLimitMs: number;

  constructor(
    readonly supplierId: string,
    private readonly config: SftpTransportConfig,
    options: TransportOptions = {},
  ) {
    this.logger = options.logger ?? { debug() {}, warn() {} };
    this.stagingLimitMs = options.stagingLimitMs ?? STAGE_LIMIT_MS;
  }

  /** How many SSH connections this transport has opened so far (for metrics and tests). */
  get connectionsOpened(): number {
    return this.opened;
  }

  private get where(): string {
    return `${this.config.host}:${this.config.port}`;
  }

  async deliver(file: OutboundFile): Promise<DeliveryReceipt> {
    assertSafeRemoteName(file.filename);
    const { dir, tempPath } = this.paths(file);
    const finalPath = remoteJoin(dir, file.filename);
    const staged = this.staged.get(file.documentId) === contentHash(file.content);
    this.staged.delete(file.documentId);
    const started = Date.now();
    const renamedOnly = await this.withConnection('deliver', async (conn) => {
      if (staged) {
        try {
          await conn.client.posixRename(tempPath, finalPath);
          return true;
        } catch (error) {
          // The staged file is gone (a server that lost it, a rename that did happen before the
          // connection died): upload it again, as for any delivery.
          if (!conn.alive || isConnectionLoss(error)) throw error;
        }
      }
      await this.upload(conn, file);
      try {
        // posix-rename replaces an existing file atomically (plain SFTP rename refuses to).
        await conn.client.posixRename(tempPath, finalPath);
      } catch (error) {
        await conn.client.delete(tempPath, true).catch(() => undefined);
        throw error;
      }
      // Delivered aside after a staging that ran out of time: what that staging left under the
      // usual temporary name goes now.
      if (this.tainted.has(file.documentId)) {
        await conn.client.delete(this.paths(file, false).tempPath, true).catch(() => undefined);
      }
      return false;
    });
    this.logger.debug(
      { supplier: this.supplierId, remotePath: finalPath, bytes: file.content.length, staged: renamedOnly, ms: Date.now() - started },
      'sftp delivered',
    );
    this.tainted.delete(file.documentId);
    return renamedOnly ? { remotePath: finalPath, staged: true } : { remotePath: finalPath };
  }

  /**
   * Uploads a document under its temporary name only, so that its `deliver` has just the rename
   * left: the caller stages while it commits the document, and delivers after the commit. Nobody
   * reads a `.part` file; the final name appears only with `deliver`. A caller that does not commit
   * calls `unstage`. Should it die first, the document's next delivery (the same document id, so the
   * same temporary name) overwrites the staged file and renames it.
   *
   * The caller waits for this while it holds database locks, so it never waits for the server:
   * it uses a connection that is open and idle, or does nothing, and gives up (dropping that
   * connection, so that nothing more of the upload follows) after the staging limit. Not staged, the
   * document is simply uploaded by its delivery.
   */
  async stage(file: OutboundFile): Promise<boolean> {
    assertSafeRemoteName(file.filename);
    // Only where it pays and cannot hurt: a server whose last upload was quick, not one that
    // recently let a staging run out of time (a distant or struggling server).
    if (this.lastUploadMs === undefined || this.lastUploadMs > this.stagingLimitMs / 4 || Date.now() < this.stagingPausedUntil) return false;
    const outcome = await this.onIdleConnection('stage', (conn) => this.upload(conn, file));
    if (outcome === 'failed') {
      // Requests of the dropped session may still reach the server: this document's own delivery
      // uploads under another temporary name, and staging pauses for this supplier.
      remember(this.tainted, file.documentId, true);
      this.stagingPausedUntil = Date.now() + STAGE_PAUSE_MS;
    }
    if (outcome !== 'done') return false;
    // A staged document whose routing failed to commit is never delivered nor unstaged: the oldest
    // beyond a bound is forgotten (its delivery, if any, would just upload again).
    remember(this.staged, file.documentId, contentHash(file.content));
    return true;
  }

  /** Removes a staged file whose document was not committed after all (best effort, as `stage`). */
  async unstage(file: OutboundFile): Promise<void> {
    if (!this.staged.delete(file.documentId)) return;
    const { tempPath } = this.paths(file);
    await this.onIdleConnection('unstage', (conn) => conn.client.delete(tempPath, true));
  }

  /**
   * Runs `operation` on an idle pooled connection, if there is one ('skipped' otherwise), within
   * the staging limit ('failed' past it, or on an error). Never opens a connection nor waits for one;
   * never rejects.
   */
  private async onIdleConnection(action: string, operation: (conn: SftpConnection) => Promise<unknown>): Promise<'done' | 'skipped' | 'failed'> {
    let conn: SftpConnection | undefined;
    while ((conn = this.idle.pop()) && !conn.alive) this.all.delete(conn);
    if (!conn) return 'skipped';
    clearTimeout(conn.idleTimer);
    const held = conn;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TransportError('transport_timeout', `${action}: over ${this.stagingLimitMs} ms`)), this.stagingLimitMs);
    });
    const work = held.run(action, () => operation(held));
    work.catch(() => {}); // when the limit wins, its failure comes later and is of no interest
    try {
      await Promise.race([work, limit]);
      this.release(held);
      return 'done';
    } catch (error) {
      // Timed out or failed: this connection may still be busy with the operation; drop it, with a
      // reset so that the server discards what it has not read.
      this.logger.debug({ supplier: this.supplierId, action, error: errorMessage(error) }, 'sftp: gave up');
      held.destroy(true);
      this.discard(held);
      return 'failed';
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The temporary name is fixed per document: an upload cut by a crash leaves a .part file that the
   * retry of the same document overwrites and renames, instead of a new leftover every time.
   */
  private paths(file: OutboundFile, aside = this.tainted.has(file.documentId)): { dir: string; tempPath: string } {
    const dir = this.config.outboundDir;
    return { dir, tempPath: remoteJoin(dir, `.${file.filename}.${tempSuffix(file.documentId)}${aside ? '.r' : ''}.part`) };
  }

  /**
   * Puts the bytes under the document's temporary name, with the mapping's `fileMode` (default 0644):
   * asked for when the file is opened, and set again afterwards, since the server's umask can loosen
   * or tighten the first and a file left by an earlier attempt keeps its mode. A failed put leaves
   * nothing behind.
   */
  private async upload(conn: SftpConnection, file: OutboundFile): Promise<void> {
    const { dir, tempPath } = this.paths(file);
    const mode = parseInt(this.config.fileMode, 8);
    const started = Date.now();
    try {
      await this.ensureFolder(conn, dir, 'outbound', async () => {
        await conn.client.put(file.content, tempPath, { writeStreamOptions: { mode } });
        await conn.client.chmod(tempPath, mode);
      });
      this.lastUploadMs = Date.now() - started;
    } catch (error) {
      await conn.client.delete(tempPath, true).catch(() => undefined);
      throw error;
    }
  }

  async listInbound(): Promise<RemoteFile[]> {
    const dir = this.config.inboundDir;
    if (!dir) return [];
    const entries = await this.withConnection('list inbound', (conn) => readdir(conn.sftp, dir));
    const files: RemoteFile[] = [];
    for (const entry of entries) {
      const name = entry.filename;
      if (!entry.attrs.isFile() || name.startsWith('.') || name.endsWith('.part')) continue;
      try {
        assertSafeRemoteName(name);
      } catch {
        this.logger.warn({ supplier: this.supplierId, name }, 'sftp: skipping inbound file with an unsafe name');
        continue;
      }
      files.push({ name, size: entry.attrs.size, modifiedAt: new Date(entry.attrs.mtime * 1000) });
    }
    // Oldest first, so that a supplier's files are applied in the order it wrote them.
    return files.sort((a, b) => a.modifiedAt.getTime() - b.modifiedAt.getTime() || a.name.localeCompare(b.name));
  }

  async download(name: string, maxBytes: number): Promise<Buffer> {
    assertSafeRemoteName(name);
    const remotePath = remoteJoin(this.inboundDir(), name);
    return this.withConnection('download', async (conn) => {
      const stats = await stat(conn.sftp, remotePath);
      if (stats.size > maxBytes) throw tooLarge(remotePath, stats.size, maxBytes);
      return readAll(conn.sftp, remotePath, maxBytes);
    });
  }

  async moveInbound(name: string, to: 'processed' | 'failed'): Promise<void> {
    assertSafeRemoteName(name);
    const inbound = this.inboundDir();
    const targetDir =
      to === 'processed'
        ? (this.config.processedDir ?? remoteJoin(inbound, 'processed'))
        : (this.config.failedDir ?? remoteJoin(inbound, 'failed'));
    const from = remoteJoin(inbound, name);
    const target = remoteJoin(targetDir, name);
    await this.withConnection('move inbound', async (conn) => {
      try {
        await conn.client.posixRename(from, target);
      } catch (error) {
        if (sftpCode(error) !== SFTP_NO_SUCH_FILE) throw error;
        if (!(await conn.client.exists(from))) {
          throw new TransportError('transport_rejected', `inbound file ${from} no longer exists on ${this.where}`, {
            details: { remotePath: from },
          });
        }
        await this.ensureFolder(conn, targetDir, to, () => conn.client.posixRename(from, target));
      }
    });
  }

  async probe(): Promise<ProbeStep[]> {
    const steps: ProbeStep[] = [];
    let mark = Date.now();
    const ok = (step: ProbeStep['step'], detail: string): void => {
      const now = Date.now();
      steps.push({ step, ok: true, detail, ms: now - mark });
      mark = now;
    };
    const failed = (step: ProbeStep['step'], error: unknown): ProbeStep[] => {
      const te = this.classify(error, step);
      steps.push({
        step,
        ok: false,
        detail: te.message,
        ms: Date.now() - mark,
        error: { code: te.code as TransportErrorCode, retryable: te.retryable },
      });
      return steps;
    };

    const trace: ConnectTrace = { phase: 'connect', hostKeyMismatch: false };
    let conn: SftpConnection;
    try {
      conn = await this.connect(trace, (phase) => {
        if (phase === 'host_key') ok('connect', `TCP connection to ${this.where}`);
        if (phase === 'login') ok('host_key', `host key ${trace.presentedHostKey} matches the pinned fingerprint`);
        if (phase === 'sftp') ok('login', `logged in as ${this.config.username}`);
      });
    } catch (error) {
      return failed(trace.phase === 'sftp' ? 'login' : trace.phase, error);
    }
    try {
      const probePath = remoteJoin(this.config.outboundDir, `.hub-probe-${randomBytes(6).toString('hex')}`);
      try {
        await conn.run('probe write', () =>
          this.ensureFolder(conn, this.config.outboundDir, 'outbound', () =>
            conn.client.put(Buffer.from('dropship hub connection test\n'), probePath),
          ),
        );
        ok('write', `wrote ${probePath}`);
      } catch (error) {
        return failed('write', error);
      }
      try {
        await conn.run('probe remove', () => conn.client.delete(probePath));
        ok('remove', `removed ${probePath}`);
      } catch (error) {
        return failed('remove', error);
      }
      const inbound = this.config.inboundDir;
      if (inbound) {
        try {
          const entries = await conn.run('probe list', () => readdir(conn.sftp, inbound));
          const count = entries.filter((e) => e.attrs.isFile() && !e.filename.startsWith('.')).length;
          ok('list_inbound', `${inbound}: ${count} file(s) waiting`);
        } catch (error) {
          return failed('list_inbound', error);
        }
      }
      return steps;
    } finally {
      await conn.end();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiters.splice(0)) wake();
    const idle = this.idle.splice(0);
    await Promise.all(
      idle.map((conn) => {
        this.all.delete(conn);
        return conn.end();
      }),
    );
  }

  // ---- the pool -----------------------------------------------------------------------------

  /**
   * Runs `operation` on a pooled connection. A failure on a reused connection that looks like the
   * connection itself died (the server restarted while it sat idle) is retried once on a fresh
   * one: every operation here is idempotent (temp name + rename, reads, rename onto a target).
   */
  private async withConnection<T>(action: string, operation: (conn: SftpConnection) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const { conn, reused } = await this.acquire(action);
      try {
        const result = await conn.run(action, () => operation(conn));
        this.release(conn);
        return result;
      } catch (error) {
        const te = this.classify(error, action);
        const connectionBroken = !conn.alive || te.code === 'transport_timeout' || isConnectionLoss(error);
        if (connectionBroken) this.discard(conn);
        else this.release(conn);
        if (connectionBroken && reused && attempt === 1 && te.code !== 'transport_timeout') {
          this.logger.debug({ supplier: this.supplierId, error: te.message }, 'sftp: pooled connection was dead, reconnecting');
          continue;
        }
        throw te;
      }
    }
  }

  private async acquire(action: string): Promise<{ conn: SftpConnection; reused: boolean }> {
    for (;;) {
      if (this.closed) throw new TransportError('transport_failed', `${action}: the SFTP transport for ${this.supplierId} is closed`);
      const pooled = this.idle.pop();
      if (pooled) {
        clearTimeout(pooled.idleTimer);
        if (pooled.alive) return { conn: pooled, reused: true };
        this.all.delete(pooled);
        continue;
      }
      if (this.all.size + this.connecting < this.config.maxConnections) {
        const trace: ConnectTrace = { phase: 'connect', hostKeyMismatch: false };
        // Counted while connecting, so that concurrent callers respect maxConnections.
        this.connecting++;
        try {
          const conn = await this.connect(trace);
          this.all.add(conn);
          return { conn, reused: false };
        } catch (error) {
          this.wakeOne();
          throw this.classify(error, 'connect', trace);
        } finally {
          this.connecting--;
        }
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private release(conn: SftpConnection): void {
    if (!conn.alive) {
      this.discard(conn);
      return;
    }
    if (this.closed) {
      this.all.delete(conn);
      void conn.end();
      return;
    }
    conn.idleTimer = setTimeout(() => {
      const at = this.idle.indexOf(conn);
      if (at !== -1) this.idle.splice(at, 1);
      this.all.delete(conn);
      void conn.end();
    }, IDLE_CLOSE_MS);
    conn.idleTimer.unref();
    this.idle.push(conn);
    this.wakeOne();
  }

  private discard(conn: SftpConnection): void {
    if (conn.alive) conn.destroy();
    this.all.delete(conn);
    this.wakeOne();
  }

  private wakeOne(): void {
    this.waiters.shift()?.();
  }

  private async connect(trace: ConnectTrace, onPhase?: (phase: Phase) => void): Promise<SftpConnection> {
    const cfg = this.config;
    const auth = await this.credentials();
    const enter = (phase: Phase): void => {
      trace.phase = phase;
      onPhase?.(phase);
    };
    const socket = net.connect({ host: cfg.host, port: cfg.port });
    // Without TCP_NODELAY, SFTP's many small request/ack packets crawl behind Nagle + delayed ACK.
    socket.setNoDelay(true);
    socket.once('connect', () => enter('host_key'));
    let conn: SftpConnection | undefined;
    const client = new SftpClient(`hub:${this.supplierId}`, {
      // Replaces the library's default listeners, which print to the console.
      error: (error) => {
        if (conn) conn.alive = false;
        this.logger.debug({ supplier: this.supplierId, error: errorMessage(error) }, 'sftp connection error');
      },
      end: () => {
        if (conn) conn.alive = false;
      },
      close: () => {
        if (conn) conn.alive = false;
      },
    });
    if (auth.password !== undefined) {
      // Many servers ask for the password through keyboard-interactive (PAM) rather than "password".
      const password = auth.password;
      (client as unknown as SftpClientInternals).client.on('keyboard-interactive', (_name, _hint, _lang, prompts, finish) =>
        finish(prompts.map(() => password)),
      );
    }
    const keepaliveInterval = Math.max(1_000, Math.min(15_000, Math.floor(cfg.timeoutMs / 3)));
    const connecting = client.connect({
      tryKeyboard: auth.password !== undefined,
      sock: socket,
      host: cfg.host,
      port: cfg.port,
      username: cfg.username,
      ...auth,
      readyTimeout: cfg.timeoutMs,
      keepaliveInterval,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer): boolean => {
        const presented = sshFingerprint(key);
        trace.presentedHostKey = presented;
        if (!fingerprintsMatch(presented, cfg.hostKey)) {
          trace.hostKeyMismatch = true;
          return false;
        }
        enter('login');
        return true;
      },
    });
    // The handshake has its own readyTimeout; this also bounds opening the SFTP channel.
    let deadline: NodeJS.Timeout | undefined;
    try {
      const sftp = await Promise.race([
        connecting,
        new Promise<never>((_, reject) => {
          deadline = setTimeout(() => {
            socket.destroy();
            reject(
              new TransportError('transport_timeout', `connect: no answer from ${this.where} for ${cfg.timeoutMs} ms`, {
                details: { action: 'connect', phase: trace.phase },
              }),
            );
          }, cfg.timeoutMs + 1_000);
        }),
      ]);
      enter('sftp');
      this.opened++;
      conn = new SftpConnection(client, sftp, socket, cfg.timeoutMs, this.where);
      this.logger.debug({ supplier: this.supplierId, server: this.where }, 'sftp connected');
      return conn;
    } catch (error) {
      (client as unknown as SftpClientInternals).client.destroy();
      socket.destroy();
      connecting.catch(() => undefined);
      throw this.classify(error, 'connect', trace);
    } finally {
      clearTimeout(deadline);
    }
  }

  private async credentials(): Promise<{ privateKey?: Buffer; passphrase?: string; password?: string }> {
    const { privateKey, passphrase, password } = this.config;
    if (!privateKey && password === undefined) {
      throw new TransportError('transport_auth_failed', `no privateKey or password configured for ${this.supplierId}`);
    }
    let key: Buffer | undefined;
    if (privateKey) {
      try {
        key = await readFile(privateKey);
      } catch (error) {
        throw new TransportError(
          'transport_auth_failed',
          `cannot read the private key file ${privateKey}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
          { details: { privateKey } },
        );
      }
    }
    return {
      ...(key ? { privateKey: key } : {}),
      ...(passphrase !== undefined ? { passphrase } : {}),
      ...(password !== undefined ? { password } : {}),
    };
  }

  /**
   * Runs `attempt`; when it fails because `dir` is missing, creates `dir` (only if `createDirs`)
   * and runs it again, or explains which folder is missing.
   */
  private async ensureFolder<T>(
    conn: SftpConnection,
    dir: string,
    role: string,
    attempt: () => Promise<T>,
  ): Promise<T> {
    try {
      return await attempt();
    } catch (error) {
      if (sftpCode(error) !== SFTP_NO_SUCH_FILE) throw error;
      if (!this.config.createDirs) {
        throw new TransportError(
          'transport_rejected',
          `${role} folder ${dir} does not exist on ${this.where} (create it there, or set transport.createDirs: true)`,
          { details: { folder: dir } },
        );
      }
      this.logger.debug({ supplier: this.supplierId, folder: dir }, 'sftp: creating missing folder');
      await conn.client.mkdir(dir, true);
      return attempt();
    }
  }

  private inboundDir(): string {
    const dir = this.config.inboundDir;
    if (!dir) {
      throw new TransportError('transport_rejected', `supplier ${this.supplierId} has no transport.inboundDir`);
    }
    return dir;
  }

  /** Turns whatever ssh2 / ssh2-sftp-client threw into a TransportError, without any secret in it. */
  private classify(error: unknown, action: string, trace?: ConnectTrace): TransportError {
    if (error instanceof TransportError) return error;
    const details = { action, server: this.where, ...(trace ? { phase: trace.phase } : {}) };
    if (trace?.hostKeyMismatch) {
      return new TransportError(
        'transport_host_key_mismatch',
        `host key of ${this.where} is ${trace.presentedHostKey}, but ${this.config.hostKey} is pinned: refusing to connect ` +
          '(if the supplier really changed its key, update transport.hostKey)',
        { details: { ...details, presented: trace.presentedHostKey, expected: this.config.hostKey }, retryable: false },
      );
    }
    const message = this.scrub(errorMessage(error).replace(/^[\w]+(?:->\w+)?: /, ''));
    const code = (error as { code?: unknown } | undefined)?.code;
    const options = { details: { ...details, cause: typeof code === 'string' || typeof code === 'number' ? code : undefined } };
    if (/authentication methods failed|cannot parse privatekey|no passphrase given|bad passphrase|integrity check failed/i.test(message)) {
      return new TransportError('transport_auth_failed', `${action}: ${this.where} refused the login of ${this.config.username} (${message})`, options);
    }
    if (typeof code === 'string' && NETWORK_ERRORS.has(code)) {
      return new TransportError('transport_failed', `${action}: ${this.where}: ${message}`, options);
    }
    if (/timed out|timeout/i.test(message)) {
      return new TransportError('transport_timeout', `${action}: ${this.where}: ${message}`, options);
    }
    if (code === SFTP_NO_SUCH_FILE || code === 'ENOENT') {
      return new TransportError('transport_rejected', `${action}: no such file or folder on ${this.where}: ${message}`, options);
    }
    if (code === SFTP_PERMISSION_DENIED || code === 'EACCES') {
      return new TransportError('transport_rejected', `${action}: permission denied on ${this.where}: ${message}`, options);
    }
    return new TransportError('transport_failed', `${action}: ${this.where}: ${message}`, options);
  }

  private scrub(message: string): string {
    let out = message;
    for (const secret of [this.config.password, this.config.passphrase]) {
      if (secret && secret.length >= 3) out = out.split(secret).join('***');
    }
    return out;
  }
}

function sftpCode(error: unknown): unknown {
  return (error as { code?: unknown } | undefined)?.code;
}

function isConnectionLoss(error: unknown): boolean {
  const code = sftpCode(error);
  if (typeof code === 'string' && NETWORK_ERRORS.has(code)) return true;
  return /no response from server|unexpected (close|end) event|not connected|no sftp connection|channel (is )?(not open|closed)/i.test(
    errorMessage(error),
  );
}

function tooLarge(remotePath: string, size: number, maxBytes: number): TransportError {
  return new TransportError(
    'transport_rejected',
    `${remotePath} is ${size} bytes, over the limit of ${maxBytes} bytes: not downloaded`,
    { details: { remotePath, size, maxBytes } },
  );
}

function readdir(sftp: SFTPWrapper, dir: string): Promise<{ filename: string; attrs: Stats }[]> {
  return new Promise((resolve, reject) => {
    sftp.readdir(dir, (error, list) => (error ? reject(error) : resolve(list)));
  });
}

function stat(sftp: SFTPWrapper, remotePath: string): Promise<Stats> {
  return new Promise((resolve, reject) => {
    sftp.stat(remotePath, (error, stats) => (error ? reject(error) : resolve(stats)));
  });
}

/** Reads a whole remote file, refusing to hold more than maxBytes (the file may grow after stat). */
function readAll(sftp: SFTPWrapper, remotePath: string, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stream = sftp.createReadStream(remotePath, { highWaterMark: 64 * 1024 });
    stream.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        stream.destroy();
        reject(tooLarge(remotePath, total, maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(chunks, total)));
  });
}

/** A short, file-name-safe tag for a document id. */
/** Sets a key in a map that keeps at most MAX_STAGED entries (the oldest go first). */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_STAGED) map.delete(map.keys().next().value!);
}

function contentHash(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function tempSuffix(documentId: string): string {
  return createHash('sha256').update(documentId).digest('hex').slice(0, 12);
}
