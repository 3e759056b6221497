/**
 * The JSON a supplier may push (POST /v1/suppliers/{id}/documents, or a `.json` file over SFTP):
 * one document, an array of documents, or `{"documents": [...]}`. Each document has a `type`:
 *
 * ```json
 * {"type": "shipment", "poNumber": "1001-acme", "shipmentId": "SH-77", "carrier": "UPSN",
 *  "service": "GROUND", "shippedAt": "2026-11-27", "trackingNumbers": ["1Z999AA10123456784"],
 *  "lines": [{"sku": "ACME-TRUCK-01", "supplierSku": "TR-01", "lineNumber": 1, "quantity": 2}]}
 * {"type": "acknowledgment", "poNumber": "1001-acme", "status": "accepted_with_changes",
 *  "lines": [{"lineNumber": 1, "status": "backordered", "quantity": 2, "reason": "restock 12/03"}]}
 * {"type": "invoice", "invoiceNumber": "INV-9", "poNumber": "1001-acme", "invoiceDate": "2026-11-28",
 *  "total": "39.98", "lines": [{"sku": "ACME-TRUCK-01", "quantity": 2, "unitPrice": "19.99"}]}
 * {"type": "inventory", "items": [{"supplierSku": "TR-01", "available": 40}]}
 * {"type": "inventory", "feed": "full", "asOf": "2026-12-03T09:00:00Z", "items": [...]}
 * ```
 *
 * `trackingNumber` (one) may stand for `trackingNumbers`. Quantities are whole numbers (positive
 * for shipped/invoiced lines), money decimal strings, dates YYYY-MM-DD or ISO timestamps. A bad
 * document is a ParseError naming every bad field by its path (`lines.0.quantity`).
 */
import { loneSurrogatePath, safeParseInput } from '../canonical/safe-parse.ts';
import { z } from 'zod';
import type { InboundItem } from '../canonical/inbound.ts';
import { ParseError, errorMessage, issuesFromZod } from '../errors.ts';
import { normalizeDate } from './tracking-csv.ts';

const Text = z.string().trim().min(1);
const Quantity = z.number().int().positive();
const Money = z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string such as "19.99"');
const DateString = z
  .string()
  .transform((v, ctx) => {
    const d = normalizeDate(v);
    if (d === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be a date (YYYY-MM-DD) or an ISO timestamp' });
      return z.NEVER;
    }
    return d;
  });

const ItemIds = {
  sku: Text.optional(),
  supplierSku: Text.optional(),
  upc: Text.optional(),
  lineNumber: z.number().int().positive().optional(),
};

const ShipmentLine = z
  .strictObject({ ...ItemIds, quantity: Quantity })
  .refine((l) => l.sku || l.supplierSku || l.upc || l.lineNumber, { message: 'give sku, supplierSku, upc or lineNumber' });

export const ShipmentDocument = z
  .strictObject({
    type: z.literal('shipment'),
    poNumber: Text,
    shipmentId: Text.optional(),
    carrier: Text.optional(),
    service: Text.optional(),
    shippedAt: DateString.optional(),
    trackingNumbers: z.array(Text).optional(),
    trackingNumber: Text.optional(),
    lines: z.array(ShipmentLine).default([]),
  })
  .refine((s) => (s.trackingNumbers?.length ?? 0) > 0 || s.trackingNumber, {
    message: 'give trackingNumbers (or trackingNumber)',
    path: ['trackingNumbers'],
  });

const LINE_STATUSES = ['accepted', 'backordered', 'rejected', 'quantity_changed', 'deleted', 'substituted', 'other'] as const;

export const AcknowledgmentDocument = z.strictObject({
  type: z.literal('acknowledgment'),
  poNumber: Text,
  status: z.enum(['accepted', 'accepted_with_changes', 'rejected']),
  code: z.string().optional(),
  lines: z
    .array(
      z.strictObject({
        ...ItemIds,
        status: z.enum(LINE_STATUSES),
        code: z.string().optional(),
        quantity: z.number().int().min(0).optional(),
        reason: z.string().optional(),
      }),
    )
    .default([]),
});

