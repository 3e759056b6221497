import type { CanonicalOrder, PaymentStatus } from '../canonical/order.ts';
import { field, firstText, fullName, isObject, money, OrderDraft, text } from './draft.ts';

/**
 * Shopify's Order resource, as the `orders/create` (and `orders/paid`, `orders/cancelled`) webhook
 * sends it, turned into a canonical order. Field by field:
 *
 * | canonical | Shopify |
 * | --- | --- |
 * | externalId | `id` (exact, from `admin_graphql_api_id` when present: ids can exceed 2^53) |
 * | orderNumber | `name` ("#1001"), else `order_number` |
 * | placedAt | `created_at` |
 * | payment | `financial_status` (see {@link SHOPIFY_PAYMENT_STATUS}); reference `confirmation_number` |
 * | customer | `customer.first_name`/`last_name` (else the shipping, then billing name); `email`, `phone` |
 * | shipTo | `shipping_address`: name (else first + last), company, address1/2, city, `province_code`, `zip`, `country_code`, phone |
 * | shipping | `shipping_lines[0]`: `title` → method, `code` → serviceLevel, `carrier_identifier` → carrier |
 * | lines | `line_items` with `requires_shipping` not false: `id` → lineId, sku, `name` (title and variant; else `title`), quantity, `price` |
 * | notes | `note` |
 *
 * Lines with `requires_shipping: false` (gift cards, digital goods, tips) are left out: no supplier
 * ships them. An order with no line left is refused. Totals (`total_price`, taxes, discounts) are
 * not carried: purchase orders compute their own totals from the lines.
 */

/**
 * `financial_status` → payment status. Only `paid` lets the order through; everything else holds it
 * (`awaiting_payment`) until `orders/paid` arrives.
 * - `partially_paid` → pending: the money is not all in, so nothing ships yet.
 * - `partially_refunded` → paid: part of the order was refunded, the rest was paid and is owed.
 * - `expired` (an authorization that lapsed) → voided.
 * - missing → pending (held, never shipped unpaid); an unknown value is refused.
 */
export const SHOPIFY_PAYMENT_STATUS: Readonly<Record<string, PaymentStatus>> = {
  paid: 'paid',
  authorized: 'authorized',
  pending: 'pending',
  partially_paid: 'pending',
  partially_refunded: 'paid',
  refunded: 'refunded',
  voided: 'voided',
  expired: 'voided',
};

/**
 * What each Shopify webhook topic means to the hub.
 * - `create`: a new order (`orders/create`).
 * - `release`: payment captured (`orders/paid`): release the held order; create it first if the
 *   `orders/create` delivery has not arrived yet (Shopify does not guarantee the order of topics).
 * - `cancel`: `orders/cancelled`: cancel the order and its purchase orders.
 * - `ignore`: `orders/updated` and anything else: answered 200 and not acted on. Edits after an order
 *   is routed cannot be pushed to a supplier safely; payment and cancellation have their own topics.
 */
export type ShopifyTopicAction = 'create' | 'release' | 'cancel' | 'ignore';

export const SHOPIFY_TOPICS: Readonly<Record<string, ShopifyTopicAction>> = {
  'orders/create': 'create',
  'orders/paid': 'release',
  'orders/cancelled': 'cancel',
  'orders/updated': 'ignore',
};

/** The action for an `X-Shopify-Topic` header value. */
export function shopifyTopicAction(topic: string | undefined): ShopifyTopicAction {
  return (topic !== undefined && Object.hasOwn(SHOPIFY_TOPICS, topic) && SHOPIFY_TOPICS[topic]) || 'ignore';
}

const GID = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)$/;

/** A Shopify id as an exact string: from the GraphQL id when given, else the JSON number. */
function shopifyId(id: unknown, graphqlId: unknown): unknown {
  const fromGid = typeof graphqlId === 'string' ? GID.exec(graphqlId)?.[1] : undefined;
  if (fromGid) return fromGid;
  if (typeof id === 'number') return Number.isSafeInteger(id) && id > 0 ? String(id) : undefined;
  return text(id);
}

/** The order's id as the hub's externalId, without validating the rest (for cancellations). */
export function shopifyExternalId(body: unknown): string | undefined {
  const id = shopifyId(field(body, 'id'), field(body, 'admin_graphql_api_id'));
  return typeof id === 'string' ? id : undefined;
}

