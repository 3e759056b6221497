/**
 * JSON purchase orders: the mapping's `outbound.template` (a JSONata expression over the PO)
 * produces the document, written as pretty-printed JSON. Also home of `evaluateTemplate`, which
 * the XML renderer shares: the template's value is the document, whatever it is written as.
 */
import type { PurchaseOrder } from '../canonical/purchase-order.ts';
import { evaluateExpression, type CompiledExpression } from '../config/expression.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { RenderError } from '../errors.ts';

/**
 * The template for this PO: for a cancellation the `cancelTemplate` when the mapping has one, else
 * the main template (which sees `purpose: "cancel"`). The PO is the input and is bound as `$po`.
 */
export async function evaluateTemplate(loaded: LoadedMapping, po: PurchaseOrder): Promise<unknown> {
  const expression = chooseTemplate(loaded, po);
  const value = await evaluateExpression(expression, po, { po }, loaded.supplier);
  if (value === undefined || value === null || typeof value !== 'object') {
    throw new RenderError(`${loaded.supplier}: ${expression.path} must produce an object or a list, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`, {
      supplier: loaded.supplier,
      path: expression.path,
    });
  }
  return value;
}

export function chooseTemplate(loaded: LoadedMapping, po: PurchaseOrder): CompiledExpression {
  const { template, cancelTemplate } = loaded.expressions;
  const expression = po.purpose === 'cancel' && cancelTemplate ? cancelTemplate : template;
  if (!expression) {
    throw new RenderError(`${loaded.supplier}: outbound.template is required for format ${loaded.mapping.outbound.format}`, {
      supplier: loaded.supplier,
    });
  }
  return expression;
}

export async function renderJson(loaded: LoadedMapping, po: PurchaseOrder): Promise<string> {
  return `${JSON.stringify(await evaluateTemplate(loaded, po), null, 2)}\n`;
}
