import type { CanonicalOrder, PaymentStatus } from '../canonical/order.ts';
import { divideDecimal, field, firstText, fullName, isObject, money, OrderDraft, text } from './draft.ts';

/**
 * WooCommerce's REST v3 order resource, as its `order.created` / `order.updated` webhooks send it,
 * turned into a canonical order. Field by field:
 *
 * | canonical | WooCommerce |
 * | --- | --- |
 * | externalId | `id` |
 * | orderNumber | `number` (sequential-number plugins change it), else `id` |
 * | placedAt | `date_created_gmt` read as UTC; else `date_created` when it carries an offset |
 * | payment | `status` (see {@link WOOCOMMERCE_PAYMENT_STATUS}); reference `transaction_id` |
 * | customer | `billing.first_name`/`last_name` (else the shipping name), `billing.email`, `billing.phone` |
 * | shipTo | `shipping`: first + last name, company, address_1/2, city, `state`, `postcode`, country, phone (else `billing.phone`) |
 * | shipping | `shipping_lines[0]`: `method_title` → method, `method_id` → serviceLevel |
 * | lines | `line_items`: `id` → lineId, sku, `name` → title, quantity, unit price (below) |
 * | notes | `customer_note` |
 *
 * Unit price: WooCommerce's `price` is a float (`total / quantity` after discounts, unrounded:
 * 33.333333333333336). The hub uses `subtotal / quantity` instead, in exact decimal arithmetic
 * (`subtotal` is the line's pre-discount total as a decimal string, which matches what Shopify calls
 * `price`); a result that does not terminate is rounded half-up to four decimals. `price` is used
 * only when `subtotal` is missing, and then only when it is an exact amount.
 */

/**
 * `status` → payment status. Only `processing` and `completed` let the order through.
 * - `pending`, `on-hold` (awaiting a bank transfer or cheque), `checkout-draft` → pending: held.
 * - `failed` → pending: held, not refused. The customer can retry the payment, and WooCommerce then
 *   sends `order.updated` with `processing`, which releases the order.
 * - `cancelled`, `trash` → voided; `refunded` → refunded.
 * - any other (plugin) status is refused, naming `status`.
 */
export const WOOCOMMERCE_PAYMENT_STATUS: Readonly<Record<string, PaymentStatus>> = {
  processing: 'paid',
  completed: 'paid',
  pending: 'pending',
  'on-hold': 'pending',
  'checkout-draft': 'pending',
  failed: 'pending',
  cancelled: 'voided',
  trash: 'voided',
  refunded: 'refunded',
};

/**
 * What a WooCommerce webhook delivery means to the hub. WooCommerce signs the body, not the
 * `X-WC-Webhook-Topic` header, so a captured delivery can be replayed under any topic: the action is
 * decided by what the signed body says, and the topic may only narrow it (never widen it).
 * - A body that is only `{ "id": … }` is what WooCommerce sends for `order.deleted`: `cancel` under
 *   that topic, else `ignore`.
 * - A full order whose `status` ends the order (`cancelled`, `trash`, `refunded`) → `cancel`,
 *   whatever the topic (it only acts on an order the hub has).
 * - Under `order.created`: any other status → `create` (a paid one is routed, an unpaid one held).
 * - Under `order.updated`: a paid status (`processing`, `completed`) → `release`, else `ignore`.
 * - Anything else (`order.deleted` with a live order's body: a replay, `order.restored`, `action.*`,
 *   the `webhook_id=…` ping sent when a webhook is saved) → `ignore`: answered 200.
 *
 * So `{status: "failed"}` replayed as `order.deleted` is ignored, not a cancellation.
 */
export type WooCommerceTopicAction = 'create' | 'release' | 'cancel' | 'ignore';

export function wooCommerceTopicAction(topic: string | undefined, body: unknown): WooCommerceTopicAction {
  if (topic !== 'order.created' && topic !== 'order.updated' && topic !== 'order.deleted') return 'ignore';
  if (isDeletionPayload(body)) return topic === 'order.deleted' ? 'cancel' : 'ignore';
  const status = wooCommercePaymentStatus(body);
  if (status === 'voided' || status === 'refunded') return 'cancel';
  if (topic === 'order.created') return 'create';
  if (topic === 'order.updated' && status === 'paid') return 'release';
  return 'ignore';
}

/** Does the body say the order has ended: a deletion (`{id}` only) or a cancelled, trashed, refunded order? */
export function wooCommerceBodyEndsOrder(body: unknown): boolean {
  const status = wooCommercePaymentStatus(body);
  return isDeletionPayload(body) || status === 'voided' || status === 'refunded';
}

/** WooCommerce's `order.deleted` body: the resource id and nothing else. */
function isDeletionPayload(body: unknown): boolean {
  return isObject(body) && Object.keys(body).length === 1 && Object.hasOwn(body, 'id') && wooCommerceExternalId(body) !== undefined;
}

/** The payment status a WooCommerce order body's `status` means, or undefined when unknown. */
export function wooCommercePaymentStatus(body: unknown): PaymentStatus | undefined {
  const status = field(body, 'status');
  return typeof status === 'string' && Object.hasOwn(WOOCOMMERCE_PAYMENT_STATUS, status)
    ? WOOCOMMERCE_PAYMENT_STATUS[status]
    : undefined;
}

