import { describe, expect, it } from 'vitest';
import { resolveCarrier } from '../../src/notify/carriers.ts';
import { buildEvent, eventId, HubEvent, orderShippedEvent } from '../../src/notify/events.ts';

const context = {
  retailerId: 'toys-example',
  order: { id: 'ord_01', externalId: '5843391627431', orderNumber: '#1001', status: 'partially_shipped' },
  createdAt: new Date('2026-11-27T15:04:05Z'),
};

const shipment = {
  id: 'shp_01',
  poNumber: 'PO-1001-1',
  carrier: resolveCarrier('UPSN'),
  service: 'GROUND',
  shippedAt: '2026-11-27',
  trackingNumbers: ['1Z999AA10123456784'],
  lines: [{ lineId: '14923185619111', sku: 'ACME-TRUCK-01', quantity: 1 }],
};

describe('order.shipped', () => {
  it('carries carrier code and name, service, tracking numbers and URLs, lines and quantities', () => {
    const event = orderShippedEvent(context, shipment);
    expect(event).toEqual({
      id: eventId('order.shipped', 'ord_01', 'shp_01'),
      type: 'order.shipped',
      createdAt: '2026-11-27T15:04:05.000Z',
      retailerId: 'toys-example',
      order: context.order,
      data: {
        shipment: {
          id: 'shp_01',
          poNumber: 'PO-1001-1',
          carrier: { code: 'UPSN', name: 'UPS' },
          service: 'GROUND',
          shippedAt: '2026-11-27',
          trackingNumbers: ['1Z999AA10123456784'],
          trackingUrls: ['https://www.ups.com/track?tracknum=1Z999AA10123456784'],
          lines: [{ lineId: '14923185619111', sku: 'ACME-TRUCK-01', quantity: 1 }],
        },
      },
    });
    expect(HubEvent.parse(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it('has no tracking URLs for an unknown carrier, which passes through', () => {
    const event = orderShippedEvent(context, { ...shipment, carrier: resolveCarrier('ACME Freight') });
    expect(event.data.shipment.carrier).toEqual({ code: 'ACME Freight', name: 'ACME Freight' });
    expect(event.data.shipment.trackingUrls).toEqual([]);
  });
});

describe('event ids', () => {
  it('are stable for the same fact and differ between facts', () => {
    const later = { ...context, createdAt: '2026-11-28T00:00:00Z' };
    expect(orderShippedEvent(later, shipment).id).toBe(orderShippedEvent(context, shipment).id);
    expect(orderShippedEvent(context, { ...shipment, id: 'shp_02' }).id).not.toBe(orderShippedEvent(context, shipment).id);
    const cancelled = buildEvent('order.cancelled', context, { reason: 'customer changed their mind', by: 'retailer' });
    expect(cancelled.id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(cancelled.id).not.toBe(orderShippedEvent(context, shipment).id);
  });
});

describe('the other events', () => {
  it('build and validate', () => {
    const events = [
      buildEvent('order.acknowledged', context, {
        poNumber: 'PO-1001-1',
        supplierId: 'acme-toys',
        status: 'accepted_with_changes',
        lines: [{ sku: 'ACME-TRUCK-01', status: 'backordered', quantity: 2 }],
      }),
      buildEvent('order.exception', context, {
        reason: 'no supplier carries SKU "NOPE-1"',
        code: 'unroutable_sku',
        poNumber: null,
      }),
      buildEvent('order.overdue', context, {
        poNumber: 'PO-1001-1',
        supplierId: 'acme-toys',
        awaiting: 'shipment',
        dueAt: '2026-11-29T00:00:00Z',
      }),
    ];
    expect(events.map((e) => e.type)).toEqual(['order.acknowledged', 'order.exception', 'order.overdue']);
    for (const event of events) expect(HubEvent.safeParse(event).success).toBe(true);
  });

  it('refuses malformed data', () => {
    expect(() =>
      buildEvent('order.exception', context, { reason: '', code: 'x' as never, poNumber: null }),
    ).toThrow();
  });
});
