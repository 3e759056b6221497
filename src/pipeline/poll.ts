import { HubError, errorMessage } from '../errors.ts';
import { matchInboundFile } from '../formats/inbound.ts';
import type { Hub } from '../hub.ts';
import { crashPoint } from '../crash.ts';
import { receiveInboundFile } from './apply.ts';
import type { RemoteFile, SupplierTransport } from '../transports/transport.ts';
import { oversizeOf, refuseOversizeFile } from './oversize.ts';
import { inboundLimits } from '../limits.ts';
import { noteUnmatchedFiles } from './unmatched-files.ts';

export interface PollResult {
  supplier: string;
  seen: number;
  applied: number;
  duplicate: number;
  failed: number;
  skipped: number;
  files: { name: string; status: string; documentId?: string; error?: string }[];
  /** Files in the folder that no `inbound.files` rule matches: never read, moved or deleted (src/pipeline/unmatched-files.ts). */
  unmatched: { name: string; size: number }[];
}

/**
 * One inbound pass for a supplier: list its inbound folder, take each file a rule matches (oldest
 * first), apply it (exactly once, see receiveInboundFile), and only then move it to processedDir
 * (or failedDir for a quarantined file, when configured). A crash between the commit and the move
 * leaves the file to be listed again; the ledger recognises it and it is only moved.
 */
export async function pollSupplier(hub: Hub, supplierId: string): Promise<PollResult> {
  const loaded = hub.mappings.get(supplierId);
  if (!loaded) throw new HubError('not_found', `unknown supplier "${supplierId}"; the suppliers are ${[...hub.mappings.keys()].sort().join(', ') || '(none: no mapping files)'}`);
  const result: PollResult = { supplier: supplierId, seen: 0, applied: 0, duplicate: 0, failed: 0, skipped: 0, files: [], unmatched: [] };
  const end = hub.metrics.pollDuration.startTimer({ supplier: supplierId });
  const startedAt = new Date();
  hub.logger.info({ supplier: supplierId }, 'inbound poll started');
  const transport = hub.transports.get(supplierId);
  const failedDir = loaded.mapping.transport.type === 'sftp' ? loaded.mapping.transport.failedDir : undefined;
  const maxBytes = inboundLimits(hub.env).fileBytes;
  try {
    const listing = await transport.listInbound();
    listing.sort((a, b) => a.modifiedAt.getTime() - b.modifiedAt.getTime() || (a.name < b.name ? -1 : 1));
    const unmatched = listing.filter((remote) => !matchInboundFile(loaded.mapping.inbound, remote.name));
    result.unmatched = unmatched.map((f) => ({ name: f.name, size: f.size }));
    await noteUnmatchedFiles(hub, supplierId, unmatched);
    for (const remote of listing) {
      if (!matchInboundFile(loaded.mapping.inbound, remote.name)) continue;
      result.seen++;
      if (remote.size > maxBytes) {
        await refuseOversize(hub, result, transport, remote, remote.size, failedDir);
        continue;
      }
      let outcome;
      try {
        const content = await transport.download(remote.name, maxBytes);
        outcome = await receiveInboundFile(hub, loaded, { name: remote.name, content, via: 'sftp' });
        crashPoint('after-inbound-commit');
        result.files.push({ name: remote.name, status: outcome.status, documentId: outcome.documentId, ...(outcome.error ? { error: outcome.error } : {}) });
        hub.metrics.pollFiles.inc({ supplier: supplierId, outcome: outcome.status });
        if (outcome.status === 'applied') result.applied++;
        else if (outcome.status === 'failed') result.failed++;
        else result.duplicate++;
        const failedBefore = outcome.status === 'seen' ? await isFailed(hub, outcome.documentId) : false;
        if (outcome.status === 'failed' || failedBefore) {
          if (failedDir) await transport.moveInbound(remote.name, 'failed');
        } else {
          await transport.moveInbound(remote.name, 'processed');
        }
      } catch (error) {
        if (outcome) {
          // Applied (or recorded) but not moved: the ledger knows it, the next pass only moves it.
          hub.logger.warn({ supplier: supplierId, file: remote.name, err: error }, 'inbound file applied but not moved yet');
          continue;
        }
        const size = oversizeOf(error);
        if (size !== undefined) {
          // It grew past the limit after it was listed.
          await refuseOversize(hub, result, transport, remote, size, failedDir);
          continue;
        }
        // A download or move that failed: the file stays and is picked up on the next pass.
        result.skipped++;
        result.files.push({ name: remote.name, status: 'skipped', error: errorMessage(error) });
        hub.metrics.pollFiles.inc({ supplier: supplierId, outcome: 'skipped' });
        hub.logger.warn({ supplier: supplierId, file: remote.name, err: error }, 'inbound file left for the next pass');
      }
    }
    await recordPoll(hub, supplierId, startedAt, null);
  } catch (error) {
    await recordPoll(hub, supplierId, startedAt, errorMessage(error));
    throw error;
  } finally {
    end();
  }
  hub.logger.info({ supplier: supplierId, seen: result.seen, applied: result.applied, duplicate: result.duplicate, failed: result.failed, skipped: result.skipped }, 'inbound poll finished');
  return result;
}

/** A file over the size limit: recorded and alerted once, moved to the failed folder (oversize.ts). */
async function refuseOversize(hub: Hub, result: PollResult, transport: SupplierTransport, remote: RemoteFile, size: number, failedDir: string | undefined): Promise<void> {
  const maxBytes = inboundLimits(hub.env).fileBytes;
  const refused = await refuseOversizeFile(hub, result.supplier, transport, remote, size, maxBytes, failedDir);
  const status = refused.alerted ? 'failed' : 'seen';
  if (refused.alerted) result.failed++;
  else result.duplicate++;
  result.files.push({ name: remote.name, status, documentId: refused.documentId, error: refused.error });
  hub.metrics.pollFiles.inc({ supplier: result.supplier, outcome: status });
}

async function isFailed(hub: Hub, documentId: string): Promise<boolean> {
  const doc = await hub.store.db.selectFrom('documents').select('status').where('id', '=', documentId).executeTakeFirst();
  return doc?.status === 'failed';
}

async function recordPoll(hub: Hub, supplierId: string, at: Date, error: string | null): Promise<void> {
  const values = { last_poll_at: at, last_poll_error: error, ...(error === null ? { last_poll_ok_at: at } : {}) };
  await hub.store.db
    .insertInto('supplier_activity')
    .values({ supplier_id: supplierId, ...values })
    .onConflict((oc) => oc.column('supplier_id').doUpdateSet(values))
    .execute()
    .catch((e) => hub.logger.warn({ err: e }, 'could not record poll'));
}
