/**
 * The URLs a retailer gives the hub (its webhook URL, its Shopify shop URL): checked once when the
 * retailer is created, and shown or logged only with their credentials censored.
 *
 * A webhook URL may carry a token in its query string (`?token=…`; the hub sends it as given), so
 * every message, error detail and log line names the URL through `safeUrl` (src/logger.ts):
 * scheme, host and path, the query as `?***`, never user-info.
 *
 * @example
 *   webhookUrlProblem('https://hooks.example/in?token=abc')  // → undefined (fine)
 *   webhookUrlProblem('https://user:pw@hooks.example/in')    // → 'must not hold a user name or password …'
 *   redactUrlsIn('POST https://hooks.example/in?token=abc answered 500') // → 'POST https://hooks.example/in?*** answered 500'
 */
import { redactUrlsIn, safeUrl } from '../logger.ts';

export { redactUrlsIn, safeUrl };

/** Host names that are this machine: the only ones where plain http is allowed for a shop URL. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * Why a webhook URL can never work, or undefined when it can. The hub posts with `fetch`, which
 * refuses a URL holding a user name or password on every attempt: such a URL is refused when the
 * retailer is created instead of being retried for ever.
 */
export function webhookUrlProblem(url: string): string | undefined {
  if (url.length > 2048) return 'must be at most 2048 characters';
  const parsed = parse(url);
  if (!parsed || !/^https?:$/.test(parsed.protocol) || !/^https?:\/\//i.test(url)) return 'must be an http:// or https:// URL';
  if (!parsed.hostname) return 'must name a host';
  if (parsed.username || parsed.password) {
    return 'must not hold a user name or password (https://user:password@…): the hub cannot send to such a URL; events are signed with X-Hub-Signature-256, and a token may go in the query string';
  }
  return undefined;
}

/** Why a Shopify shop URL is refused: only https (plain http only on this machine, for tests). */
export function shopUrlProblem(url: string): string | undefined {
  if (url.length > 2048) return 'must be at most 2048 characters';
  const parsed = parse(url);
  if (!parsed || !/^https?:$/.test(parsed.protocol) || !/^https?:\/\//i.test(url)) return 'must be an https:// URL (https://<shop>.myshopify.com)';
  if (!parsed.hostname) return 'must name a host';
  if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname)) return 'must be an https:// URL (plain http only for localhost)';
  if (parsed.username || parsed.password) return 'must not hold a user name or password: the access token is given with --shopify-access-token';
  return undefined;
}

/** What is wrong with a WooCommerce store URL (the key pair goes in a Basic auth header: https only, plain http on localhost). */
export function storeUrlProblem(url: string): string | undefined {
  if (url.length > 2048) return 'must be at most 2048 characters';
  const parsed = parse(url);
  if (!parsed || !/^https?:$/.test(parsed.protocol) || !/^https?:\/\//i.test(url) || !parsed.hostname) return 'must be an https:// URL (https://shop.example)';
  if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname)) return 'must be an https:// URL (plain http only for localhost): the key pair is sent with every request';
  if (parsed.username || parsed.password) return 'must not hold a user name or password: give --woocommerce-key and --woocommerce-secret-key';
  return undefined;
}

/** The host name a shop URL names (`toyshop.myshopify.com`), lower-cased, for X-Shopify-Shop-Domain. */
export function shopHostname(url: string): string | undefined {
  return parse(url)?.hostname.toLowerCase() || undefined;
}
