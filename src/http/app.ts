import { Hono } from 'hono';
import { sql } from 'kysely';
import type { Hub } from '../hub.ts';
import { refreshGauges } from '../metrics.ts';
import { errorResponse } from './errors.ts';
import { openApiDocument } from './openapi.ts';
import type { AppEnv } from './request.ts';
import { adminRoutes } from './routes/admin.ts';
import { as2Routes } from './routes/as2.ts';
import { orderRoutes } from './routes/orders.ts';
import { supplierRoutes } from './routes/suppliers.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { dashboardNotFound, dashboardRoutes, wantsDashboardPage } from './dashboard/routes.tsx';

/** The HTTP API: retailer intake, store webhooks, supplier pushes, admin, health, metrics, dashboard. */
export function createApp(hub: Hub) {
  const app = new Hono<AppEnv>();
  app.onError((error, c) => errorResponse(c, error, hub.logger));
  app.notFound((c) =>
    wantsDashboardPage(c) ? dashboardNotFound(hub, c) : c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404),
  );

  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    try {
      await sql`select 1`.execute(hub.store.db);
    } catch {
      return c.json({ ok: false, database: false, mappings: hub.mappings.size }, 503);
    }
    return c.json({ ok: true, database: true, engine: hub.store.engine, mappings: hub.mappings.size });
  });
  app.get('/metrics', async (c) => {
    await refreshGauges(hub.metrics, hub.store);
    return c.text(await hub.metrics.registry.metrics(), 200, { 'content-type': hub.metrics.registry.contentType });
  });
  app.get('/openapi.json', (c) => c.json(openApiDocument()));

  app.route('/v1/orders', orderRoutes(hub));
  app.route('/v1/webhooks', webhookRoutes(hub));
  app.route('/v1/suppliers', supplierRoutes(hub));
  app.route('/v1/as2', as2Routes(hub));
  app.route('/v1/admin', adminRoutes(hub));
  app.route('/', dashboardRoutes(hub));
  return app;
}
