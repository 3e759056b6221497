/**
 * XML purchase orders: the mapping's JSONata `template` produces an object which fast-xml-parser's
 * XMLBuilder writes (text and attributes escaped). Keys starting with `@_` are attributes, `#text`
 * is an element's text; arrays repeat the element. `outbound.root` wraps the object in a root
 * element; without it the object must have exactly one key, the root.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { PurchaseOrder } from '../canonical/purchase-order.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { RenderError } from '../errors.ts';
import { evaluateTemplate } from './json.ts';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  format: true,
  indentBy: '  ',
  processEntities: true,
  suppressEmptyNode: false,
  suppressBooleanAttributes: false,
});

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*(:[A-Za-z_][A-Za-z0-9_.-]*)?$/;
/** Characters XML 1.0 does not allow, even escaped. */
const INVALID_XML_CHARS = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export async function renderXml(loaded: LoadedMapping, po: PurchaseOrder): Promise<string> {
  const value = await evaluateTemplate(loaded, po);
  const root = loaded.mapping.outbound.root;
  let document: Record<string, unknown>;
  if (root && !Array.isArray(value)) {
    document = { [root]: value };
  } else if (!Array.isArray(value) && Object.keys(value as object).length === 1) {
    document = value as Record<string, unknown>;
  } else {
    throw new RenderError(`${loaded.supplier}: the xml template must produce an object (with one key, the root element, unless outbound.root is set)`, {
      supplier: loaded.supplier,
    });
  }
  const clean = sanitize(document, '', loaded.supplier) as Record<string, unknown>;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(clean) as string}`;
}

function sanitize(value: unknown, path: string, supplier: string): unknown {
  if (typeof value === 'string') return value.replace(INVALID_XML_CHARS, '');
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => sanitize(item, path, supplier));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const name = key.startsWith('@_') ? key.slice(2) : key;
    if (key !== '#text' && !NAME.test(name)) {
      throw new RenderError(`${supplier}: outbound.template: "${key}"${path ? ` (in ${path})` : ''} is not a valid XML name`, { supplier, key });
    }
    if (key.startsWith('@_') && item !== null && typeof item === 'object') {
      throw new RenderError(`${supplier}: outbound.template: attribute "${name}" must be a text value`, { supplier, key });
    }
    out[key] = sanitize(item, path ? `${path}.${key}` : key, supplier);
  }
  return out;
}
