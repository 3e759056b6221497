/**
 * The two ports a format plugs into: one for writing a purchase order (outbound) and one for reading
 * what a supplier sends back (inbound). Each format registers one or both in `registry.ts`; the
 * mapping schema, `renderOutbound`, `parseInbound`, the acknowledgments the hub sends and the
 * expected-document ledger all go through them, so a new format is its folder and one registry line.
 *
 * Each descriptor is declared with its type written out (`OutboundFormat<'json'>`): the mapping
 * schema's types are built from the registry, so they must not wait on inferring a descriptor.
 *
 * @example
 *   export const jsonOutbound: OutboundFormat<'json'> = {
 *     name: 'json',
 *     contentType: 'application/json',
 *     check: (outbound) => (outbound.template ? [] : [{ key: 'template', message: 'required: …' }]),
 *     needsControlNumbers: () => false,
 *     expectsReceipt: () => false,
 *     render: async (po, _settings, { loaded }) => ({ content: await renderJson(loaded, po) }),
 *   };
 */
import type { z } from 'zod';
import type { InboundItem, ParsedInbound } from '../canonical/inbound.ts';
import type { ControlNumbers, PurchaseOrder } from '../canonical/purchase-order.ts';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import type { InboundLimits } from '../limits.ts';

/** A field the format could not write as given (transliterated, cut, left out). */
export interface RenderWarning {
  /** The value's origin in the purchase order (`shipTo.address1`, `lines.0.title`). */
  field: string;
  /** Where it was written, in the format's own words (`N3 N301`), where the format says. */
  element?: string;
  message: string;
}

export interface OutboundRenderContext {
  loaded: LoadedMapping;
  /** The partner's control numbers, when `needsControlNumbers` says the format uses them. */
  numbers?: ControlNumbers;
}

export interface OutboundRendered {
  /** Text is written as UTF-8; a Buffer as it is (EDIFACT writes ISO 8859-1). */
  content: string | Buffer;
  /** Default: the format's `contentType`. */
  contentType?: string;
  warnings?: RenderWarning[];
}

/** A mapping problem the format finds in `outbound` (the schema adds the path `outbound.<key>`). */
export interface OutboundIssue {
  key: string;
  message: string;
}

/** The `outbound` keys every format may read (the rest are the formats' own settings keys). */
export interface OutboundCommonKeys {
  format: string;
  filename: string;
  template?: string | undefined;
  columns?: Record<string, string> | undefined;
  [key: string]: unknown;
}

/**
 * An outbound format: `outbound.format: <name>`. `Settings` is what its own key (`outbound.x12`,
 * `outbound.edifact`) holds, validated by `settings.schema` when the mapping loads.
 */
export interface OutboundFormat<Name extends string = string, Key extends string = never, Settings = undefined> {
  readonly name: Name;
  readonly contentType: string;
  /** The format's own key under `outbound` and its schema; required with this format, refused with others. */
  readonly settings?: { readonly key: Key; readonly schema: z.ZodType<Settings>; readonly why: string };
  /** Further requirements on the common keys (a template, columns). */
  check?(outbound: OutboundCommonKeys): OutboundIssue[];
  /** Whether each document takes the partner's next control number (written into the file). */
  needsControlNumbers(settings: Settings | undefined): boolean;
  /** Whether a sent PO awaits a receipt the hub reads (X12: the 997), with `expect.ack997Hours`. */
  expectsReceipt(settings: Settings | undefined): boolean;
  render(po: PurchaseOrder, settings: Settings, ctx: OutboundRenderContext): Promise<OutboundRendered> | OutboundRendered;
}

/** An acknowledgment the hub sends back for a received file, through the supplier's transport. */
export interface InboundAnswer {
  /** The outbox document kind (`fa_997`, `contrl`, …). */
  kind: 'contrl';
  format: string;
  filename: string;
  content: Buffer;
  contentType: string;
  /** The partner's control number it used. */
  controlNumber: number;
  /** Kept with the document: what it answers. */
  parsed: Record<string, unknown>;
}

export interface AnswerContext {
  /** The partner's next control number, from the hub's per-partner counter (same transaction). */
  nextControlNumber(): Promise<number>;
  /** Injected clock: the answer's date and time. */
  createdAt: string;
}

/** What a streamed read ends with, once every item has been yielded. */
export type InboundStreamResult = Omit<ParsedInbound, 'format' | 'items'>;

export interface InboundParseContext {
  /** The mapping's `inbound` section (X12 reads its `trackingFrom`). */
  inbound: { trackingFrom: readonly string[] };
  filename?: string;
  /** What one file may hold (src/limits.ts); formats that count as they read stop there. */
  limits?: InboundLimits;
}

/**
 * An inbound format: inbound rules with `format: <name>`. `Rule` is the rule as validated by
 * `match`, `format` and `rule` (the keys of its own).
 */
export interface InboundFormat<Name extends string = string, RuleKeys extends z.ZodObject = z.ZodObject, Rule = InboundRuleOf<Name, RuleKeys>> {
  readonly name: Name;
  /** The keys a rule of this format may hold besides `match` and `format`. */
  readonly rule: RuleKeys;
  /** Whether a file no rule matches is this format, from its first bytes (BOM and blanks removed). */
  sniff?(head: string): boolean;
  parse(bytes: Buffer, rule: Rule, ctx: InboundParseContext): ParsedInbound;
  /** Reads a large file chunk by chunk (`hub documents parse`); items are final only once it returns. */
  parseStream?(
    source: AsyncIterable<Buffer | Uint8Array | string>,
    rule: Rule,
    ctx: InboundParseContext,
  ): AsyncGenerator<InboundItem, InboundStreamResult, undefined>;
  /**
   * The answers owed for a file: `received` is what was parsed, or the error that refused it. X12's
   * 997 and TA1 are still sent by `pipeline/acks.ts` (not yet moved behind this port).
   */
  answer?(received: ParsedInbound | unknown, rule: Rule, ctx: AnswerContext): Promise<InboundAnswer[]>;
}

/** A validated inbound rule of one format. */
export type InboundRuleOf<Name extends string, RuleKeys extends z.ZodObject> = { match: string; format: Name } & z.output<RuleKeys>;
