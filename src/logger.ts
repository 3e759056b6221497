import pino, { type Logger } from 'pino';

export type { Logger };

/** Keys whose values never reach a log line, wherever they appear. */
export const REDACT_PATHS = [
  'password', '*.password', 'passphrase', '*.passphrase', 'privateKey', '*.privateKey', 'token', '*.token',
  'secret', '*.secret', 'apiKey', '*.apiKey', 'authorization', '*.authorization', 'headers.authorization',
  '*.headers.authorization', 'webhookSecret', '*.webhookSecret', 'accessToken', '*.accessToken',
  'shopifySecret', '*.shopifySecret', 'woocommerceSecret', '*.woocommerceSecret',
];

/** Structured logs: JSON lines, or pretty when the output is a terminal. */
export function createLogger(options: { level?: string; pretty?: boolean; destination?: NodeJS.WritableStream } = {}): Logger {
  const pretty = options.pretty ?? (process.stdout.isTTY === true && !options.destination);
  const base = { level: options.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '***' } };
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } } });
  }
  return options.destination ? pino(base, options.destination as pino.DestinationStream) : pino(base);
}

export const silentLogger: Logger = pino({ level: 'silent' });
