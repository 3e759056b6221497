/**
 * The hub's one error hierarchy. Every error the hub raises on purpose is a HubError with a closed
 * `code`, a `retryable` flag (for the outbox and the poller) and an optional `cause`. Only
 * `src/http/errors.ts` turns these into HTTP responses; the CLI prints `message` (and `details`).
 */

export type ErrorCode =
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'mapping_invalid'
  | 'config_invalid'
  | 'parse_failed'
  | 'render_failed'
  | 'routing_failed'
  | 'transport_failed'
  | 'transport_auth_failed'
  | 'transport_host_key_mismatch'
  | 'transport_timeout'
  | 'transport_rejected'
  | 'state_conflict'
  | 'storage_locked'
  | 'internal';

export interface HubErrorOptions {
  details?: unknown;
  retryable?: boolean;
  cause?: unknown;
}

export class HubError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: HubErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
    this.retryable = options.retryable ?? false;
  }
}

/** One bad field: where it is (a path such as `lines.0.quantity`) and why it is bad. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** A request body, CLI argument or config value that does not fit its schema. Lists every bad field. */
export class ValidationError extends HubError {
  readonly issues: FieldIssue[];
  constructor(message: string, issues: FieldIssue[], options: Omit<HubErrorOptions, 'details'> = {}) {
    super('validation_failed', message, { ...options, details: { issues } });
    this.issues = issues;
  }
}

/**
 * A mapping file that cannot be used: names the file, the key path and (where known) the line.
 * `what` names other configuration files read the same way (`routing policy` for routing.yaml).
 */
export class MappingError extends HubError {
  readonly file: string;
  readonly issues: (FieldIssue & { line?: number })[];
  constructor(file: string, issues: (FieldIssue & { line?: number })[], options: { cause?: unknown; what?: string } = {}) {
    const lines = issues.map(
      (i) => `  ${i.path || '(root)'}${i.line === undefined ? '' : ` (line ${i.line})`}: ${i.message}`,
    );
    const { what = 'mapping file', ...rest } = options;
    super('mapping_invalid', `${file}: invalid ${what}\n${lines.join('\n')}`, {
      ...rest,
      details: { file, issues },
    });
    this.file = file;
    this.issues = issues;
  }
}

/** A supplier file (X12, CSV, XML, JSON) that cannot be read. `segment` is 1-based, `offset` a byte offset. */
export class ParseError extends HubError {
  readonly format: string;
  readonly segment: number | undefined;
  readonly offset: number | undefined;
  readonly line: number | undefined;
  constructor(
    format: string,
    message: string,
    where: { segment?: number; offset?: number; line?: number; file?: string } = {},
    options: { cause?: unknown } = {},
  ) {
    const at = [
      where.file,
      where.segment === undefined ? undefined : `segment ${where.segment}`,
      where.line === undefined ? undefined : `line ${where.line}`,
      where.offset === undefined ? undefined : `byte ${where.offset}`,
    ]
      .filter(Boolean)
      .join(', ');
    super('parse_failed', at ? `${format}: ${message} (${at})` : `${format}: ${message}`, {
      ...options,
      details: { format, ...where },
    });
    this.format = format;
    this.segment = where.segment;
    this.offset = where.offset;
    this.line = where.line;
  }
}

/** Order data that cannot be written in the supplier's format (a mandatory value missing, say). */
export class RenderError extends HubError {
  constructor(message: string, details?: unknown) {
    super('render_failed', message, { details });
  }
}

/** Moving bytes failed. `retryable` says whether the outbox should try again. */
export class TransportError extends HubError {
  constructor(
    code: Extract<
      ErrorCode,
      | 'transport_failed'
      | 'transport_auth_failed'
      | 'transport_host_key_mismatch'
      | 'transport_timeout'
      | 'transport_rejected'
    >,
    message: string,
    options: HubErrorOptions = {},
  ) {
    const retryable =
      options.retryable ?? (code === 'transport_failed' || code === 'transport_timeout');
    super(code, message, { ...options, retryable });
  }
}

export class NotFoundError extends HubError {
  constructor(what: string) {
    super('not_found', `${what} not found`);
  }
}

export class ConflictError extends HubError {
  constructor(message: string, details?: unknown) {
    super('conflict', message, { details });
  }
}

export class UnauthorizedError extends HubError {
  constructor(message = 'missing or invalid credentials') {
    super('unauthorized', message);
  }
}

/** Turns zod's issues into the hub's field issues (`lines.0.quantity: …`). */
export function issuesFromZod(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
