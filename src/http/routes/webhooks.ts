import { Hono, type Context } from 'hono';
import { UnauthorizedError, ValidationError } from '../../errors.ts';
import type { Hub } from '../../hub.ts';
import { SHOPIFY_PAYMENT_STATUS, shopifyExternalId, shopifyToCanonical, shopifyTopicAction } from '../../intake/shopify.ts';
import { verifyShopifyHmac, verifyWooCommerceSignature } from '../../intake/signatures.ts';
import {
  wooCommerceBodyEndsOrder,
  wooCommerceExternalId,
  wooCommercePaymentStatus,
  wooCommerceToCanonical,
  wooCommerceTopicAction,
} from '../../intake/woocommerce.ts';
import { cancelOrder } from '../../pipeline/cancel.ts';
import { acceptOrder, markPaid, type OrderSource } from '../../pipeline/intake.ts';
import { shopHostname } from '../../notify/urls.ts';
import { retailerById } from '../../store/retailers.ts';
import { limitBody, parseJson, readBody, type AppEnv } from '../request.ts';

type Action = 'create' | 'release' | 'cancel' | 'ignore';

/**
 * Store webhooks. The signature is checked over the raw bytes before anything is parsed; an unknown
 * retailer, a retailer without that store's secret, and a bad signature all answer the same 401.
 */
export function webhookRoutes(hub: Hub) {
  const app = new Hono<AppEnv>();

  app.post('/shopify/:retailerId', limitBody(), async (c) => {
    const { raw, retailer } = await verified(c, hub, 'shopify', (body, secret) =>
      verifyShopifyHmac(body, secret, c.req.header('x-shopify-hmac-sha256')),
    );
    // Two retailers on one Shopify app share its secret: the signature alone does not say which shop
    // sent the body. When the retailer's shop is known, the delivery must say it comes from there.
    if (!fromOwnShop(retailer.shopUrl, c.req.header('x-shopify-shop-domain'))) {
      throw new UnauthorizedError('invalid webhook signature');
    }
    const body = orderBody(raw, 'Shopify');
    const cancelled = () => body.cancelled_at != null;
    const topicAction = shopifyTopicAction(c.req.header('x-shopify-topic'));
    // A cancelled order's body replayed as orders/create or orders/paid must not create (and send) it.
    const action = (topicAction === 'create' || topicAction === 'release') && cancelled() ? 'cancel' : topicAction;
    return handle(c, hub, {
      source: 'shopify',
      retailer,
      action,
      webhookId: c.req.header('x-shopify-webhook-id'),
      externalId: () => shopifyExternalId(body),
      toCanonical: () => shopifyToCanonical(body),
      // The topic header is not signed, the body is: a release or cancel must be what the body says.
      bodySays: {
        paid: () => SHOPIFY_PAYMENT_STATUS[String(body.financial_status)] === 'paid',
        cancelled,
      },
    });
  });

  app.post('/woocommerce/:retailerId', limitBody(), async (c) => {
    const { raw, retailer } = await verified(c, hub, 'woocommerce', (body, secret) =>
      verifyWooCommerceSignature(body, secret, c.req.header('x-wc-webhook-signature')),
    );
    // WooCommerce pings a new webhook with a form body (`webhook_id=…`): acknowledge it.
    if (!/json/i.test(c.req.header('content-type') ?? '')) return c.json({ ok: true, ignored: 'not an order' });
    const body = orderBody(raw, 'WooCommerce');
    const action = wooCommerceTopicAction(c.req.header('x-wc-webhook-topic'), body);
    return handle(c, hub, {
      source: 'woocommerce',
      retailer,
      action,
      webhookId: c.req.header('x-wc-webhook-delivery-id'),
      externalId: () => wooCommerceExternalId(body),
      toCanonical: () => wooCommerceToCanonical(body),
      bodySays: {
        paid: () => wooCommercePaymentStatus(body) === 'paid',
        // order.deleted sends only the id; a full order must carry a status that ends it ("failed" does not).
        cancelled: () => wooCommerceBodyEndsOrder(body),
      },
    });
  });

  return app;
}

