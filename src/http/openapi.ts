import { z } from 'zod';
import { CanonicalOrder } from '../canonical/order.ts';
import { ORDER_STATES } from '../canonical/states.ts';

const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

function schema(s: z.ZodType) {
  return z.toJSONSchema(s, { target: 'openapi-3.0', unrepresentable: 'any', io: 'input' });
}

const json = (ref: string) => ({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const errors = {
  400: { description: 'Validation failed: every bad field is listed by path', ...json('Error') },
  401: { description: 'Missing or invalid credentials / signature', ...json('Error') },
  404: { description: 'Not found (also: another retailer\'s order)', ...json('Error') },
  409: { description: 'Conflict', ...json('Error') },
  413: { description: 'Body over 1 MiB', ...json('Error') },
  415: { description: 'Content-Type is not JSON', ...json('Error') },
};
const bearer = [{ apiKey: [] }];
const admin = [{ adminToken: [] }];

/** GET /openapi.json: built from the same zod schemas that validate the requests. */
export function openApiDocument() {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Dropship hub API',
      version: '1',
      description: 'Retailer order intake, store webhooks, supplier document push, operator routes.',
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'A retailer API key from `hub retailers create`' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'HUB_ADMIN_TOKEN' },
        supplierToken: { type: 'http', scheme: 'bearer', description: "The supplier's transport.inboundToken" },
      },
      schemas: {
        CanonicalOrder: schema(CanonicalOrder),
        Error: schema(ErrorBody),
        OrderStatus: { type: 'string', enum: [...ORDER_STATES] },
        Order: {
          type: 'object',
          description: 'The stored order with purchaseOrders, documents, shipments, timeline and routing',
          properties: { routing: { type: 'array', items: { $ref: '#/components/schemas/RoutingLine' } } },
        },
        RoutingLine: {
          type: 'object',
          description: 'Why one order line went where it went: its latest routing decision (docs/routing.md, "The explanation")',
          required: ['lineId', 'sku', 'supplier', 'reason', 'candidates'],
          properties: {
            lineId: { type: 'string' },
            sku: { type: 'string' },
            quantity: { type: 'integer' },
            status: { type: 'string', enum: ['allocated', 'held', 'unfillable'] },
            supplier: { type: 'string', nullable: true, description: 'Who ships it (the first of several when split); null when nobody does now' },
            allocations: {
              type: 'array',
              items: { type: 'object', properties: { supplier: { type: 'string' }, supplierSku: { type: 'string' }, quantity: { type: 'integer' } } },
            },
            reason: { type: 'string', description: 'One plain sentence' },
            candidates: {
              type: 'array',
              items: {
                type: 'object',
                required: ['supplier', 'available', 'stockAt', 'cost', 'landedCost', 'skipped'],
                properties: {
                  supplier: { type: 'string' },
                  supplierSku: { type: 'string' },
                  available: { type: 'integer', nullable: true, description: "The supplier's last stock figure; null: none" },
                  reserved: { type: 'integer', nullable: true },
                  buffer: { type: 'integer' },
                  usable: { type: 'integer', nullable: true, description: 'available − reserved − buffer; null when unknown (none, or older than stockMaxAge)' },
                  stockAt: { type: 'string', nullable: true, format: 'date-time', description: "The stock figure's own timestamp" },
                  cost: { type: 'string', nullable: true, description: 'Unit cost, a decimal string' },
                  landedCost: { type: 'string', nullable: true, description: 'quantity × cost + the supplier\'s shippingFee' },
                  priority: { type: 'integer', nullable: true },
                  leadTimeDays: { type: 'integer', nullable: true },
                  quantity: { type: 'integer', description: 'How much of the line it ships' },
                  skipped: { type: 'string', nullable: true, description: 'Why it was left out; null when it was ranked' },
                },
              },
            },
          },
        },
      },
    },
    paths: {
      '/v1/orders': {
        post: {
          summary: 'Submit a canonical order (idempotent by externalId)',
          security: bearer,
          requestBody: { required: true, ...json('CanonicalOrder') },
          responses: { 201: { description: 'Stored', ...json('Order') }, 200: { description: 'Same order again', ...json('Order') }, ...errors },
        },
        get: {
          summary: "List the caller's orders",
          security: bearer,
          parameters: [
            { name: 'externalId', in: 'query', schema: { type: 'string' } },
            { name: 'status', in: 'query', schema: { $ref: '#/components/schemas/OrderStatus' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 500 } },
          ],
          responses: { 200: { description: 'Orders' }, 400: errors[400], 401: errors[401] },
        },
      },
      '/v1/orders/{id}': {
        get: {
          summary: 'An order with its purchase orders, documents, shipments, timeline and routing explanation',
          security: bearer,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: { description: 'The order', ...json('Order') }, 401: errors[401], 404: errors[404] },
        },
      },
      '/v1/orders/{id}/cancel': {
        post: {
          summary: 'Cancel an order (sent purchase orders get the supplier\'s cancellation)',
          security: bearer,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: { description: 'Cancelled', ...json('Order') }, 401: errors[401], 404: errors[404], 409: errors[409] },
        },
      },
      '/v1/webhooks/shopify/{retailerId}': {
        post: {
          summary: "Shopify's order webhook (orders/create, orders/paid, orders/cancelled); X-Shopify-Hmac-Sha256 checked",
          parameters: [
            { name: 'retailerId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'X-Shopify-Hmac-Sha256', in: 'header', required: true, schema: { type: 'string' } },
            { name: 'X-Shopify-Topic', in: 'header', required: true, schema: { type: 'string' } },
            { name: 'X-Shopify-Webhook-Id', in: 'header', schema: { type: 'string' } },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: { 201: { description: 'Order stored' }, 200: { description: 'Redelivery, payment, cancellation or ignored topic' }, ...errors },
        },
      },
      '/v1/webhooks/woocommerce/{retailerId}': {
        post: {
          summary: "WooCommerce's order webhook; X-WC-Webhook-Signature checked",
          parameters: [
            { name: 'retailerId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'X-WC-Webhook-Signature', in: 'header', required: true, schema: { type: 'string' } },
            { name: 'X-WC-Webhook-Topic', in: 'header', schema: { type: 'string' } },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: { 201: { description: 'Order stored' }, 200: { description: 'Redelivery, payment, cancellation or ignored' }, ...errors },
        },
      },
      '/v1/suppliers/{supplierId}/documents': {
        post: {
          summary: 'A supplier pushes an 856/855/997/810/846, a tracking CSV/XML or JSON; applied exactly once',
          security: [{ supplierToken: [] }],
          parameters: [
            { name: 'supplierId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'X-Filename', in: 'header', schema: { type: 'string' }, description: 'The file name, to pick the mapping\'s inbound rule' },
          ],
          requestBody: { required: true, content: { 'application/edi-x12': {}, 'text/csv': {}, 'application/xml': {}, 'application/json': {} } },
          responses: { 200: { description: 'Applied, or recognised as a duplicate' }, 422: { description: 'Quarantined: could not be parsed or matched', ...json('Error') }, ...errors },
        },
      },
      '/v1/as2': {
        post: {
          summary: 'AS2 (RFC 4130): a partner\'s signed and encrypted message, answered with a signed MDN (in the response, or posted to its Receipt-Delivery-Option); or its asynchronous MDN for a message the hub sent',
          parameters: ['AS2-From', 'AS2-To', 'Message-ID', 'Content-Type'].map((name) => ({ name, in: 'header', required: true, schema: { type: 'string' } }))
            .concat(['Disposition-Notification-To', 'Disposition-Notification-Options', 'Receipt-Delivery-Option', 'Content-Transfer-Encoding'].map((name) => ({ name, in: 'header', required: false, schema: { type: 'string' } }))),
          requestBody: { required: true, content: { 'application/pkcs7-mime': {}, 'multipart/signed': {} } },
          responses: {
            200: { description: 'A signed MDN (multipart/signed; multipart/report), positive or negative; or text/plain when the MDN goes asynchronously or none was asked for' },
            403: { description: 'Unknown partner (AS2 ids), or a refused message that asked for no MDN', ...json('Error') },
            404: { description: 'An MDN for a message the hub did not send to this partner', ...json('Error') },
            ...Object.fromEntries(Object.entries(errors).filter(([status]) => status !== '403' && status !== '404')),
          },
        },
      },
      '/v1/admin/documents': {
        get: {
          summary: 'Every document in and out, with state and errors',
          security: admin,
          parameters: ['status', 'direction', 'supplier', 'order', 'limit'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
          responses: { 200: { description: 'Documents' }, 401: errors[401] },
        },
      },
      '/v1/admin/documents/{id}': {
        get: { summary: 'One document with its raw content', security: admin, parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'The document' }, 401: errors[401], 404: errors[404] } },
      },
      '/v1/admin/documents/{id}/retry': {
        post: { summary: 'Send a failed outbound document again, or re-apply a quarantined inbound one', security: admin, parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'New status' }, 401: errors[401], 404: errors[404], 409: errors[409] } },
      },
      '/v1/admin/orders/{id}/reroute': {
        post: { summary: 'Route again an order that could not be routed (after a mapping fix)', security: admin, parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'Back to received' }, 401: errors[401], 404: errors[404], 409: errors[409] } },
      },
      '/v1/admin/documents/{id}/raw': {
        get: { summary: "One document's raw bytes", security: admin, parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'The bytes, as text/plain' }, 401: errors[401], 404: errors[404] } },
      },
      '/v1/admin/mailbox/audit': {
        get: {
          summary: "The SFTP mailbox's audit log, newest first: logins, failures, lockouts, uploads, downloads, removals, refused paths",
          security: admin,
          parameters: [
            { name: 'supplier', in: 'query', schema: { type: 'string' } },
            { name: 'event', in: 'query', schema: { type: 'string' } },
            { name: 'before', in: 'query', description: 'entries older than this id (paging)', schema: { type: 'integer' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', default: 100, maximum: 1000 } },
          ],
          responses: { 200: { description: 'Audit entries' }, 400: errors[400], 401: errors[401] },
        },
      },
      '/v1/admin/mailbox/lockouts': {
        get: { summary: 'Mailbox logins locked out now (per user and address, per address)', security: admin, responses: { 200: { description: 'Lockouts' }, 401: errors[401] } },
      },
      '/v1/admin/overdue': {
        get: { summary: 'Purchase orders whose expected 997 / 855 / 856 is overdue', security: admin, responses: { 200: { description: 'Overdue list' }, 401: errors[401] } },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { 200: { description: 'Alive' } } } },
      '/readyz': { get: { summary: 'Readiness: database reachable, mappings loaded', responses: { 200: { description: 'Ready' }, 503: { description: 'Not ready' } } } },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'Prometheus text' } } } },
    },
  };
}