/** Shopify's order webhook body → CanonicalOrder, or a ValidationError naming Shopify's paths. */
export function shopifyToCanonical(body: unknown): CanonicalOrder {
  const draft = new OrderDraft('Shopify order');
  if (!isObject(body)) {
    draft.issue('', 'expected a JSON object: the Shopify Order resource');
    return draft.finish(undefined);
  }

  const externalId = shopifyId(body.id, body.admin_graphql_api_id);
  if (externalId === undefined) draft.issue('id', 'must be a positive integer id within 2^53, or send admin_graphql_api_id');
  draft.from('externalId', 'id');
  draft.from('orderNumber', 'name');
  draft.from('placedAt', 'created_at');
  draft.from('currency', 'currency');

  const customer = body.customer;
  const shippingAddress = body.shipping_address;
  const billingAddress = body.billing_address;

  const financialStatus = body.financial_status;
  let paymentStatus: PaymentStatus = 'pending';
  if (financialStatus !== undefined && financialStatus !== null) {
    const mapped =
      typeof financialStatus === 'string' && Object.hasOwn(SHOPIFY_PAYMENT_STATUS, financialStatus)
        ? SHOPIFY_PAYMENT_STATUS[financialStatus]
        : undefined;
    if (mapped) paymentStatus = mapped;
    else draft.issue('financial_status', `unknown financial_status ${JSON.stringify(financialStatus)}`);
  }
  draft.from('payment', 'financial_status');
  draft.from('payment.reference', 'confirmation_number');

  draft.from('customer', 'customer');
  draft.from('customer.email', 'email');
  draft.from('customer.phone', 'phone');

  if (!isObject(shippingAddress)) {
    draft.issue('shipping_address', 'required: a dropship order needs a shipping address');
  }
  draft.from('shipTo', 'shipping_address');
  draft.from('shipTo.region', 'shipping_address.province_code');
  draft.from('shipTo.postalCode', 'shipping_address.zip');
  draft.from('shipTo.country', 'shipping_address.country_code');

  const shippingLine = Array.isArray(body.shipping_lines) ? body.shipping_lines[0] : undefined;
  draft.from('shipping', 'shipping_lines.0');
  draft.from('shipping.method', 'shipping_lines.0.title');
  draft.from('shipping.serviceLevel', 'shipping_lines.0.code');
  draft.from('shipping.carrier', 'shipping_lines.0.carrier_identifier');

  draft.from('lines', 'line_items');
  const lines: unknown[] = [];
  if (Array.isArray(body.line_items)) {
    body.line_items.forEach((item: unknown, index) => {
      if (field(item, 'requires_shipping') === false) return;
      const at = `line_items.${index}`;
      const to = `lines.${lines.length}`;
      draft.from(to, at);
      draft.from(`${to}.lineId`, `${at}.id`);
      draft.from(`${to}.unitPrice`, `${at}.price`);
      draft.from(`${to}.title`, `${at}.name`);
      if (!isObject(item)) {
        lines.push(item);
        return;
      }
      const price = money(item.price);
      if (price.issue) draft.issue(`${at}.price`, price.issue);
      const sku = text(item.sku);
      if (sku === null) draft.issue(`${at}.sku`, 'required: every shipped line needs a SKU to route it to a supplier');
      lines.push({
        lineId: shopifyId(item.id, item.admin_graphql_api_id),
        sku,
        title: firstText(item.name, item.title),
        quantity: item.quantity,
        unitPrice: price.value,
      });
    });
    if (body.line_items.length > 0 && lines.length === 0) {
      draft.issue('line_items', 'no line requires shipping: there is nothing for a supplier to ship');
    }
  }

  const order = {
    externalId,
    orderNumber: firstText(body.name, body.order_number),
    placedAt: body.created_at,
    currency: body.currency,
    payment: { status: paymentStatus, reference: firstText(body.confirmation_number) },
    customer: {
      name: fullName(field(customer, 'first_name'), field(customer, 'last_name')) ??
        firstText(field(shippingAddress, 'name'), field(billingAddress, 'name')) ??
        fullName(field(shippingAddress, 'first_name'), field(shippingAddress, 'last_name')),
      email: firstText(body.email, field(customer, 'email'), body.contact_email),
      phone: firstText(body.phone, field(customer, 'phone'), field(shippingAddress, 'phone')),
    },
    shipTo: isObject(shippingAddress)
      ? {
          name: firstText(shippingAddress.name) ?? fullName(shippingAddress.first_name, shippingAddress.last_name),
          company: text(shippingAddress.company),
          address1: text(shippingAddress.address1),
          address2: text(shippingAddress.address2),
          city: text(shippingAddress.city),
          region: text(shippingAddress.province_code),
          postalCode: text(shippingAddress.zip),
          country: text(shippingAddress.country_code),
          phone: text(shippingAddress.phone),
        }
      : shippingAddress,
    shipping: isObject(shippingLine)
      ? {
          method: text(shippingLine.title),
          carrier: text(shippingLine.carrier_identifier),
          serviceLevel: text(shippingLine.code),
        }
      : null,
    lines: Array.isArray(body.line_items) ? lines : body.line_items,
    notes: text(body.note),
  };
  return draft.finish(order);
}
