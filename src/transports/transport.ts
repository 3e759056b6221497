/**
 * The transport port: how the hub moves bytes to and from a supplier. Transports know nothing of
 * formats (a purchase order arrives here already rendered) and nothing of the outbox (retries and
 * scheduling are the caller's): they deliver one file, list/download/move inbound files, and raise
 * a TransportError whose `retryable` flag tells the outbox whether to try again.
 *
 * One file (or folder) per transport (sftp-transport.ts, http-transport.ts, as2/, mailbox/), one
 * member of the TransportConfig union, one `case` below.
 */
import type { TransportConfig } from '../config/mapping-schema.ts';
import type { TransportError } from '../errors.ts';
import { HubError } from '../errors.ts';
import { As2Transport } from './as2/client.ts';
import { HttpTransport } from './http-transport.ts';
import { MailboxTransport, type MailboxTransportContext } from './mailbox/transport.ts';
import { SftpTransport } from './sftp-transport.ts';

/** One rendered document on its way to a supplier. */
export interface OutboundFile {
  /** The final remote file name (no folders): `PO_1001.edi`. */
  filename: string;
  content: Buffer;
  contentType: string;
  /** Stable across retries of the same document: the HTTP `Idempotency-Key`. */
  documentId: string;
}

/** What the transport can tell about a delivery that succeeded. */
export interface DeliveryReceipt {
  /** SFTP: the path the file now has on the server. */
  remotePath?: string;
  /** SFTP: the bytes were uploaded ahead (`stage`) and this delivery only renamed them into place. */
  staged?: boolean;
  /** HTTP: the response status. */
  status?: number;
  /** HTTP: the first 64 KiB of the response body. */
  responseBody?: string;
  /** AS2: the Message-ID, the MIC sent and, once verified, the MDN's disposition. */
  as2?: { messageId: string; mic: string; mdn: 'sync' | 'async'; disposition?: string; warning?: string };
  /**
   * AS2 with an asynchronous MDN: the bytes went out but the partner confirms later. The outbox
   * keeps the document in `awaiting_mdn` until the MDN is verified, or sends it again (same
   * Message-ID) once `timeoutMs` has passed.
   */
  awaitingMdn?: { messageId: string; timeoutMs: number };
}

/** A file waiting in a supplier's inbound folder. */
export interface RemoteFile {
  name: string;
  size: number;
  modifiedAt: Date;
}

/** One step of `hub suppliers test`: what was tried, whether it worked, how long it took. */
export interface ProbeStep {
  step: 'connect' | 'host_key' | 'login' | 'write' | 'remove' | 'list_inbound' | 'request' | 'certificates' | 'send' | 'mdn' | 'account' | 'folders';
  ok: boolean;
  /** A one-line human explanation (never a secret). */
  detail: string;
  ms: number;
  /** When `ok` is false: the TransportError's code and whether a later attempt may succeed. */
  error?: { code: TransportErrorCode; retryable: boolean };
}

/** The codes a TransportError can carry. */
export type TransportErrorCode = ConstructorParameters<typeof TransportError>[0];

/** Structural subset of a pino logger, so that transports log through the hub's logger (never the console). */
export interface TransportLogger {
  debug(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

export interface TransportOptions {
  logger?: TransportLogger;
  /**
   * SFTP: the longest an upload ahead (`stage`) or its removal may take, in ms (default 200); staging
   * is only tried when the last upload took under a quarter of it. HUB_STAGING_LIMIT_MS.
   */
  stagingLimitMs?: number;
  /** The hub's database, clock and mailbox server address: what a `mailbox` supplier's transport needs. */
  mailbox?: MailboxTransportContext;
}

/**
 * A supplier's transport. One instance per supplier, shared by the delivery workers and the
 * inbound poller; it is safe to call concurrently (SFTP keeps a small connection pool).
 *
 * Every method rejects only with a TransportError (`code`, `retryable`, `details`).
 *
 * @example
 * ```ts
 * const transport = createTransport('acme-toys', mapping.transport, { logger });
 * try {
 *   const receipt = await transport.deliver({
 *     filename: 'PO_1001.edi', content: Buffer.from(x12), contentType: 'application/edi-x12',
 *     documentId: doc.id,
 *   });
 *   await outbox.markDelivered(doc.id, receipt);
 * } catch (error) {
 *   if (error instanceof TransportError && error.retryable) await outbox.scheduleRetry(doc.id, error);
 *   else await outbox.markFailed(doc.id, error);
 * }
 * for (const file of await transport.listInbound()) {
 *   const bytes = await transport.download(file.name, 10 * 1024 * 1024);
 *   // ... parse and apply, then:
 *   await transport.moveInbound(file.name, 'processed');
 * }
 * await transport.close();
 * ```
 */
export interface SupplierTransport {
  /** Which transport this is (`sftp` | `http` | `as2` | `mailbox`). */
  readonly type: TransportConfig['type'];
  /**
   * Delivers one file. Idempotent for retries: SFTP replaces a file of the same name atomically;
   * HTTP sends `Idempotency-Key: <documentId>`.
   */
  deliver(file: OutboundFile): Promise<DeliveryReceipt>;
  /**
   * Optional: sends a document ahead, where the supplier does not see it yet (SFTP: under its
   * temporary name), so that `deliver` of the same document, after the caller's commit, has less
   * left to do; true when it did. `unstage` takes it back when the document is not committed after all.
   */
  stage?(file: OutboundFile): Promise<boolean>;
  unstage?(file: OutboundFile): Promise<void>;
  /** Regular files waiting in the inbound folder (no dot-files, no `.part` files); `[]` for HTTP. */
  listInbound(): Promise<RemoteFile[]>;
  /** The content of one inbound file; rejects (`transport_rejected`) when it is larger than maxBytes. */
  download(name: string, maxBytes: number): Promise<Buffer>;
  /** Moves an inbound file to the processed or failed folder, replacing a file of the same name there. */
  moveInbound(name: string, to: 'processed' | 'failed'): Promise<void>;
  /** Logs in, checks the host key, writes and removes a probe file, lists the inbound folder. Never rejects. */
  probe(): Promise<ProbeStep[]>;
  /** Closes pooled connections. The transport must not be used afterwards. */
  close(): Promise<void>;
}

/** Builds the transport a supplier's mapping asks for. */
export function createTransport(
  supplierId: string,
  config: TransportConfig,
  options: TransportOptions = {},
): SupplierTransport {
  switch (config.type) {
    case 'sftp':
      return new SftpTransport(supplierId, config, options);
    case 'http':
      return new HttpTransport(supplierId, config, options);
    case 'as2':
      return new As2Transport(supplierId, config, options);
    case 'mailbox':
      if (!options.mailbox) throw new HubError('config_invalid', `${supplierId}: the mailbox transport needs the hub's database`);
      return new MailboxTransport(supplierId, config, options.mailbox);
    default: {
      const unknown: never = config;
      throw new Error(`unknown transport type ${JSON.stringify((unknown as { type: unknown }).type)}`);
    }
  }
}

export { assertSafeRemoteName } from './remote-names.ts';
