/**
 * ORDERS (D.96A purchase order), hub → supplier: one PO in one interchange. Pure: no I/O, no clock
 * (the PO carries `createdAt`), the control references given in.
 *
 *   UNA:+.? '
 *   UNB+UNOC:3+<sender>:<q>+<receiver>:<q>+<YYMMDD>:<HHMM>+<control ref>[++<app ref>++<ack>+<agreement>+<test>]'
 *   UNH+<message ref>+ORDERS:D:96A:UN[:<association>]'
 *   BGM+220+<PO number>+9'                      (1225: 9 original, 1 cancellation)
 *   DTM+137:<createdAt>:102'  DTM+4:<placedAt>:102'
 *   FTX+AAI+++<notes, 70 a component, 5 a segment>'
 *   RFF+CR:<retailer's order number>'           (left out, with a warning, if the set cannot carry it)
 *   NAD+BY+<buyer id>::92++<retailer name>'
 *   NAD+SU+<supplier party id>::92'
 *   NAD+ST+++<name>:<company>+<street>:<street 2>+<city>+<region>+<postal code>+<country>'
 *   CTA+IC+:<customer name>'  COM+<phone>:TE'  COM+<email>:EM'
 *   CUX+2:<currency>:9'
 *   TDT+20+++:<service level or method>+<carrier>'
 *   LIN+<n>++<GTIN>:EN'  PIA+5+<supplier SKU>:SA+<retailer SKU>:IN'  IMD+F++:::<title>'
 *   QTY+21:<quantity>'  PRI+AAA:<unit price>'
 *   UNS+S'  MOA+79:<total>'  CNT+2:<number of lines>'
 *   UNT+<segments>+<message ref>'  UNZ+1+<control ref>'
 *
 * Element lengths are D.96A's; see text.ts for how identifiers and text are treated.
 */
import type { ControlNumbers, PurchaseOrder } from '../../canonical/purchase-order.ts';
import { RenderError } from '../../errors.ts';
import type { EdifactConfig } from './config.ts';
import { FieldValues, wrap, type RenderWarning } from './text.ts';
import { EdifactWriter, stamp } from './writer.ts';

export interface EdifactRenderContext {
  /**
   * The per-partner control numbers: `isa13` becomes the interchange control reference (UNB 0020),
   * `st02` the message reference (UNH 0062). Reused as they are on a resend.
   */
  controlNumbers: ControlNumbers;
}

export interface RenderedEdifact {
  /** ASCII (UNOA) or ISO 8859-1 (UNOC) bytes. */
  content: Buffer;
  contentType: string;
  /** One per field written differently from the PO (transliterated, cut, left out). */
  warnings: RenderWarning[];
  /** UNB 0020 and UNH 0062 as written. */
  controlReference: string;
  messageReference: string;
}

export const EDIFACT_CONTENT_TYPE = 'application/EDIFACT';

const MAX_FTX = 99;
const MAX_IMD = 10;

