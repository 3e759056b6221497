import { TransportError } from '../errors.ts';
import { errorForNetwork, errorForStatus, excerpt, type HttpFailureDetails } from './http-failure.ts';

/**
 * The Shopify Admin GraphQL client the hub uses to tell a Shopify store that (part of) an order has
 * shipped: it creates a fulfillment with tracking on the order's fulfillment orders, and Shopify then
 * emails the customer. Only the fulfillment-order API (`fulfillmentCreate`); never the legacy REST
 * fulfillment resource.
 *
 * It does not retry or sleep: it throws TransportErrors for the outbox to act on.
 * - HTTP 429 or a GraphQL `THROTTLED` error: retryable, `details.retryAfterMs` from `Retry-After` or
 *   from the cost extension (`(requestedQueryCost - currentlyAvailable) / restoreRate` seconds).
 * - `userErrors` from the mutation, an unknown order, or lines that are not on the order at all:
 *   permanent `transport_rejected`.
 * - 401/403 or `ACCESS_DENIED`: permanent `transport_auth_failed` (token or scopes).
 * - 5xx, `INTERNAL_SERVER_ERROR`, no answer: retryable.
 *
 * Creating a fulfillment is safe to repeat: quantities are planned against each line's
 * `remainingQuantity`, so a retry after a lost answer finds nothing left and returns no fulfillment
 * instead of shipping twice.
 *
 * @example
 *   const shopify = createShopifyAdminClient({ baseUrl: `https://${shop}.myshopify.com`, accessToken });
 *   await shopify.createFulfillment({
 *     orderId: '5843391627431',
 *     lines: [{ lineItemId: '14923185619111', quantity: 1 }],
 *     tracking: { company: 'UPS', numbers: ['1Z999AA10123456784'], urls: [] },
 *   });
 */

export const DEFAULT_SHOPIFY_API_VERSION = '2025-10';

export interface ShopifyAdminConfig {
  /** `https://{shop}.myshopify.com`, or a local server in tests. */
  baseUrl: string;
  /** The Admin API access token (`shpat_…`), sent as `X-Shopify-Access-Token`. */
  accessToken: string;
  /** Default {@link DEFAULT_SHOPIFY_API_VERSION}. */
  apiVersion?: string;
  /** Per request; default 15 s. */
  timeoutMs?: number;
}

export interface FulfillmentOrderLineItem {
  /** `gid://shopify/FulfillmentOrderLineItem/…` */
  id: string;
  remainingQuantity: number;
  /** The order's line item: `gid://shopify/LineItem/…` */
  lineItemId: string;
  sku: string | null;
}

export interface FulfillmentOrder {
  /** `gid://shopify/FulfillmentOrder/…` */
  id: string;
  /** OPEN, IN_PROGRESS, ON_HOLD, SCHEDULED, INCOMPLETE, CLOSED, CANCELLED. */
  status: string;
  /** `fulfillmentCreate` takes fulfillment orders of one location at a time. */
  locationId: string | null;
  lineItems: FulfillmentOrderLineItem[];
}

/** One shipped line: matched by the order's line item id (numeric or gid) when given, else by SKU. */
export interface ShippedLine {
  lineItemId?: string | null;
  sku?: string | null;
  quantity: number;
}

export interface FulfillmentRequest {
  /** The Shopify order id: numeric ("5843391627431", the hub's externalId) or its gid. */
  orderId: string;
  lines: ShippedLine[];
  tracking: { company: string; numbers: string[]; urls?: string[] };
  /** Shopify emails the customer. Default true. */
  notifyCustomer?: boolean;
}

export interface PlannedFulfillment {
  locationId: string | null;
  lineItemsByFulfillmentOrder: { fulfillmentOrderId: string; fulfillmentOrderLineItems: { id: string; quantity: number }[] }[];
}

export interface UnmatchedLine {
  line: ShippedLine;
  /** How much of the line could not be placed. */
  quantity: number;
  /** `not_on_order`: no fulfillable line item has this id/SKU; `nothing_remaining`: already fulfilled. */
  reason: 'not_on_order' | 'nothing_remaining';
}

export interface FulfillmentPlan {
  fulfillments: PlannedFulfillment[];
  unmatched: UnmatchedLine[];
}

export interface CreatedFulfillment {
  /** One per location; empty when nothing was left to fulfil (a repeat). */
  fulfillments: { id: string; status: string }[];
  plan: FulfillmentPlan;
}

export interface ShopifyAdminClient {
  fulfillmentOrdersForOrder(orderId: string): Promise<FulfillmentOrder[]>;
  createFulfillment(request: FulfillmentRequest): Promise<CreatedFulfillment>;
  /** One GraphQL operation, with this client's auth and error mapping (stock push: src/notify/store-stock.ts). */
  graphql(operation: string, query: string, variables: Record<string, unknown>): Promise<unknown>;
}

const FULFILLABLE = new Set(['OPEN', 'IN_PROGRESS']);

