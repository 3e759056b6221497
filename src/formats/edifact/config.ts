/**
 * The mapping file's `edifact:` key (outbound `format: edifact-orders`) and the EDIFACT inbound
 * rule's own keys. Every key is documented in docs/edifact.md.
 *
 * @example
 *   outbound:
 *     format: edifact-orders
 *     filename: "ORDERS_{poNumber}.edi"
 *     edifact: { version: D96A, syntax: UNOC, senderId: DROPHUB, senderQualifier: ZZ,
 *                receiverId: "4012345000009", receiverQualifier: "14" }
 */
import { z } from 'zod';
import { InventoryFeed } from '../tracking-rule.ts';
import { describeSyntax, firstOutside, showChar, type Syntax } from './syntax.ts';

/** UNB ids and references: letters, digits and the usual punctuation; checked against the syntax below. */
const Id = (max: number) => z.string().min(1).max(max);

export const EdifactConfig = z
  .strictObject({
    /** The directory the messages follow. Only D.96A. */
    version: z.literal('D96A').default('D96A'),
    /** UNB S001 0001: the character set written. UNOA upper-cases text; UNOC is ISO 8859-1. */
    syntax: z.enum(['UNOA', 'UNOC']).default('UNOC'),
    /** UNB S002 0004: the hub's interchange id (an..35). */
    senderId: Id(35),
    /** UNB S002 0007: its code qualifier (an..4, e.g. 14 = GLN, ZZ = mutually defined). */
    senderQualifier: Id(4).optional(),
    /** UNB S003 0010: the supplier's interchange id (an..35). */
    receiverId: Id(35),
    /** UNB S003 0007. */
    receiverQualifier: Id(4).optional(),
    /** UNB 0035 = 1: a test interchange. */
    testIndicator: z.boolean().default(false),
    /** Write the UNA service string advice first. */
    una: z.boolean().default(true),
    /** Write a line break after each segment terminator (readable; most partners accept it). */
    newline: z.boolean().default(false),
    /** The decimal mark written in numbers (and in the UNA). */
    decimalMark: z.enum(['.', ',']).default('.'),
    /** UNB 0026: application reference (an..14), e.g. ORDERS. */
    applicationReference: Id(14).optional(),
    /** UNB 0031 = 1: ask the supplier for a CONTRL. */
    acknowledgmentRequest: z.boolean().default(false),
    /** UNB 0032: communications agreement id (an..35). */
    agreementId: Id(35).optional(),
    /** UNH S009 0057: association assigned code (an..6), e.g. EAN008 for EANCOM partners. */
    association: Id(6).optional(),
    /** NAD+BY party id (C082 3039); default senderId. */
    buyerId: Id(35).optional(),
    /** NAD+SU party id; default receiverId. */
    supplierPartyId: Id(35).optional(),
    /** C082 3055: the agency of those party ids (an..3): 9 = GS1/EAN, 92 = assigned by the buyer. */
    partyIdAgency: Id(3).default('92'),
    /** FTX 4451 text subject qualifier for the order's notes (AAI general information, DEL delivery, …). */
    notesQualifier: z.string().regex(/^[A-Z0-9]{3}$/, 'must be a three-character code such as AAI').default('AAI'),
  })
  .superRefine((config, ctx) => {
    // Identifiers are written as they are: each must fit the character set chosen.
    const syntax: Syntax = config.syntax;
    const ids: (keyof typeof config)[] = [
      'senderId',
      'senderQualifier',
      'receiverId',
      'receiverQualifier',
      'applicationReference',
      'agreementId',
      'association',
      'buyerId',
      'supplierPartyId',
      'partyIdAgency',
    ];
    for (const key of ids) {
      const value = config[key];
      if (typeof value !== 'string') continue;
      const bad = firstOutside(syntax, value);
      if (bad !== -1) {
        ctx.addIssue({ code: 'custom', path: [key], message: `holds ${showChar(value[bad] as string)}, outside ${describeSyntax(syntax)}` });
      }
    }
  });
export type EdifactConfig = z.output<typeof EdifactConfig>;
export type EdifactConfigInput = z.input<typeof EdifactConfig>;

const TrackingSource = z.string().regex(/^(GIN|RFF)\+[A-Z0-9]{1,3}$/, 'must be GIN+<qualifier> or RFF+<qualifier>, e.g. GIN+BN or RFF+CN');

/** An inbound rule with `format: edifact`: what besides `match` and `format` it may say. */
export const EdifactInboundConfig = z.strictObject({
  /** Where DESADV carries tracking numbers: GIN by identity qualifier, RFF by reference qualifier. */
  trackingFrom: z.array(TrackingSource).min(1).default(['GIN+BN', 'RFF+CN']),
  /**
   * When to answer with a CONTRL: `requested` (an acceptance when the interchange asks, UNB 0031 = 1;
   * a rejection always), `always`, `never`.
   */
  acknowledge: z.enum(['requested', 'always', 'never']).default('requested'),
  /** How INVRPT stock is applied: `full` (SKUs missing go to 0) or `delta` (default); see tracking-rule.ts. */
  feed: InventoryFeed.optional(),
  /** A message with more segments than this is refused (a bound on what one file may cost). */
  maxMessageSegments: z.number().int().min(10).max(10_000_000).default(1_000_000),
  /** The name of each CONTRL the hub sends back; `{controlNumber}` is its UNB 0020, nine digits. */
  contrlFilename: z
    .string()
    .min(1)
    .refine((name) => name.includes('{controlNumber}'), 'must hold {controlNumber}, or every CONTRL would replace the one before')
    .default('CONTRL_{controlNumber}.edi'),
});
export type EdifactInboundConfig = z.output<typeof EdifactInboundConfig>;
