import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HubError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  validation_failed: 400,
  parse_failed: 400,
  mapping_invalid: 400,
  config_invalid: 500,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  state_conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  render_failed: 422,
  routing_failed: 422,
  transport_failed: 502,
  transport_auth_failed: 502,
  transport_host_key_mismatch: 502,
  transport_timeout: 504,
  transport_rejected: 502,
  storage_locked: 503,
  internal: 500,
};

/** The one place where errors become responses: `{"error": {code, message, details?}}`. */
export function errorResponse(c: Context, error: unknown, logger: Logger): Response {
  if (error instanceof HubError) {
    const status = STATUS[error.code];
    if (status >= 500) logger.error({ err: error, path: c.req.path }, error.message);
    return c.json(
      { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } },
      status,
    );
  }
  logger.error({ err: error, path: c.req.path }, 'unhandled error');
  return c.json({ error: { code: 'internal', message: 'internal error' } }, 500);
}
