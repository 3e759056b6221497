import { ORDER_STATES } from '../../../canonical/states.ts';
import type { HomeData, SupplierHealth } from '../data.ts';
import { ActivityChart } from './chart.tsx';
import { DocumentLink, DocumentTable, Empty, OrderLink, RerouteButton, RetryButton, StateBadge, Time } from './components.tsx';
import { Layout, type PageContext } from './layout.tsx';

export function HomePage(props: { data: HomeData; ctx: PageContext }) {
  const { data, ctx } = props;
  return (
    <Layout title="Home" ctx={ctx}>
      <h1>Orders</h1>
      <section class="card" id="states">
        <h2>By state</h2>
        <div class="counts">
          {ORDER_STATES.map((state) => (
            <a href={`/orders?state=${state}`} data-state={state}>
              <strong>{data.counts[state]}</strong>
              <StateBadge state={state} />
            </a>
          ))}
        </div>
      </section>

      <section class="card" id="activity">
        <h2>Activity</h2>
        <ActivityChart buckets={data.activity} />
      </section>

      <section class="card" id="exceptions">
        <h2>Exceptions ({data.exceptions.length})</h2>
        {data.exceptions.length === 0 ? (
          <Empty text="No order is in exception." />
        ) : (
          <table>
            <thead>
              <tr><th>Order</th><th>Retailer</th><th>Reason</th><th>Since</th><th>Failed documents</th></tr>
            </thead>
            <tbody>
              {data.exceptions.map((o) => (
                <tr data-order={o.id}>
                  <td><OrderLink id={o.id} label={o.orderNumber} /></td>
                  <td>{o.retailerId}</td>
                  <td class="reason">{o.statusReason ?? 'no reason recorded'}</td>
                  <td><Time at={o.updatedAt} now={ctx.now} /></td>
                  <td>
                    {o.failedDocuments.length === 0
                      ? <RerouteButton orderId={o.id} ctx={ctx} />
                      : o.failedDocuments.map((d) => (
                          <div>
                            <DocumentLink id={d.id} label={d.filename} /> <RetryButton documentId={d.id} ctx={ctx} />
                          </div>
                        ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <div class="grid">
        <section class="card" id="overdue">
          <h2>Overdue ({data.overdue.length})</h2>
          {data.overdue.length === 0 ? (
            <Empty text="Nothing is overdue." />
          ) : (
            <table>
              <thead><tr><th>Order</th><th>PO</th><th>Supplier</th><th>Expected</th><th>Due</th></tr></thead>
              <tbody>
                {data.overdue.map((r) => (
                  <tr>
                    <td><OrderLink id={r.orderId} label={r.orderNumber} /></td>
                    <td>{r.poNumber}</td>
                    <td>{r.supplierId}</td>
                    <td>{r.expected}</td>
                    <td><Time at={r.dueAt} now={ctx.now} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <section class="card" id="suppliers">
          <h2>Suppliers</h2>
          <SupplierTable suppliers={data.suppliers} now={ctx.now} />
        </section>
      </div>

      <section class="card" id="unmatched" style="margin-top:16px">
        <h2>Files matching no inbound rule ({data.unmatchedFiles.length})</h2>
        {data.unmatchedFiles.length === 0 ? (
          <Empty text="Every file in the suppliers' inbound folders matches a rule." />
        ) : (
          <>
            <p class="muted">Never read, moved or deleted: add an <code>inbound.files</code> rule for them, or ask the supplier to name them as agreed.</p>
            <table>
              <thead>
                <tr><th>Supplier</th><th>File</th><th class="num">Size</th><th>First seen</th></tr>
              </thead>
              <tbody>
                {data.unmatchedFiles.map((f) => (
                  <tr data-unmatched={`${f.supplierId}/${f.name}`}>
                    <td><a href={`/documents?supplier=${encodeURIComponent(f.supplierId)}`}>{f.supplierId}</a></td>
                    <td class="wrap">{f.name}</td>
                    <td class="num">{f.size === null ? '' : `${f.size} B`}</td>
                    <td><Time at={f.firstSeenAt} now={ctx.now} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>

      <section class="card" id="failed" style="margin-top:16px">
        <h2>Failed documents ({data.failedDocuments.length})</h2>
        <DocumentTable documents={data.failedDocuments} ctx={ctx} />
      </section>
    </Layout>
  );
}

function SupplierTable(props: { suppliers: SupplierHealth[]; now: Date }) {
  if (props.suppliers.length === 0) return <Empty text="No supplier mappings are loaded." />;
  return (
    <table>
      <thead>
        <tr><th>Supplier</th><th>Transport</th><th>Last good poll / file in</th><th>Last delivery</th><th class="num">Errors 24 h</th></tr>
      </thead>
      <tbody>
        {props.suppliers.map((s) => {
          const rate = s.documents24h === 0 ? 0 : s.failed24h / s.documents24h;
          return (
            <tr data-supplier={s.supplierId}>
              <td>
                <a href={`/documents?supplier=${encodeURIComponent(s.supplierId)}`}>{s.supplierId}</a>
                <div class="muted">{s.name}</div>
              </td>
              <td>{s.transport}</td>
              <td>
                {s.polled ? <Time at={s.lastPollOkAt} now={props.now} /> : <span class="muted">not polled (pushes)</span>}
                <div class="muted">file in: <Time at={s.lastReceivedAt} now={props.now} /></div>
                {s.polled && s.lastPollError && (s.lastPollOkAt === null || (s.lastPollAt !== null && s.lastPollAt > s.lastPollOkAt))
                  ? <div class="reason">{s.lastPollError}</div>
                  : null}
              </td>
              <td><Time at={s.lastDeliveryAt} now={props.now} /></td>
              <td class="num">
                <span class={rate === 0 ? 'badge good' : rate < 0.1 ? 'badge warn' : 'badge bad'}>
                  {`${(rate * 100).toFixed(rate === 0 || rate === 1 ? 0 : 1)}%`}
                </span>
                <div class="muted">{`${s.failed24h} of ${s.documents24h}`}</div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
