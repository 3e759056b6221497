/**
 * `Retry-After` as milliseconds from now: delay-seconds (fractions allowed, as Shopify sends them) or
 * an HTTP date; undefined when absent or unreadable. A date in the past gives 0. Shared by the
 * supplier HTTP transport and the retailer-side clients (webhooks, Shopify).
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