/**
 * Does `X-Shopify-Shop-Domain` name the retailer's own shop? Checked when the retailer has a shop
 * URL on a real host (`https://toyshop.myshopify.com`); a loopback shop (tests, the demo) or none
 * cannot be compared, and passes.
 */
function fromOwnShop(shopUrl: string | null, header: string | undefined): boolean {
  const host = shopUrl ? shopHostname(shopUrl) : undefined;
  if (!host || /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(host)) return true;
  return header !== undefined && header.trim().toLowerCase() === host;
}

/** The signed body, which must be a JSON object (a validly signed `null`, list or number is a 400). */
function orderBody(raw: Buffer, store: string): Record<string, unknown> {
  const body = parseJson(raw);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError(`the ${store} webhook body must be a JSON object (an order)`, [
      { path: '', message: `expected a JSON object, got ${body === null ? 'null' : Array.isArray(body) ? 'a list' : typeof body}` },
    ]);
  }
  return body as Record<string, unknown>;
}

async function verified(
  c: Context,
  hub: Hub,
  store: 'shopify' | 'woocommerce',
  check: (raw: Buffer, secret: string) => boolean,
): Promise<{ raw: Buffer; retailer: { id: string; name: string; shopUrl: string | null } }> {
  const retailerId = c.req.param('retailerId') ?? '';
  const raw = await readBody(c);
  const retailer = retailerId.length <= 64 ? await retailerById(hub.store.db, retailerId) : undefined;
  const secret = store === 'shopify' ? retailer?.shopify_secret : retailer?.woocommerce_secret;
  // Check even without a secret (against a dummy), so timing does not tell which retailers exist.
  const ok = check(raw, secret ?? 'no-secret-configured');
  if (!retailer || !secret || !ok) throw new UnauthorizedError('invalid webhook signature');
  return { raw, retailer: { id: retailer.id, name: retailer.name, shopUrl: retailer.shopify_shop_url } };
}

async function handle(
  c: Context,
  hub: Hub,
  input: {
    source: OrderSource;
    retailer: { id: string; name: string };
    action: Action;
    webhookId: string | undefined;
    externalId: () => string | undefined;
    toCanonical: () => import('../../canonical/order.ts').CanonicalOrder;
    bodySays: { paid: () => boolean; cancelled: () => boolean };
  },
): Promise<Response> {
  const { source, retailer } = input;
  const retailerId = retailer.id;
  switch (input.action) {
    case 'create': {
      const order = input.toCanonical();
      const accepted = await acceptOrder(hub.store, {
        retailer,
        source,
        order,
        ...(input.webhookId ? { webhookId: input.webhookId.slice(0, 200) } : {}),
      });
      if (accepted.created) {
        hub.metrics.ordersReceived.inc({ source });
        hub.logger.info({ orderId: accepted.order.id, retailerId, externalId: accepted.order.externalId, source, status: accepted.order.status }, 'order received');
      }
      return c.json(accepted.order, accepted.created ? 201 : 200);
    }
    case 'release': {
      if (!input.bodySays.paid()) return c.json({ ok: true, ignored: 'the order in the body is not paid' });
      const externalId = input.externalId();
      const released = externalId ? await markPaid(hub.store, retailerId, externalId, `${source} payment webhook`) : undefined;
      if (released) return c.json(released);
      // Paid before we saw it created: the paid body is a whole order.
      const accepted = await acceptOrder(hub.store, { retailer, source, order: input.toCanonical() });
      if (accepted.created) hub.metrics.ordersReceived.inc({ source });
      return c.json(accepted.order, accepted.created ? 201 : 200);
    }
    case 'cancel': {
      if (!input.bodySays.cancelled()) return c.json({ ok: true, ignored: 'the order in the body is not cancelled' });
      const externalId = input.externalId();
      const row = externalId
        ? await hub.store.db
            .selectFrom('orders')
            .select('id')
            .where('retailer_id', '=', retailerId)
            .where('external_id', '=', externalId)
            .executeTakeFirst()
        : undefined;
      if (!row) return c.json({ ok: true, ignored: 'unknown order' });
      return c.json(await cancelOrder(hub, row.id, `${source} cancellation webhook`));
    }
    case 'ignore':
      return c.json({ ok: true, ignored: 'topic not acted on' });
    default: {
      const never: never = input.action;
      return never;
    }
  }
}
