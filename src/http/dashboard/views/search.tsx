import type { OrderListItem, SearchResult } from '../data.ts';
import { Empty, OrderTable } from './components.tsx';
import { Layout, type PageContext } from './layout.tsx';

export function SearchPage(props: { query: string; results: SearchResult[]; ctx: PageContext }) {
  const { query, results, ctx } = props;
  return (
    <Layout title={`Search: ${query}`} ctx={ctx}>
      <h1>Search</h1>
      {query === '' ? (
        <Empty text="Type an order number, external id, PO number or tracking number in the box above." />
      ) : results.length === 0 ? (
        <Empty text={`Nothing matches "${query}".`} />
      ) : (
        <section class="card" id="results">
          <h2>{`${results.length} order${results.length === 1 ? '' : 's'} matching "${query}"`}</h2>
          <OrderTable orders={results.map((r) => ({ ...r.order, matched: r.matched }))} ctx={ctx} />
        </section>
      )}
    </Layout>
  );
}

export function OrdersPage(props: { state: string | undefined; states: readonly string[]; orders: OrderListItem[]; ctx: PageContext }) {
  const { state, orders, ctx } = props;
  return (
    <Layout title="Orders" ctx={ctx}>
      <h1>{state ? `Orders in ${state}` : 'Recent orders'}</h1>
      <form class="filters" method="get" action="/orders">
        <label>
          State
          <select name="state">
            <option value="">any</option>
            {props.states.map((s) => <option value={s} selected={state === s}>{s}</option>)}
          </select>
        </label>
        <button type="submit">Show</button>
      </form>
      <section class="card">
        <OrderTable orders={orders} ctx={ctx} />
      </section>
    </Layout>
  );
}
