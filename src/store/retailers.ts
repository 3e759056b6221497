import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ConflictError, ValidationError } from '../errors.ts';
import { shopUrlProblem, storeUrlProblem, webhookUrlProblem } from '../notify/urls.ts';
import { sha256Hex } from './ids.ts';
import type { Database, RetailerRow } from './schema.ts';

export interface NewRetailer {
  id: string;
  name?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  shopifySecret?: string;
  woocommerceSecret?: string;
  shopifyShopUrl?: string;
  shopifyAccessToken?: string;
  /** Stock back to WooCommerce: the store's URL and a REST API key pair with write access. */
  woocommerceUrl?: string;
  woocommerceKey?: string;
  woocommerceSecretKey?: string;
  /** An order number used again under a new external id: `warn` (default) or `refuse`. */
  duplicateOrderNumbers?: 'warn' | 'refuse';
}

export interface CreatedRetailer {
  id: string;
  /** Shown once; only its hash is stored. */
  apiKey: string;
  webhookSecret: string | null;
}

const RETAILER_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export async function createRetailer(db: Kysely<Database>, input: NewRetailer): Promise<CreatedRetailer> {
  if (!RETAILER_ID.test(input.id)) {
    throw new ValidationError('invalid retailer id', [
      { path: 'id', message: 'must be lower-case letters, digits, "-" or "_" (at most 63)' },
    ]);
  }
  const webhookProblem = input.webhookUrl === undefined ? undefined : webhookUrlProblem(input.webhookUrl);
  if (webhookProblem) throw new ValidationError('invalid webhook URL', [{ path: 'webhookUrl', message: webhookProblem }]);
  const shopProblem = input.shopifyShopUrl === undefined ? undefined : shopUrlProblem(input.shopifyShopUrl);
  if (shopProblem) throw new ValidationError('invalid Shopify shop URL', [{ path: 'shopifyShopUrl', message: shopProblem }]);
  const wooProblem = input.woocommerceUrl === undefined ? undefined : storeUrlProblem(input.woocommerceUrl);
  if (wooProblem) throw new ValidationError('invalid WooCommerce URL', [{ path: 'woocommerceUrl', message: wooProblem }]);
  const woo = [input.woocommerceUrl, input.woocommerceKey, input.woocommerceSecretKey].filter((v) => v !== undefined).length;
  if (woo !== 0 && woo !== 3) {
    throw new ValidationError('incomplete WooCommerce settings', [
      { path: 'woocommerceUrl', message: 'give the URL, the key and the secret key together (--woocommerce-url, --woocommerce-key, --woocommerce-secret-key)' },
    ]);
  }
  const apiKey = `hub_${randomBytes(24).toString('base64url')}`;
  const webhookSecret = input.webhookUrl ? (input.webhookSecret ?? randomBytes(24).toString('base64url')) : (input.webhookSecret ?? null);
  const inserted = await db
    .insertInto('retailers')
    .values({
      id: input.id,
      name: input.name ?? input.id,
      api_key_hash: sha256Hex(apiKey),
      webhook_url: input.webhookUrl ?? null,
      webhook_secret: webhookSecret,
      shopify_secret: input.shopifySecret ?? null,
      woocommerce_secret: input.woocommerceSecret ?? null,
      shopify_shop_url: input.shopifyShopUrl ?? null,
      shopify_access_token: input.shopifyAccessToken ?? null,
      ...(woo ? { woocommerce_url: input.woocommerceUrl!, woocommerce_key: input.woocommerceKey!, woocommerce_secret_key: input.woocommerceSecretKey! } : {}),
      ...(input.duplicateOrderNumbers ? { duplicate_order_numbers: input.duplicateOrderNumbers } : {}),
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) throw new ConflictError(`retailer ${input.id} exists already`);
  return { id: input.id, apiKey, webhookSecret };
}

/** The retailer a presented API key belongs to. Keys are compared by their SHA-256 only. */
export async function retailerByApiKey(db: Kysely<Database>, apiKey: string): Promise<RetailerRow | undefined> {
  return db.selectFrom('retailers').selectAll().where('api_key_hash', '=', sha256Hex(apiKey)).executeTakeFirst();
}

export async function retailerById(db: Kysely<Database>, id: string): Promise<RetailerRow | undefined> {
  return db.selectFrom('retailers').selectAll().where('id', '=', id).executeTakeFirst();
}
