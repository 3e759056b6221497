/**
 * Routing decisions kept with their explanation, and the lines that wait for stock (issue 12).
 * Every decision taken for an order (its routing, a backorder routed later, a reroute) is a row;
 * the `routing` section of an order is, per line, the latest decision that decided it.
 *
 * @example
 *   await recordDecision(trx, { orderId, cause: 'route', outcome: decision.outcome, explanation: explainDecision(decision) }, now);
 *   const routing = await orderRouting(db, orderId);     // [{ lineId, sku, supplier, reason, candidates }]
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { LineExplanation } from '../routing/explain.ts';
import { newId } from './ids.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type DecisionCause = 'route' | 'backorder' | 'reroute' | (string & {});

export interface DecisionRecord {
  orderId: string;
  cause: DecisionCause;
  outcome: string;
  explanation: readonly LineExplanation[];
}

/** Keeps one decision, in the caller's transaction. */
export async function recordDecision(trx: Db, record: DecisionRecord, at: Date): Promise<string> {
  const id = newId('rtd');
  await trx
    .insertInto('routing_decisions')
    .values({ id, order_id: record.orderId, created_at: at, cause: record.cause, outcome: record.outcome, explanation: JSON.stringify(record.explanation) })
    .execute();
  return id;
}

/** The order's routing section: per line, its latest explanation, in the order's line order of first decision. */
export async function orderRouting(db: Db, orderId: string): Promise<LineExplanation[]> {
  const rows = await db
    .selectFrom('routing_decisions')
    .select(['explanation'])
    .where('order_id', '=', orderId)
    .orderBy('seq')
    .execute();
  const byLine = new Map<string, LineExplanation>();
  for (const row of rows) {
    const lines = (typeof row.explanation === 'string' ? JSON.parse(row.explanation) : row.explanation) as LineExplanation[];
    for (const line of lines) byLine.set(line.lineId, line);
  }
  return [...byLine.values()];
}

/** Every decision of an order, oldest first (for `hub orders explain` and the dashboard's history). */
export async function orderDecisions(db: Db, orderId: string) {
  const rows = await db.selectFrom('routing_decisions').select(['id', 'created_at', 'cause', 'outcome', 'explanation']).where('order_id', '=', orderId).orderBy('seq').execute();
  return rows.map((row) => ({
    id: row.id,
    at: new Date(row.created_at).toISOString(),
    cause: row.cause,
    outcome: row.outcome,
    lines: (typeof row.explanation === 'string' ? JSON.parse(row.explanation) : row.explanation) as LineExplanation[],
  }));
}

export interface BackorderLine {
  orderId: string;
  lineId: string;
  sku: string;
  quantity: number;
  reason: string;
}

/** Opens (or reopens, with the new reason) backorders for lines that wait, in the caller's transaction. */
export async function openBackorders(trx: Db, lines: readonly BackorderLine[], at: Date): Promise<void> {
  if (lines.length === 0) return;
  await trx
    .insertInto('backorders')
    .values(lines.map((l) => ({ order_id: l.orderId, line_id: l.lineId, sku: l.sku, quantity: l.quantity, reason: l.reason, since: at })))
    .onConflict((oc) =>
      oc.columns(['order_id', 'line_id']).doUpdateSet({
        reason: (eb) => eb.ref('excluded.reason'),
        quantity: (eb) => eb.ref('excluded.quantity'),
        since: sql`case when backorders.closed_at is null then backorders.since else excluded.since end`,
        closed_at: null,
        closed_reason: null,
      }),
    )
    .execute();
}

/** Closes the open backorders of an order (all, or these lines): routed, cancelled. */
export async function closeBackorders(trx: Db, orderId: string, reason: string, at: Date, lineIds?: readonly string[]): Promise<number> {
  if (lineIds && lineIds.length === 0) return 0;
  const result = await trx
    .updateTable('backorders')
    .set({ closed_at: at, closed_reason: reason })
    .where('order_id', '=', orderId)
    .where('closed_at', 'is', null)
    .$if(lineIds !== undefined, (q) => q.where('line_id', 'in', lineIds!))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Orders with open backorders, oldest wait first (at most `limit`). */
export async function ordersWithBackorders(db: Db, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('backorders')
    .select('order_id')
    .select((eb) => eb.fn.min('since').as('since'))
    .where('closed_at', 'is', null)
    .groupBy('order_id')
    .orderBy('since')
    .limit(limit)
    .execute();
  return rows.map((r) => r.order_id);
}

/** The open backorders of an order. */
export async function openBackordersOf(db: Db, orderId: string): Promise<BackorderLine[]> {
  const rows = await db.selectFrom('backorders').selectAll().where('order_id', '=', orderId).where('closed_at', 'is', null).orderBy('since').execute();
  return rows.map((r) => ({ orderId: r.order_id, lineId: r.line_id, sku: r.sku, quantity: r.quantity, reason: r.reason }));
}
