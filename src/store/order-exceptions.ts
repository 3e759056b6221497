/**
 * Why orders are in `exception`, as codes: the `code` kept on the timeline entry of each change to
 * `exception` (src/pipeline/order-status.ts, src/pipeline/route.ts). The retailer's API shows the
 * code's sentence (src/notify/exception-reasons.ts), never the operator's detail.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** The code of each order's latest change to `exception` (absent: none recorded, such as an older row). */
export async function latestExceptionCodes(db: Kysely<Database>, orderIds: readonly string[]): Promise<Map<string, string>> {
  if (orderIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('order_events')
    .select(['order_id', 'data'])
    .where('order_id', 'in', orderIds)
    .where('type', '=', 'status_changed')
    .where('status', '=', 'exception')
    .orderBy('id', 'desc')
    .execute();
  const codes = new Map<string, string>();
  for (const row of rows) {
    if (codes.has(row.order_id)) continue;
    const data = (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as { detail?: { code?: unknown } } | null;
    if (typeof data?.detail?.code === 'string') codes.set(row.order_id, data.detail.code);
  }
  return codes;
}
