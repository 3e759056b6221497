/**
 * The order and purchase-order lifecycles: every allowed change is in these tables, and
 * `checkTransition` is the one place that says yes or no.
 */
import { HubError } from '../errors.ts';

export const ORDER_STATES = [
  'received',
  'awaiting_payment',
  'routed',
  'sent',
  'acknowledged',
  'partially_shipped',
  'shipped',
  'cancelled',
  'exception',
] as const;
export type OrderStatus = (typeof ORDER_STATES)[number];

export const PO_STATES = [
  'pending', // rendered, in the outbox
  'sent',
  'acknowledged',
  'backordered',
  'partially_shipped',
  'shipped',
  'rejected',
  'failed', // delivery given up (dead letter)
  'cancelled',
] as const;
export type PoStatus = (typeof PO_STATES)[number];

const ORDER_TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  received: ['awaiting_payment', 'routed', 'exception', 'cancelled'],
  awaiting_payment: ['received', 'routed', 'exception', 'cancelled'],
  routed: ['sent', 'acknowledged', 'partially_shipped', 'shipped', 'exception', 'cancelled'],
  // Back to `routed` when automatic reroute moves a line to a new purchase order, not sent yet.
  sent: ['acknowledged', 'partially_shipped', 'shipped', 'exception', 'cancelled', 'routed'],
  acknowledged: ['partially_shipped', 'shipped', 'exception', 'cancelled', 'sent', 'routed'],
  partially_shipped: ['shipped', 'exception'],
  shipped: ['exception'],
  // An operator's retry or a late document can bring an order back from exception.
  exception: ['received', 'routed', 'sent', 'acknowledged', 'partially_shipped', 'shipped', 'cancelled'],
  cancelled: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return from === to || ORDER_TRANSITIONS[from].includes(to);
}

export function checkTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) {
    throw new HubError('state_conflict', `an order cannot go from ${from} to ${to}`, { details: { from, to } });
  }
}

const PO_RANK: Record<PoStatus, number> = {
  pending: 0,
  sent: 1,
  acknowledged: 2,
  backordered: 2,
  partially_shipped: 3,
  shipped: 4,
  rejected: -1,
  failed: -1,
  cancelled: -2,
};

/**
 * The order's state follows from its purchase orders: the order is as far as its slowest live PO,
 * in exception when any PO is rejected or failed, cancelled when all are.
 */
export function orderStatusFromPurchaseOrders(statuses: readonly PoStatus[]): OrderStatus {
  if (statuses.length === 0) return 'routed';
  if (statuses.some((s) => s === 'rejected' || s === 'failed')) return 'exception';
  const live = statuses.filter((s) => s !== 'cancelled');
  if (live.length === 0) return 'cancelled';
  if (live.every((s) => s === 'shipped')) return 'shipped';
  if (live.some((s) => s === 'shipped' || s === 'partially_shipped')) return 'partially_shipped';
  const slowest = Math.min(...live.map((s) => PO_RANK[s]));
  if (slowest >= 2) return 'acknowledged';
  if (slowest >= 1) return 'sent';
  return 'routed';
}
