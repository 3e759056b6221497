/**
 * One purchase order → the bytes a supplier receives, in the format its mapping names. One
 * exhaustive switch over `outbound.format`: a new format is one file and one `case`.
 *
 * @example
 *   const numbers = usesControlNumbers(loaded.mapping) ? await counters.next(loaded.supplier) : undefined;
 *   const doc = await renderOutbound(loaded, po, numbers);      // { filename, content, contentType }
 */
import type { ControlNumbers, PurchaseOrder } from '../canonical/purchase-order.ts';
import { evaluateExpression } from '../config/expression.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import type { Mapping } from '../config/mapping-schema.ts';
import { RenderError } from '../errors.ts';
import { renderCsv } from './csv.ts';
import { renderJson } from './json.ts';
import { renderXml } from './xml.ts';
import { LINE_SEGMENTS, render850, type Overrides850, type ResolvedOverride } from './x12/write/850.ts';
import type { RenderWarning } from './x12/write/writer.ts';

export interface RenderedDocument {
  filename: string;
  content: Buffer;
  contentType: string;
  /** The control numbers written into the file (X12), to be recorded so that a resend reuses them. */
  controlNumbers?: ControlNumbers;
  /**
   * Text the format could not write as given (X12: transliterated, cut or left out), one warning per
   * field: printed by `hub mappings preview` and kept with the document (`parsed.warnings`).
   */
  warnings?: RenderWarning[];
}

export interface RenderOptions {
  /** For the `{documentId}` filename placeholder. */
  documentId?: string;
}

/**
 * Whether rendering for this supplier needs control numbers (ISA13/GS06/ST02) drawn from its
 * counter: X12 formats, and any format whose filename uses `{isa13}` as a sequence number.
 */
export function usesControlNumbers(mapping: Mapping): boolean {
  return mapping.outbound.format === 'x12-850' || mapping.outbound.filename.includes('{isa13}');
}

export async function renderOutbound(
  loaded: LoadedMapping,
  po: PurchaseOrder,
  numbers?: ControlNumbers,
  options: RenderOptions = {},
): Promise<RenderedDocument> {
  const outbound = loaded.mapping.outbound;
  if (usesControlNumbers(loaded.mapping) && !numbers) {
    throw new RenderError(`${loaded.supplier}: rendering ${outbound.format} needs control numbers`, { supplier: loaded.supplier });
  }
  let text: string;
  let contentType: string;
  const warnings: RenderWarning[] = [];
  const format = outbound.format;
  switch (format) {
    case 'x12-850': {
      const x12 = outbound.x12;
      if (!x12) throw new RenderError(`${loaded.supplier}: outbound.x12 is required for format x12-850`, { supplier: loaded.supplier });
      const overrides = loaded.expressions.overrides.length ? await resolveOverrides(loaded, po) : undefined;
      text = render850(po, x12, numbers!, overrides, warnings);
      contentType = 'application/edi-x12';
      break;
    }
    case 'xml':
      text = await renderXml(loaded, po);
      contentType = 'application/xml';
      break;
    case 'csv':
      text = await renderCsv(loaded, po);
      contentType = 'text/csv';
      break;
    case 'json':
      text = await renderJson(loaded, po);
      contentType = 'application/json';
      break;
    default: {
      const unknown: never = format;
      throw new RenderError(`unknown outbound format ${String(unknown)}`);
    }
  }
  return {
    filename: renderFilename(outbound.filename, loaded.supplier, po, numbers, options),
    content: Buffer.from(text, 'utf8'),
    contentType,
    ...(numbers && usesControlNumbers(loaded.mapping) ? { controlNumbers: numbers } : {}),
    ...(warnings.length ? { warnings } : {}),
  };
}

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

const UNSAFE_IN_NAME = /[/\\\x00-\x1f\x7f:*?"<>|]/g;
/**
 * Invisible characters that change how a name reads: bidirectional controls (U+202E shows
 * `PO_1001<U+202E>fdp.exe` as `PO_1001exe.pdf`), zero-width and other format characters, line and
 * paragraph separators. Removed from the name.
 */
const INVISIBLE_IN_NAME = /[\p{Cf}\u2028\u2029]/gu;
/**
 * What a shell would read as more than a name, in a value from order data (the integrator's
 * template keeps its own spaces): replaced like the unsafe characters above.
 */
const SHELL_IN_VALUE = /[\s`$&;|<>(){}[\]!*?'"~#^]/g;

/** A value from order data as a piece of a file name: the identifier itself is not changed. */
function namePart(value: string): string {
  return value.replace(INVISIBLE_IN_NAME, '').replace(UNSAFE_IN_NAME, '_').replace(SHELL_IN_VALUE, '_');
}

/**
 * The file name from the mapping's `filename` template: `{poNumber}`, `{orderNumber}`,
 * `{supplier}`, `{isa13}` (9 digits), `{date}` (createdAt, YYYYMMDD), `{time}` (HHMMSS),
 * `{documentId}`, `{purpose}` (original/cancel). Always a plain base name: no `/`, `\`, `..`, NUL,
 * no leading `.` or `-`, no bidirectional or other invisible control character; in values from
 * order data, shell metacharacters and white space become `_` too. Only the name: the PO and order
 * numbers themselves are never altered.
 */
export function renderFilename(
  template: string,
  supplier: string,
  po: PurchaseOrder,
  numbers: ControlNumbers | undefined,
  options: RenderOptions = {},
): string {
  const at = new Date(po.createdAt);
  if (Number.isNaN(at.getTime())) throw new RenderError(`${supplier}: createdAt "${po.createdAt}" is not a timestamp`, { supplier });
  const iso = at.toISOString();
  const values: Record<string, () => string> = {
    poNumber: () => po.poNumber,
    orderNumber: () => po.orderNumber,
    supplier: () => supplier,
    purpose: () => po.purpose,
    date: () => iso.slice(0, 10).replace(/-/g, ''),
    time: () => iso.slice(11, 19).replace(/:/g, ''),
    isa13: () => {
      if (!numbers) throw new RenderError(`${supplier}: filename uses {isa13} but no control numbers were given`, { supplier });
      return String(numbers.isa13).padStart(9, '0');
    },
    documentId: () => {
      if (!options.documentId) throw new RenderError(`${supplier}: filename uses {documentId} but none was given`, { supplier });
      return options.documentId;
    },
  };
  // A cancellation must never replace its original on the supplier's server: when the template
  // cannot tell them apart, the cancellation's name gets "_cancel" before the extension.
  const distinct = /\{(purpose|isa13|documentId|time)\}/.test(template);
  const effective = po.purpose === 'cancel' && !distinct ? template.replace(/(\.[A-Za-z0-9]+)?$/, '_cancel$1') : template;
  const name = effective
    .replace(/\{([A-Za-z0-9]+)\}/g, (match, key: string) => (values[key] ? namePart(values[key]()) : match))
    .replace(INVISIBLE_IN_NAME, '')
    .replace(UNSAFE_IN_NAME, '_')
    .replace(/\.{2,}/g, '_')
    // Nor a leading "-" that a command line would take for an option.
    .replace(/^[.\s-]+/, '')
    .slice(0, 200);
  if (!name.trim()) throw new RenderError(`${supplier}: the filename template "${template}" produced an empty name`, { supplier });
  return name;
}
