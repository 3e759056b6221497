import type { DocumentListItem, OrderListItem } from '../data.ts';
import type { PageContext } from './layout.tsx';

const GOOD = new Set(['shipped', 'sent', 'acknowledged', 'applied', 'met', 'accepted', 'delivered']);
const WARN = new Set(['pending', 'awaiting_payment', 'partially_shipped', 'backordered', 'overdue', 'duplicate', 'seen', 'skipped']);
const BAD = new Set(['exception', 'failed', 'rejected']);

export function StateBadge(props: { state: string }) {
  const tone = GOOD.has(props.state) ? 'good' : WARN.has(props.state) ? 'warn' : BAD.has(props.state) ? 'bad' : 'info';
  return <span class={`badge ${tone}`}>{props.state}</span>;
}

/** `2026-11-26 10:00:00 UTC`. */
export function formatTime(date: Date | string | null): string {
  if (date === null) return '—';
  const d = typeof date === 'string' ? new Date(date) : date;
  if (Number.isNaN(d.getTime())) return String(date);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "3 min ago", "in 2 h", relative to the hub's clock. */
export function relative(date: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const text = abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` : abs < 172_800 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86_400)} d`;
  return seconds >= 0 ? `${text} ago` : `in ${text}`;
}

export function Time(props: { at: Date | string | null; now?: Date }) {
  if (props.at === null) return <span class="muted">never</span>;
  const at = typeof props.at === 'string' ? new Date(props.at) : props.at;
  return (
    <time datetime={at.toISOString()} title={formatTime(at)}>
      {props.now ? relative(at, props.now) : formatTime(at)}
    </time>
  );
}

/** Only http(s) links are made clickable: a stored `javascript:` URL stays text. */
export function safeHref(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** The Retry button of a failed document: a POST back to the page it is on. */
export function RetryButton(props: { documentId: string; ctx: PageContext }) {
  return (
    <form class="inline" method="post" action={`/documents/${encodeURIComponent(props.documentId)}/retry`}>
      <input type="hidden" name="csrf" value={props.ctx.csrf} />
      <input type="hidden" name="back" value={props.ctx.path} />
      <button type="submit" class="primary" data-retry={props.documentId}>Retry</button>
    </form>
  );
}

export function RerouteButton(props: { orderId: string; ctx: PageContext }) {
  return (
    <form class="inline" method="post" action={`/orders/${encodeURIComponent(props.orderId)}/reroute`}>
      <input type="hidden" name="csrf" value={props.ctx.csrf} />
      <input type="hidden" name="back" value={props.ctx.path} />
      <button type="submit" class="primary" data-reroute={props.orderId}>Re-route</button>
    </form>
  );
}

export function OrderLink(props: { id: string; label: string }) {
  return <a href={`/orders/${encodeURIComponent(props.id)}`}>{props.label}</a>;
}

export function DocumentLink(props: { id: string; label: string }) {
  return <a href={`/documents/${encodeURIComponent(props.id)}`}>{props.label}</a>;
}

export function Empty(props: { text: string }) {
  return <p class="empty">{props.text}</p>;
}

export function DocumentTable(props: { documents: DocumentListItem[]; ctx: PageContext; showOrder?: boolean }) {
  if (props.documents.length === 0) return <Empty text="No documents." />;
  return (
    <table class="documents">
      <thead>
        <tr>
          <th>File</th>
          <th>Dir</th>
          <th>Kind</th>
          <th>Supplier</th>
          {props.showOrder === false ? null : <th>Order</th>}
          <th>Status</th>
          <th class="num">Attempts</th>
          <th>Updated</th>
          <th>Error</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        {props.documents.map((d) => (
          <tr data-document={d.id}>
            <td><DocumentLink id={d.id} label={d.filename} /></td>
            <td>{d.direction}</td>
            <td>{d.kind} <span class="muted">{d.format}</span></td>
            <td>{d.supplierId ?? (d.retailerId ? `retailer ${d.retailerId}` : '—')}</td>
            {props.showOrder === false ? null : <td>{d.orderId ? <OrderLink id={d.orderId} label={d.orderNumber ?? d.orderId} /> : '—'}</td>}
            <td><StateBadge state={d.status} /></td>
            <td class="num">{d.direction === 'out' ? d.attempts : ''}</td>
            <td><Time at={d.updatedAt} now={props.ctx.now} /></td>
            <td class="reason">{d.lastError ?? ''}</td>
            <td>{d.status === 'failed' ? <RetryButton documentId={d.id} ctx={props.ctx} /> : null}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function OrderTable(props: { orders: (OrderListItem & { matched?: string[] })[]; ctx: PageContext }) {
  if (props.orders.length === 0) return <Empty text="No orders." />;
  return (
    <table class="orders">
      <thead>
        <tr>
          <th>Order</th>
          <th>External id</th>
          <th>Retailer</th>
          <th>State</th>
          <th>Updated</th>
          {props.orders.some((o) => o.matched) ? <th>Matched</th> : null}
        </tr>
      </thead>
      <tbody>
        {props.orders.map((o) => (
          <tr data-order={o.id}>
            <td><OrderLink id={o.id} label={o.orderNumber} /></td>
            <td>{o.externalId}</td>
            <td>{o.retailerId}</td>
            <td>
              <StateBadge state={o.status} />
              {o.statusReason ? <div class="reason">{o.statusReason}</div> : null}
            </td>
            <td><Time at={o.updatedAt} now={props.ctx.now} /></td>
            {o.matched ? <td class="muted">{o.matched.join(', ')}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
