/**
 * The mailbox wired to a running hub: its accounts from the mapping files, its host key and limits
 * from the environment, and every complete upload applied through the hub's exactly-once inbound
 * ledger (`receiveInboundFile`, `via: 'mailbox'`), as a file picked up over SFTP or pushed over
 * HTTP is. `hub serve` starts it when a mapping uses the mailbox; `hub mailbox` runs it alone.
 */
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { HubEnv } from '../../config/env.ts';
import type { MailboxTransportConfig } from '../../config/mapping-schema.ts';
import { HubError } from '../../errors.ts';
import type { Hub } from '../../hub.ts';
import { receiveInboundFile } from '../../pipeline/apply.ts';
import type { Database } from '../../store/schema.ts';
import { hostKeyFile, loadOrCreateHostKey } from './host-key.ts';
import { startMailboxServer, type MailboxServer, type MailboxServerOptions } from './server.ts';
import type { MailboxTransportContext } from './transport.ts';

/** The suppliers whose mapping uses the mailbox: its accounts. */
export function mailboxAccounts(hub: Pick<Hub, 'mappings'>): Map<string, MailboxTransportConfig> {
  const accounts = new Map<string, MailboxTransportConfig>();
  for (const loaded of hub.mappings.values()) {
    if (loaded.mapping.transport.type === 'mailbox') accounts.set(loaded.supplier, loaded.mapping.transport);
  }
  return accounts;
}

/** What a mailbox supplier's transport is given (src/main.ts builds it once per hub). */
export function mailboxTransportContext(env: HubEnv, db: Kysely<Database> | undefined, clock: () => Date): MailboxTransportContext {
  return { db, clock, endpoint: { host: env.HUB_SFTP_HOST, port: env.HUB_SFTP_PORT, hostKeyFile: hostKeyFile(env) } };
}

/** The server's limits as the environment sets them (README: HUB_SFTP_*). */
export function mailboxLimits(env: HubEnv): MailboxServerOptions['limits'] {
  return {
    maxConnections: env.HUB_SFTP_MAX_CONNECTIONS,
    maxConnectionsPerAddress: env.HUB_SFTP_MAX_CONNECTIONS_PER_ADDRESS,
    loginGraceMs: env.HUB_SFTP_LOGIN_GRACE_MS,
    idleTimeoutMs: env.HUB_SFTP_IDLE_TIMEOUT_MS,
    lockout: { maxFailures: env.HUB_SFTP_LOCKOUT_FAILURES, windowMs: env.HUB_SFTP_LOCKOUT_MS, lockMs: env.HUB_SFTP_LOCKOUT_MS },
  };
}

/** Starts the mailbox server of a hub (`overrides`: tests pick the port, the limits...). */
export async function startHubMailbox(hub: Hub, overrides: Partial<MailboxServerOptions> = {}): Promise<MailboxServer> {
  const env = hub.env;
  const file = hostKeyFile(env);
  const hostKey = overrides.hostKey ?? (await loadOrCreateHostKey(file));
  if (!file && !overrides.hostKey) {
    hub.logger.warn({ fingerprint: hostKey.fingerprint }, 'mailbox: HUB_DATA_DIR is memory:// and no HUB_SFTP_HOST_KEY_FILE is set: this host key lasts only as long as the process');
  }
  return startMailboxServer({
    db: hub.store.db,
    clock: hub.clock,
    logger: hub.logger.child({ component: 'mailbox' }),
    accounts: mailboxAccounts(hub),
    hostKey,
    host: env.HUB_SFTP_HOST,
    port: env.HUB_SFTP_PORT,
    ...(env.HUB_DATA_DIR.startsWith('memory://') ? {} : { spoolDir: path.resolve(env.HUB_DATA_DIR, 'mailbox-spool') }),
    limits: mailboxLimits(env),
    inbox: {
      async receive(supplierId, file) {
        const loaded = hub.mappings.get(supplierId);
        if (!loaded) throw new HubError('not_found', `no mapping loaded for supplier ${supplierId}`);
        return receiveInboundFile(hub, loaded, { name: file.name, content: file.content, via: 'mailbox' });
      },
    },
    ...overrides,
  });
}
