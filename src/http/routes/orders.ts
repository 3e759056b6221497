import { Hono } from 'hono';
import { safeParseInput } from '../../canonical/safe-parse.ts';
import { z } from 'zod';
import { CanonicalOrder } from '../../canonical/order.ts';
import { ORDER_STATES } from '../../canonical/states.ts';
import { NotFoundError, ValidationError, issuesFromZod } from '../../errors.ts';
import type { Hub } from '../../hub.ts';
import { cancelOrder } from '../../pipeline/cancel.ts';
import { acceptOrder } from '../../pipeline/intake.ts';
import { latestExceptionCodes } from '../../store/order-exceptions.ts';
import { loadOrderView, orderSummary } from '../../store/orders.ts';
import { retailerOrderView, retailerSummary } from '../retailer-view.ts';
import { limitBody, readBody, readJson, retailerAuth, type AppEnv } from '../request.ts';

const ListQuery = z.strictObject({
  externalId: z.string().min(1).max(128).optional(),
  status: z.enum(ORDER_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = safeParseInput(schema, value);
  if (!result.success) throw new ValidationError(`invalid ${what}`, issuesFromZod(result.error));
  return result.data;
}

/** Retailer routes: intake of canonical orders, reading them back, cancelling. Scoped to the caller. */
export function orderRoutes(hub: Hub) {
  const app = new Hono<AppEnv>();
  app.use('*', retailerAuth(hub));

  app.post('/', limitBody(), async (c) => {
    const { json } = await readJson(c);
    const order = parseOrThrow(CanonicalOrder, json, 'order');
    const { id, name } = c.get('retailer');
    const accepted = await acceptOrder(hub.store, { retailer: { id, name }, source: 'api', order });
    if (accepted.created) {
      hub.metrics.ordersReceived.inc({ source: 'api' });
      hub.logger.info({ orderId: accepted.order.id, retailerId: accepted.order.retailerId, externalId: accepted.order.externalId, status: accepted.order.status }, 'order received');
    }
    return c.json({ ...retailerOrderView(accepted.order), ...(accepted.warnings ? { warnings: accepted.warnings } : {}) }, accepted.created ? 201 : 200);
  });

  app.get('/', async (c) => {
    const query = parseOrThrow(ListQuery, c.req.query(), 'query');
    let q = hub.store.db.selectFrom('orders').selectAll().where('retailer_id', '=', c.get('retailer').id);
    if (query.externalId) q = q.where('external_id', '=', query.externalId);
    if (query.status) q = q.where('status', '=', query.status);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(query.limit).execute();
    const codes = await latestExceptionCodes(hub.store.db, rows.filter((r) => r.status === 'exception').map((r) => r.id));
    return c.json({ orders: rows.map((row) => retailerSummary(orderSummary(row), codes.get(row.id))) });
  });

  app.get('/:id', async (c) => {
    const view = await loadOrderView(hub.store.db, c.req.param('id'), c.get('retailer').id);
    if (!view) throw new NotFoundError('order');
    return c.json(retailerOrderView(view));
  });

  app.post('/:id/cancel', limitBody(), async (c) => {
    await readBody(c); // no body is needed, but one that is sent is held to the same limit
    const view = await loadOrderView(hub.store.db, c.req.param('id'), c.get('retailer').id);
    if (!view) throw new NotFoundError('order');
    return c.json(retailerOrderView(await cancelOrder(hub, view.id, 'retailer cancelled via API')));
  });

  return app;
}
