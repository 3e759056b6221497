import { Hono } from 'hono';
import type { Hub } from '../../hub.ts';
import type { AppEnv } from '../request.ts';

/** The operator dashboard (being built: see issue 7). */
export function dashboardRoutes(_hub: Hub) {
  const app = new Hono<AppEnv>();
  app.get('/', (c) => c.text('dashboard: not built yet'));
  return app;
}
