/**
 * UN/EDIFACT service characters and character sets (ISO 9735, syntax versions 1 to 4).
 *
 * The service string advice `UNA:+.? '` names, in order: the component data element separator,
 * the data element separator, the decimal mark, the release character, a reserved position (the
 * repetition separator in syntax version 4) and the segment terminator. Without a UNA the defaults
 * below apply.
 *
 * Character sets: UNOA (level A: upper-case letters, digits, space and `.,-()/='+:?!"%&*;<>`),
 * UNOB (level B: the printable ASCII range, lower case included), UNOC (ISO 8859-1: printable
 * ASCII and U+00A0 to U+00FF). All three are single-byte, so a file is decoded byte for byte as
 * ISO 8859-1 and a character's position is its byte offset.
 */

export interface Delimiters {
  component: string;
  element: string;
  decimal: string;
  /** '' when the interchange uses none (a UNA with a space in the release position). */
  release: string;
  /** UNA5: reserved (syntax 3) or the repetition separator (syntax 4); never used in data here. */
  reserved: string;
  segment: string;
}

export const DEFAULT_DELIMITERS: Readonly<Delimiters> = Object.freeze({
  component: ':',
  element: '+',
  decimal: '.',
  release: '?',
  reserved: ' ',
  segment: "'",
});

/** The character sets the hub reads. UNOA and UNOC are the ones it writes. */
export type Syntax = 'UNOA' | 'UNOB' | 'UNOC';
export const SYNTAXES: readonly Syntax[] = ['UNOA', 'UNOB', 'UNOC'];

export function isSyntax(value: string): value is Syntax {
  return (SYNTAXES as readonly string[]).includes(value);
}

const UNOA_PUNCTUATION = ` .,-()/='+:?!"%&*;<>`;

/** 1 for each code (0-255) that belongs to the set. */
function table(syntax: Syntax): Uint8Array {
  const t = new Uint8Array(256);
  if (syntax === 'UNOA') {
    for (let c = 65; c <= 90; c++) t[c] = 1;
    for (let c = 48; c <= 57; c++) t[c] = 1;
    for (const ch of UNOA_PUNCTUATION) t[ch.charCodeAt(0)] = 1;
    return t;
  }
  for (let c = 0x20; c <= 0x7e; c++) t[c] = 1;
  if (syntax === 'UNOC') for (let c = 0xa0; c <= 0xff; c++) t[c] = 1;
  return t;
}

const TABLES: Record<Syntax, Uint8Array> = { UNOA: table('UNOA'), UNOB: table('UNOB'), UNOC: table('UNOC') };

/** Whether one character (a UTF-16 code unit) belongs to the character set. */
export function inSyntax(syntax: Syntax, code: number): boolean {
  return code < 256 && TABLES[syntax][code] === 1;
}

/** The index of the first character of `value` outside the set, or -1. */
export function firstOutside(syntax: Syntax, value: string): number {
  const t = TABLES[syntax];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 255 || t[c] !== 1) return i;
  }
  return -1;
}

/** A character for a message: printable as is, else its code point (`U+00E9`). */
export function showChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code === 0x0a) return '\\n';
  if (code === 0x0d) return '\\r';
  if (code === 0x09) return '\\t';
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `"${ch}" (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
}

/** What each set allows, in words, for error messages. */
export function describeSyntax(syntax: Syntax): string {
  switch (syntax) {
    case 'UNOA':
      return `UNOA (upper-case A-Z, digits, space and ${UNOA_PUNCTUATION.trim()})`;
    case 'UNOB':
      return 'UNOB (printable ASCII)';
    case 'UNOC':
      return 'UNOC (ISO 8859-1)';
  }
}

/** The service characters of `d` that must be released (prefixed with the release character) in data. */
export function serviceCharacters(d: Delimiters): string[] {
  return [d.release, d.component, d.element, d.segment].filter((c) => c !== '');
}

/**
 * Writes a value with every service character released: `a+b` → `a?+b`. Identity when the value
 * holds none (the common case allocates nothing).
 */
export function release(value: string, d: Delimiters): string {
  const r = d.release;
  let out = '';
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch === r || ch === d.component || ch === d.element || ch === d.segment) {
      if (r === '') throw new Error(`"${ch}" is a service character and this interchange has no release character`);
      out += value.slice(start, i) + r + ch;
      start = i + 1;
    }
  }
  return start === 0 ? value : out + value.slice(start);
}

/** The UNA segment for these delimiters (9 characters, its own terminator included). */
export function unaSegment(d: Delimiters): string {
  return `UNA${d.component}${d.element}${d.decimal}${d.release || ' '}${d.reserved}${d.segment}`;
}
