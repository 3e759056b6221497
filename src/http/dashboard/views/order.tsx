import type { OrderView } from '../../../store/orders.ts';
import type { LineReroute } from '../../../store/reroutes.ts';
import { DocumentLink, Empty, RetryButton, safeHref, StateBadge, Time, formatTime } from './components.tsx';
import { Layout, type PageContext } from './layout.tsx';

interface LineLike {
  lineNumber?: unknown;
  lineId?: unknown;
  sku?: unknown;
  supplierSku?: unknown;
  quantity?: unknown;
}

function asLines(value: unknown): LineLike[] {
  return Array.isArray(value) ? value.filter((v): v is LineLike => v !== null && typeof v === 'object') : [];
}

/** A short, readable rendering of an event's or shipment's JSON detail (escaped like any text). */
function json(value: unknown): string {
  return value === null || value === undefined ? '' : JSON.stringify(value, null, 2);
}

/** Lines automatic reroute moved (or could not move): from whom, to whom, and why. */
function Reroutes(props: { reroutes: readonly LineReroute[] }) {
  if (props.reroutes.length === 0) return null;
  return (
    <section class="card" id="reroutes">
      <h2>Reroutes</h2>
      <table>
        <thead><tr><th>At</th><th>Line</th><th>From</th><th>To</th><th>Why</th></tr></thead>
        <tbody>
          {props.reroutes.map((r) => (
            <tr data-reroute={r.lineId}>
              <td><Time at={r.at.toISOString()} /></td>
              <td>{`${r.lineId} · ${r.sku} × ${r.quantity}`}</td>
              <td>{r.fromSupplier}</td>
              <td>{r.toSupplier ?? <span class="reason">no source left</span>}</td>
              <td class="reason">{r.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function OrderPage(props: { view: OrderView; ctx: PageContext; reroutes?: readonly LineReroute[] }) {
  const { view, ctx } = props;
  const order = view.order;
  const ship = order.shipTo;
  return (
    <Layout title={`Order ${view.orderNumber}`} ctx={ctx}>
      <h1>
        Order {view.orderNumber} <StateBadge state={view.status} />
      </h1>
      {view.statusReason ? <p class="reason" id="status-reason">{view.statusReason}</p> : null}

      <div class="grid">
        <section class="card" id="summary">
          <h2>Summary</h2>
          <dl class="facts">
            <dt>Order id</dt><dd>{view.id}</dd>
            <dt>External id</dt><dd>{view.externalId}</dd>
            <dt>Retailer</dt><dd>{view.retailerId} <span class="muted">({view.source})</span></dd>
            <dt>Placed</dt><dd>{formatTime(order.placedAt)}</dd>
            <dt>Received</dt><dd>{formatTime(view.createdAt)}</dd>
            <dt>Payment</dt><dd>{order.payment.status}{order.payment.reference ? ` · ${order.payment.reference}` : ''}</dd>
            <dt>Customer</dt><dd>{order.customer.name}{order.customer.email ? ` · ${order.customer.email}` : ''}</dd>
            <dt>Ship to</dt>
            <dd>
              {ship.name}{ship.company ? `, ${ship.company}` : ''}<br />
              {ship.address1}{ship.address2 ? `, ${ship.address2}` : ''}<br />
              {[ship.city, ship.region, ship.postalCode].filter(Boolean).join(' ')} {ship.country}
            </dd>
            <dt>Shipping</dt><dd>{[order.shipping?.method, order.shipping?.carrier, order.shipping?.serviceLevel].filter(Boolean).join(' · ') || '—'}</dd>
            <dt>Notes</dt><dd id="notes">{order.notes ?? '—'}</dd>
          </dl>
        </section>

        <section class="card" id="lines">
          <h2>Lines</h2>
          <table>
            <thead><tr><th>Line</th><th>SKU</th><th>Title</th><th class="num">Qty</th><th class="num">Price</th></tr></thead>
            <tbody>
              {order.lines.map((l) => (
                <tr>
                  <td>{l.lineId}</td>
                  <td>{l.sku}</td>
                  <td>{l.title ?? ''}</td>
                  <td class="num">{l.quantity}</td>
                  <td class="num">{`${l.unitPrice} ${order.currency}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>

      <section class="card" id="purchase-orders" style="margin-top:16px">
        <h2>Purchase orders</h2>
        {view.purchaseOrders.length === 0 ? (
          <Empty text="No purchase orders (not routed yet, or unroutable)." />
        ) : (
          <table>
            <thead><tr><th>PO</th><th>Supplier</th><th>State</th><th>Lines (shipped / ordered)</th></tr></thead>
            <tbody>
              {view.purchaseOrders.map((po) => (
                <tr data-po={po.id}>
                  <td>{po.poNumber}</td>
                  <td><a href={`/documents?supplier=${encodeURIComponent(po.supplierId)}`}>{po.supplierId}</a></td>
                  <td>
                    <StateBadge state={po.status} />
                    {po.statusReason ? <div class="reason">{po.statusReason}</div> : null}
                  </td>
                  <td>
                    {asLines(po.lines).map((l) => (
                      <div>
                        {String(l.sku ?? '?')}
                        {l.supplierSku && l.supplierSku !== l.sku ? <span class="muted"> ({String(l.supplierSku)})</span> : null}
                        {`: ${po.shipped[String(l.lineNumber)] ?? 0} / ${String(l.quantity ?? '?')}`}
                      </div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <Reroutes reroutes={props.reroutes ?? []} />

      <section class="card" id="shipments">
        <h2>Shipments</h2>
        {view.shipments.length === 0 ? (
          <Empty text="No shipments yet." />
        ) : (
          <table>
            <thead><tr><th>Carrier</th><th>Service</th><th>Tracking</th><th>Lines</th><th>Shipped</th></tr></thead>
            <tbody>
              {view.shipments.map((s) => (
                <tr data-shipment={s.id}>
                  <td>{s.carrierName ?? s.carrier ?? '—'}</td>
                  <td>{s.service ?? '—'}</td>
                  <td>
                    {s.trackingNumbers.map((number, i) => {
                      const href = s.trackingUrls[i] ? safeHref(s.trackingUrls[i]) : undefined;
                      return <div>{href ? <a href={href} rel="noopener noreferrer" target="_blank">{number}</a> : number}</div>;
                    })}
                  </td>
                  <td>{asLines(s.lines).map((l) => <div>{`${String(l.sku ?? '?')} × ${String(l.quantity ?? '?')}`}</div>)}</td>
                  <td>{s.shippedAt ?? formatTime(s.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section class="card" id="documents">
        <h2>Documents</h2>
        {view.documentsOmitted ? <p class="muted">The newest {view.documents.length} documents; {view.documentsOmitted} older ones are not shown (all are in Documents).</p> : null}
        {view.documents.length === 0 ? (
          <Empty text="No documents." />
        ) : (
          <table>
            <thead><tr><th>File</th><th>Dir</th><th>Kind</th><th>Supplier</th><th>Status</th><th class="num">Attempts</th><th>Error</th><th></th></tr></thead>
            <tbody>
              {view.documents.map((d) => (
                <tr data-document={d.id}>
                  <td><DocumentLink id={d.id} label={d.filename} /></td>
                  <td>{d.direction}</td>
                  <td>{d.kind} <span class="muted">{d.format}</span>{d.controlNumber !== null ? <span class="muted">{` #${d.controlNumber}`}</span> : null}</td>
                  <td>{d.supplierId ?? '—'}</td>
                  <td><StateBadge state={d.status} /></td>
                  <td class="num">{d.attempts}</td>
                  <td class="reason">{d.lastError ?? ''}</td>
                  <td>{d.status === 'failed' ? <RetryButton documentId={d.id} ctx={ctx} /> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section class="card" id="timeline">
        <h2>Timeline</h2>
        {view.timelineOmitted ? <p class="muted">The newest {view.timeline.length} entries; {view.timelineOmitted} older ones are not shown.</p> : null}
        <table>
          <thead><tr><th>At</th><th>Event</th><th>State</th><th>Cause</th><th>Detail</th></tr></thead>
          <tbody>
            {view.timeline.map((e) => (
              <tr class="event" data-type={e.type}>
                <td><Time at={e.at} /></td>
                <td>{e.type}</td>
                <td>{e.status ? <StateBadge state={e.status} /> : null}</td>
                <td>{e.cause}</td>
                <td>{e.data === null ? null : <details><summary class="muted">detail</summary><pre>{json(e.data)}</pre></details>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}
