/**
 * The X12 reader's refusals, all ParseErrors (the project's parse error, `code: parse_failed`),
 * carrying what an acknowledgment needs:
 *
 * - `X12EnvelopeError`: the interchange envelope is broken (a missing or wrong IEA, GE, SE, a
 *   segment where the structure has no room for it, a file cut short). When the ISA was readable it
 *   carries that interchange and the TA105 code of the negative TA1 owed (ISA14 = 1).
 * - `X12SetError`: a transaction set holds wrong or missing required data; it carries the AK3/AK4
 *   detail (segment, position, element, code) of the 997 that rejects it.
 * - `X12FileError`: the whole file is refused because of the errors above found set by set; it
 *   carries what could be read (`parsed`), so that the 997 still answers every set truthfully.
 */
import type { ParsedInbound, ReceivedInterchange, SetSyntaxNote } from '../../../canonical/inbound.ts';
import { ParseError } from '../../../errors.ts';

type Where = ConstructorParameters<typeof ParseError>[2];

export class X12EnvelopeError extends ParseError {
  /** The interchange the error is in, when its ISA could be read. */
  readonly interchange: ReceivedInterchange | undefined;
  /** TA105: 001 control numbers differ, 021 group count wrong, 022 invalid structure, 023 premature end of file, 024 invalid content. */
  readonly ta1Code: string;
  constructor(message: string, where: Where, interchange: ReceivedInterchange | undefined, ta1Code: string) {
    super('x12', message, where);
    this.interchange = interchange;
    this.ta1Code = ta1Code;
  }
}

export class X12SetError extends ParseError {
  readonly note: SetSyntaxNote;
  constructor(message: string, where: Where, note: SetSyntaxNote) {
    super('x12', message, where);
    this.note = note;
  }
}

export class X12FileError extends ParseError {
  readonly parsed: ParsedInbound;
  readonly errors: ParseError[];
  constructor(errors: ParseError[], parsed: ParsedInbound) {
    const first = errors[0]!;
    const strip = (e: ParseError) => e.message.replace(/^x12: /, '');
    const others = errors.slice(1, 4).map(strip).join('; ');
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more: ${others}${errors.length > 4 ? '; …' : ''})` : '';
    super('x12', `${strip(first)}${more}`);
    // Where the first error is (file, segment, offset), as the first error's own details say.
    (this as { details: unknown }).details = first.details;
    this.parsed = parsed;
    this.errors = errors;
  }
}
