import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  WOOCOMMERCE_PAYMENT_STATUS,
  wooCommerceExternalId,
  wooCommerceToCanonical,
  wooCommerceTopicAction,
} from '../../src/intake/woocommerce.ts';
import { issuesOf, pathsOf } from './issues.ts';

type Json = Record<string, any>;
const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/woocommerce/${name}`, import.meta.url), 'utf8'));
const orderCreated = () => fixture('order-created.json');

describe('WooCommerce order.created → canonical order', () => {
  it('maps a realistic webhook body to exactly the expected canonical order', () => {
    expect(wooCommerceToCanonical(orderCreated())).toEqual(fixture('order-created.canonical.json'));
  });

  it('holds an unpaid order: on-hold and pending → payment pending', () => {
    expect(wooCommerceToCanonical({ ...orderCreated(), status: 'on-hold' }).payment.status).toBe('pending');
    expect(wooCommerceToCanonical({ ...orderCreated(), status: 'pending' }).payment.status).toBe('pending');
  });

  it.each(Object.entries(WOOCOMMERCE_PAYMENT_STATUS))('status %s → %s', (status, expected) => {
    expect(wooCommerceToCanonical({ ...orderCreated(), status }).payment.status).toBe(expected);
  });

  it('computes the unit price from subtotal / quantity, not the float price', () => {
    const body = orderCreated();
    body.line_items[1] = { ...body.line_items[1], quantity: 3, subtotal: '10.00', price: 3.3333333333333335 };
    expect(wooCommerceToCanonical(body).lines[1]?.unitPrice).toBe('3.3333');
  });

  it('falls back to an exact price when subtotal is missing, and refuses an inexact one', () => {
    const body = orderCreated();
    delete body.line_items[0].subtotal;
    expect(wooCommerceToCanonical(body).lines[0]?.unitPrice).toBe('17.99');
    body.line_items[0].price = 17.990000000000002;
    expect(pathsOf(() => wooCommerceToCanonical(body))).toEqual(['line_items.0.price']);
  });

  it('reads date_created_gmt as UTC, and date_created only with an offset', () => {
    const body = orderCreated();
    delete body.date_created_gmt;
    expect(pathsOf(() => wooCommerceToCanonical(body))).toEqual(['date_created_gmt']);
    body.date_created = '2026-11-26T04:00:00-06:00';
    expect(wooCommerceToCanonical(body).placedAt).toBe('2026-11-26T04:00:00-06:00');
  });

  it('uses the billing phone when the shipping phone is empty', () => {
    expect(wooCommerceToCanonical(orderCreated()).shipTo.phone).toBe('(555) 555-0142');
  });
});

describe('bad WooCommerce bodies name every bad field at its path in the WooCommerce body', () => {
  it('missing line_items', () => {
    const body = orderCreated();
    delete body.line_items;
    expect(pathsOf(() => wooCommerceToCanonical(body))).toEqual(['line_items']);
  });

  it('quantity 0, price "1e3", unknown country, missing sku: all at once', () => {
    const body = orderCreated();
    body.line_items[0].quantity = 0;
    delete body.line_items[1].subtotal;
    body.line_items[1].price = '1e3';
    body.line_items[1].sku = '';
    body.shipping.country = 'Narnia';
    const issues = issuesOf(() => wooCommerceToCanonical(body));
    expect(issues.map((issue) => issue.path).sort()).toEqual([
      'line_items.0.quantity',
      'line_items.1.price',
      'line_items.1.sku',
      'shipping.country',
    ]);
  });

  it('an unknown status, an empty street and a bad email', () => {
    const body = orderCreated();
    body.status = 'shipped-by-plugin';
    body.shipping.address_1 = '';
    body.billing.email = 'not-an-email';
    expect(pathsOf(() => wooCommerceToCanonical(body)).sort()).toEqual(['billing.email', 'shipping.address_1', 'status']);
  });
});

describe('WooCommerce topics', () => {
  it('derives the action from the topic and, for updates, the status', () => {
    expect(wooCommerceTopicAction('order.created', orderCreated())).toBe('create');
    expect(wooCommerceTopicAction('order.updated', { status: 'processing' })).toBe('release');
    expect(wooCommerceTopicAction('order.updated', { status: 'cancelled' })).toBe('cancel');
    expect(wooCommerceTopicAction('order.updated', { status: 'refunded' })).toBe('cancel');
    expect(wooCommerceTopicAction('order.updated', { status: 'on-hold' })).toBe('ignore');
    expect(wooCommerceTopicAction('order.deleted', { id: 4127 })).toBe('cancel');
    expect(wooCommerceTopicAction(undefined, 'webhook_id=12')).toBe('ignore');
    expect(wooCommerceExternalId({ id: 4127 })).toBe('4127');
  });

  it('a signed body means one action whatever topic it is replayed under; only a body that ends the order cancels', () => {
    const topics = ['order.created', 'order.updated', 'order.deleted', 'order.restored', 'action.woocommerce_x', undefined];
    const bodies: [string, Record<string, unknown>][] = [
      ...['pending', 'on-hold', 'failed', 'processing', 'completed', 'checkout-draft', 'cancelled', 'trash', 'refunded'].map(
        (status): [string, Record<string, unknown>] => [status, { ...orderCreated(), status }],
      ),
      ['deletion', { id: 4127 }],
    ];
    for (const [name, body] of bodies) {
      const actions = new Set(topics.map((topic) => wooCommerceTopicAction(topic, body)).filter((a) => a !== 'ignore'));
      // create and release lead to the same place (a paid order in the hub); cancel never mixes with them.
      if (actions.has('cancel')) expect([...actions], name).toEqual(['cancel']);
      const ends = ['cancelled', 'trash', 'refunded', 'deletion'].includes(name);
      expect(actions.has('cancel'), name).toBe(ends);
    }
    expect(wooCommerceTopicAction('order.deleted', { ...orderCreated(), status: 'failed' })).toBe('ignore');
    expect(wooCommerceTopicAction('order.updated', { id: 4127 })).toBe('ignore');
  });
});
