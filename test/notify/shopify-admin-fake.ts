import type { RecordedRequest, ScriptedResponse } from '../helpers/http-peer.ts';

/**
 * Just enough of Shopify's Admin GraphQL API, behind a real HTTP server (see test/helpers/http-peer),
 * for the fulfillment client: the `order { fulfillmentOrders }` query and the `fulfillmentCreate`
 * mutation, with Shopify's shapes, remaining quantities and userErrors.
 */
export interface FakeLineItem {
  id: string;
  remainingQuantity: number;
  lineItem: { id: string; sku: string | null };
}

export interface FakeFulfillmentOrder {
  id: string;
  status: string;
  location: string;
  lineItems: FakeLineItem[];
}

export interface ShopifyFake {
  token: string;
  apiVersion: string;
  orders: Map<string, FakeFulfillmentOrder[]>;
  /** The `fulfillment` input of every accepted fulfillmentCreate. */
  fulfillments: unknown[];
  handle(request: RecordedRequest): ScriptedResponse;
}

const cost = { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 } };

interface FulfillmentInput {
  lineItemsByFulfillmentOrder: { fulfillmentOrderId: string; fulfillmentOrderLineItems?: { id: string; quantity: number }[] }[];
  trackingInfo?: { company?: string; numbers?: string[]; urls?: string[] };
  notifyCustomer?: boolean;
}

export function shopifyFake(token = 'shpat_test_token', apiVersion = '2025-10'): ShopifyFake {
  const orders = new Map<string, FakeFulfillmentOrder[]>();
  const fulfillments: unknown[] = [];

  function fulfillmentOrders(orderId: string): ScriptedResponse {
    const fos = orders.get(orderId);
    if (!fos) return { status: 200, body: { data: { order: null }, extensions: { cost } } };
    const nodes = fos.map((fo) => ({
      id: fo.id,
      status: fo.status,
      assignedLocation: { location: { id: fo.location } },
      lineItems: { nodes: fo.lineItems.map((item) => ({ ...item, lineItem: { ...item.lineItem } })) },
    }));
    return { status: 200, body: { data: { order: { id: orderId, fulfillmentOrders: { nodes } } }, extensions: { cost } } };
  }

  function fulfillmentCreate(input: FulfillmentInput): ScriptedResponse {
    const all = [...orders.values()].flat();
    const userErrors: { field: string[]; message: string }[] = [];
    const locations = new Set<string>();
    for (const group of input.lineItemsByFulfillmentOrder) {
      const fo = all.find((candidate) => candidate.id === group.fulfillmentOrderId);
      if (!fo) {
        userErrors.push({ field: ['fulfillment'], message: 'Fulfillment order does not exist.' });
        continue;
      }
      locations.add(fo.location);
      if (fo.status !== 'OPEN' && fo.status !== 'IN_PROGRESS') {
        userErrors.push({ field: ['fulfillment'], message: `Fulfillment order ${fo.id} has an unfulfillable status= ${fo.status.toLowerCase()}.` });
      }
      for (const wanted of group.fulfillmentOrderLineItems ?? []) {
        const item = fo.lineItems.find((candidate) => candidate.id === wanted.id);
        if (!item || wanted.quantity > item.remainingQuantity || wanted.quantity < 1) {
          userErrors.push({ field: ['fulfillment'], message: 'Invalid fulfillment order line item quantity requested.' });
        }
      }
    }
    if (locations.size > 1) {
      userErrors.push({ field: ['fulfillment'], message: 'All fulfillment orders must be assigned to the same location.' });
    }
    if (userErrors.length > 0) {
      return { status: 200, body: { data: { fulfillmentCreate: { fulfillment: null, userErrors } }, extensions: { cost } } };
    }
    for (const group of input.lineItemsByFulfillmentOrder) {
      const fo = all.find((candidate) => candidate.id === group.fulfillmentOrderId)!;
      for (const wanted of group.fulfillmentOrderLineItems ?? []) {
        fo.lineItems.find((candidate) => candidate.id === wanted.id)!.remainingQuantity -= wanted.quantity;
      }
      fo.status = fo.lineItems.every((item) => item.remainingQuantity === 0) ? 'CLOSED' : 'IN_PROGRESS';
    }
    fulfillments.push(input);
    const fulfillment = { id: `gid://shopify/Fulfillment/${9000 + fulfillments.length}`, status: 'SUCCESS' };
    return { status: 200, body: { data: { fulfillmentCreate: { fulfillment, userErrors: [] } }, extensions: { cost } } };
  }

  return {
    token,
    apiVersion,
    orders,
    fulfillments,
    handle(request) {
      if (request.method !== 'POST' || request.url !== `/admin/api/${apiVersion}/graphql.json`) {
        return { status: 404, body: { errors: 'Not Found' } };
      }
      if (request.headers['x-shopify-access-token'] !== token) {
        return { status: 401, body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' } };
      }
      const { query, variables } = JSON.parse(request.body.toString('utf8')) as {
        query: string;
        variables: Record<string, unknown>;
      };
      if (/\bfulfillmentCreate\s*\(/.test(query)) return fulfillmentCreate(variables.fulfillment as FulfillmentInput);
      if (/\bfulfillmentOrders\s*\(/.test(query)) return fulfillmentOrders(variables.id as string);
      return { status: 200, body: { errors: [{ message: 'Unsupported query in the fake', extensions: { code: 'BAD_REQUEST' } }] } };
    },
  };
}
