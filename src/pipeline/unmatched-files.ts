import type { Hub } from '../hub.ts';
import { recordUnmatchedFiles } from '../store/unmatched-files.ts';
import type { RemoteFile } from '../transports/transport.ts';

/**
 * A poll found files no inbound rule matches: remember them (per supplier and name), set the
 * `hub_inbound_unmatched_files` gauge, and alert the operator once per file (a warning naming the
 * file and the rules). The files stay where they are. Never fails the pass: recording is best effort.
 */
export async function noteUnmatchedFiles(hub: Hub, supplierId: string, files: readonly RemoteFile[]): Promise<void> {
  hub.metrics.unmatchedFiles.set({ supplier: supplierId }, files.length);
  try {
    const alert = await recordUnmatchedFiles(hub.store.db, supplierId, files, hub.clock());
    const rules = hub.mappings.get(supplierId)?.mapping.inbound.files.map((f) => f.match) ?? [];
    for (const name of alert) {
      hub.logger.warn(
        { supplier: supplierId, file: name, alert: 'inbound_unmatched_file', rules },
        `${supplierId}: "${name}" in the inbound folder matches no inbound rule (${rules.join(', ') || 'none'}); it is not read, moved or deleted: add a rule for it, or ask the supplier to name it as agreed`,
      );
    }
  } catch (error) {
    hub.logger.warn({ supplier: supplierId, err: error }, 'could not record the unmatched inbound files');
  }
}
