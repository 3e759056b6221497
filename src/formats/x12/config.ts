/**
 * The mapping file's `outbound.x12` key: the interchange envelope of X12 suppliers (ISA/GS ids,
 * version, delimiters). Documented in docs/mappings.md.
 */
import { z } from 'zod';

export const X12Envelope = z.strictObject({
  /** The X12 version the hub writes (GS08); each has its own segment tables (docs/mappings.md). */
  version: z.enum(['004010', '004030', '005010']),
  senderQualifier: z.string().min(1).max(2),
  senderId: z.string().min(1).max(15),
  receiverQualifier: z.string().min(1).max(2),
  receiverId: z.string().min(1).max(15),
  usage: z.enum(['P', 'T']).default('P'),
  /** GS02/GS03 when they differ from ISA06/ISA08. Extension. */
  groupSenderId: z.string().min(1).max(15).optional(),
  groupReceiverId: z.string().min(1).max(15).optional(),
  elementSeparator: z.string().length(1).default('*'),
  segmentTerminator: z.string().length(1).default('~'),
  componentSeparator: z.string().length(1).default('>'),
  repetitionSeparator: z.string().length(1).default('^'),
  /** Write a newline after each segment terminator. Extension. */
  newline: z.boolean().default(true),
  upperCase: z.boolean().default(false),
  /** Ask for a TA1 (ISA14). Extension. */
  requestTa1: z.boolean().default(false),
  /** REF*IA: our vendor number at this supplier. Extension. */
  vendorNumber: z.string().min(1).max(30).optional(),
}).superRefine((env, ctx) => {
  // The four delimiters must differ from each other and from anything that can appear in data.
  const delimiters = [
    ['elementSeparator', env.elementSeparator],
    ['segmentTerminator', env.segmentTerminator],
    ['componentSeparator', env.componentSeparator],
    ['repetitionSeparator', env.repetitionSeparator],
  ] as const;
  const seen = new Map<string, string>();
  for (const [key, char] of delimiters) {
    if (/^[A-Za-z0-9 ]$/.test(char)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `a delimiter cannot be a letter, digit or space ("${char}")` });
    }
    const other = seen.get(char);
    if (other) ctx.addIssue({ code: 'custom', path: [key], message: `must differ from ${other} ("${char}")` });
    seen.set(char, key);
  }
  // Interchange ids and the vendor number are identifiers: sent exactly as written, so they must be
  // printable ASCII without any of the delimiters (the repetition separator only counts from 004030
  // on, where ISA11 announces it).
  const used = delimiters.filter(([key]) => key !== 'repetitionSeparator' || env.version !== '004010').map(([, char]) => char);
  for (const key of ['senderQualifier', 'senderId', 'receiverQualifier', 'receiverId', 'groupSenderId', 'groupReceiverId', 'vendorNumber'] as const) {
    const value = env[key];
    if (value === undefined) continue;
    if (/[^\x20-\x7e]/.test(value)) ctx.addIssue({ code: 'custom', path: [key], message: 'must be printable ASCII (it is sent exactly as written)' });
    const clash = used.find((char) => value.includes(char));
    if (clash) ctx.addIssue({ code: 'custom', path: [key], message: `holds "${clash}", one of this mapping's X12 delimiters (it is sent exactly as written)` });
  }
});
export type X12EnvelopeConfig = z.output<typeof X12Envelope>;
