import pino, { type Logger } from 'pino';

export type { Logger };

/** Keys whose values never reach a log line, wherever they appear. */
export const REDACT_PATHS = [
  'password', '*.password', 'passphrase', '*.passphrase', 'privateKey', '*.privateKey', 'token', '*.token',
  'secret', '*.secret', 'apiKey', '*.apiKey', 'authorization', '*.authorization', 'headers.authorization',
  '*.headers.authorization', 'webhookSecret', '*.webhookSecret', 'accessToken', '*.accessToken',
  'shopifySecret', '*.shopifySecret', 'woocommerceSecret', '*.woocommerceSecret',
  'woocommerceKey', '*.woocommerceKey', 'woocommerceSecretKey', '*.woocommerceSecretKey',
];

/** Key names whose values are secrets, wherever they are nested (mapping, transport, retailer row...). */
const SECRET_KEY = /pass(word|phrase)|secret|token|private_?key|api_?key|woocommerce_?key|consumer_?key|authorization|cookie|hmac/i;

/** Replaces secret-named values at any depth (pino's redact paths stop at a fixed depth). */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object' || depth > 12) return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1, seen));
  if (Buffer.isBuffer(value) || value instanceof Date || value instanceof Uint8Array) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (SECRET_KEY.test(key) && v !== null && v !== undefined && typeof v !== 'object') out[key] = '***';
    else if (typeof v === 'string' && URL_WITH_SECRETS.test(v)) out[key] = safeUrl(v);
    else if (typeof v === 'string') out[key] = redactUrlsIn(v);
    else out[key] = redactSecrets(v, depth + 1, seen);
  }
  return out;
}

/** A URL that may carry credentials: user-info, or a query string (API keys often travel there). */
const URL_WITH_SECRETS = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*@|[^?#]*\?)/i;

export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search ? '?***' : ''}`;
  } catch {
    return '***';
  }
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/**
 * Every URL inside a text (a message, an error, a stack) that may carry credentials (user-info or
 * a query string) replaced by its `safeUrl`; other URLs and the rest of the text unchanged.
 */
export function redactUrlsIn(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(URL_IN_TEXT, (url) => (URL_WITH_SECRETS.test(url) ? safeUrl(url) : url));
}

/** pino's error serializer, with URL credentials censored in the message and the stack. */
function errSerializer(error: Error): Record<string, unknown> {
  const out = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  for (const key of ['message', 'stack']) if (typeof out[key] === 'string') out[key] = redactUrlsIn(out[key] as string);
  return out;
}

/** Structured logs: JSON lines, or pretty when the output is a terminal. */
export function createLogger(options: { level?: string; pretty?: boolean; destination?: NodeJS.WritableStream } = {}): Logger {
  const pretty = options.pretty ?? (process.stdout.isTTY === true && !options.destination);
  const base = {
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '***' },
    formatters: { log: (object: Record<string, unknown>) => redactSecrets(object) as Record<string, unknown> },
    serializers: { err: errSerializer, error: (v: unknown) => (v instanceof Error ? errSerializer(v) : v) },
    // The message text too: an error message quoting a URL must not print its token.
    hooks: {
      logMethod(this: Logger, args: Parameters<pino.LogFn>, method: pino.LogFn) {
        return method.apply(this, args.map((a) => (typeof a === 'string' ? redactUrlsIn(a) : a)) as Parameters<pino.LogFn>);
      },
    },
  };
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } } });
  }
  return options.destination ? pino(base, options.destination as pino.DestinationStream) : pino(base);
}

export const silentLogger: Logger = pino({ level: 'silent' });
