/**
 * Supplier X12 files through the whole inbound path (parse, apply, acknowledge) on a real database:
 * harmless deviations applied with their warnings on the document and the order's timeline, lines
 * matched by the mapping's preference, mixed files applied in part, and the 997s and TA1s the hub
 * owes queued in the outbox, each checked with the independent structure check.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PurchaseOrder } from '../../src/canonical/purchase-order.ts';
import type { LoadedMapping } from '../../src/config/mapping-loader.ts';
import { matchLine, receiveInboundFile } from '../../src/pipeline/apply.ts';
import { routeReceivedOrders } from '../../src/pipeline/route.ts';
import { toBuffer } from '../../src/store/ids.ts';
import { createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';
import { acmeHttpX12Mapping, writeMapping } from '../helpers/mappings.ts';
import { check997, checkTa1 } from '../helpers/x12-check.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/inbound');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));

let t: TestHub;
let acme: LoadedMapping;
let key: string;

const LINES = [
  { lineId: '1', sku: 'ACME-TRUCK-01', title: 'Truck', quantity: 2, unitPrice: '19.99' },
  { lineId: '2', sku: 'ACME-BLOCKS-02', title: 'Blocks', quantity: 1, unitPrice: '9.50' },
  { lineId: '3', sku: 'ACME-KITE-03', title: 'Kite', quantity: 2, unitPrice: '5.00' },
  { lineId: '4', sku: 'ACME-LEGACY-44', title: 'Legacy', quantity: 1, unitPrice: '1.00' },
];

beforeAll(async () => {
  acme = await writeMapping(
    acmeHttpX12Mapping('ACME (X12 over HTTP)', {
      files: [{ match: '*.edi', format: 'x12' }],
      trackingFrom: ['REF*CN', 'REF*2I', 'MAN*CP', 'REF*BM'],
      lineMatch: ['line', 'sku', 'supplierSku', 'upc', 'ZZ'],
    }),
  );
  t = await createTestHub({ mappings: [acme], clock: () => new Date('2026-11-28T12:00:00Z') });
  key = (await t.retailer({ id: 'toys' })).apiKey;
});
afterAll(async () => t?.close());

async function placeOrder(n: number, lines = LINES.slice(0, 1)): Promise<string> {
  const res = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: String(n), orderNumber: `#${n}`, lines }), { authorization: `Bearer ${key}` }));
  expect(res.status).toBe(201);
  const { id } = await res.json();
  await routeReceivedOrders(t.hub);
  return id as string;
}

async function view(orderId: string) {
  return (await t.app.request(`/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${key}` } })).json();
}

async function receive(name: string, content: Buffer | string) {
  return receiveInboundFile(t.hub, acme, { name, content: Buffer.from(content), via: 'http' });
}

/** The 997s and TA1s queued for the supplier since `after` (a document count), content checked. */
async function answers(kind: 'fa_997' | 'ta1'): Promise<string[]> {
  const docs = await t.hub.store.db.selectFrom('documents').select(['content', 'created_at']).where('kind', '=', kind).where('direction', '=', 'out').orderBy('created_at').execute();
  return docs.map((d) => {
    const text = toBuffer(d.content).toString('utf8');
    expect(kind === 'ta1' ? checkTa1(text) : check997(text)).toEqual([]);
    return text;
  });
}