export function renderOrders(po: PurchaseOrder, config: EdifactConfig, ctx: EdifactRenderContext): RenderedEdifact {
  const f = new FieldValues(config.syntax);
  const controlReference = String(ctx.controlNumbers.isa13);
  const messageReference = String(ctx.controlNumbers.st02);
  if (!/^\d{1,14}$/.test(controlReference)) throw new RenderError(`interchange control reference ${controlReference} is not 1-14 digits`);
  if (!/^\d{1,14}$/.test(messageReference)) throw new RenderError(`message reference ${messageReference} is not 1-14 digits`);

  const w = new EdifactWriter({
    syntax: config.syntax,
    senderId: config.senderId,
    senderQualifier: config.senderQualifier,
    recipientId: config.receiverId,
    recipientQualifier: config.receiverQualifier,
    createdAt: po.createdAt,
    controlReference,
    applicationReference: config.applicationReference,
    acknowledgmentRequest: config.acknowledgmentRequest,
    agreementId: config.agreementId,
    test: config.testIndicator,
    una: config.una,
    newline: config.newline,
    decimalMark: config.decimalMark,
  });

  // Everything is checked before anything is written: a refusal leaves nothing half-made.
  const poNumber = f.identifier(po.poNumber, 'poNumber', 35);
  const created = stamp(po.createdAt, 'createdAt');
  const placed = po.placedAt ? stamp(po.placedAt, 'placedAt') : undefined;
  const notes = wrap(f.text(po.notes, 'notes'), 70);
  const orderNumber = f.optionalIdentifier(po.orderNumber, 'orderNumber', 35);
  const currency = f.identifier(po.currency, 'currency', 3);
  const retailerName = f.clipped(f.text(po.retailer.name, 'retailer.name'), 35, 'retailer.name');
  const ship = po.shipTo;
  const partyName = pieces(f, [[ship.name, 'shipTo.name'], [ship.company, 'shipTo.company']], 5, 'shipTo.name');
  const street = pieces(f, [[ship.address1, 'shipTo.address1'], [ship.address2, 'shipTo.address2']], 4, 'shipTo.address1');
  const city = f.clipped(f.text(ship.city, 'shipTo.city'), 35, 'shipTo.city');
  let region = f.text(ship.region, 'shipTo.region');
  if (region.length > 9) {
    f.warnings.push({ path: 'shipTo.region', message: `${JSON.stringify(region)} is longer than 9 characters (3229): left out` });
    region = '';
  }
  const postalCode = postal(f, ship.postalCode);
  const country = f.identifier(ship.country, 'shipTo.country', 3, false);
  const contact = f.clipped(f.text(po.customer.name, 'customer.name'), 35, 'customer.name');
  const phone = f.optionalIdentifier(ship.phone || po.customer.phone, ship.phone ? 'shipTo.phone' : 'customer.phone', 512);
  const email = f.optionalIdentifier(po.customer.email, 'customer.email', 512);
  const service = f.clipped(f.text(po.shipping.serviceLevel || po.shipping.method, po.shipping.serviceLevel ? 'shipping.serviceLevel' : 'shipping.method'), 17, 'shipping.serviceLevel');
  const carrier = f.clipped(f.text(po.shipping.carrier, 'shipping.carrier'), 35, 'shipping.carrier');
  const lines = po.lines.map((line, i) => {
    const at = `lines.${i}`;
    if (!Number.isInteger(line.lineNumber) || line.lineNumber < 1 || line.lineNumber > 999_999) {
      throw new RenderError(`${at}.lineNumber ${line.lineNumber} is not 1-999999 (LIN 1082 is an..6)`, { field: `${at}.lineNumber` });
    }
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || String(line.quantity).length > 15) {
      throw new RenderError(`${at}.quantity ${line.quantity} is not a positive whole number of at most 15 digits`, { field: `${at}.quantity` });
    }
    const title = wrap(f.text(line.title, `${at}.title`), 35);
    if (title.length > MAX_IMD * 2) f.warnings.push({ path: `${at}.title`, message: `cut to ${MAX_IMD * 70} characters (${MAX_IMD} IMD segments)` });
    return {
      number: String(line.lineNumber),
      upc: f.identifier(line.upc, `${at}.upc`, 35, false),
      supplierSku: f.identifier(line.supplierSku, `${at}.supplierSku`, 35),
      sku: f.identifier(line.sku, `${at}.sku`, 35),
      title: title.slice(0, MAX_IMD * 2),
      quantity: String(line.quantity),
      price: number(line.unitPrice, `${at}.unitPrice`),
    };
  });
  const total = number(po.total, 'total');
  if (notes.length > MAX_FTX * 5) f.warnings.push({ path: 'notes', message: `cut to ${MAX_FTX * 350} characters (${MAX_FTX} FTX segments)` });

  w.begin();
  w.startMessage(messageReference, ['ORDERS', 'D', '96A', 'UN', config.association]);
  w.segment('BGM', ['220', poNumber, po.purpose === 'cancel' ? '1' : '9']);
  w.segment('DTM', [['137', created.ccyymmdd, '102']]);
  if (placed) w.segment('DTM', [['4', placed.ccyymmdd, '102']]);
  for (let i = 0; i < Math.min(notes.length, MAX_FTX * 5); i += 5) w.segment('FTX', [config.notesQualifier, null, null, notes.slice(i, i + 5)]);
  if (orderNumber) w.segment('RFF', [['CR', orderNumber]]);
  w.segment('NAD', ['BY', [config.buyerId ?? config.senderId, null, config.partyIdAgency], null, retailerName]);
  w.segment('NAD', ['SU', [config.supplierPartyId ?? config.receiverId, null, config.partyIdAgency]]);
  w.segment('NAD', ['ST', null, null, partyName, street, city, region, postalCode, country]);
  if (contact || phone || email) {
    w.segment('CTA', ['IC', [null, contact]]);
    if (phone) w.segment('COM', [[phone, 'TE']]);
    if (email) w.segment('COM', [[email, 'EM']]);
  }
  w.segment('CUX', [['2', currency, '9']]);
  if (service || carrier) w.segment('TDT', ['20', null, null, service ? [null, service] : null, carrier ? [null, null, null, carrier] : null]);
  for (const line of lines) {
    w.segment('LIN', [line.number, null, line.upc ? [line.upc, 'EN'] : null]);
    w.segment('PIA', ['5', [line.supplierSku, 'SA'], [line.sku, 'IN']]);
    for (let i = 0; i < line.title.length; i += 2) w.segment('IMD', ['F', null, [null, null, null, line.title[i], line.title[i + 1]]]);
    w.segment('QTY', [['21', line.quantity]]);
    w.segment('PRI', [['AAA', w.decimal(line.price)]]);
  }
  w.segment('UNS', ['S']);
  w.segment('MOA', [['79', w.decimal(total)]]);
  w.segment('CNT', [['2', String(lines.length)]]);
  w.endMessage(messageReference);
  const text = w.finish();
  return { content: EdifactWriter.bytes(text), contentType: EDIFACT_CONTENT_TYPE, warnings: f.warnings, controlReference, messageReference };
}

