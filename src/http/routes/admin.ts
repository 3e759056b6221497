import { Hono } from 'hono';
import { z } from 'zod';
import { NotFoundError } from '../../errors.ts';
import type { Hub } from '../../hub.ts';
import { rerouteOrder } from '../../pipeline/reroute.ts';
import { retryDocument } from '../../pipeline/retry.ts';
import { toBuffer } from '../../store/ids.ts';
import { redactUrlsIn } from '../../logger.ts';
import { activeLockouts, listMailboxAudit } from '../../store/mailbox.ts';
import { adminAuth, type AppEnv } from '../request.ts';
import { contentPreview } from '../content-preview.ts';
import { parseOrThrow } from './orders.ts';

const DocumentsQuery = z.strictObject({
  status: z.string().max(32).optional(),
  direction: z.enum(['in', 'out']).optional(),
  supplier: z.string().max(64).optional(),
  order: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function documentSummary(d: {
  id: string; direction: string; kind: string; format: string; supplier_id: string | null; retailer_id: string | null;
  order_id: string | null; po_id: string | null; filename: string; status: string; attempts: number; last_error: string | null;
  error_code: string | null; isa13: string | number | null; size: number; created_at: Date; updated_at: Date;
}) {
  return {
    id: d.id,
    direction: d.direction,
    kind: d.kind,
    format: d.format,
    supplierId: d.supplier_id,
    retailerId: d.retailer_id,
    orderId: d.order_id,
    poId: d.po_id,
    filename: d.filename,
    status: d.status,
    attempts: d.attempts,
    // URLs in an error are shown without their credentials (issue 18 item 6).
    lastError: d.last_error === null ? null : redactUrlsIn(d.last_error),
    errorCode: d.error_code,
    controlNumber: d.isa13 === null ? null : Number(d.isa13),
    size: d.size,
    createdAt: d.created_at.toISOString(),
    updatedAt: d.updated_at.toISOString(),
  };
}

const MailboxAuditQuery = z.strictObject({
  supplier: z.string().max(64).optional(),
  event: z.string().max(32).optional(),
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** Operator routes behind HUB_ADMIN_TOKEN: every document in and out, retries, the overdue list, the mailbox's audit log. */
export function adminRoutes(hub: Hub) {
  const app = new Hono<AppEnv>();
  app.use('*', adminAuth(hub));

  app.get('/documents', async (c) => {
    const query = parseOrThrow(DocumentsQuery, c.req.query(), 'query');
    let q = hub.store.db.selectFrom('documents').selectAll();
    if (query.status) q = q.where('status', '=', query.status);
    if (query.direction) q = q.where('direction', '=', query.direction);
    if (query.supplier) q = q.where('supplier_id', '=', query.supplier);
    if (query.order) q = q.where('order_id', '=', query.order);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(query.limit).execute();
    return c.json({ documents: rows.map(documentSummary) });
  });

  app.get('/documents/:id', async (c) => {
    const d = await hub.store.db.selectFrom('documents').selectAll().where('id', '=', c.req.param('id')).executeTakeFirst();
    if (!d) throw new NotFoundError('document');
    const preview = contentPreview(toBuffer(d.content));
    return c.json({
      ...documentSummary(d),
      contentType: d.content_type,
      contentHash: d.content_hash,
      content: preview.text,
      // Past 256 KiB only the start is shown; the whole file is /raw.
      ...(preview.omittedBytes ? { contentOmittedBytes: preview.omittedBytes } : {}),
      parsed: d.parsed,
      receipt: d.receipt,
    });
  });

  app.get('/documents/:id/raw', async (c) => {
    const d = await hub.store.db.selectFrom('documents').select(['content', 'content_type', 'filename']).where('id', '=', c.req.param('id')).executeTakeFirst();
    if (!d) throw new NotFoundError('document');
    return c.body(new Uint8Array(toBuffer(d.content)), 200, {
      'content-type': 'text/plain; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'content-disposition': `inline; filename="${d.filename.replace(/[^\w.-]/g, '_')}"`,
    });
  });

  app.post('/documents/:id/retry', async (c) => {
    const status = await retryDocument(hub, c.req.param('id'));
    return c.json({ id: c.req.param('id'), status });
  });

  app.get('/mailbox/audit', async (c) => {
    const query = parseOrThrow(MailboxAuditQuery, c.req.query(), 'query');
    const entries = await listMailboxAudit(hub.store.db, {
      limit: query.limit,
      ...(query.supplier ? { supplierId: query.supplier } : {}),
      ...(query.event ? { event: query.event } : {}),
      ...(query.before ? { beforeId: query.before } : {}),
    });
    return c.json({ entries: entries.map((e) => ({ ...e, at: e.at.toISOString() })) });
  });

  app.get('/mailbox/lockouts', async (c) => {
    const locks = await activeLockouts(hub.store.db, hub.clock());
    return c.json({ lockouts: locks.map((l) => ({ key: l.key, until: l.until.toISOString() })) });
  });

  app.post('/orders/:id/reroute', async (c) => {
    await rerouteOrder(hub, c.req.param('id'));
    return c.json({ id: c.req.param('id'), status: 'received' });
  });

  app.get('/overdue', async (c) => {
    const rows = await hub.store.db
      .selectFrom('expectations')
      .innerJoin('purchase_orders', 'purchase_orders.id', 'expectations.po_id')
      .innerJoin('orders', 'orders.id', 'expectations.order_id')
      .select([
        'expectations.po_id', 'expectations.order_id', 'expectations.kind', 'expectations.due_at', 'expectations.overdue_at',
        'purchase_orders.po_number', 'purchase_orders.supplier_id', 'orders.order_number', 'orders.retailer_id',
      ])
      .where('expectations.status', '=', 'overdue')
      .orderBy('expectations.due_at')
      .limit(1000)
      .execute();
    return c.json({
      overdue: rows.map((r) => ({
        poId: r.po_id,
        poNumber: r.po_number,
        supplierId: r.supplier_id,
        orderId: r.order_id,
        orderNumber: r.order_number,
        retailerId: r.retailer_id,
        expected: r.kind,
        dueAt: r.due_at.toISOString(),
        overdueSince: r.overdue_at?.toISOString() ?? null,
      })),
    });
  });

  return app;
}