describe(`inbound X12 (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('a carrier-side 856 with HL*1*0*S is applied (it used to be quarantined)', async () => {
    const orderId = await placeOrder(7001);
    const result = await receive('carrier.edi', fixture('856-hl02-zero.edi'));
    expect(result.status).toBe('applied');
    const order = await view(orderId);
    expect(order.status).toBe('shipped');
    expect(order.shipments[0]).toMatchObject({ carrier: 'UPSN', trackingNumbers: ['1Z999AA10123456784'] });
  });

  it('a bad ship date and an unknown segment: applied, the warnings kept with the document and on the timeline, the 997 notes them', async () => {
    const orderId = await placeOrder(7002);
    const result = await receive('tolerable.edi', fixture('856-tolerable.edi'));
    expect(result.status).toBe('applied');
    const doc = await t.hub.store.db.selectFrom('documents').select('parsed').where('id', '=', result.documentId).executeTakeFirstOrThrow();
    const parsed = (typeof doc.parsed === 'string' ? JSON.parse(doc.parsed) : doc.parsed) as { warnings: { message: string }[] };
    expect(parsed.warnings.map((w) => w.message)).toEqual([
      '856 0001: segment ZZZ is not part of an 856: kept, not read (segment 10)',
      '856 0001: DTM*011 ship date "20261131" is not a date: left out (segment 7)',
    ]);
    const order = await view(orderId);
    expect(order.status).toBe('partially_shipped'); // 1 of the 2 ordered
    expect(order.shipments[0].shippedAt).toBeNull();
    const event = order.timeline.find((e: { type: string }) => e.type === 'supplier_file_warnings');
    expect(event).toMatchObject({ cause: 'supplier file tolerable.edi', data: { poNumber: '7002-ACME', warnings: parsed.warnings.map((w) => w.message) } });
    const ack = (await answers('fa_997')).find((a) => a.includes('AK1*SH*7002~'));
    expect(ack).toContain('AK5*E~\nAK9*E*1*1*1~');
  });

  it('lines matched by every common qualifier and, per the mapping, by one the hub does not read', async () => {
    const orderId = await placeOrder(7003, LINES);
    const result = await receive('ids.edi', fixture('856-product-ids.edi'));
    expect(result.status).toBe('applied');
    const order = await view(orderId);
    expect(order.status).toBe('partially_shipped'); // 1 truck of 2
    expect(order.shipments[0].lines.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity])).toEqual([
      ['ACME-TRUCK-01', 1],
      ['ACME-BLOCKS-02', 1],
      ['ACME-KITE-03', 2],
      ['ACME-LEGACY-44', 1],
    ]);
  });

  it('hostile: a line whose ids match no line of the PO quarantines the file, naming every id it carries', async () => {
    await placeOrder(7013, LINES);
    const text = fixture('856-product-ids.edi').toString().replaceAll('7003-ACME', '7013-ACME').replace('ZZ*ACME-LEGACY-44', 'ZZ*ACME-LEGACY-99');
    const result = await receive('ids-bad.edi', text);
    expect(result.status).toBe('failed');
    expect(result.error).toBe('shipment for 7013-ACME: no line of the PO matches ZZ ACME-LEGACY-99 (matched by line, sku, supplierSku, upc, ZZ)');
  });

  it('the preference order decides when a line number and a SKU disagree', () => {
    const po = { lines: [{ lineNumber: 1, sku: 'A', supplierSku: 'VA' }, { lineNumber: 2, sku: 'B', supplierSku: 'VB', upc: '012345678905' }] } as PurchaseOrder;
    const line = { lineNumber: 2, sku: 'A', ids: [{ qualifier: 'SK', value: 'A' }, { qualifier: 'EN', value: '012345678905' }], quantity: 1 };
    expect(matchLine(po, line, ['line', 'sku'])?.sku).toBe('B');
    expect(matchLine(po, line, ['sku', 'line'])?.sku).toBe('A');
    expect(matchLine(po, { ids: [{ qualifier: 'EN', value: '012345678905' }], quantity: 1 }, ['line', 'sku', 'supplierSku', 'upc'])?.sku).toBe('B');
    expect(matchLine(po, { ids: [{ qualifier: 'ZZ', value: 'VA' }], quantity: 1 }, ['line', 'sku', 'supplierSku', 'upc'])).toBeUndefined();
    expect(matchLine(po, { ids: [{ qualifier: 'ZZ', value: 'VA' }], quantity: 1 }, ['ZZ'])?.sku).toBe('A');
  });

  it('tracking: the UPS number under REF*BM is taken, the bill of lading is not, the carrier comes from the number', async () => {
    const orderId = await placeOrder(7004);
    expect((await receive('tracking.edi', fixture('856-tracking-sources.edi'))).status).toBe('applied');
    const order = await view(orderId);
    expect(order.shipments[0]).toMatchObject({ carrier: 'UPSN', carrierName: 'UPS', trackingNumbers: ['1Z999AA10123456806', '1Z999AA10123456817'] });
    expect(order.timeline.find((e: { type: string }) => e.type === 'supplier_file_warnings').data.warnings[0]).toMatch(/REF\*BM "BOL-2026-77812" is a bill of lading/);
  });

  it('a mixed file: the 856 applied, the 850 and 940 reported and answered as not accepted, the TA1 it asked for sent', async () => {
    const orderId = await placeOrder(7005);
    const result = await receive('mixed.edi', fixture('mixed-856-850-940.edi'));
    expect(result.status).toBe('applied');
    expect((await view(orderId)).status).toBe('shipped');
    const acks = await answers('fa_997');
    expect(acks.find((a) => a.includes('AK1*SH*7005~'))).toContain('AK5*A~');
    expect(acks.find((a) => a.includes('AK1*PO*7006~'))).toContain('AK2*850*0001~\nAK5*R*1~\nAK9*R*1*1*0~');
    expect(acks.find((a) => a.includes('AK1*OW*7007~'))).toContain('AK2*940*0001~\nAK5*R*1~');
    expect((await answers('ta1')).find((a) => a.includes('TA1*000007005*'))).toContain('TA1*000007005*261128*1015*A*000~');
  });

  it('a set with a wrong SE01: the file is quarantined, nothing applied, and the 997 rejects that set', async () => {
    const first = await placeOrder(7008);
    await placeOrder(7009);
    const result = await receive('se01.edi', fixture('856-se01-wrong.edi'));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/SE01 of 856 0002 says "9" segments, counted 10/);
    expect((await view(first)).shipments).toEqual([]);
    const ack = (await answers('fa_997')).find((a) => a.includes('AK1*SH*7008~'));
    expect(ack).toContain('AK2*856*0001~\nAK5*A~\nAK2*856*0002~\nAK5*R*4~\nAK9*P*2*2*1~');
  });

  it('an interchange cut short that asked for a TA1: quarantined, answered with TA1 R 023', async () => {
    const result = await receive('cut.edi', fixture('856-cut-ta1.edi'));
    expect(result.status).toBe('failed');
    const ta1 = (await answers('ta1')).find((a) => a.includes('TA1*000007011*'));
    expect(ta1).toContain('TA1*000007011*261128*1015*R*023~');
    // No 997 for a group the interchange never finished.
    expect((await answers('fa_997')).some((a) => a.includes('AK1*SH*7011~'))).toBe(false);
  });
});