/** Text fields poured into up to `max` components of 35 characters (C080 party name, C059 street). */
function pieces(f: FieldValues, fields: [string | null | undefined, string][], max: number, path: string): string[] {
  const out: string[] = [];
  for (const [value, at] of fields) out.push(...wrap(f.text(value, at), 35));
  if (out.length > max) f.warnings.push({ path, message: `cut to ${max} lines of 35 characters` });
  return out.slice(0, max);
}

/** A decimal string for an n..15 element: digits and one point, at most 15 digits. */
function number(value: string, path: string): string {
  if (!/^-?\d+(\.\d+)?$/.test(value) || value.replace(/[-.]/g, '').length > 15) {
    throw new RenderError(`${path} ${JSON.stringify(value)} is not a number of at most 15 digits`, { field: path });
  }
  return value;
}

/** The postal code (3251, an..9): a ZIP+4 loses its hyphen to fit; anything else longer is refused. */
function postal(f: FieldValues, value: string | null | undefined): string {
  const v = f.text(value, 'shipTo.postalCode');
  if (v.length <= 9) return v;
  if (/^\d{5}-\d{4}$/.test(v)) {
    f.warnings.push({ path: 'shipTo.postalCode', message: `ZIP+4 ${v} written without its hyphen (3251 allows 9 characters)` });
    return v.replace('-', '');
  }
  throw new RenderError(`shipTo.postalCode ${JSON.stringify(v)} is longer than 9 characters (NAD 3251)`, { field: 'shipTo.postalCode', value: v });
}
