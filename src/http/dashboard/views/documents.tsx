import type { DocumentDetail, DocumentFilters, DocumentsPageData } from '../data.ts';
import { DocumentTable, OrderLink, RetryButton, StateBadge, formatTime } from './components.tsx';
import { Layout, type PageContext } from './layout.tsx';

export function DocumentsPage(props: { data: DocumentsPageData; filters: DocumentFilters; ctx: PageContext }) {
  const { data, filters, ctx } = props;
  return (
    <Layout title="Documents" ctx={ctx}>
      <h1>Documents</h1>
      <form class="filters" method="get" action="/documents">
        <label>
          Status
          <select name="status">
            <option value="">any</option>
            {data.statuses.map((s) => <option value={s} selected={filters.status === s}>{s}</option>)}
          </select>
        </label>
        <label>
          Direction
          <select name="direction">
            <option value="">both</option>
            <option value="out" selected={filters.direction === 'out'}>out (to suppliers and retailers)</option>
            <option value="in" selected={filters.direction === 'in'}>in (from suppliers)</option>
          </select>
        </label>
        <label>
          Supplier
          <select name="supplier">
            <option value="">any</option>
            {data.suppliers.map((s) => <option value={s} selected={filters.supplier === s}>{s}</option>)}
          </select>
        </label>
        <button type="submit">Filter</button>
        <a href="/documents">clear</a>
      </form>
      <section class="card">
        <DocumentTable documents={data.documents} ctx={ctx} />
        {data.documents.length === data.limit ? <p class="muted">{`The newest ${data.limit} shown; narrow the filters to see older ones.`}</p> : null}
      </section>
    </Layout>
  );
}

function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

export function DocumentPage(props: { doc: DocumentDetail; ctx: PageContext }) {
  const { doc, ctx } = props;
  return (
    <Layout title={doc.filename} ctx={ctx}>
      <h1>
        {doc.filename} <StateBadge state={doc.status} />
      </h1>
      <section class="card">
        <dl class="facts">
          <dt>Document id</dt><dd>{doc.id}</dd>
          <dt>Direction</dt><dd>{doc.direction === 'out' ? 'out (sent by the hub)' : 'in (received by the hub)'}</dd>
          <dt>Kind / format</dt><dd>{`${doc.kind} / ${doc.format}`}</dd>
          <dt>Supplier</dt><dd>{doc.supplierId ?? '—'}</dd>
          {doc.retailerId ? <><dt>Retailer</dt><dd>{doc.retailerId}</dd></> : null}
          <dt>Order</dt><dd>{doc.orderId ? <OrderLink id={doc.orderId} label={doc.orderNumber ?? doc.orderId} /> : '—'}</dd>
          {doc.controlNumber !== null ? <><dt>Control number</dt><dd>{doc.controlNumber}</dd></> : null}
          <dt>Size</dt><dd>{`${doc.size} bytes, ${doc.contentType}`}</dd>
          <dt>SHA-256</dt><dd><code>{doc.contentHash}</code></dd>
          <dt>Attempts</dt><dd>{doc.maxAttempts > 0 ? `${doc.attempts} of ${doc.maxAttempts}` : `${doc.attempts}`}{doc.status === 'pending' && doc.nextAttemptAt ? ` · next ${formatTime(doc.nextAttemptAt)}` : ''}</dd>
          <dt>Created</dt><dd>{formatTime(doc.createdAt)}</dd>
          <dt>Updated</dt><dd>{formatTime(doc.updatedAt)}</dd>
          {doc.doneAt ? <><dt>Done</dt><dd>{formatTime(doc.doneAt)}</dd></> : null}
          {doc.lastError ? <><dt>Last error</dt><dd class="reason">{doc.errorCode ? `[${doc.errorCode}] ` : ''}{doc.lastError}</dd></> : null}
        </dl>
        {doc.status === 'failed' ? <p><RetryButton documentId={doc.id} ctx={ctx} /></p> : null}
      </section>
      <section class="card" id="content">
        <h2>Raw content</h2>
        {doc.contentOmittedBytes ? <p class="muted">The first {doc.content.length} characters; {doc.contentOmittedBytes} more bytes are not shown (the whole file: GET /v1/admin/documents/{doc.id}/raw).</p> : null}
        <pre id="raw">{doc.content}</pre>
      </section>
      {doc.parsed === null ? null : (
        <section class="card" id="parsed">
          <h2>{doc.direction === 'in' ? 'Parsed' : 'Made from'}</h2>
          <pre>{pretty(doc.parsed)}</pre>
        </section>
      )}
      {doc.receipt === null ? null : (
        <section class="card" id="receipt">
          <h2>Receipt</h2>
          <pre>{pretty(doc.receipt)}</pre>
        </section>
      )}
    </Layout>
  );
}
