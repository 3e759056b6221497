/**
 * Writing EDIFACT: segments with their service characters released, empty trailing components and
 * elements left off, the UNA/UNB/UNZ interchange envelope and the UNH/UNT message envelope with
 * its segment count. The values it is given are already checked (see text.ts): it escapes, it does
 * not judge. Output bytes are ASCII (UNOA) or ISO 8859-1 (UNOC).
 */
import { RenderError } from '../../errors.ts';
import { DEFAULT_DELIMITERS, release, unaSegment, type Delimiters, type Syntax } from './syntax.ts';

/** An element: a simple value, or its components. null/undefined/'' leave it empty. */
export type Element = string | null | undefined | readonly (string | null | undefined)[];

export interface InterchangeOptions {
  syntax: Syntax;
  senderId: string;
  senderQualifier?: string;
  recipientId: string;
  recipientQualifier?: string;
  /** ISO timestamp: UNB S004 (UTC, YYMMDD:HHMM). */
  createdAt: string;
  /** UNB 0020. */
  controlReference: string;
  applicationReference?: string;
  acknowledgmentRequest?: boolean;
  agreementId?: string;
  test?: boolean;
  una?: boolean;
  newline?: boolean;
  decimalMark?: '.' | ',';
}

/** The YYMMDD, HHMM and CCYYMMDD of an ISO timestamp, in UTC. */
export function stamp(createdAt: string, what = 'createdAt'): { yymmdd: string; hhmm: string; ccyymmdd: string; ccyymmddhhmm: string } {
  const at = new Date(createdAt);
  if (Number.isNaN(at.getTime())) throw new RenderError(`${what} ${JSON.stringify(createdAt)} is not a timestamp`, { field: what });
  const iso = at.toISOString();
  const ccyymmdd = iso.slice(0, 10).replace(/-/g, '');
  const hhmm = iso.slice(11, 16).replace(':', '');
  return { yymmdd: ccyymmdd.slice(2), hhmm, ccyymmdd, ccyymmddhhmm: ccyymmdd + hhmm };
}

export class EdifactWriter {
  readonly delimiters: Delimiters;
  private readonly parts: string[] = [];
  private readonly end: string;
  private inMessage = false;
  private messageSegments = 0;
  private messages = 0;
  private reference = '';

  constructor(private readonly options: InterchangeOptions) {
    this.delimiters = { ...DEFAULT_DELIMITERS, decimal: options.decimalMark ?? '.' };
    this.end = this.delimiters.segment + (options.newline ? '\n' : '');
  }

  /** A decimal string ("19.99") with the interchange's decimal mark. */
  decimal(value: string): string {
    return this.delimiters.decimal === ',' ? value.replace('.', ',') : value;
  }

  /** Writes UNA (when asked) and UNB. */
  begin(): this {
    const o = this.options;
    const at = stamp(o.createdAt);
    if (o.una ?? true) this.parts.push(unaSegment(this.delimiters) + (o.newline ? '\n' : ''));
    this.reference = o.controlReference;
    this.write('UNB', [
      [o.syntax, '3'],
      [o.senderId, o.senderQualifier],
      [o.recipientId, o.recipientQualifier],
      [at.yymmdd, at.hhmm],
      o.controlReference,
      null,
      o.applicationReference,
      null,
      o.acknowledgmentRequest ? '1' : null,
      o.agreementId,
      o.test ? '1' : null,
    ]);
    return this;
  }

  /** Starts a message: UNH with its reference and identifier (`['ORDERS', 'D', '96A', 'UN']`). */
  startMessage(reference: string, identifier: readonly (string | undefined)[]): void {
    if (this.inMessage) throw new Error('EdifactWriter: message already open');
    this.inMessage = true;
    this.messageSegments = 0;
    this.segment('UNH', [reference, identifier]);
  }

  /** A segment inside the open message. */
  segment(tag: string, elements: readonly Element[]): void {
    if (!this.inMessage) throw new Error(`EdifactWriter: ${tag} outside a message`);
    this.messageSegments++;
    this.write(tag, elements);
  }

  /** Ends the message with its UNT (the count includes UNH and UNT). */
  endMessage(reference: string): void {
    this.messageSegments++;
    this.write('UNT', [String(this.messageSegments), reference]);
    this.inMessage = false;
    this.messages++;
  }

  /** Writes UNZ and returns the interchange as text. */
  finish(): string {
    if (this.inMessage) throw new Error('EdifactWriter: message still open');
    this.write('UNZ', [String(this.messages), this.reference]);
    return this.parts.join('');
  }

  /** The interchange's bytes: ASCII or ISO 8859-1, one byte per character. */
  static bytes(text: string): Buffer {
    return Buffer.from(text, 'latin1');
  }

  private write(tag: string, elements: readonly Element[]): void {
    const d = this.delimiters;
    const out: string[] = [];
    for (const element of elements) {
      if (element === null || element === undefined || typeof element === 'string') {
        out.push(element ? release(element, d) : '');
        continue;
      }
      const components = element.map((c) => (c ? release(c, d) : ''));
      while (components.length > 0 && components[components.length - 1] === '') components.pop();
      out.push(components.join(d.component));
    }
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
    this.parts.push(out.length ? `${tag}${d.element}${out.join(d.element)}${this.end}` : `${tag}${this.end}`);
  }
}
