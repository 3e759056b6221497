/**
 * What the retailer's API shows of an order: everything but the operator's detail. Why an order or
 * a purchase order is in trouble comes as the sentence for its reason code
 * (src/notify/exception-reasons.ts); delivery errors, supplier hosts, fingerprints and parser
 * messages stay in the admin API and the dashboard.
 */
import { retailerReason } from '../notify/exception-reasons.ts';
import type { OrderView } from '../store/orders.ts';

/** Keys of timeline data that carry the operator's detail. */
const OPERATOR_ONLY = new Set(['reason', 'error', 'lastError', 'detail', 'message']);

/** The order's summary (`GET /v1/orders`) as the retailer sees it. */
export function retailerSummary<T extends { status: string; statusReason: string | null }>(summary: T, exceptionCode: string | undefined): T {
  return { ...summary, statusReason: summary.status === 'exception' ? retailerReason(exceptionCode) : null };
}

/** The whole order (`GET /v1/orders/{id}`) as the retailer sees it. */
export function retailerOrderView(view: OrderView): OrderView {
  const lastException = [...view.timeline].reverse().find((e) => e.type === 'status_changed' && e.status === 'exception');
  const code = (lastException?.data as { detail?: { code?: unknown } } | null)?.detail?.code;
  return {
    ...retailerSummary(view, typeof code === 'string' ? code : undefined),
    purchaseOrders: view.purchaseOrders.map((po) => ({
      ...po,
      statusReason: po.status === 'failed' ? retailerReason('delivery_failed') : po.status === 'rejected' ? retailerReason('supplier_rejected') : null,
    })),
    documents: view.documents.map((d) => ({ ...d, lastError: null })),
    timeline: view.timeline.map((entry) => ({ ...entry, data: withoutOperatorDetail(entry.data) })),
  };
}

function withoutOperatorDetail(data: unknown): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (key === 'detail' && value !== null && typeof value === 'object' && typeof (value as { code?: unknown }).code === 'string') {
      out.code = (value as { code: string }).code;
    } else if (!OPERATOR_ONLY.has(key)) {
      out[key] = value;
    }
  }
  return out;
}
