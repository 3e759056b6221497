import { EventEmitter } from 'node:events';
import { mkdirSync, openSync, closeSync, readFileSync, writeFileSync, unlinkSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Kysely, Migrator, PostgresDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import type { CanonicalOrder } from '../canonical/order.ts';
import { HubError } from '../errors.ts';
import type { Database } from './schema.ts';

export type Engine = 'postgres' | 'pglite';

export interface StoreOptions {
  /** A PostgreSQL URL; unset: embedded PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite's folder, or `memory://` for none on disk. */
  dataDir?: string;
  /** PostgreSQL only: a schema to work in (created when missing). Tests give each file its own. */
  schema?: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /** Apply pending migrations on open (default true; `hub migrate` reports them itself). */
  migrate?: boolean;
}

/**
 * The hub's database: Kysely over `pg` or over embedded PGlite, with one set of migrations, and a
 * wake-up signal for the outbox (LISTEN/NOTIFY across processes on PostgreSQL, in-process on PGlite).
 */
export interface Store {
  db: Kysely<Database>;
  engine: Engine;
  /**
   * Tell every worker (in every process) that the outbox has work. Call after the commit. It does
   * not wait: local workers are woken at once, other processes by a NOTIFY sent right after
   * (several calls in a burst share one NOTIFY, which keeps PostgreSQL's notify lock cool).
   */
  wakeOutbox(): Promise<void>;
  /** Called whenever some process woke the outbox. Returns an unsubscribe function. */
  onOutboxWake(listener: () => void): () => void;
  /**
   * Offers a paid order this process has just stored to a worker of this process, which routes it
   * at once from memory instead of looking for it (`routeAcceptedOrder` in src/pipeline/route.ts).
   * False when no worker here takes it (none runs, or it is busy): then wake the outbox instead.
   */
  offerOrder(offer: OrderOffer): boolean;
  /** Registers a worker's taker (true: it takes the order). Returns an unsubscribe function. */
  onOrderOffered(taker: (offer: OrderOffer) => boolean): () => void;
  /**
   * PostgreSQL only (absent on PGlite): streams `source` (COPY text format) into `statement`, a
   * `COPY … FROM STDIN`, on the very connection of the transaction `trx`, so that the rows are part
   * of it. For bulk loads (inventory feeds: src/store/inventory.ts).
   */
  copyIn?(trx: Kysely<Database>, statement: string, source: AsyncIterable<string | Buffer>): Promise<void>;
  close(): Promise<void>;
}

/** An order just accepted, with what routing it needs. */
export interface OrderOffer {
  id: string;
  retailer: { id: string; name: string };
  order: CanonicalOrder;
}

/** Order offers stay in the process: an order another process accepted is found by its routers. */
function localOffers(): Pick<Store, 'offerOrder' | 'onOrderOffered'> {
  const takers = new Set<(offer: OrderOffer) => boolean>();
  return {
    offerOrder: (offer) => [...takers].some((take) => take(offer)),
    onOrderOffered(taker) {
      takers.add(taker);
      return () => takers.delete(taker);
    },
  };
}

const CHANNEL = 'hub_outbox';
const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/** Kysely's migration provider needs only readdir and import. */
class FolderMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => /\.(ts|js|mjs)$/.test(f)).sort()) {
      migrations[file.replace(/\.(ts|js|mjs)$/, '')] = await import(pathToFileURL(path.join(MIGRATIONS_DIR, file)).href);
    }
    return migrations;
  }
}

/**
 * Applies pending migrations. With a schema, Kysely's own bookkeeping tables live in it too (its
 * existence check looks across schemas, so without this two schemas would share one lock table).
 */
export async function migrate(db: Kysely<Database>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new FolderMigrationProvider(),
    // Migrations from parallel branches land in any order; each is frozen and independent.
    allowUnorderedMigrations: true,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    // Kysely's migrator lists the tables of every schema in the database (has_schema_privilege on
    // each): a schema that someone else drops meanwhile fails the whole listing with 3F000
    // (invalid_schema_name). It is not ours: look again. Seen in CI, where test files drop theirs.
    if ((error as { code?: unknown }).code === '3F000' && attempt < MIGRATE_ATTEMPTS) continue;
    throw new HubError('internal', `migration failed: ${String((error as Error).message ?? error)}`, { cause: error });
  }
}

const MIGRATE_ATTEMPTS = 5;

export async function openStore(options: StoreOptions): Promise<Store> {
  const store = options.databaseUrl ? await openPostgres(options) : await openPglite(options);
  if (options.migrate !== false) await migrate(store.db, options.schema);
  return store;
}