export const InvoiceDocument = z.strictObject({
  type: z.literal('invoice'),
  invoiceNumber: Text,
  poNumber: Text,
  invoiceDate: DateString.optional(),
  total: Money.optional(),
  lines: z.array(z.strictObject({ ...ItemIds, quantity: Quantity, unitPrice: Money.optional() })).default([]),
});

export const InventoryDocument = z.strictObject({
  type: z.literal('inventory'),
  /** `full`: SKUs of this supplier missing from the items go to 0; `delta` (absent: the rule's `feed`, else delta). Extension. */
  feed: z.enum(['full', 'delta']).optional(),
  /** When the figures hold (a date or an ISO timestamp); absent: when the document arrives. Extension. */
  asOf: DateString.optional(),
  items: z.array(
    z.strictObject({ supplierSku: Text, sku: Text.optional(), upc: Text.optional(), available: z.number().int().min(0), asOf: DateString.optional() }),
  ),
});

export const InboundDocument = z.discriminatedUnion('type', [
  ShipmentDocument,
  AcknowledgmentDocument,
  InvoiceDocument,
  InventoryDocument,
]);
export type InboundDocument = z.infer<typeof InboundDocument>;

function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function toItem(doc: InboundDocument): InboundItem {
  switch (doc.type) {
    case 'shipment': {
      const { type: _type, trackingNumber, trackingNumbers, lines, ...rest } = doc;
      const tracking = [...new Set([...(trackingNumbers ?? []), ...(trackingNumber ? [trackingNumber] : [])])];
      return { kind: 'shipment', shipment: strip({ ...rest, trackingNumbers: tracking, lines: lines.map(strip) }) };
    }
    case 'acknowledgment': {
      const { type: _type, code, lines, ...rest } = doc;
      return {
        kind: 'acknowledgment',
        acknowledgment: strip({ ...rest, code: code ?? '', lines: lines.map((l) => strip({ ...l, code: l.code ?? '' })) }),
      };
    }
    case 'invoice': {
      const { type: _type, lines, ...rest } = doc;
      return { kind: 'invoice', invoice: strip({ ...rest, lines: lines.map(strip) }) };
    }
    case 'inventory':
      return strip({ kind: 'inventory' as const, items: doc.items.map(strip), feed: doc.feed, asOf: doc.asOf });
  }
}

export interface InboundJsonOptions {
  file?: string;
}

/** Reads pushed JSON into inbound items. */
export function parseInboundJson(bytes: Buffer | string, options: InboundJsonOptions = {}): InboundItem[] {
  const source = (typeof bytes === 'string' ? bytes : bytes.toString('utf8')).replace(/^\uFEFF/, '');
  let body: unknown;
  try {
    body = JSON.parse(source);
  } catch (error) {
    const message = errorMessage(error);
    const position = /position (\d+)/.exec(message)?.[1];
    const index = position === undefined ? undefined : Number(position);
    throw new ParseError(
      'json',
      `not valid JSON: ${message}`,
      index === undefined
        ? { file: options.file }
        : {
            file: options.file,
            line: source.slice(0, index).split('\n').length,
            offset: Buffer.byteLength(source.slice(0, index)),
          },
      { cause: error },
    );
  }
  const surrogate = loneSurrogatePath(body);
  if (surrogate !== undefined) {
    throw new ParseError('json', `invalid document: ${surrogate || '(root)'}: holds a broken character: a \\ud800-\\udfff escape without its pair`, { file: options.file });
  }
  const single = body !== null && typeof body === 'object' && !Array.isArray(body) && !('documents' in body);
  const list = Array.isArray(body)
    ? body
    : body !== null && typeof body === 'object' && 'documents' in body
      ? (body as { documents: unknown }).documents
      : body;
  const schema = single ? InboundDocument : z.array(InboundDocument).min(1, 'give at least one document');
  const result = safeParseInput(schema, list);
  if (!result.success) {
    const prefix = !single && !Array.isArray(body) ? 'documents.' : '';
    const issues = issuesFromZod(result.error).map((i) => `${i.path ? prefix + i.path : prefix.replace(/\.$/, '') || '(root)'}: ${i.message}`);
    throw new ParseError('json', `invalid document: ${issues.join('; ')}`, { file: options.file });
  }
  const docs = (single ? [result.data] : result.data) as InboundDocument[];
  return docs.map(toItem);
}
