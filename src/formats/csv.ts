/**
 * CSV purchase orders: one row per PO line, one column per `outbound.columns` entry (header →
 * JSONata expression over the line, with the PO bound as `$po`). Text cells that a spreadsheet
 * would run as a formula (starting with =, +, -, @, tab or CR) get a leading `'`, and so does every
 * line inside a cell (after a CR or LF): a reader that breaks rows on a bare CR must not find a
 * formula there either. A cell holding CR or LF is always quoted, so it stays one cell.
 * A cancellation uses `cancelTemplate` when given: an expression over the PO producing one row
 * object or a list of them (header → value); else the columns, with `$po.purpose` = "cancel".
 */
import { stringify } from 'csv-stringify/sync';
import type { PurchaseOrder } from '../canonical/purchase-order.ts';
import { evaluateExpression } from '../config/expression.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { RenderError } from '../errors.ts';

const FORMULA_START = /^[=+\-@\t\r]/;
/** A formula character right after a line break inside a cell (CR, LF or CRLF). */
const FORMULA_AFTER_BREAK = /([\r\n])(?=[=+\-@\t])/g;
/** Cells the writer must quote besides those holding the delimiter or a quote: any CR or LF. */
const LINE_BREAK = /[\r\n]/;

/** Text with a leading `'` on every line that a spreadsheet would run as a formula. */
function neutralise(text: string): string {
  const guarded = text.replace(FORMULA_AFTER_BREAK, "$1'");
  return FORMULA_START.test(guarded) ? `'${guarded}` : guarded;
}

/** A cell value as text; formula-looking text neutralised. */
export function csvCell(value: unknown, where: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return neutralise(value);
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) {
    return csvCell(value.filter((v) => v !== null && v !== undefined).join(' '), where);
  }
  throw new RenderError(`${where} must produce text or a number, got ${JSON.stringify(value)}`, { path: where });
}

export async function renderCsv(loaded: LoadedMapping, po: PurchaseOrder): Promise<string> {
  const outbound = loaded.mapping.outbound;
  const cancelTemplate = loaded.expressions.cancelTemplate;
  let header: string[];
  let rows: string[][];
  if (po.purpose === 'cancel' && cancelTemplate) {
    const value = await evaluateExpression(cancelTemplate, po, { po }, loaded.supplier);
    const records = (Array.isArray(value) ? value : [value]).filter((r) => r !== undefined && r !== null);
    if (!records.length || records.some((r) => typeof r !== 'object' || Array.isArray(r))) {
      throw new RenderError(`${loaded.supplier}: outbound.cancelTemplate must produce a row object (header → value) or a list of them`, {
        supplier: loaded.supplier,
      });
    }
    header = [...new Set(records.flatMap((r) => Object.keys(r as object)))];
    rows = records.map((r) => header.map((h) => csvCell((r as Record<string, unknown>)[h], `${loaded.supplier}: outbound.cancelTemplate.${h}`)));
  } else {
    const columns = loaded.expressions.columns;
    if (!columns.length) throw new RenderError(`${loaded.supplier}: outbound.columns is required for format csv`, { supplier: loaded.supplier });
    header = columns.map((c) => c.header);
    rows = [];
    for (const line of po.lines) {
      const row: string[] = [];
      for (const { expression } of columns) {
        const value = await evaluateExpression(expression, line, { po, line }, loaded.supplier);
        row.push(csvCell(value, `${loaded.supplier}: ${expression.path}`));
      }
      rows.push(row);
    }
  }
  return stringify([header.map((h) => csvCell(h, 'header')), ...rows], {
    delimiter: outbound.delimiter,
    record_delimiter: 'unix',
    // csv-stringify quotes a field holding the record delimiter (LF) but not a bare CR, which some
    // readers take for a row break: quote both.
    quoted_match: LINE_BREAK,
  });
}
