import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from './store/database.ts';

/** The hub's Prometheus metrics, on a registry of its own (so that tests can run several hubs). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hub_process_' });
  const m = {
    registry,
    ordersReceived: new Counter({
      name: 'hub_orders_received_total',
      help: 'Orders accepted, by source',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    documentsSent: new Counter({
      name: 'hub_documents_sent_total',
      help: 'Outbound documents delivered, by supplier and format',
      labelNames: ['supplier', 'format'] as const,
      registers: [registry],
    }),
    documentsReceived: new Counter({
      name: 'hub_documents_received_total',
      help: 'Inbound documents applied, by supplier and format',
      labelNames: ['supplier', 'format'] as const,
      registers: [registry],
    }),
    documentsFailed: new Counter({
      name: 'hub_documents_failed_total',
      help: 'Documents that failed (dead-lettered outbound, quarantined inbound), by supplier, format and direction',
      labelNames: ['supplier', 'format', 'direction'] as const,
      registers: [registry],
    }),
    deliveryAttempts: new Counter({
      name: 'hub_delivery_attempts_total',
      help: 'Delivery attempts, by target and outcome',
      labelNames: ['target', 'outcome'] as const,
      registers: [registry],
    }),
    deliveryDuration: new Histogram({
      name: 'hub_delivery_duration_seconds',
      help: 'Time to deliver one document',
      labelNames: ['target'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    pollDuration: new Histogram({
      name: 'hub_poll_duration_seconds',
      help: 'Time for one inbound pass, by supplier',
      labelNames: ['supplier'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    pollFiles: new Counter({
      name: 'hub_poll_files_total',
      help: 'Inbound files seen by the poller, by supplier and outcome (applied, duplicate, failed, skipped)',
      labelNames: ['supplier', 'outcome'] as const,
      registers: [registry],
    }),
    deliveryAlerts: new Counter({
      name: 'hub_delivery_alerts_total',
      help: "Outbound documents whose delivery kept failing past the supplier's retry.alertAfter (the operator is alerted; retries go on)",
      labelNames: ['supplier'] as const,
      registers: [registry],
    }),
    ordersByState: new Gauge({ name: 'hub_orders', help: 'Orders by state', labelNames: ['state'] as const, registers: [registry] }),
    outboxDepth: new Gauge({ name: 'hub_outbox_depth', help: 'Outbound documents waiting to be delivered', registers: [registry] }),
    unmatchedFiles: new Gauge({
      name: 'hub_inbound_unmatched_files',
      help: "Files in a supplier's inbound folder that no inbound rule matches (never read, moved or deleted), at its last poll",
      labelNames: ['supplier'] as const,
      registers: [registry],
    }),
    overdue: new Gauge({ name: 'hub_overdue_expectations', help: 'Purchase orders with an overdue expected document', registers: [registry] }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Refreshes the gauges that come from the database (called when /metrics is scraped). */
export async function refreshGauges(metrics: Metrics, store: Store): Promise<void> {
  const [states, depth, overdue] = await Promise.all([
    store.db.selectFrom('orders').select(['status', store.db.fn.countAll<string>().as('n')]).groupBy('status').execute(),
    store.db
      .selectFrom('documents')
      .select(store.db.fn.countAll<string>().as('n'))
      .where('status', '=', 'pending')
      .where('direction', '=', 'out')
      .executeTakeFirst(),
    store.db
      .selectFrom('expectations')
      .select(store.db.fn.countAll<string>().as('n'))
      .where('status', '=', 'overdue')
      .executeTakeFirst(),
  ]);
  metrics.ordersByState.reset();
  for (const row of states) metrics.ordersByState.set({ state: row.status }, Number(row.n));
  metrics.outboxDepth.set(Number(depth?.n ?? 0));
  metrics.overdue.set(Number(overdue?.n ?? 0));
}
