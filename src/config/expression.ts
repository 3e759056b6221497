/**
 * JSONata expressions from mapping files: compiled once when the file is loaded (a syntax error is a
 * MappingError naming the key path), evaluated with guard rails (time, stack depth, sequence size)
 * so that a careless template cannot hang a worker. Evaluation errors become RenderErrors naming
 * the supplier and key path, because they surface while rendering one purchase order.
 */
import jsonata from 'jsonata';
import { RenderError, errorMessage } from '../errors.ts';

/** Guard rails for every evaluation. */
const OPTIONS = { timeout: 2_000, stack: 500, sequence: 100_000 } satisfies jsonata.JsonataOptions;

export interface CompiledExpression {
  /** Where the expression lives in its mapping file, e.g. `outbound.columns.Qty`. */
  readonly path: string;
  readonly source: string;
  readonly compiled: jsonata.Expression;
}

/** A JSONata syntax error: `message` and (where jsonata says) the character position. */
export class ExpressionSyntaxError extends Error {
  constructor(
    readonly path: string,
    message: string,
    readonly position?: number,
  ) {
    super(message);
  }
}

function describeJsonataError(error: unknown): { message: string; position?: number } {
  const e = error as Partial<jsonata.JsonataError> & { message?: string };
  const message = e.message ?? errorMessage(error);
  return typeof e.position === 'number' ? { message, position: e.position } : { message };
}

/** Compiles one expression; throws ExpressionSyntaxError with the key path on bad syntax. */
export function compileExpression(path: string, source: string): CompiledExpression {
  try {
    return { path, source, compiled: jsonata(source, OPTIONS) };
  } catch (error) {
    const { message, position } = describeJsonataError(error);
    throw new ExpressionSyntaxError(
      path,
      position === undefined ? `invalid JSONata: ${message}` : `invalid JSONata at character ${position}: ${message}`,
      position,
    );
  }
}

/**
 * Evaluates a compiled expression. `who` names the supplier in error messages. JSONata's own
 * sequences are turned into plain arrays so that renderers see ordinary JSON values.
 */
export async function evaluateExpression(
  expression: CompiledExpression,
  input: unknown,
  bindings: Record<string, unknown>,
  who: string,
): Promise<unknown> {
  try {
    return toPlain(await expression.compiled.evaluate(input, bindings));
  } catch (error) {
    const { message } = describeJsonataError(error);
    throw new RenderError(`${who}: ${expression.path}: JSONata evaluation failed: ${message}`, {
      supplier: who,
      path: expression.path,
    });
  }
}

function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object') {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toPlain(v);
    return out;
  }
  if (typeof value === 'function') return undefined;
  return value;
}
