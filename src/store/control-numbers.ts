import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** ISA13 is nine digits: after 999999999 the counter starts again at 1. */
const MAX_CONTROL_NUMBER = 999_999_999;
/** The order counters are locked in: the order the router lists an order's suppliers in. */
const byName = (a: string, b: string): number => a.localeCompare(b);
const nextValue = sql`case when control_counters.value >= ${MAX_CONTROL_NUMBER} then 1 else control_counters.value + 1 end`;

/**
 * Takes the next control number for a trading partner, atomically (one UPSERT: no two callers can
 * get the same number, on either engine). Call it inside the transaction that records the document
 * using the number, so a rollback gives the number back and there are no gaps at rest.
 */
export async function nextControlNumber(trx: Transaction<Database>, partner: string): Promise<number> {
  return (await nextControlNumbers(trx, [partner])).get(partner)!;
}

/**
 * The next control number of each of several partners (all distinct), in one statement. Counters are
 * taken in name order, so that two routers numbering for the same partners cannot deadlock.
 */
export async function nextControlNumbers(trx: Transaction<Database>, partners: readonly string[]): Promise<Map<string, number>> {
  if (partners.length === 0) return new Map();
  const result = await sql<{ partner: string; value: string | number }>`
    insert into control_counters (partner, value)
    values ${sql.join([...partners].sort(byName).map((partner) => sql`(${partner}, 1)`))}
    on conflict (partner) do update set value = ${nextValue}
    returning partner, value`.execute(trx);
  return new Map(result.rows.map((row) => [row.partner, Number(row.value)]));
}

/**
 * The router's fast path in one statement: claims an order that is `received` and not locked by
 * another router (row lock, SKIP LOCKED) and, only when it got it, takes the next control number of
 * each of `partners`. The order is locked before the counters, as everywhere. Undefined when the
 * order was not there to claim (routed already, or another router holds it).
 */
export async function claimOrderAndNumber(
  trx: Transaction<Database>,
  orderId: string,
  partners: readonly string[],
): Promise<Map<string, number> | undefined> {
  const result = await sql<{ partner: string | null; value: string | number | null }>`
    with claimed as (
      select id from orders where id = ${orderId} and status = 'received' for update skip locked
    ), numbered as (
      insert into control_counters (partner, value)
      select partner, 1 from unnest(array[${sql.join([...partners].sort(byName))}]::text[]) as partner
       where exists (select 1 from claimed)
      on conflict (partner) do update set value = ${nextValue}
      returning partner, value
    )
    select numbered.partner, numbered.value from claimed left join numbered on true`.execute(trx);
  if (result.rows.length === 0) return undefined;
  return new Map(result.rows.flatMap((row) => (row.partner === null ? [] : [[row.partner, Number(row.value)] as const])));
}
