/**
 * Values on their way into an EDIFACT message, by kind:
 *
 * - **Identifiers** (PO numbers, SKUs, GTINs, party ids) are never altered: a character outside the
 *   character set, or a value longer than its element allows, refuses the whole message with a
 *   RenderError naming the field. (Service characters are fine: the writer releases them with `?`.)
 * - **Text** (names, addresses, titles, notes) is transliterated keeping its meaning: accents folded
 *   where the set lacks them (UNOA, and letters outside ISO 8859-1 in UNOC: Ł → L, œ → oe),
 *   compatibility forms spelled out (½ → 1/2, ™ → TM, … → ...), typographic punctuation made plain,
 *   control characters and line breaks made spaces, UNOA upper-cased; what has no equivalent
 *   (emoji) is dropped. Each field changed that way gets one warning.
 */
import { RenderError } from '../../errors.ts';
import { describeSyntax, firstOutside, inSyntax, showChar, type Syntax } from './syntax.ts';

export interface RenderWarning {
  /** The field, as a path into the purchase order: `shipTo.name`, `lines.0.title`. */
  path: string;
  message: string;
}

/** Replacements for characters NFKD leaves alone (or turns into something the sets lack). */
const FOLD: Record<string, string> = {
  ß: 'ss', ẞ: 'SS', Æ: 'AE', æ: 'ae', Ø: 'O', ø: 'o', Œ: 'OE', œ: 'oe', Đ: 'D', đ: 'd', Ð: 'D', ð: 'd',
  Ł: 'L', ł: 'l', Þ: 'TH', þ: 'th', ı: 'i', ħ: 'h', Ħ: 'H',
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u2032': "'",
  '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u2033': '"', '\u00ab': '"', '\u00bb': '"',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-', '\u2212': '-',
  '\u2022': '-', '\u00b7': '.', '\u2044': '/', '\u00d7': 'x', '\u00f7': '/',
  '€': 'EUR', '£': 'GBP', '¥': 'JPY', '©': '(C)', '®': '(R)', '°': ' DEG', '§': 'S.', '¶': ' ',
  '#': 'NO.', '@': ' AT ', _: '-', '[': '(', ']': ')', '{': '(', '}': ')', '\\': '/', '|': '/', '~': '-', '`': "'",
};

const WHITESPACE = /[\s\u0000-\u001f\u007f-\u009f\u2028\u2029]+/gu;

/** One code point made to fit `syntax`: itself, its transliteration, or '' when it has none. */
function fit(syntax: Syntax, char: string, depth = 0): string {
  const code = char.charCodeAt(0);
  if (char.length === 1 && inSyntax(syntax, code)) return char;
  const folded = FOLD[char];
  if (folded !== undefined && depth < 2) return [...folded].map((c) => fit(syntax, c, depth + 1)).join('');
  const decomposed = char.normalize('NFKD').replace(/\p{M}/gu, '');
  if (decomposed !== char && decomposed !== '' && depth < 2) return [...decomposed].map((c) => fit(syntax, c, depth + 1)).join('');
  return '';
}

/** Text made to fit the character set, keeping its meaning; see the module comment. */
export function transliterate(value: string, syntax: Syntax): string {
  let v = value.replace(WHITESPACE, ' ');
  if (syntax === 'UNOA') v = v.toUpperCase();
  if (firstOutside(syntax, v) !== -1) {
    let out = '';
    for (const char of v) out += fit(syntax, char);
    v = syntax === 'UNOA' ? out.toUpperCase() : out;
  }
  return v.replace(/ {2,}/g, ' ').trim();
}

/** Builds the text and identifier values of one message, collecting warnings. */
export class FieldValues {
  readonly warnings: RenderWarning[] = [];

  constructor(readonly syntax: Syntax) {}

  /** Free text: transliterated (see the module comment); '' for nothing. One warning when changed. */
  text(value: string | null | undefined, path: string): string {
    if (value === null || value === undefined) return '';
    const out = transliterate(value, this.syntax);
    const plain = value.replace(WHITESPACE, ' ').replace(/ {2,}/g, ' ').trim();
    if (out !== plain) {
      this.warnings.push({
        path,
        message: out === '' ? `${JSON.stringify(plain)} has no characters ${this.syntax} can carry: left out` : `written as ${JSON.stringify(out)} (${this.syntax} cannot carry ${JSON.stringify(plain)} as it is)`,
      });
    }
    return out;
  }

  /** Text cut to `max` characters, with a warning when cut. */
  clipped(text: string, max: number, path: string): string {
    if (text.length <= max) return text;
    this.warnings.push({ path, message: `cut to ${max} characters (the element allows no more)` });
    return text.slice(0, max).trimEnd();
  }

  /**
   * An identifier, exactly as it is, or a RenderError: empty (when `required`), too long, or
   * holding a character the set cannot carry.
   */
  identifier(value: string | null | undefined, path: string, max: number, required = true): string {
    const v = value ?? '';
    if (v === '') {
      if (required) throw new RenderError(`${path} is empty: an EDIFACT message needs it`, { field: path });
      return '';
    }
    const bad = firstOutside(this.syntax, v);
    if (bad !== -1) {
      throw new RenderError(
        `${path} ${JSON.stringify(v)} holds ${showChar(v[bad] as string)}, outside ${describeSyntax(this.syntax)}; identifiers are never altered${this.syntax === 'UNOA' ? ' (use syntax: UNOC, or identifiers in upper case)' : ''}`,
        { field: path, value: v },
      );
    }
    if (v.length > max) {
      throw new RenderError(`${path} ${JSON.stringify(v)} is ${v.length} characters; the element allows ${max}`, { field: path, value: v });
    }
    return v;
  }

  /** An identifier that is only a reference (it may be left out): written when it fits, else left out with a warning. */
  optionalIdentifier(value: string | null | undefined, path: string, max: number): string {
    const v = value ?? '';
    if (v === '') return '';
    const bad = firstOutside(this.syntax, v);
    if (bad !== -1 || v.length > max) {
      this.warnings.push({
        path,
        message:
          bad !== -1
            ? `${JSON.stringify(v)} holds ${showChar(v[bad] as string)}, which ${this.syntax} cannot carry: left out (identifiers are never altered)`
            : `${JSON.stringify(v)} is longer than ${max} characters: left out (identifiers are never altered)`,
      });
      return '';
    }
    return v;
  }
}

/** Splits text into pieces of at most `size` characters, at spaces where it can. */
export function wrap(text: string, size: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > size) {
    let cut = rest.lastIndexOf(' ', size);
    if (cut < size / 2) cut = size;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) out.push(rest);
  return out;
}
