/**
 * Security: a hostile supplier's file cannot add without bound (issue 18, item 1). Each limit of
 * src/limits.ts is held on the real inbound path (parse, apply, acknowledge) on a real database: a
 * file over a limit is quarantined whole with a reason naming the limit, nothing of it is applied,
 * and an X12 file's 997 rejects the set over the limit (AK5 R, with the segment to blame).
 * Limits are lowered through their HUB_LIMIT_* variables where the default would make a slow test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundItem } from '../../src/canonical/inbound.ts';
import type { LoadedMapping } from '../../src/config/mapping-loader.ts';
import { DEFAULT_INBOUND_LIMITS, InboundLimitError, checkInboundLimits, inboundLimits } from '../../src/limits.ts';
import { receiveInboundFile } from '../../src/pipeline/apply.ts';
import { routeReceivedOrders } from '../../src/pipeline/route.ts';
import { toBuffer } from '../../src/store/ids.ts';
import { ORDER_VIEW_TIMELINE, recordEvent } from '../../src/store/orders.ts';
import { CONTENT_PREVIEW_BYTES } from '../../src/http/content-preview.ts';
import { STORED_PARSED_ITEMS } from '../../src/pipeline/inbound-limits.ts';
import { ADMIN_TOKEN, createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';
import { acmeHttpX12Mapping, writeMapping } from '../helpers/mappings.ts';
import { interchange, shipNotice, type EnvelopeParties } from '../helpers/supplier-files.ts';
import { check997 } from '../helpers/x12-check.ts';

let t: TestHub;
let acme: LoadedMapping;
let key: string;
let control = 500;
const parties = (): EnvelopeParties => ({ senderId: 'ACMETOYS', receiverId: 'DROPHUB', controlNumber: ++control });

const LIMITS = { HUB_LIMIT_SHIPMENTS_PER_PO: '3', HUB_LIMIT_RECORDS_PER_FILE: '40', HUB_LIMIT_ITEMS_PER_PO_PER_FILE: '20' };

beforeAll(async () => {
  acme = await writeMapping(acmeHttpX12Mapping('ACME (X12 and CSV over HTTP)'));
  t = await createTestHub({ mappings: [acme], clock: () => new Date('2026-11-28T12:00:00Z'), env: LIMITS });
  key = (await t.retailer({ id: 'toys' })).apiKey;
});
afterAll(async () => t?.close());

async function placeOrder(n: number, quantity = 2): Promise<string> {
  const lines = [{ lineId: '1', sku: 'ACME-TRUCK-01', title: 'Truck', quantity, unitPrice: '19.99' }];
  const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: String(n), orderNumber: `#${n}`, lines }), { authorization: `Bearer ${key}` }));
  expect(res.status).toBe(201);
  const { id } = await res.json();
  await routeReceivedOrders(t.hub);
  return id as string;
}

const receive = (name: string, content: string) => receiveInboundFile(t.hub, acme, { name, content: Buffer.from(content), via: 'http' });

async function orderState(orderId: string) {
  const db = t.hub.store.db;
  const shipments = await db.selectFrom('shipments').select('id').where('order_id', '=', orderId).execute();
  const events = await db.selectFrom('order_events').select('type').where('order_id', '=', orderId).execute();
  return { shipments: shipments.length, events: events.length };
}

/** The 997s queued for the supplier whose AK1 answers the given group, content checked. */
async function acksFor(group: string | number): Promise<string[]> {
  const docs = await t.hub.store.db.selectFrom('documents').select('content').where('kind', '=', 'fa_997').where('direction', '=', 'out').execute();
  return docs
    .map((d) => toBuffer(d.content).toString('utf8'))
    .filter((text) => text.includes(`AK1*SH*${group}~`) || text.includes(`AK1*FA*${group}~`))
    .map((text) => {
      expect(check997(text)).toEqual([]);
      return text;
    });
}