async function openPostgres(options: StoreOptions): Promise<Store> {
  const url = options.databaseUrl!;
  const schema = options.schema;
  if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new HubError('config_invalid', `bad schema name ${schema}`);
  if (schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const connection = { connectionString: url, ...(schema ? { options: `-c search_path=${schema}` } : {}) };
  const pool = new pg.Pool({ ...connection, max: options.poolSize ?? 10 });
  // An idle client that loses its server (a database restart) must not crash the process.
  pool.on('error', () => {});
  // A checked-out client whose server goes away (a restart) errors too; pg-pool removes its own
  // listener while the client is out, so without this the process would die on an unhandled 'error'.
  pool.on('connect', (client) => client.on('error', () => {}));
  // The pool's clients by backend pid, so that copyIn finds the connection a transaction runs on.
  const clients = new Map<number, pg.PoolClient>();
  pool.on('acquire', (client) => {
    const pid = (client as unknown as { processID: number | null }).processID;
    if (pid !== null) clients.set(pid, client);
  });
  pool.on('remove', (client) => {
    const pid = (client as unknown as { processID: number | null }).processID;
    if (pid !== null && clients.get(pid) === client) clients.delete(pid);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);

  // One dedicated connection LISTENs; it reconnects after a database restart.
  let listener: pg.Client | undefined;
  let closed = false;
  const listen = async (): Promise<void> => {
    if (closed) return;
    const client = new pg.Client(connection);
    client.on('error', () => {});
    client.on('end', () => {
      if (!closed) setTimeout(() => void listen().catch(() => {}), 1000).unref();
    });
    client.on('notification', () => emitter.emit('wake'));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      listener = client;
      emitter.emit('wake'); // anything queued while we were away
    } catch {
      await client.end().catch(() => {});
    }
  };
  await listen();

  // One NOTIFY in flight at a time; calls meanwhile ask for one more after it (a poll covers misses).
  let notifying: Promise<void> | undefined;
  let again = false;
  const notifyOthers = (): void => {
    if (notifying) {
      again = true;
      return;
    }
    notifying = sql`select pg_notify(${CHANNEL}, '')`
      .execute(db)
      .then(() => undefined, () => undefined)
      .finally(() => {
        notifying = undefined;
        if (again && !closed) {
          again = false;
          notifyOthers();
        }
      });
  };

  return {
    db,
    engine: 'postgres',
    ...localOffers(),
    async wakeOutbox() {
      emitter.emit('wake');
      notifyOthers();
    },
    onOutboxWake(fn) {
      emitter.on('wake', fn);
      return () => emitter.off('wake', fn);
    },
    async copyIn(trx, statement, source) {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
      const client = clients.get(Number(rows[0]?.pid));
      if (!client) throw new HubError('internal', 'COPY: the connection of the transaction is not one of the pool');
      const { from } = await import('pg-copy-streams');
      const { pipeline } = await import('node:stream/promises');
      const { Readable } = await import('node:stream');
      await pipeline(Readable.from(source), client.query(from(statement)));
    },
    async close() {
      closed = true;
      await notifying;
      await listener?.end().catch(() => {});
      await db.destroy();
    },
  };
}

async function openPglite(options: StoreOptions): Promise<Store> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGliteDialect } = await import('kysely-pglite-dialect');
  const dataDir = options.dataDir ?? './.hub';
  const inMemory = dataDir === 'memory://' || dataDir.startsWith('memory://');
  let releaseLock = (): void => {};
  let client;
  if (inMemory) {
    client = new PGlite();
  } else {
    const dbDir = path.join(dataDir, 'pgdata');
    mkdirSync(dbDir, { recursive: true });
    releaseLock = takeLock(path.join(dataDir, 'hub.lock'));
    client = new PGlite(dbDir);
  }
  await client.waitReady;
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    db,
    engine: 'pglite',
    ...localOffers(),
    async wakeOutbox() {
      emitter.emit('wake');
    },
    onOutboxWake(fn) {
      emitter.on('wake', fn);
      return () => emitter.off('wake', fn);
    },
    async close() {
      await db.destroy();
      releaseLock();
    },
  };
}

/**
 * PGlite has no guard against two processes opening one folder (a write is silently lost), so the
 * hub takes a lock file holding its pid. A lock left by a process that no longer runs (SIGKILL) is
 * taken over; a live one is refused with a clear message.
 */
function takeLock(file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new HubError(
          'storage_locked',
          `the embedded database in ${path.dirname(file)} is in use by process ${pid}; ` +
            'stop it first, or use DATABASE_URL (PostgreSQL) to run several hub processes',
        );
      }
      unlinkSync(file); // stale: its process is gone
    }
  }
  throw new HubError('storage_locked', `could not lock ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
