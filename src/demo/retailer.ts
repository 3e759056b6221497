/**
 * The demo retailer's side: its webhook endpoint (a local HTTP server that checks
 * `X-Hub-Signature-256` on every event the hub sends) and a sandbox of the Shopify Admin GraphQL API
 * (just `order { fulfillmentOrders }` and `fulfillmentCreate`), so that a shipment of a Shopify order
 * becomes a Shopify fulfillment with tracking, which is what makes Shopify email the customer.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedEvent {
  id: string;
  type: string;
  order: { id: string; externalId: string; orderNumber: string; status: string };
  data: Record<string, unknown>;
}

/** The whole body of a request to one of the demo's own servers. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** `sha256=<hex>` of the raw body with the secret, compared in constant time. */
export function verifyHubSignature(raw: Buffer, secret: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface WebhookReceiver {
  url: string;
  events: ReceivedEvent[];
  rejected(): number;
  close(): Promise<void>;
}

/** The retailer's webhook endpoint: 401 for a bad signature, 200 (and `onEvent`) for a good one; each event id once. */
export async function startWebhookReceiver(secret: string, onEvent: (event: ReceivedEvent, duplicate: boolean) => void): Promise<WebhookReceiver> {
  const events: ReceivedEvent[] = [];
  const ids = new Set<string>();
  let rejected = 0;
  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      if (req.method !== 'POST' || !verifyHubSignature(raw, secret, req.headers['x-hub-signature-256'] as string | undefined)) {
        rejected++;
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad signature"}');
        return;
      }
      const event = JSON.parse(raw.toString('utf8')) as ReceivedEvent;
      const duplicate = ids.has(event.id);
      ids.add(event.id);
      if (!duplicate) events.push(event);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      onEvent(event, duplicate);
    });
  });
  const url = `${await listen(server)}/hooks/dropship`;
  return { url, events, rejected: () => rejected, close: () => close(server) };
}

interface SandboxLineItem {
  id: string;
  remainingQuantity: number;
  lineItem: { id: string; sku: string | null };
}

interface SandboxFulfillmentOrder {
  id: string;
  status: string;
  lineItems: SandboxLineItem[];
}

export interface ShopifyFulfillment {
  orderName: string;
  company: string;
  numbers: string[];
  notifyCustomer: boolean;
  items: number;
}

export interface SandboxShopify {
  /** The shop's base URL (what a retailer's `shopifyShopUrl` would be). */
  url: string;
  accessToken: string;
  /** Registers an order the way Shopify would hold it once created: one fulfillment order for its lines. */
  addOrder(order: { id: number; name: string; line_items: { id: number; sku: string; quantity: number }[] }): void;
  fulfillments: ShopifyFulfillment[];
  close(): Promise<void>;
}

/** Just enough of Shopify's Admin GraphQL API for the hub's fulfillment client. */
export async function startSandboxShopify(accessToken: string, apiVersion: string, onFulfillment: (f: ShopifyFulfillment) => void): Promise<SandboxShopify> {
  const orders = new Map<string, { name: string; fulfillmentOrders: SandboxFulfillmentOrder[] }>();
  const fulfillments: ShopifyFulfillment[] = [];
  const reply = (res: import('node:http').ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      if (req.method !== 'POST' || req.url !== `/admin/api/${apiVersion}/graphql.json`) return reply(res, 404, { errors: 'Not Found' });
      if (req.headers['x-shopify-access-token'] !== accessToken) return reply(res, 401, { errors: '[API] Invalid API key or access token' });
      const { query, variables } = JSON.parse(raw.toString('utf8')) as { query: string; variables: Record<string, unknown> };
      if (/\bfulfillmentOrders\s*\(/.test(query) && !/\bfulfillmentCreate\s*\(/.test(query)) {
        const order = orders.get(String(variables.id));
        if (!order) return reply(res, 200, { data: { order: null } });
        const nodes = order.fulfillmentOrders.map((fo) => ({
          id: fo.id,
          status: fo.status,
          assignedLocation: { location: { id: 'gid://shopify/Location/1' } },
          lineItems: { nodes: fo.lineItems.map((item) => ({ ...item, lineItem: { ...item.lineItem } })) },
        }));
        return reply(res, 200, { data: { order: { id: variables.id, fulfillmentOrders: { nodes } } } });
      }
      if (/\bfulfillmentCreate\s*\(/.test(query)) {
        const input = variables.fulfillment as {
          lineItemsByFulfillmentOrder: { fulfillmentOrderId: string; fulfillmentOrderLineItems?: { id: string; quantity: number }[] }[];
          trackingInfo?: { company?: string; numbers?: string[] };
          notifyCustomer?: boolean;
        };
        let orderName = '?';
        let items = 0;
        const userErrors: { field: string[]; message: string }[] = [];
        for (const group of input.lineItemsByFulfillmentOrder) {
          const found = [...orders.values()].find((o) => o.fulfillmentOrders.some((fo) => fo.id === group.fulfillmentOrderId));
          const fo = found?.fulfillmentOrders.find((f) => f.id === group.fulfillmentOrderId);
          if (!found || !fo) {
            userErrors.push({ field: ['fulfillment'], message: 'Fulfillment order does not exist.' });
            continue;
          }
          orderName = found.name;
          for (const wanted of group.fulfillmentOrderLineItems ?? []) {
            const item = fo.lineItems.find((i) => i.id === wanted.id);
            if (!item || wanted.quantity < 1 || wanted.quantity > item.remainingQuantity) {
              userErrors.push({ field: ['fulfillment'], message: 'Invalid fulfillment order line item quantity requested.' });
              continue;
            }
            item.remainingQuantity -= wanted.quantity;
            items += wanted.quantity;
          }
          fo.status = fo.lineItems.every((i) => i.remainingQuantity === 0) ? 'CLOSED' : 'IN_PROGRESS';
        }
        if (userErrors.length) return reply(res, 200, { data: { fulfillmentCreate: { fulfillment: null, userErrors } } });
        const fulfillment: ShopifyFulfillment = {
          orderName,
          company: input.trackingInfo?.company ?? '',
          numbers: input.trackingInfo?.numbers ?? [],
          notifyCustomer: input.notifyCustomer !== false,
          items,
        };
        fulfillments.push(fulfillment);
        onFulfillment(fulfillment);
        return reply(res, 200, {
          data: { fulfillmentCreate: { fulfillment: { id: `gid://shopify/Fulfillment/${7000 + fulfillments.length}`, status: 'SUCCESS' }, userErrors: [] } },
        });
      }
      return reply(res, 200, { errors: [{ message: 'not supported by the demo shop', extensions: { code: 'BAD_REQUEST' } }] });
    });
  });
  const url = await listen(server);
  return {
    url,
    accessToken,
    fulfillments,
    addOrder(order) {
      orders.set(`gid://shopify/Order/${order.id}`, {
        name: order.name,
        fulfillmentOrders: [
          {
            id: `gid://shopify/FulfillmentOrder/${order.id}1`,
            status: 'OPEN',
            lineItems: order.line_items.map((li) => ({
              id: `gid://shopify/FulfillmentOrderLineItem/${li.id}1`,
              remainingQuantity: li.quantity,
              lineItem: { id: `gid://shopify/LineItem/${li.id}`, sku: li.sku },
            })),
          },
        ],
      });
    },
    close: () => close(server),
  };
}