const FULFILLMENT_ORDERS_QUERY = `query FulfillmentOrdersForOrder($id: ID!) {
  order(id: $id) {
    id
    fulfillmentOrders(first: 50) {
      nodes {
        id
        status
        assignedLocation { location { id } }
        lineItems(first: 250) {
          nodes { id remainingQuantity lineItem { id sku } }
        }
      }
    }
  }
}`;

const FULFILLMENT_CREATE_MUTATION = `mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}`;

/** "5843391627431" or "gid://shopify/Order/5843391627431" → the gid. */
export function shopifyGid(type: 'Order' | 'LineItem', id: string): string {
  return id.startsWith('gid://') ? id : `gid://shopify/${type}/${id}`;
}

/** The numeric tail of a gid, or the id itself. */
function numericId(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1);
}

/**
 * Places shipped lines onto fulfillment-order line items: by line item id (else SKU), never more than
 * each item's `remainingQuantity`, spilling over several fulfillment orders where a line is split,
 * and grouped by location (one `fulfillmentCreate` each). Pure.
 */
export function planFulfillment(fulfillmentOrders: readonly FulfillmentOrder[], lines: readonly ShippedLine[]): FulfillmentPlan {
  const open = fulfillmentOrders.filter((fo) => FULFILLABLE.has(fo.status));
  const taken = new Map<string, number>();
  const byFulfillmentOrder = new Map<string, Map<string, number>>();
  const unmatched: UnmatchedLine[] = [];

  for (const line of lines) {
    const wantedId = line.lineItemId ? numericId(line.lineItemId) : undefined;
    const matches = (item: FulfillmentOrderLineItem) =>
      wantedId !== undefined ? numericId(item.lineItemId) === wantedId : !!line.sku && item.sku === line.sku;
    let left = line.quantity;
    let seen = false;
    for (const fo of open) {
      for (const item of fo.lineItems) {
        if (left <= 0 || !matches(item)) continue;
        seen = true;
        const available = item.remainingQuantity - (taken.get(item.id) ?? 0);
        const quantity = Math.min(left, available);
        if (quantity <= 0) continue;
        taken.set(item.id, (taken.get(item.id) ?? 0) + quantity);
        const items = byFulfillmentOrder.get(fo.id) ?? new Map<string, number>();
        items.set(item.id, (items.get(item.id) ?? 0) + quantity);
        byFulfillmentOrder.set(fo.id, items);
        left -= quantity;
      }
    }
    if (left > 0) unmatched.push({ line, quantity: left, reason: seen ? 'nothing_remaining' : 'not_on_order' });
  }

  const byLocation = new Map<string | null, PlannedFulfillment>();
  for (const fo of open) {
    const items = byFulfillmentOrder.get(fo.id);
    if (!items) continue;
    const group = byLocation.get(fo.locationId) ?? { locationId: fo.locationId, lineItemsByFulfillmentOrder: [] };
    group.lineItemsByFulfillmentOrder.push({
      fulfillmentOrderId: fo.id,
      fulfillmentOrderLineItems: [...items].map(([id, quantity]) => ({ id, quantity })),
    });
    byLocation.set(fo.locationId, group);
  }
  return { fulfillments: [...byLocation.values()], unmatched };
}

interface GraphqlError {
  message?: string;
  extensions?: { code?: string };
}

export interface GraphqlResponse {
  data?: unknown;
  errors?: GraphqlError[];
  extensions?: {
    cost?: {
      requestedQueryCost?: number;
      throttleStatus?: { currentlyAvailable?: number; restoreRate?: number };
    };
  };
}

/** How long until the bucket holds the requested cost again, per Shopify's cost extension. */
export function throttleDelayMs(response: GraphqlResponse): number {
  const cost = response.extensions?.cost;
  const requested = cost?.requestedQueryCost;
  const available = cost?.throttleStatus?.currentlyAvailable;
  const restoreRate = cost?.throttleStatus?.restoreRate;
  if (typeof requested !== 'number' || typeof available !== 'number' || typeof restoreRate !== 'number' || restoreRate <= 0) {
    return 1000;
  }
  return Math.max(1000, Math.ceil((Math.max(0, requested - available) / restoreRate) * 1000));
}

function asGraphqlResponse(value: unknown): GraphqlResponse | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as GraphqlResponse) : undefined;
}