/** The order's id as the hub's externalId, without validating the rest (for cancellations). */
export function wooCommerceExternalId(body: unknown): string | undefined {
  const id = text(field(body, 'id'));
  return typeof id === 'string' ? id : undefined;
}

const HAS_OFFSET = /(Z|[+-]\d\d:\d\d)$/i;

/** WooCommerce writes `date_created_gmt` without a zone ("2017-03-22T19:28:02"): it is UTC. */
function placedAt(body: Record<string, unknown>, draft: OrderDraft): unknown {
  const gmt = body.date_created_gmt;
  if (typeof gmt === 'string' && gmt !== '') {
    draft.from('placedAt', 'date_created_gmt');
    return HAS_OFFSET.test(gmt) ? gmt : `${gmt}Z`;
  }
  const local = body.date_created;
  if (typeof local === 'string' && HAS_OFFSET.test(local)) {
    draft.from('placedAt', 'date_created');
    return local;
  }
  draft.from('placedAt', 'date_created_gmt');
  return gmt;
}

/** WooCommerce's order webhook body → CanonicalOrder, or a ValidationError naming WooCommerce's paths. */
export function wooCommerceToCanonical(body: unknown): CanonicalOrder {
  const draft = new OrderDraft('WooCommerce order');
  if (!isObject(body)) {
    draft.issue('', 'expected a JSON object: the WooCommerce order resource');
    return draft.finish(undefined);
  }

  draft.from('externalId', 'id');
  draft.from('orderNumber', 'number');
  draft.from('currency', 'currency');

  const paymentStatus = wooCommercePaymentStatus(body);
  if (paymentStatus === undefined) {
    draft.issue('status', `unknown order status ${JSON.stringify(body.status)}`);
  }
  draft.from('payment', 'status');
  draft.from('payment.reference', 'transaction_id');

  const billing = body.billing;
  const shipping = body.shipping;
  draft.from('customer', 'billing');
  draft.from('customer.email', 'billing.email');
  draft.from('customer.phone', 'billing.phone');

  if (!isObject(shipping)) draft.issue('shipping', 'required: a dropship order needs a shipping address');
  draft.from('shipTo', 'shipping');
  draft.from('shipTo.name', 'shipping.first_name');
  draft.from('shipTo.address1', 'shipping.address_1');
  draft.from('shipTo.address2', 'shipping.address_2');
  draft.from('shipTo.region', 'shipping.state');
  draft.from('shipTo.postalCode', 'shipping.postcode');

  const shippingLine = Array.isArray(body.shipping_lines) ? body.shipping_lines[0] : undefined;
  draft.from('shipping', 'shipping_lines.0');
  draft.from('shipping.method', 'shipping_lines.0.method_title');
  draft.from('shipping.serviceLevel', 'shipping_lines.0.method_id');

  draft.from('lines', 'line_items');
  const lines = Array.isArray(body.line_items)
    ? body.line_items.map((item: unknown, index) => {
        const at = `line_items.${index}`;
        draft.from(`lines.${index}`, at);
        draft.from(`lines.${index}.lineId`, `${at}.id`);
        draft.from(`lines.${index}.title`, `${at}.name`);
        if (!isObject(item)) return item;
        const sku = text(item.sku);
        if (sku === null) draft.issue(`${at}.sku`, 'required: every line needs a SKU to route it to a supplier');
        let unitPrice: unknown = divideDecimal(item.subtotal, item.quantity);
        draft.from(`lines.${index}.unitPrice`, `${at}.subtotal`);
        if (unitPrice === undefined) {
          const price = money(item.price);
          draft.from(`lines.${index}.unitPrice`, `${at}.price`);
          if (price.issue) draft.issue(`${at}.price`, price.issue);
          unitPrice = price.value;
        }
        return { lineId: text(item.id), sku, title: text(item.name), quantity: item.quantity, unitPrice };
      })
    : body.line_items;

  const order = {
    externalId: text(body.id),
    orderNumber: firstText(body.number, body.id),
    placedAt: placedAt(body, draft),
    currency: body.currency,
    payment: { status: paymentStatus ?? 'pending', reference: text(body.transaction_id) },
    customer: {
      name: fullName(field(billing, 'first_name'), field(billing, 'last_name')) ??
        fullName(field(shipping, 'first_name'), field(shipping, 'last_name')),
      email: text(field(billing, 'email')),
      phone: text(field(billing, 'phone')),
    },
    shipTo: isObject(shipping)
      ? {
          name: fullName(shipping.first_name, shipping.last_name),
          company: text(shipping.company),
          address1: text(shipping.address_1),
          address2: text(shipping.address_2),
          city: text(shipping.city),
          region: text(shipping.state),
          postalCode: text(shipping.postcode),
          country: text(shipping.country),
          phone: firstText(shipping.phone, field(billing, 'phone')),
        }
      : shipping,
    shipping: isObject(shippingLine)
      ? { method: text(shippingLine.method_title), carrier: null, serviceLevel: text(shippingLine.method_id) }
      : null,
    lines,
    notes: text(body.customer_note),
  };
  return draft.finish(order);
}
