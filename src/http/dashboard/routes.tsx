/**
 * The operator dashboard: server-rendered HTML (Hono JSX, escaped by default), behind
 * HUB_ADMIN_TOKEN. No script, no build step, no external asset: the CSS and the chart are inline.
 *
 *   GET  /login, POST /login, POST /logout      sign in with the admin token (cookie), sign out
 *   GET  /                                      states, exceptions, overdue, failed documents, suppliers, activity
 *   GET  /orders?state=, GET /orders/:id        order lists; one order with POs, documents, shipments, timeline
 *   GET  /search?q=                             by order number, external id, order id, PO or tracking number
 *   GET  /documents?status=&direction=&supplier=, GET /documents/:id   every file in and out, raw content
 *   POST /documents/:id/retry                   resend / re-apply a failed document
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { ORDER_STATES } from '../../canonical/states.ts';
import { HubError } from '../../errors.ts';
import type { Hub } from '../../hub.ts';
import { rerouteOrder } from '../../pipeline/reroute.ts';
import { retryDocument } from '../../pipeline/retry.ts';
import { loadOrderView } from '../../store/orders.ts';
import { clearSignInFailures, recordSignInFailure, signInBlockedUntil } from '../../store/dashboard-sessions.ts';
import { reroutesOfOrder } from '../../store/reroutes.ts';
import { adminSession, isAdmin, limitBody, readBody, secretsEqual, type AppEnv } from '../request.ts';
import { loadDocument, loadDocuments, loadHome, searchOrders, type DocumentFilters } from './data.ts';
import { clientAddress, fromOwnPage, localPath, SIGN_IN_LIMIT, signIn, signOut, withNotice } from './session.ts';
import { DocumentPage, DocumentsPage } from './views/documents.tsx';
import { HomePage } from './views/home.tsx';
import { isNotice, type Notice, type PageContext } from './views/layout.tsx';
import { LoginPage } from './views/login.tsx';
import { NotFoundPage, NotFoundPlain, RefusedPage } from './views/not-found.tsx';
import { ordersWithSharedNumbers } from '../../store/duplicate-orders.ts';
import { OrderPage } from './views/order.tsx';
import { OrdersPage, SearchPage } from './views/search.tsx';

type DashboardContext = Context<AppEnv>;

const FORM_LIMIT = 16 * 1024;

/** Pages hold order data: never cached, never framed, nothing loaded from elsewhere. */
const pageHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header('cache-control', 'no-store');
  c.header('x-frame-options', 'DENY');
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'same-origin');
  c.header(
    'content-security-policy',
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
};

/** The fields of a URL-encoded form, read under the same size limit as every other body. */
async function formFields(c: DashboardContext): Promise<Record<string, string | undefined>> {
  const body = await readBody(c, FORM_LIMIT);
  if (!/^application\/x-www-form-urlencoded\b/i.test(c.req.header('content-type') ?? '')) return {};
  return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
}

function queryText(value: string | undefined, max: number): string | undefined {
  const text = value?.trim();
  return text && text.length <= max ? text : undefined;
}

