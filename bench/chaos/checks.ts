/**
 * The invariants of a chaos run, checked once the hub processes are stopped: against the database
 * (the hub's own record), the files on the SFTP server's disk (what the suppliers really got), the
 * retailer's webhook log (what the retailer really got) and the simulator's memory (what the
 * suppliers really sent). Every breach is a line in `violations`; `notes` are observations.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { SUPPLIERS, folders, parseX12, readPurchaseOrder, type SupplierSimulator } from './suppliers.ts';
import type { WebhookReceiver } from './webhook-receiver.ts';

export interface PostedOrder {
  externalId: string;
  /** Suppliers whose SKUs the order has: it must get exactly one PO for each. */
  suppliers: string[];
  /** The hub's order id from the 2xx answer. */
  orderId?: string;
}

export interface ApiOrderView {
  id: string;
  externalId: string;
  status: string;
  statusReason: string | null;
  purchaseOrders: { id: string; supplierId: string; poNumber: string; status: string }[];
  shipments: { id: string; poId: string; trackingNumbers: string[] }[];
}

export interface CheckInput {
  db: pg.Pool;
  retailerId: string;
  sftpRoot: string;
  simulator: SupplierSimulator;
  receiver: WebhookReceiver;
  /** externalId → what we posted (only those answered 2xx have orderId). */
  posted: Map<string, PostedOrder>;
  /** Posts given up on without any answer (they may or may not be stored). */
  unanswered: Set<string>;
  /** The orders as the retailer API showed them at the end (by hub order id). */
  apiViews: Map<string, ApiOrderView>;
}

export interface CheckResult {
  violations: string[];
  notes: string[];
  figures: Record<string, number | string>;
}

const MAX_LINES_PER_CHECK = 15;

