import { CanonicalOrder } from '../canonical/order.ts';
import { safeParseInput } from '../canonical/safe-parse.ts';
import { loadMappings } from '../config/mapping-loader.ts';
import { HubError, ValidationError, issuesFromZod } from '../errors.ts';
import { renderOutbound, usesControlNumbers } from '../formats/outbound.ts';
import { routeOrder } from '../routing/index.ts';

/** Control numbers used by `hub mappings preview`: all nines, so a preview is never mistaken for a real file. */
export const PREVIEW_CONTROL_NUMBERS = { isa13: 999_999_999, gs06: 999_999_999, st02: 9999 };

/**
 * `hub mappings preview <supplier> <order.json>`: exactly the bytes the supplier would get for this
 * order (routed against every mapping, as the hub would), without touching any database, with a
 * warning for each text field the format could not write as given (`warnings` of each document).
 * An invalid order is a ValidationError listing every bad field with its path.
 */
export async function previewPurchaseOrders(mappingsDir: string, supplier: string, body: unknown) {
  const parsed = safeParseInput(CanonicalOrder, body);
  if (!parsed.success) {
    // Every bad field by its path, as the API answers (`lines.0.quantity: …`).
    const issues = issuesFromZod(parsed.error);
    throw new ValidationError(`invalid order:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`, issues);
  }
  const mappings = await loadMappings(mappingsDir);
  const loaded = mappings.find((m) => m.supplier === supplier);
  if (!loaded) throw new HubError('not_found', `no mapping for supplier ${supplier} in ${mappingsDir}`);
  const routed = await routeOrder(
    { orderId: 'ord_preview', retailer: { id: 'preview', name: 'Preview Retailer' }, order: parsed.data, createdAt: parsed.data.placedAt },
    mappings,
  );
  if (!routed.ok) throw new HubError('routing_failed', routed.reason);
  const pos = routed.purchaseOrders.filter((po) => po.supplierId === supplier);
  if (pos.length === 0) throw new HubError('routing_failed', `no line of this order goes to ${supplier}`);
  return Promise.all(
    pos.map((po) => renderOutbound(loaded, po, usesControlNumbers(loaded.mapping) ? PREVIEW_CONTROL_NUMBERS : undefined)),
  );
}