export function createShopifyAdminClient(config: ShopifyAdminConfig): ShopifyAdminClient {
  const version = config.apiVersion ?? DEFAULT_SHOPIFY_API_VERSION;
  const endpoint = `${config.baseUrl.replace(/\/+$/, '')}/admin/api/${version}/graphql.json`;
  const timeoutMs = config.timeoutMs ?? 15_000;

  async function graphql(operation: string, query: string, variables: Record<string, unknown>): Promise<unknown> {
    const what = `Shopify ${operation}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'x-shopify-access-token': config.accessToken,
        },
        body: JSON.stringify({ query, variables }),
      });
      text = await response.text();
    } catch (error) {
      throw errorForNetwork(what, endpoint, error, timeoutMs);
    }

    let parsed: GraphqlResponse | undefined;
    try {
      parsed = asGraphqlResponse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (response.status === 429 && !response.headers.has('retry-after') && parsed) {
      throw throttled(what, parsed);
    }
    if (response.status < 200 || response.status > 299) {
      throw errorForStatus(what, response, { url: endpoint, body: text });
    }
    if (!parsed) {
      throw new TransportError('transport_failed', `${what}: the answer is not JSON`, {
        details: { url: endpoint, status: response.status, body: excerpt(text) } satisfies HttpFailureDetails,
        retryable: true,
      });
    }
    const errors = Array.isArray(parsed.errors) ? parsed.errors : [];
    if (errors.length > 0) {
      const codes = errors.map((e) => e.extensions?.code);
      const messages = errors.map((e) => e.message ?? 'unknown error').join('; ');
      if (codes.includes('THROTTLED')) throw throttled(what, parsed);
      const details = { url: endpoint, status: response.status, errors };
      if (codes.includes('ACCESS_DENIED')) {
        throw new TransportError('transport_auth_failed', `${what}: ${messages} (check the token's scopes)`, { details });
      }
      if (codes.includes('INTERNAL_SERVER_ERROR')) {
        throw new TransportError('transport_failed', `${what}: ${messages}`, { details, retryable: true });
      }
      throw new TransportError('transport_rejected', `${what}: ${messages}`, { details });
    }
    return parsed.data;
  }

  function throttled(what: string, response: GraphqlResponse): TransportError {
    const details: HttpFailureDetails = { url: endpoint, retryAfterMs: throttleDelayMs(response) };
    return new TransportError('transport_failed', `${what}: throttled by Shopify`, { details, retryable: true });
  }

  async function fulfillmentOrdersForOrder(orderId: string): Promise<FulfillmentOrder[]> {
    const gid = shopifyGid('Order', orderId);
    const data = (await graphql('fulfillmentOrders', FULFILLMENT_ORDERS_QUERY, { id: gid })) as {
      order?: {
        fulfillmentOrders?: {
          nodes?: {
            id: string;
            status: string;
            assignedLocation?: { location?: { id?: string } | null } | null;
            lineItems?: { nodes?: { id: string; remainingQuantity: number; lineItem?: { id: string; sku?: string | null } }[] };
          }[];
        };
      } | null;
    } | null;
    if (!data?.order) {
      throw new TransportError('transport_rejected', `Shopify order ${gid} not found`, { details: { url: endpoint, orderId: gid } });
    }
    return (data.order.fulfillmentOrders?.nodes ?? []).map((fo) => ({
      id: fo.id,
      status: fo.status,
      locationId: fo.assignedLocation?.location?.id ?? null,
      lineItems: (fo.lineItems?.nodes ?? []).map((item) => ({
        id: item.id,
        remainingQuantity: item.remainingQuantity,
        lineItemId: item.lineItem?.id ?? '',
        sku: item.lineItem?.sku ?? null,
      })),
    }));
  }

  async function createFulfillment(request: FulfillmentRequest): Promise<CreatedFulfillment> {
    const plan = planFulfillment(await fulfillmentOrdersForOrder(request.orderId), request.lines);
    const notOnOrder = plan.unmatched.filter((u) => u.reason === 'not_on_order');
    if (plan.fulfillments.length === 0 && notOnOrder.length > 0) {
      const which = notOnOrder.map((u) => u.line.lineItemId ?? u.line.sku ?? '?').join(', ');
      throw new TransportError('transport_rejected', `Shopify order ${request.orderId}: no open line item for ${which}`, {
        details: { url: endpoint, unmatched: plan.unmatched },
      });
    }
    const urls = request.tracking.urls ?? [];
    const created: CreatedFulfillment['fulfillments'] = [];
    for (const planned of plan.fulfillments) {
      const fulfillment = {
        lineItemsByFulfillmentOrder: planned.lineItemsByFulfillmentOrder,
        trackingInfo: {
          company: request.tracking.company,
          numbers: request.tracking.numbers,
          // Without URLs Shopify builds its own for the companies it knows.
          ...(urls.length > 0 ? { urls } : {}),
        },
        notifyCustomer: request.notifyCustomer ?? true,
      };
      const data = (await graphql('fulfillmentCreate', FULFILLMENT_CREATE_MUTATION, { fulfillment })) as {
        fulfillmentCreate?: {
          fulfillment?: { id: string; status: string } | null;
          userErrors?: { field?: string[] | null; message: string }[];
        } | null;
      } | null;
      const result = data?.fulfillmentCreate;
      const userErrors = result?.userErrors ?? [];
      if (userErrors.length > 0 || !result?.fulfillment) {
        const messages = userErrors.map((e) => (e.field?.length ? `${e.field.join('.')}: ${e.message}` : e.message));
        throw new TransportError(
          'transport_rejected',
          `Shopify fulfillmentCreate refused: ${messages.join('; ') || 'no fulfillment returned'}`,
          { details: { url: endpoint, userErrors, fulfillment } },
        );
      }
      created.push({ id: result.fulfillment.id, status: result.fulfillment.status });
    }
    return { fulfillments: created, plan };
  }

  return { fulfillmentOrdersForOrder, createFulfillment, graphql };
}
