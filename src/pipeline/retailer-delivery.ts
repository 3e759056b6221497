import { HubError, TransportError } from '../errors.ts';
import type { Hub } from '../hub.ts';
import { HubEvent } from '../notify/events.ts';
import { createShopifyAdminClient, type FulfillmentRequest } from '../notify/shopify-admin.ts';
import { deliverWebhook } from '../notify/webhook.ts';
import type { DocumentRow } from '../store/schema.ts';

/**
 * Delivers an outbox document addressed to a retailer: a signed webhook event, or a Shopify
 * fulfillment through the Admin GraphQL API. Credentials are read at send time, so a rotated secret
 * applies to retries too.
 */
export async function deliverToRetailer(hub: Hub, doc: DocumentRow, content: Buffer): Promise<unknown> {
  const retailer = await hub.store.db.selectFrom('retailers').selectAll().where('id', '=', doc.retailer_id!).executeTakeFirst();
  if (!retailer) throw new HubError('not_found', `retailer ${doc.retailer_id} not found`);
  const body = JSON.parse(content.toString('utf8')) as unknown;
  switch (doc.kind) {
    case 'event': {
      if (!retailer.webhook_url || !retailer.webhook_secret) {
        throw new TransportError('transport_rejected', `retailer ${retailer.id} has no webhook URL or secret`);
      }
      const receipt = await deliverWebhook(retailer.webhook_url, retailer.webhook_secret, HubEvent.parse(body));
      return { status: receipt.status, responseBody: receipt.responseBody, durationMs: receipt.durationMs };
    }
    case 'shopify_fulfillment': {
      if (!retailer.shopify_shop_url || !retailer.shopify_access_token) {
        throw new TransportError('transport_rejected', `retailer ${retailer.id} has no Shopify Admin API credentials`);
      }
      const client = createShopifyAdminClient({
        baseUrl: retailer.shopify_shop_url,
        accessToken: retailer.shopify_access_token,
        apiVersion: hub.shopifyApiVersion,
      });
      const created = await client.createFulfillment(body as FulfillmentRequest);
      return { fulfillments: created.fulfillments, unmatched: created.plan.unmatched };
    }
    default:
      throw new HubError('internal', `document ${doc.id} of kind ${doc.kind} is not for a retailer`);
  }
}
