/**
 * A file in a supplier's inbound folder over the size limit (issue 18, item 9): never downloaded,
 * recorded once as a failed document (the operator's alert: the dashboard's failed list, the
 * documents-failed metric and one warning), and moved to the failed folder when the mapping has
 * one. A later poll that lists it again (no failed folder, or the move failed) knows it and stays
 * quiet: no warning every poll.
 */
import { errorMessage, TransportError } from '../errors.ts';
import type { Hub } from '../hub.ts';
import { newId, sha256Hex } from '../store/ids.ts';
import { recordRefusedInboundFile } from '../store/inbound-files.ts';
import type { RemoteFile, SupplierTransport } from '../transports/transport.ts';

/** The size a download refused as too large reported (the transport's `tooLarge` details), if that is why it failed. */
export function oversizeOf(error: unknown): number | undefined {
  if (!(error instanceof TransportError) || error.code !== 'transport_rejected') return undefined;
  const details = error.details as { size?: unknown; maxBytes?: unknown } | undefined;
  return typeof details?.size === 'number' && typeof details.maxBytes === 'number' ? details.size : undefined;
}

/** What an unread file is known by: its name, size and modification time. */
function oversizeKey(remote: RemoteFile, size: number): string {
  return sha256Hex(Buffer.from(`oversize\0${remote.name}\0${size}\0${remote.modifiedAt.toISOString()}`));
}

/**
 * Refuses one file over `maxBytes`; returns whether it was new (alerted now) and where it is.
 */
export async function refuseOversizeFile(
  hub: Hub,
  supplierId: string,
  transport: SupplierTransport,
  remote: RemoteFile,
  size: number,
  maxBytes: number,
  failedDir: string | undefined,
): Promise<{ documentId: string; alerted: boolean; moved: boolean; error: string }> {
  const error = `${remote.name} is ${size} bytes, over the inbound limit of ${maxBytes} bytes: not read${failedDir ? `, moved to ${failedDir}` : ', left in place and not read again'}`;
  const { recorded: alerted, documentId } = await recordRefusedInboundFile(hub.store.db, {
    documentId: newId('doc'),
    supplierId,
    filename: remote.name,
    key: oversizeKey(remote, size),
    reason: error,
    errorCode: 'payload_too_large',
    receipt: { via: 'sftp', size, maxBytes, modifiedAt: remote.modifiedAt.toISOString() },
  });
  if (alerted) {
    hub.metrics.documentsFailed.inc({ supplier: supplierId, format: 'unknown', direction: 'in' });
    hub.logger.warn({ supplier: supplierId, documentId, file: remote.name, size, maxBytes }, 'inbound file over the size limit refused');
  }
  let moved = false;
  if (failedDir) {
    try {
      await transport.moveInbound(remote.name, 'failed');
      moved = true;
    } catch (e) {
      // Known now: later polls try the move again without a new alert.
      hub.logger.debug({ supplier: supplierId, file: remote.name, err: errorMessage(e) }, 'oversize inbound file not moved yet');
    }
  }
  return { documentId, alerted, moved, error };
}
