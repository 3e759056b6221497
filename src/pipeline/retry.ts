import { HubError } from '../errors.ts';
import type { Hub } from '../hub.ts';
import { retryOutboundDocument } from './dispatch.ts';
import { reapplyInboundDocument } from './apply.ts';

/** `hub documents retry <id>` and the admin route: resend an outbound document, re-apply an inbound one. */
export async function retryDocument(hub: Hub, documentId: string): Promise<string> {
  const doc = await hub.store.db.selectFrom('documents').select(['direction']).where('id', '=', documentId).executeTakeFirst();
  if (!doc) throw new HubError('not_found', `document ${documentId} not found`);
  if (doc.direction === 'out') {
    await retryOutboundDocument(hub, documentId);
    return 'pending';
  }
  return reapplyInboundDocument(hub, documentId);
}
