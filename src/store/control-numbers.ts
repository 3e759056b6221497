import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** ISA13 is nine digits: after 999999999 the counter starts again at 1. */
const MAX_CONTROL_NUMBER = 999_999_999;

/**
 * Takes the next control number for a trading partner, atomically (one UPSERT: no two callers can
 * get the same number, on either engine). Call it inside the transaction that records the document
 * using the number, so a rollback gives the number back and there are no gaps at rest.
 */
export async function nextControlNumber(trx: Transaction<Database>, partner: string): Promise<number> {
  const result = await sql<{ value: string | number }>`
    insert into control_counters (partner, value) values (${partner}, 1)
    on conflict (partner) do update
      set value = case when control_counters.value >= ${MAX_CONTROL_NUMBER} then 1 else control_counters.value + 1 end
    returning value`.execute(trx);
  return Number(result.rows[0]!.value);
}
