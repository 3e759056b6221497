import { z } from 'zod';
import { ValidationError, issuesFromZod } from '../errors.ts';
import { safeParseInput } from '../canonical/safe-parse.ts';

/** The hub's environment, validated at boot. Names are the contract's (contract.md "Environment"). */
const EnvSchema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  HUB_DATA_DIR: z.string().min(1).default('./.hub'),
  /** Extension: the PostgreSQL schema to work in (created when missing); default: the connection's search_path. */
  HUB_DB_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/).optional(),
  HUB_MAPPINGS_DIR: z.string().min(1).default('./mappings'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** At least 32 characters: the hub refuses to start with a weaker one (`openssl rand -base64 32`). */
  HUB_ADMIN_TOKEN: z
    .string()
    .min(32, 'is too weak: use at least 32 random characters, e.g. the output of `openssl rand -base64 32`')
    .optional(),
  HUB_WORKERS: z
    .string()
    .optional()
    .transform((v) => v === undefined || !['0', 'false', 'off', 'no'].includes(v.toLowerCase())),
  /** Extension: PostgreSQL connections per process. */
  HUB_DB_POOL: z.coerce.number().int().min(1).max(200).default(10),
  /** Extension: how often the outbox looks for due work when no wake-up arrives (ms). */
  HUB_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(2_000),
  /** Extension: how often overdue expectations are checked (ms). */
  HUB_OVERDUE_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(60_000),
  /** Extension: concurrent deliveries per process. */
  HUB_DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  /** Extension: how long a worker holds a claimed outbox document; after a crash it is retried once this runs out (ms). */
  HUB_LEASE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(90_000),
  /**
   * Extension: uploads ahead to an SFTP supplier (staging, while the routing commits) must finish
   * within this (ms), and are only tried on a server whose last upload took under a quarter of it.
   */
  HUB_STAGING_LIMIT_MS: z.coerce.number().int().min(10).max(600_000).default(200),
  /** Extension: first back-off (ms) for retailer webhooks and Shopify calls; doubles per attempt up to 10 minutes. */
  HUB_RETAILER_RETRY_BASE_MS: z.coerce.number().int().min(0).max(600_000).default(2_000),
  /** Extension: stock back to the stores (issue 12): at most one push pass per interval (ms). */
  HUB_STOCK_PUSH_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(60_000),
  /** Extension: Shopify Admin API version. */
  HUB_SHOPIFY_API_VERSION: z.string().min(1).default('2025-10'),
  /** The hub's SFTP mailbox (src/transports/mailbox/): its port (contract; 0 = any free port). */
  HUB_SFTP_PORT: z.coerce.number().int().min(0).max(65535).default(2222),
  /** Extension: the address the mailbox listens on (`0.0.0.0` to let suppliers in from outside). */
  HUB_SFTP_HOST: z.string().min(1).default('127.0.0.1'),
  /** The mailbox's private host key (contract); default `<HUB_DATA_DIR>/mailbox_host_ed25519_key`, made once. */
  HUB_SFTP_HOST_KEY_FILE: z.string().min(1).optional(),
  /** Extension: `0` keeps the mailbox out of this process (`hub serve` runs it when a mapping uses it). */
  HUB_MAILBOX: z
    .string()
    .optional()
    .transform((v) => v === undefined || !['0', 'false', 'off', 'no'].includes(v.toLowerCase())),
  /** Extension: mailbox connections at once per process, and per client address. */
  HUB_SFTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(10_000).default(200),
  HUB_SFTP_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).max(10_000).default(20),
  /** Extension: a mailbox connection must log in within this (ms). */
  HUB_SFTP_LOGIN_GRACE_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** Extension: a mailbox connection that sends nothing for this long is dropped, with any upload in it (ms). */
  HUB_SFTP_IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).max(86_400_000).default(600_000),
  /** Extension: failed mailbox logins (per user and address, and per address) before a lockout, and its length (ms). */
  HUB_SFTP_LOCKOUT_FAILURES: z.coerce.number().int().min(1).max(1_000).default(5),
  HUB_SFTP_LOCKOUT_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(900_000),
  /** Extension: what one supplier file may add (src/limits.ts, docs/security.md); unset: the defaults there. */
  HUB_LIMIT_TRACKING_NUMBERS_PER_SHIPMENT: z.coerce.number().int().min(1).max(100_000).optional(),
  HUB_LIMIT_LINES_PER_SHIPMENT: z.coerce.number().int().min(1).max(1_000_000).optional(),
  HUB_LIMIT_SHIPMENTS_PER_PO: z.coerce.number().int().min(1).max(1_000_000).optional(),
  HUB_LIMIT_ITEMS_PER_PO_PER_FILE: z.coerce.number().int().min(1).max(1_000_000).optional(),
  HUB_LIMIT_TIMELINE_ENTRIES_PER_FILE: z.coerce.number().int().min(1).max(10_000_000).optional(),
  HUB_LIMIT_RECORDS_PER_FILE: z.coerce.number().int().min(1).max(100_000_000).optional(),
  HUB_LIMIT_INBOUND_BYTES: z.coerce.number().int().min(1_024).max(1024 * 1024 * 1024).optional(),
  /** Extension: pino log level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type HubEnv = z.infer<typeof EnvSchema>;

export function loadEnv(env: NodeJS.ProcessEnv = process.env): HubEnv {
  // A variable set to the empty string counts as unset (`DATABASE_URL= hub serve` uses PGlite).
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = safeParseInput(EnvSchema, set);
  if (!result.success) throw new ValidationError('invalid environment', issuesFromZod(result.error));
  return result.data;
}