export function dashboardRoutes(hub: Hub) {
  const app = new Hono<AppEnv>();

  /** Signed-in pages: anyone else is sent to the sign-in form (and brought back after). */
  const signedIn: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (!(await isAdmin(hub, c))) {
      const url = new URL(c.req.url);
      const back = c.req.method === 'GET' ? `${url.pathname}${url.search}` : '/';
      return c.redirect(back === '/' ? '/login' : `/login?next=${encodeURIComponent(back)}`, 303);
    }
    await next();
  };

  /** A signed-in POST from one of our own pages (see session.ts). */
  const ownForm: MiddlewareHandler<AppEnv> = async (c, next) => {
    const fields = await formFields(c);
    if (!fromOwnPage(c, fields.csrf, await adminSession(hub, c))) {
      return c.html(<p>This form was not sent from the dashboard (stale page or another site). Reload the page and try again.</p>, 403);
    }
    await next();
  };

  /** What every signed-in page needs; `signedIn` has looked the session up already. */
  const context = (c: DashboardContext, search?: string): PageContext => {
    const url = new URL(c.req.url);
    const notice = c.req.query('notice');
    url.searchParams.delete('notice');
    return {
      csrf: c.get('adminSession')?.csrf ?? '',
      now: hub.clock(),
      path: `${url.pathname}${url.search}`,
      ...(search === undefined ? {} : { search }),
      notice: isNotice(notice) ? notice : undefined,
    };
  };

  app.get('/login', pageHeaders, async (c) => {
    const next = localPath(c.req.query('next'));
    if (await isAdmin(hub, c)) return c.redirect(next, 303);
    return c.html(<LoginPage next={next} disabled={!hub.env.HUB_ADMIN_TOKEN} />);
  });

  app.post('/login', pageHeaders, limitBody(FORM_LIMIT), async (c) => {
    const fields = await formFields(c);
    const next = localPath(fields.next);
    const expected = hub.env.HUB_ADMIN_TOKEN;
    if (!expected) return c.html(<LoginPage next={next} disabled />, 403);
    const address = clientAddress(c);
    const blockedUntil = await signInBlockedUntil(hub.store.db, address, hub.clock(), SIGN_IN_LIMIT);
    if (blockedUntil) {
      const minutes = Math.max(1, Math.ceil((blockedUntil.getTime() - hub.clock().getTime()) / 60_000));
      hub.logger.warn({ address }, 'dashboard sign-in refused: too many wrong tokens');
      c.header('retry-after', String(minutes * 60));
      return c.html(<LoginPage next={next} disabled={false} error={`Too many wrong tokens from your address: try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`} />, 429);
    }
    const given = fields.token ?? '';
    if (given.length === 0 || given.length > 1000 || !secretsEqual(given, expected)) {
      await recordSignInFailure(hub.store.db, address, hub.clock(), SIGN_IN_LIMIT);
      hub.logger.warn({ address, ip: c.req.header('x-forwarded-for') }, 'dashboard sign-in refused: wrong token');
      return c.html(<LoginPage next={next} disabled={false} error="Wrong token." />, 401);
    }
    await clearSignInFailures(hub.store.db, address);
    await signIn(hub, c, expected);
    return c.redirect(next, 303);
  });

  app.post('/logout', limitBody(FORM_LIMIT), ownForm, async (c) => {
    await signOut(hub, c);
    return c.redirect('/login', 303);
  });

  app.get('/', pageHeaders, signedIn, async (c) => {
    return c.html(<HomePage data={await loadHome(hub)} ctx={context(c)} />);
  });

  app.get('/orders', pageHeaders, signedIn, async (c) => {
    const requested = c.req.query('state');
    const state = ORDER_STATES.find((s) => s === requested);
    let q = hub.store.db
      .selectFrom('orders')
      .select(['id', 'order_number', 'external_id', 'retailer_id', 'status', 'status_reason', 'updated_at'])
      .orderBy('updated_at', 'desc')
      .limit(200);
    if (state) q = q.where('status', '=', state);
    const rows = await q.execute();
    const orders = rows.map((o) => ({
      id: o.id, orderNumber: o.order_number, externalId: o.external_id, retailerId: o.retailer_id,
      status: o.status, statusReason: o.status_reason, updatedAt: o.updated_at,
    }));
    return c.html(<OrdersPage state={state} states={ORDER_STATES} orders={orders} ctx={context(c)} />);
  });

  app.get('/orders/:id', pageHeaders, signedIn, async (c) => {
    const view = await loadOrderView(hub.store.db, c.req.param('id'));
    if (!view) return c.html(<NotFoundPage what="such order" ctx={context(c)} />, 404);
    const [reroutes, shared] = await Promise.all([reroutesOfOrder(hub.store.db, view.id), ordersWithSharedNumbers(hub.store.db, [view.id])]);
    return c.html(<OrderPage view={view} ctx={context(c)} reroutes={reroutes} duplicateNumber={shared.has(view.id)} />);
  });

  app.get('/search', pageHeaders, signedIn, async (c) => {
    const query = (c.req.query('q') ?? '').trim().slice(0, 200);
    const results = await searchOrders(hub, query);
    return c.html(<SearchPage query={query} results={results} ctx={context(c, query)} />);
  });

  app.get('/documents', pageHeaders, signedIn, async (c) => {
    const direction = c.req.query('direction');
    const filters: DocumentFilters = {
      status: queryText(c.req.query('status'), 32),
      direction: direction === 'in' || direction === 'out' ? direction : undefined,
      supplier: queryText(c.req.query('supplier'), 64),
    };
    return c.html(<DocumentsPage data={await loadDocuments(hub, filters)} filters={filters} ctx={context(c)} />);
  });

  app.get('/documents/:id', pageHeaders, signedIn, async (c) => {
    const doc = await loadDocument(hub, c.req.param('id'));
    if (!doc) return c.html(<NotFoundPage what="such document" ctx={context(c)} />, 404);
    return c.html(<DocumentPage doc={doc} ctx={context(c)} />);
  });

  app.post('/documents/:id/retry', pageHeaders, signedIn, limitBody(FORM_LIMIT), ownForm, async (c) => {
    const id = c.req.param('id');
    const back = localPath((await formFields(c)).back);
    let notice: Notice;
    try {
      const status = await retryDocument(hub, id);
      hub.logger.info({ documentId: id, status }, 'operator retried a document from the dashboard');
      notice = status === 'applied' ? 'reapplied' : status === 'failed' ? 'reapply_failed' : 'retried';
    } catch (error) {
      // Not failed any more (someone else retried it), gone, or its mapping is not loaded: say why.
      if (!(error instanceof HubError) || (error.code !== 'not_found' && error.code !== 'state_conflict')) throw error;
      const ctx = { ...context(c), path: back };
      return c.html(<RefusedPage title="Retry not done" message={error.message} back={back} ctx={ctx} />, error.code === 'not_found' ? 404 : 409);
    }
    return c.redirect(withNotice(back, notice), 303);
  });

  app.post('/orders/:id/reroute', pageHeaders, signedIn, limitBody(FORM_LIMIT), ownForm, async (c) => {
    const id = c.req.param('id');
    const back = localPath((await formFields(c)).back);
    try {
      await rerouteOrder(hub, id, 'operator re-route (dashboard)');
      hub.logger.info({ orderId: id }, 'operator re-routed an order from the dashboard');
    } catch (error) {
      if (!(error instanceof HubError) || (error.code !== 'not_found' && error.code !== 'conflict')) throw error;
      const ctx = { ...context(c), path: back };
      return c.html(<RefusedPage title="Re-route not done" message={error.message} back={back} ctx={ctx} />, error.code === 'not_found' ? 404 : 409);
    }
    return c.redirect(withNotice(back, 'rerouted'), 303);
  });

  return app;
}

/**
 * An unknown page asked for by a browser: an HTML "Not found" (with the dashboard's navigation when
 * signed in) rather than the API's JSON. Used by the app's notFound handler for GETs that accept HTML
 * outside /v1/.
 */
export async function dashboardNotFound(hub: Hub, c: DashboardContext) {
  // The session (not only the bearer token): its own form token goes into the page's forms.
  const session = await adminSession(hub, c);
  if (!session) return c.html(<NotFoundPlain />, 404);
  const url = new URL(c.req.url);
  return c.html(<NotFoundPage what="such page" ctx={{ csrf: session.csrf, now: hub.clock(), path: `${url.pathname}${url.search}` }} />, 404);
}

/** True for a browser's GET of a page (not the API, not a script asking for JSON). */
export function wantsDashboardPage(c: DashboardContext): boolean {
  return c.req.method === 'GET' && !c.req.path.startsWith('/v1/') && /\btext\/html\b/.test(c.req.header('accept') ?? '');
}
