import type { CanonicalOrder } from '../canonical/order.ts';
import { parseCanonicalOrder } from './canonical.ts';
import { shopifyToCanonical } from './shopify.ts';
import { wooCommerceToCanonical } from './woocommerce.ts';

export { parseCanonicalOrder } from './canonical.ts';
export { shopifyToCanonical, shopifyExternalId, shopifyTopicAction, type ShopifyTopicAction } from './shopify.ts';
export {
  wooCommerceToCanonical,
  wooCommerceExternalId,
  wooCommercePaymentStatus,
  wooCommerceTopicAction,
  type WooCommerceTopicAction,
} from './woocommerce.ts';
export { verifyShopifyHmac, verifyWooCommerceSignature, signHubPayload, verifyHubSignature } from './signatures.ts';

export type IntakeSource = 'api' | 'shopify' | 'woocommerce';

/**
 * One adapter per way an order comes in: a parsed JSON body → a CanonicalOrder, or a
 * ValidationError naming every bad field at its path in that body. Pure: no I/O, no clock.
 *
 * @example
 *   const order = intakeAdapters.shopify(JSON.parse(rawBody.toString('utf8')));
 */
export const intakeAdapters: Readonly<Record<IntakeSource, (body: unknown) => CanonicalOrder>> = {
  api: parseCanonicalOrder,
  shopify: shopifyToCanonical,
  woocommerce: wooCommerceToCanonical,
};