export async function checkInvariants(input: CheckInput): Promise<CheckResult> {
  const violations: string[] = [];
  const notes: string[] = [];
  const figures: Record<string, number | string> = {};
  /** Reports at most MAX_LINES_PER_CHECK lines per check, then a count. */
  const reporter = (check: string) => {
    let n = 0;
    return {
      add(line: string) {
        n++;
        if (n <= MAX_LINES_PER_CHECK) violations.push(`[${check}] ${line}`);
      },
      done() {
        if (n > MAX_LINES_PER_CHECK) violations.push(`[${check}] … and ${n - MAX_LINES_PER_CHECK} more`);
        return n;
      },
    };
  };
  const q = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> => (await input.db.query<T>(text, values)).rows;

  // ---- orders -------------------------------------------------------------------------------
  const orders = await q<{ id: string; external_id: string; status: string; status_reason: string | null }>(
    'select id, external_id, status, status_reason from orders where retailer_id = $1',
    [input.retailerId],
  );
  const byExternal = new Map(orders.map((o) => [o.external_id, o]));
  const accepted = [...input.posted.values()].filter((p) => p.orderId);
  figures.orders = accepted.length;
  {
    const r = reporter('orders present');
    for (const p of accepted) {
      const row = byExternal.get(p.externalId);
      if (!row) r.add(`order ${p.externalId} was answered 2xx (${p.orderId}) but is not in the database`);
      else if (row.id !== p.orderId) r.add(`order ${p.externalId}: answered as ${p.orderId}, stored as ${row.id}`);
    }
    for (const row of orders) {
      const p = input.posted.get(row.external_id);
      if (!p) r.add(`order ${row.external_id} is stored but was never posted`);
      else if (!p.orderId && !input.unanswered.has(row.external_id)) r.add(`order ${row.external_id} is stored but its post was refused`);
      else if (!p.orderId) notes.push(`order ${row.external_id}: its post was never answered, but it was stored (fine: the retailer would retry)`);
    }
    r.done();
  }
  {
    const r = reporter('orders shipped');
    for (const p of accepted) {
      const row = byExternal.get(p.externalId);
      if (row && row.status !== 'shipped') r.add(`order ${p.externalId} (${row.id}) is ${row.status}${row.status_reason ? `: ${row.status_reason}` : ''}`);
    }
    r.done();
  }

  // ---- purchase orders ------------------------------------------------------------------------
  const pos = await q<{
    id: string;
    order_id: string;
    supplier_id: string;
    po_number: string;
    status: string;
    status_reason: string | null;
    data: { lines: { lineNumber: number; sku: string; quantity: number }[] };
    shipped: Record<string, number>;
  }>('select p.* from purchase_orders p join orders o on o.id = p.order_id where o.retailer_id = $1', [input.retailerId]);
  figures.pos = pos.length;
  const posByOrder = new Map<string, typeof pos>();
  for (const po of pos) posByOrder.set(po.order_id, [...(posByOrder.get(po.order_id) ?? []), po]);
  {
    const r = reporter('split');
    for (const p of accepted) {
      const got = (posByOrder.get(p.orderId!) ?? []).map((po) => po.supplier_id).sort();
      if (got.join(',') !== [...p.suppliers].sort().join(',')) r.add(`order ${p.externalId}: POs for [${got.join(', ')}], expected [${[...p.suppliers].sort().join(', ')}]`);
    }
    r.done();
  }
  {
    const r = reporter('quantities');
    for (const po of pos) {
      for (const line of po.data.lines) {
        const shipped = Number(po.shipped?.[line.lineNumber] ?? 0);
        if (shipped > line.quantity) r.add(`PO ${po.po_number} line ${line.lineNumber} (${line.sku}): ${shipped} shipped of ${line.quantity} ordered`);
        else if (shipped !== line.quantity) r.add(`PO ${po.po_number} line ${line.lineNumber} (${line.sku}): ${shipped} shipped of ${line.quantity} (the supplier shipped all)`);
      }
      if (po.status !== 'shipped') r.add(`PO ${po.po_number} (${po.supplier_id}) is ${po.status}${po.status_reason ? `: ${po.status_reason}` : ''}`);
    }
    r.done();
  }

  // ---- documents: control numbers --------------------------------------------------------------
  const outDocs = await q<{
    id: string;
    kind: string;
    supplier_id: string | null;
    po_id: string | null;
    filename: string;
    status: string;
    isa13: string | null;
    gs06: string | null;
    partner: string | null;
    content: Buffer;
    parsed: { eventId?: string; type?: string } | null;
    attempts: number;
    last_error: string | null;
  }>("select id, kind, supplier_id, po_id, filename, status, isa13, gs06, partner, content, parsed, attempts, last_error from documents where direction = 'out'");
  {
    const r = reporter('control numbers (database)');
    for (const row of await q<{ partner: string; isa13: string; n: string }>(
      "select partner, isa13, count(*) n from documents where direction = 'out' and isa13 is not null group by 1, 2 having count(*) > 1",
    )) {
      r.add(`ISA13 ${row.isa13} used by ${row.n} documents for ${row.partner}`);
    }
    for (const row of await q<{ partner: string; gs06: string; n: string }>(
      "select partner, gs06, count(*) n from documents where direction = 'out' and gs06 is not null group by 1, 2 having count(*) > 1",
    )) {
      r.add(`GS06 ${row.gs06} used by ${row.n} documents for ${row.partner}`);
    }
    r.done();
  }
  {
    const r = reporter('outbox');
    for (const d of outDocs) {
      if (d.status !== 'sent') r.add(`${d.kind} ${d.filename} (${d.id}) is ${d.status} after ${d.attempts} attempt(s)${d.last_error ? `: ${d.last_error}` : ''}`);
    }
    r.done();
  }

  // ---- files on the SFTP server ----------------------------------------------------------------
  const poDocByPoId = new Map(outDocs.filter((d) => d.kind === 'po').map((d) => [d.po_id!, d]));
  let poFiles = 0;
  let ackFiles = 0;
  {
    const part = reporter('partial uploads');
    const once = reporter('PO delivered exactly once');
    const bytes = reporter('PO bytes');
    const isa = reporter('control numbers (files)');
    const acks = reporter('997s sent');
    const unread = reporter('supplier could not read');
    for (const line of input.simulator.stats.unreadable) unread.add(line);
    unread.done();
    for (const spec of SUPPLIERS) {
      const dir = path.join(input.sftpRoot, folders(spec.id).outbound);
      const names = existsSync(dir) ? readdirSync(dir).filter((n) => statSync(path.join(dir, n)).isFile()) : [];
      for (const n of names.filter((n) => n.startsWith('.') || n.endsWith('.part'))) part.add(`${spec.id}: ${n} left in ${folders(spec.id).outbound}`);
      const filesByPo = new Map<string, string[]>();
      const isaSeen = new Map<number, string>();
      const ackedGroups = new Map<number, number>();
      for (const name of names.filter((n) => !n.startsWith('.'))) {
        const content = readFileSync(path.join(dir, name));
        if (spec.format === 'x12') {
          let x12;
          try {
            x12 = parseX12(content.toString('utf8'));
          } catch (error) {
            isa.add(`${spec.id}: ${name} is not a readable interchange: ${(error as Error).message}`);
            continue;
          }
          const other = isaSeen.get(x12.isa13);
          if (other) isa.add(`${spec.id}: ISA13 ${x12.isa13} in both ${other} and ${name}`);
          isaSeen.set(x12.isa13, name);
          if (x12.gs01 === 'FA') {
            ackFiles++;
            for (const ak1 of x12.segments.filter((s) => s[0] === 'AK1')) {
              if (ak1[1] === 'SH') ackedGroups.set(Number(ak1[2]), (ackedGroups.get(Number(ak1[2])) ?? 0) + 1);
              else acks.add(`${spec.id}: ${name} acknowledges a ${ak1[1]} group (${ak1[2]}): only the 856s needed one`);
            }
            continue;
          }
        }
        if (!name.startsWith(spec.poPrefix)) continue;
        poFiles++;
        try {
          const po = readPurchaseOrder(spec, content.toString('utf8'));
          filesByPo.set(po.poNumber, [...(filesByPo.get(po.poNumber) ?? []), name]);
        } catch (error) {
          once.add(`${spec.id}: ${name} is not a purchase order the supplier can read: ${(error as Error).message}`);
        }
      }
      for (const [poNumber, files] of filesByPo) if (files.length > 1) once.add(`${spec.id}: PO ${poNumber} delivered in ${files.length} files: ${files.join(', ')}`);
      for (const po of pos.filter((p) => p.supplier_id === spec.id)) {
        const onDisk = filesByPo.get(spec.id === 'globex' ? po.po_number.toUpperCase() : po.po_number) ?? [];
        if (onDisk.length === 0) {
          once.add(`${spec.id}: PO ${po.po_number} has no file in ${folders(spec.id).outbound}`);
          continue;
        }
        const doc = poDocByPoId.get(po.id);
        if (!doc) {
          once.add(`${spec.id}: PO ${po.po_number} has no outbound document`);
          continue;
        }
        const file = readFileSync(path.join(dir, onDisk[0]!));
        if (!file.equals(Buffer.from(doc.content))) bytes.add(`${spec.id}: ${onDisk[0]} differs from the recorded document ${doc.id}`);
        if (spec.format === 'x12') {
          const fileIsa = parseX12(file.toString('utf8')).isa13;
          if (doc.isa13 === null || Number(doc.isa13) !== fileIsa) isa.add(`${spec.id}: ${onDisk[0]} has ISA13 ${fileIsa}, the documents table says ${doc.isa13}`);
        }
      }
      if (spec.format === 'x12') {
        for (const record of [...input.simulator.answered.values()].filter((a) => a.supplier === spec.id)) {
          for (const shipment of record.shipments) {
            const n = ackedGroups.get(shipment.gs06!) ?? 0;
            if (n !== 1) acks.add(`${spec.id}: the 856 ${shipment.file} (GS06 ${shipment.gs06}) was acknowledged by ${n} 997s`);
          }
        }
      }
    }
    part.done();
    once.done();
    bytes.done();
    isa.done();
    acks.done();
  }
  figures.poFiles = poFiles;
  figures.ackFiles = ackFiles;

  // ---- inbound files -----------------------------------------------------------------------------
  const inDocs = await q<{ id: string; supplier_id: string; filename: string; status: string; last_error: string | null; kind: string }>(
    "select id, supplier_id, filename, status, last_error, kind from documents where direction = 'in'",
  );
  {
    const r = reporter('inbound applied exactly once');
    for (const spec of SUPPLIERS) {
      const written = input.simulator.stats.filesWritten[spec.id] ?? 0;
      const mine = inDocs.filter((d) => d.supplier_id === spec.id);
      const applied = mine.filter((d) => d.status === 'applied');
      if (applied.length !== written) r.add(`${spec.id}: ${written} files written, ${applied.length} applied`);
      const names = new Map<string, number>();
      for (const d of applied) names.set(d.filename, (names.get(d.filename) ?? 0) + 1);
      for (const [name, n] of names) if (n > 1) r.add(`${spec.id}: ${name} applied ${n} times`);
      for (const d of mine.filter((d) => d.status !== 'applied')) r.add(`${spec.id}: ${d.filename} is ${d.status}${d.last_error ? `: ${d.last_error}` : ''}`);
      const f = folders(spec.id);
      const left = readdirSync(path.join(input.sftpRoot, f.inbound)).filter((n) => !n.startsWith('.') && statSync(path.join(input.sftpRoot, f.inbound, n)).isFile());
      if (left.length) r.add(`${spec.id}: ${left.length} file(s) never picked up from ${f.inbound}: ${left.slice(0, 5).join(', ')}`);
      const processed = readdirSync(path.join(input.sftpRoot, f.processed)).filter((n) => !n.startsWith('.'));
      if (processed.length !== written) r.add(`${spec.id}: ${processed.length} files in ${f.processed}, ${written} written`);
      const failed = existsSync(path.join(input.sftpRoot, f.failed)) ? readdirSync(path.join(input.sftpRoot, f.failed)) : [];
      if (failed.length) r.add(`${spec.id}: ${failed.length} file(s) quarantined in ${f.failed}: ${failed.slice(0, 5).join(', ')}`);
    }
    r.done();
  }
  figures.inboundFiles = Object.values(input.simulator.stats.filesWritten).reduce((a, b) => a + b, 0);

  // ---- shipments and tracking ------------------------------------------------------------------
  const shipments = await q<{ id: string; po_id: string; order_id: string; document_id: string | null; tracking_numbers: string[] }>(
    'select s.id, s.po_id, s.order_id, s.document_id, s.tracking_numbers from shipments s join orders o on o.id = s.order_id where o.retailer_id = $1',
    [input.retailerId],
  );
  figures.shipments = shipments.length;
  const shipmentsByPo = new Map<string, typeof shipments>();
  for (const s of shipments) shipmentsByPo.set(s.po_id, [...(shipmentsByPo.get(s.po_id) ?? []), s]);
  const poById = new Map(pos.map((p) => [p.id, p]));
  const answeredFor = (supplier: string, poNumber: string) =>
    input.simulator.answered.get(`${supplier}/${supplier === 'globex' ? poNumber.toUpperCase() : poNumber}`);
  {
    const r = reporter('shipments');
    for (const po of pos) {
      const record = answeredFor(po.supplier_id, po.po_number);
      const got = shipmentsByPo.get(po.id) ?? [];
      if (!record) {
        r.add(`PO ${po.po_number} (${po.supplier_id}) was never answered by the supplier simulator`);
        continue;
      }
      if (got.length !== record.shipments.length) r.add(`PO ${po.po_number}: ${record.shipments.length} shipment files written, ${got.length} shipments recorded`);
      const want = record.shipments.map((s) => [...s.tracking].sort().join('+')).sort();
      const have = got.map((s) => [...s.tracking_numbers].sort().join('+')).sort();
      if (want.join(' ') !== have.join(' ')) r.add(`PO ${po.po_number}: tracking ${have.join(' ') || '(none)'}, the supplier sent ${want.join(' ')}`);
    }
    const docs = new Map<string, number>();
    for (const s of shipments) if (s.document_id) docs.set(s.document_id, (docs.get(s.document_id) ?? 0) + 1);
    for (const [doc, n] of docs) if (n > 1) r.add(`document ${doc} produced ${n} shipments (each file ships one PO)`);
    r.done();
  }
  {
    // What the retailer sees through the API.
    const r = reporter('tracking via the API');
    for (const p of accepted) {
      const view = input.apiViews.get(p.orderId!);
      if (!view) {
        r.add(`GET /v1/orders/${p.orderId} (${p.externalId}) gave nothing`);
        continue;
      }
      if (view.status !== 'shipped') r.add(`order ${p.externalId} reads ${view.status} through the API`);
      const want = new Set<string>();
      for (const po of view.purchaseOrders) for (const t of answeredFor(po.supplierId, po.poNumber)?.tracking ?? []) want.add(t);
      const have = new Set(view.shipments.flatMap((s) => s.trackingNumbers));
      const missing = [...want].filter((t) => !have.has(t));
      const extra = [...have].filter((t) => !want.has(t));
      if (missing.length || extra.length) r.add(`order ${p.externalId}: tracking missing [${missing.join(', ')}], unexpected [${extra.join(', ')}]`);
    }
    r.done();
  }

  // ---- retailer events ---------------------------------------------------------------------------
  const eventDocs = outDocs.filter((d) => d.kind === 'event');
  const rx = input.receiver;
  figures.events = eventDocs.length;
  figures.eventDeliveries = [...rx.events.values()].reduce((a, e) => a + e.accepted + e.refused, 0);
  figures.eventRefusals = [...rx.events.values()].reduce((a, e) => a + e.refused, 0);
  figures.eventRedeliveries = [...rx.events.values()].reduce((a, e) => a + Math.max(0, e.accepted - 1), 0);
  {
    const r = reporter('events');
    if (rx.badSignatures) r.add(`${rx.badSignatures} webhook request(s) with a missing or wrong X-Hub-Signature-256`);
    if (rx.malformed) r.add(`${rx.malformed} webhook request(s) that were not events`);
    const ids = new Set<string>();
    for (const d of eventDocs) {
      const id = d.parsed?.eventId;
      if (!id) {
        r.add(`event document ${d.id} has no event id`);
        continue;
      }
      if (ids.has(id)) r.add(`event ${id} queued twice`);
      ids.add(id);
      const got = rx.events.get(id);
      if (!got || got.accepted === 0) r.add(`event ${id} (${d.parsed?.type}) never delivered with a 2xx (document ${d.status})`);
      if (got?.bodyMismatch) r.add(`event ${id} was delivered with different bodies`);
    }
    for (const e of rx.events.values()) if (!ids.has(e.id)) r.add(`received event ${e.id} (${e.type}) that the hub has no record of`);
    const shippedIds = new Map<string, string[]>();
    for (const e of rx.events.values()) {
      if (e.accepted === 0) continue;
      if (e.type === 'order.exception') r.add(`order ${e.externalId} reported in exception: ${JSON.stringify((e.body.data as Record<string, unknown>)?.reason)}`);
      if (e.type === 'order.shipped') {
        const shipment = (e.body.data as { shipment: { id: string; trackingNumbers: string[] } }).shipment;
        shippedIds.set(shipment.id, shipment.trackingNumbers);
      }
    }
    const shippedEventCount = [...rx.events.values()].filter((e) => e.type === 'order.shipped' && e.accepted > 0).length;
    if (shippedEventCount !== shipments.length) r.add(`${shippedEventCount} distinct order.shipped events received, ${shipments.length} shipments`);
    for (const s of shipments) {
      const tracking = shippedIds.get(s.id);
      if (!tracking) r.add(`shipment ${s.id} has no order.shipped event`);
      else if ([...tracking].sort().join(',') !== [...s.tracking_numbers].sort().join(',')) r.add(`order.shipped for ${s.id} carries tracking ${tracking.join(',')}, the shipment ${s.tracking_numbers.join(',')}`);
    }
    r.done();
  }
  figures.shippedEvents = [...rx.events.values()].filter((e) => e.type === 'order.shipped' && e.accepted > 0).length;
  figures.ackEvents = [...rx.events.values()].filter((e) => e.type === 'order.acknowledged' && e.accepted > 0).length;

  // ---- observations that are not invariants ------------------------------------------------------
  const stale = await q<{ kind: string; n: string }>(
    `select e.kind, count(*) n from expectations e join purchase_orders p on p.id = e.po_id
      where e.status in ('open', 'overdue') and p.status = 'shipped' group by 1 order by 1`,
  );
  if (stale.length) {
    notes.push(
      `expectations still open for shipped POs: ${stale.map((s) => `${s.n}×${s.kind}`).join(', ')} ` +
        '(the 997/856 arrived before the PO was marked sent, so openExpectations ran after meetExpectation; they will fire order.overdue later)',
    );
  }
  void poById;
  return { violations, notes, figures };
}
