/**
 * The mapping's `outbound.overrides` (850 element → JSONata over the PO), evaluated for one PO before
 * `render850` writes it.
 */
import type { PurchaseOrder } from '../../canonical/purchase-order.ts';
import { evaluateExpression } from '../../config/expression.ts';
import type { LoadedMapping } from '../../config/mapping-loader.ts';
import { RenderError } from '../../errors.ts';
import { LINE_SEGMENTS, type Overrides850, type ResolvedOverride } from './write/850.ts';

/** Evaluates the mapping's 850 element overrides for one PO (PO1/PID ones once per line, with `$line`). */
export async function resolveOverrides(loaded: LoadedMapping, po: PurchaseOrder): Promise<Overrides850> {
  const result: Overrides850 = { header: [], lines: po.lines.map(() => []) };
  for (const override of loaded.expressions.overrides) {
    const resolve = async (bindings: Record<string, unknown>): Promise<ResolvedOverride> => {
      const value = await evaluateExpression(override.expression, po, bindings, loaded.supplier);
      if (value !== null && value !== undefined && typeof value === 'object') {
        throw new RenderError(`${loaded.supplier}: ${override.expression.path} must produce text or a number`, {
          supplier: loaded.supplier,
          path: override.expression.path,
        });
      }
      const resolved: ResolvedOverride = {
        key: override.key,
        segment: override.segment,
        element: override.element,
        value: value === null || value === undefined || value === false ? null : String(value),
      };
      if (override.qualifier) resolved.qualifier = override.qualifier;
      return resolved;
    };
    if (LINE_SEGMENTS.has(override.segment)) {
      for (let i = 0; i < po.lines.length; i++) result.lines[i]!.push(await resolve({ po, line: po.lines[i] }));
    } else {
      result.header.push(await resolve({ po }));
    }
  }
  return result;
}
