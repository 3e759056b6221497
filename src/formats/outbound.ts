/**
 * One purchase order → the bytes a supplier receives, in the format its mapping names: the format is
 * looked up in the registry (`registry.ts`); a new format is its folder and one registry line.
 *
 * @example
 *   const numbers = usesControlNumbers(loaded.mapping) ? await counters.next(loaded.supplier) : undefined;
 *   const doc = await renderOutbound(loaded, po, numbers);      // { filename, content, contentType }
 */
import type { ControlNumbers, PurchaseOrder } from '../canonical/purchase-order.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import type { Mapping } from '../config/mapping-schema.ts';
import { RenderError } from '../errors.ts';
import type { RenderWarning } from './format.ts';
import { outboundFormat } from './registry.ts';

export { resolveOverrides } from './x12/overrides.ts';
export type { RenderWarning } from './format.ts';

export interface RenderedDocument {
  filename: string;
  content: Buffer;
  contentType: string;
  /** The control numbers written into the file (X12, EDIFACT), to be recorded so that a resend reuses them. */
  controlNumbers?: ControlNumbers;
  /**
   * Text the format could not write as given (transliterated, cut or left out), one warning per
   * field: printed by `hub mappings preview` and kept with the document (`parsed.warnings`).
   */
  warnings?: RenderWarning[];
}

export interface RenderOptions {
  /** For the `{documentId}` filename placeholder. */
  documentId?: string;
}

/** The format's own settings in the mapping (`outbound.x12`, `outbound.edifact`), if it has a key. */
function settingsOf(mapping: Mapping): unknown {
  const key = outboundFormat(mapping.outbound.format).settings?.key;
  return key === undefined ? undefined : (mapping.outbound as Record<string, unknown>)[key];
}

/**
 * Whether rendering for this supplier needs control numbers drawn from its counter: formats that
 * write them (X12 ISA13/GS06/ST02, EDIFACT UNB 0020/UNH 0062), and any format whose filename uses
 * `{isa13}` as a sequence number.
 */
export function usesControlNumbers(mapping: Mapping): boolean {
  return outboundFormat(mapping.outbound.format).needsControlNumbers(settingsOf(mapping)) || mapping.outbound.filename.includes('{isa13}');
}

/** Whether a PO sent to this supplier awaits a receipt the hub reads (X12's 997): the `997` expectation. */
export function expectsReceipt(mapping: Mapping): boolean {
  return outboundFormat(mapping.outbound.format).expectsReceipt(settingsOf(mapping));
}

export async function renderOutbound(
  loaded: LoadedMapping,
  po: PurchaseOrder,
  numbers?: ControlNumbers,
  options: RenderOptions = {},
): Promise<RenderedDocument> {
  const outbound = loaded.mapping.outbound;
  const format = outboundFormat(outbound.format);
  if (usesControlNumbers(loaded.mapping) && !numbers) {
    throw new RenderError(`${loaded.supplier}: rendering ${outbound.format} needs control numbers`, { supplier: loaded.supplier });
  }
  const settings = settingsOf(loaded.mapping);
  if (format.settings && settings === undefined) {
    throw new RenderError(`${loaded.supplier}: outbound.${format.settings.key} is required for format ${format.name}`, { supplier: loaded.supplier });
  }
  const rendered = await format.render(po, settings, { loaded, ...(numbers ? { numbers } : {}) });
  return {
    filename: renderFilename(outbound.filename, loaded.supplier, po, numbers, options),
    content: typeof rendered.content === 'string' ? Buffer.from(rendered.content, 'utf8') : rendered.content,
    contentType: rendered.contentType ?? format.contentType,
    ...(numbers && usesControlNumbers(loaded.mapping) ? { controlNumbers: numbers } : {}),
    ...(rendered.warnings?.length ? { warnings: rendered.warnings } : {}),
  };
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
