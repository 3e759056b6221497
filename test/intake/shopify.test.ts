import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  SHOPIFY_PAYMENT_STATUS,
  shopifyExternalId,
  shopifyToCanonical,
  shopifyTopicAction,
} from '../../src/intake/shopify.ts';
import { issuesOf, pathsOf } from './issues.ts';

type Json = Record<string, any>;
const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/shopify/${name}`, import.meta.url), 'utf8'));
const orderCreate = () => fixture('order-create.json');

describe('Shopify orders/create → canonical order', () => {
  it('maps a realistic webhook body to exactly the expected canonical order', () => {
    expect(shopifyToCanonical(orderCreate())).toEqual(fixture('order-create.canonical.json'));
  });

  it('leaves out lines that do not require shipping (the gift card)', () => {
    const skus = shopifyToCanonical(orderCreate()).lines.map((line) => line.sku);
    expect(skus).toEqual(['ACME-TRUCK-01', 'BLOCKCO-RINGS-7']);
  });

  it('holds an unpaid order: pending → payment pending', () => {
    const body = { ...orderCreate(), financial_status: 'pending' };
    expect(shopifyToCanonical(body).payment.status).toBe('pending');
  });

  it.each(Object.entries(SHOPIFY_PAYMENT_STATUS))('financial_status %s → %s', (status, expected) => {
    expect(shopifyToCanonical({ ...orderCreate(), financial_status: status }).payment.status).toBe(expected);
  });

  it('takes the exact id from admin_graphql_api_id, and a safe numeric id without it', () => {
    const body = { ...orderCreate(), id: 820982911946154500, admin_graphql_api_id: 'gid://shopify/Order/820982911946154508' };
    expect(shopifyToCanonical(body).externalId).toBe('820982911946154508');
    const plain = orderCreate();
    delete plain.admin_graphql_api_id;
    expect(shopifyToCanonical(plain).externalId).toBe('5843391627431');
    expect(shopifyExternalId({ id: 450789469 })).toBe('450789469');
    expect(shopifyExternalId('garbage')).toBeUndefined();
  });

  it('refuses an imprecise id without the GraphQL id', () => {
    const body: Json = { ...orderCreate(), id: 820982911946154500 };
    delete body.admin_graphql_api_id;
    expect(pathsOf(() => shopifyToCanonical(body))).toEqual(['id']);
  });

  it('falls back to the shipping name when customer data is withheld', () => {
    const body = orderCreate();
    delete body.customer;
    body.email = '';
    delete body.contact_email;
    const order = shopifyToCanonical(body);
    expect(order.customer).toEqual({ name: 'Ada Lovelace', email: null, phone: '+1 555 0100' });
  });

  it('converts an exact numeric price and refuses an inexact one', () => {
    const body = orderCreate();
    body.line_items[0].price = 19.99;
    expect(shopifyToCanonical(body).lines[0]?.unitPrice).toBe('19.99');
    body.line_items[0].price = 0.1 + 0.2;
    const issues = issuesOf(() => shopifyToCanonical(body));
    expect(issues).toEqual([{ path: 'line_items.0.price', message: expect.stringMatching(/not an exact amount/) }]);
  });

  it('carries no shipping when there is no shipping line', () => {
    expect(shopifyToCanonical({ ...orderCreate(), shipping_lines: [] }).shipping).toBeNull();
  });
});

describe('bad Shopify bodies name every bad field at its path in the Shopify body', () => {
  it('missing line_items', () => {
    const body = orderCreate();
    delete body.line_items;
    expect(pathsOf(() => shopifyToCanonical(body))).toEqual(['line_items']);
  });

  it('quantity 0, price "1e3", unknown country, missing sku: all at once', () => {
    const body = orderCreate();
    body.line_items[0].quantity = 0;
    body.line_items[1].price = '1e3';
    body.line_items[1].sku = '';
    body.shipping_address.country_code = 'XX';
    const issues = issuesOf(() => shopifyToCanonical(body));
    expect(issues.map((issue) => issue.path).sort()).toEqual([
      'line_items.0.quantity',
      'line_items.1.price',
      'line_items.1.sku',
      'shipping_address.country_code',
    ]);
    expect(issues.find((i) => i.path === 'shipping_address.country_code')?.message).toMatch(/ISO 3166-1/);
  });

  it('names the line by its index in the body even after skipped lines', () => {
    const body = orderCreate();
    body.line_items.unshift({ ...body.line_items[2] });
    body.line_items[2].quantity = -1; // the stacking rings, canonical line 1
    expect(pathsOf(() => shopifyToCanonical(body))).toEqual(['line_items.2.quantity']);
  });

  it('an order of gift cards only has nothing to ship', () => {
    const body = orderCreate();
    body.line_items = [body.line_items[2]];
    expect(pathsOf(() => shopifyToCanonical(body))).toEqual(['line_items']);
  });

  it('a missing shipping address, bad date and unknown financial_status', () => {
    const body = { ...orderCreate(), shipping_address: null, created_at: 'yesterday', financial_status: 'paidish' };
    expect(pathsOf(() => shopifyToCanonical(body)).sort()).toEqual(['created_at', 'financial_status', 'shipping_address']);
  });

  it('a body that is not an object', () => {
    expect(pathsOf(() => shopifyToCanonical([]))).toEqual(['']);
    expect(pathsOf(() => shopifyToCanonical(null))).toEqual(['']);
  });
});

describe('Shopify topics', () => {
  it('maps each topic to what the hub does with it', () => {
    expect(shopifyTopicAction('orders/create')).toBe('create');
    expect(shopifyTopicAction('orders/paid')).toBe('release');
    expect(shopifyTopicAction('orders/cancelled')).toBe('cancel');
    expect(shopifyTopicAction('orders/updated')).toBe('ignore');
    expect(shopifyTopicAction('products/update')).toBe('ignore');
    expect(shopifyTopicAction('constructor')).toBe('ignore');
    expect(shopifyTopicAction(undefined)).toBe('ignore');
  });
});