describe('what one supplier file may add is bounded', () => {
  it(`an 856 carrying more than ${DEFAULT_INBOUND_LIMITS.trackingNumbersPerShipment} tracking numbers for one PO is quarantined, and its 997 rejects the set at the first number too many`, async () => {
    const orderId = await placeOrder(9101);
    const before = await orderState(orderId);
    const envelope = parties();
    const tracking = Array.from({ length: DEFAULT_INBOUND_LIMITS.trackingNumbersPerShipment + 50 }, (_, i) => `1Z999AA1${String(i).padStart(10, '0')}`);
    const result = await receive('flood.edi', shipNotice(envelope, 'SHP-1', [{ poNumber: '9101-ACME', items: [{ supplierSku: 'ACME-TRUCK-01', sku: 'ACME-TRUCK-01', quantity: 1 }], tracking }]));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/856 0001: shipment for 9101-ACME: 150 tracking numbers per shipment, over the hub's limit of 100 \(HUB_LIMIT_TRACKING_NUMBERS_PER_SHIPMENT\)/);
    expect(await orderState(orderId)).toEqual(before);
    const doc = await t.hub.store.db.selectFrom('documents').select(['status', 'error_code']).where('id', '=', result.documentId).executeTakeFirstOrThrow();
    expect(doc).toMatchObject({ status: 'failed', error_code: 'parse_failed' });
    const [ack] = await acksFor(envelope.controlNumber);
    // The 101st MAN*CP: ST, BSN, HL S, TD1, TD5, DTM, HL O, PRF (1-8), HL P, MAN, HL I, LIN, SN1 (9-13), then HL P, MAN per number: 15 + 2 x 99.
    expect(ack).toContain('AK3*MAN*213**5~');
    expect(ack).toContain('AK5*R*5~');
    expect(ack).toContain('AK9*R*1*1*0~');
  });

  it('a 997 with more sets for one of our groups than a file may carry for one PO is quarantined before any of it touches the order', async () => {
    const orderId = await placeOrder(9102);
    const po = await t.hub.store.db.selectFrom('documents').select('gs06').where('order_id', '=', orderId).where('kind', '=', 'po').executeTakeFirstOrThrow();
    const before = await orderState(orderId);
    const sets = Array.from({ length: 25 }, () => ({ id: '997', body: [`AK1*PO*${po.gs06}`, 'AK2*850*0001', 'AK5*A', 'AK9*A*1*1*1'] }));
    const envelope = parties();
    const result = await receive('ack-flood.edi', interchange(envelope, 'FA', sets));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(new RegExp(`997 0021: our group ${po.gs06}: 21 sets or records per purchase order in one file, over the hub's limit of 20 \\(HUB_LIMIT_ITEMS_PER_PO_PER_FILE\\)`));
    expect(await orderState(orderId)).toEqual(before);
    // A 997 is not answered with a 997; the document keeps how each set was taken: the first 20
    // accepted, the 5 over the limit rejected.
    const doc = await t.hub.store.db.selectFrom('documents').select('parsed').where('id', '=', result.documentId).executeTakeFirstOrThrow();
    const parsed = (typeof doc.parsed === 'string' ? JSON.parse(doc.parsed) : doc.parsed) as { groups: { sets: { ack?: { status: string; codes?: string[] } }[] }[] };
    const taken = parsed.groups[0]!.sets.map((s) => s.ack?.status ?? 'A');
    expect(taken).toEqual([...Array(20).fill('A'), ...Array(5).fill('R')]);
    expect(await acksFor(envelope.controlNumber)).toEqual([]);
  });

  it('a tracking CSV with more rows than a file may hold is quarantined, naming the line where it stopped being read', async () => {
    const orderId = await placeOrder(9103);
    const before = await orderState(orderId);
    const rows = Array.from({ length: 45 }, (_, i) => `9103-ACME,ACME-TRUCK-01,1,UPS,1Z999AA1${String(i).padStart(10, '0')}`);
    const result = await receive('rows.csv', ['PO,SKU,Qty,Carrier,Tracking', ...rows].join('\n'));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/this file \(not read further\): 41 rows or records in one file, over the hub's limit of 40 \(HUB_LIMIT_RECORDS_PER_FILE\).*\(rows\.csv, line 42\)/);
    expect(await orderState(orderId)).toEqual(before);
  });

  it('a PO takes at most shipmentsPerPo shipments: the file bringing one more is quarantined, and no more shipments or webhooks are made', async () => {
    const orderId = await placeOrder(9104, 10);
    for (let i = 1; i <= 3; i++) {
      const r = await receive(`ship-${i}.csv`, `PO,SKU,Qty,Carrier,Tracking\n9104-ACME,ACME-TRUCK-01,1,UPS,1Z999AA10000009${i}04\n`);
      expect(r.status).toBe('applied');
    }
    const result = await receive('ship-4.csv', 'PO,SKU,Qty,Carrier,Tracking\n9104-ACME,ACME-TRUCK-01,1,UPS,1Z999AA1000000940\n');
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/purchase order 9104-ACME: 4 shipments per purchase order, over the hub's limit of 3 \(HUB_LIMIT_SHIPMENTS_PER_PO\)/);
    expect((await orderState(orderId)).shipments).toBe(3);
  });

  it('a shipment with more lines than allowed, a file with more order updates or XML records than allowed, are refused by the pure check', () => {
    const limits = { ...DEFAULT_INBOUND_LIMITS, linesPerShipment: 2, timelineEntriesPerFile: 3 };
    const shipment = (po: string, lines: number): InboundItem => ({
      kind: 'shipment',
      shipment: { poNumber: po, trackingNumbers: ['T'], lines: Array.from({ length: lines }, (_, i) => ({ sku: `S${i}`, quantity: 1 })) },
    });
    expect(() => checkInboundLimits({ format: 'csv', items: [shipment('P1', 3)] }, limits, 'f.csv')).toThrow(/shipment for P1: 3 lines per shipment, over the hub's limit of 2/);
    const many = ['P1', 'P2', 'P3', 'P4'].map((po) => shipment(po, 1));
    let error: unknown;
    try {
      checkInboundLimits({ format: 'json', items: many }, limits, 'f.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InboundLimitError);
    expect(error).toMatchObject({ code: 'parse_failed', limit: 'timelineEntriesPerFile', max: 3, actual: 4, details: { file: 'f.json', limit: 'timelineEntriesPerFile' } });
    expect(() => checkInboundLimits({ format: 'json', items: many.slice(0, 3) }, limits)).not.toThrow();
    expect(() => checkInboundLimits({ format: 'xml', items: many.slice(0, 3) }, { ...limits, recordsPerFile: 2 }, 'f.xml')).toThrow(/this file: 3 rows or records in one file, over the hub's limit of 2 \(HUB_LIMIT_RECORDS_PER_FILE\)/);
  });

  it(`an order's view shows its newest ${ORDER_VIEW_TIMELINE} timeline entries and says how many older ones it leaves out`, async () => {
    const orderId = await placeOrder(9105);
    const before = (await orderState(orderId)).events;
    await t.hub.store.db.transaction().execute(async (trx) => {
      for (let i = 0; i < ORDER_VIEW_TIMELINE + 10; i++) await recordEvent(trx, orderId, { type: 'note', cause: `entry ${i}`, data: null });
    });
    const res = await t.app.request(`/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${key}` } });
    const view = await res.json();
    expect(view.timeline).toHaveLength(ORDER_VIEW_TIMELINE);
    expect(view.timelineOmitted).toBe(before + 10);
    expect(view.timeline.at(-1).cause).toBe(`entry ${ORDER_VIEW_TIMELINE + 9}`);
    expect(view.timeline[0].cause).toBe('entry 10');
    const small = await (await t.app.request(`/v1/orders/${await placeOrder(9106)}`, { headers: { authorization: `Bearer ${key}` } })).json();
    expect(small.timelineOmitted).toBeUndefined();
  });

  it('a big quarantined file: its document keeps the first 1,000 items and sets read, and the admin API shows the first 256 KiB of it (the whole is /raw)', async () => {
    const sets = Array.from({ length: 4_000 }, (_, i) => ({ id: '997', body: [`AK1*PO*${900_000 + i}`, 'AK2*850*0001', 'AK5*A', 'AK9*A*1*1*1'] }));
    const file = interchange(parties(), 'FA', sets);
    expect(file.length).toBeGreaterThan(CONTENT_PREVIEW_BYTES);
    const result = await receive('many-groups.edi', file);
    expect(result.status).toBe('failed'); // 997s for groups we never sent
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const doc = await (await t.app.request(`/v1/admin/documents/${result.documentId}`, { headers })).json();
    expect(doc.content).toBe(file.slice(0, CONTENT_PREVIEW_BYTES));
    expect(doc.contentOmittedBytes).toBe(file.length - CONTENT_PREVIEW_BYTES);
    expect(doc.parsed.items).toHaveLength(STORED_PARSED_ITEMS);
    expect(doc.parsed.itemsOmitted).toBe(4_000 - STORED_PARSED_ITEMS);
    expect(doc.parsed.groups[0].sets).toHaveLength(STORED_PARSED_ITEMS);
    expect(doc.parsed.groups[0].setsOmitted).toBe(4_000 - STORED_PARSED_ITEMS);
    const raw = await t.app.request(`/v1/admin/documents/${result.documentId}/raw`, { headers });
    expect(await raw.text()).toBe(file);
  });

  it('the operator overrides a limit through its variable; unset, the defaults hold', () => {
    expect(inboundLimits(t.hub.env)).toMatchObject({ shipmentsPerPo: 3, recordsPerFile: 40, trackingNumbersPerShipment: DEFAULT_INBOUND_LIMITS.trackingNumbersPerShipment });
    expect(inboundLimits({})).toEqual(DEFAULT_INBOUND_LIMITS);
  });
});
