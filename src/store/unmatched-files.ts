/**
 * Files in a supplier's inbound folder that no `inbound.files` rule matches (an ASN named `.txt`,
 * a stray export): remembered per supplier and name, so that they are listed for the operator
 * (poll result, dashboard, `hub_inbound_unmatched_files`) and alerted once each. The hub never
 * reads, moves or deletes them.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface UnmatchedFile {
  supplierId: string;
  name: string;
  size: number | null;
  modifiedAt: Date | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/**
 * Records one pass's unmatched files for a supplier: new ones are added, ones seen before are
 * touched, ones no longer listed are marked gone. Returns the files to alert about (never alerted
 * before), marked alerted in the same statement, so that two processes never alert the same file.
 */
export async function recordUnmatchedFiles(
  db: Kysely<Database>,
  supplierId: string,
  files: readonly { name: string; size?: number | null; modifiedAt?: Date | null }[],
  at: Date,
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    if (files.length) {
      await trx
        .insertInto('unmatched_files')
        .values(files.map((f) => ({ supplier_id: supplierId, name: f.name, size: f.size ?? null, modified_at: f.modifiedAt ?? null, first_seen_at: at, last_seen_at: at })))
        .onConflict((oc) =>
          oc.columns(['supplier_id', 'name']).doUpdateSet((eb) => ({ last_seen_at: at, gone_at: null, size: eb.ref('excluded.size'), modified_at: eb.ref('excluded.modified_at') })),
        )
        .execute();
    }
    let gone = trx.updateTable('unmatched_files').set({ gone_at: at }).where('supplier_id', '=', supplierId).where('gone_at', 'is', null);
    if (files.length) gone = gone.where('name', 'not in', files.map((f) => f.name));
    await gone.execute();
    const alerted = await trx
      .updateTable('unmatched_files')
      .set({ alerted_at: at })
      .where('supplier_id', '=', supplierId)
      .where('alerted_at', 'is', null)
      .where('gone_at', 'is', null)
      .returning('name')
      .execute();
    return alerted.map((r) => r.name).sort();
  });
}

/** The unmatched files still there (newest first), for one supplier or all. */
export async function listUnmatchedFiles(db: Kysely<Database>, supplierId?: string, limit = 200): Promise<UnmatchedFile[]> {
  let query = db.selectFrom('unmatched_files').selectAll().where('gone_at', 'is', null);
  if (supplierId !== undefined) query = query.where('supplier_id', '=', supplierId);
  const rows = await query.orderBy('first_seen_at', 'desc').orderBy(sql`name`).limit(limit).execute();
  return rows.map((r) => ({
    supplierId: r.supplier_id,
    name: r.name,
    size: r.size === null ? null : Number(r.size),
    modifiedAt: r.modified_at,
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
  }));
}
