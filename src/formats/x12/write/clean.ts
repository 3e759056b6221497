/**
 * Cleaning X12 text values: what a customer typed must never break the interchange, and must keep
 * its meaning when it is written in ASCII. Characters are transliterated one code point at a time:
 * first a table of characters whose meaning a plain decomposition would lose (vulgar fractions
 * `½` → ` 1/2`, so that `12½ Main St` is `12 1/2 Main St`, not `1212 Main St`; `©` → `(C)`,
 * `€` → `EUR`, `°` → ` deg`, `×` → `x`), then NFKD with the combining marks dropped (é → e),
 * then a table of letters NFKD leaves alone (ß → ss, Æ → AE, Ø → O, Ł → L, typographic quotes and
 * dashes), and whatever still has no ASCII form (emoji, CJK, control characters) is dropped. The
 * delimiters become spaces and runs of spaces become one.
 *
 * This is for free text only (names, addresses, titles, notes). Identifiers (PO numbers, SKUs, UPCs,
 * reference numbers) are never cleaned: see `identifierProblem` in writer.ts.
 */

export interface Delimiters {
  element: string;
  segment: string;
  component: string;
  repetition: string;
}

/**
 * Characters whose meaning NFKD would lose or distort, replaced before decomposing. Fractions get a
 * leading space so that a number before them stays apart (`12½` → `12 1/2`); the space is squeezed
 * away where it is not needed.
 */
const BEFORE: Record<string, string> = {
  '\u00bd': ' 1/2', '\u2153': ' 1/3', '\u2154': ' 2/3', '\u00bc': ' 1/4', '\u00be': ' 3/4',
  '\u2155': ' 1/5', '\u2156': ' 2/5', '\u2157': ' 3/5', '\u2158': ' 4/5', '\u2159': ' 1/6',
  '\u215a': ' 5/6', '\u2150': ' 1/7', '\u215b': ' 1/8', '\u215c': ' 3/8', '\u215d': ' 5/8',
  '\u215e': ' 7/8', '\u2151': ' 1/9', '\u2152': ' 1/10', '\u2189': ' 0/3', '\u215f': ' 1/',
  '\u2044': '/', '\u2215': '/',
  '\u00a9': '(C)', '\u00ae': '(R)', '\u2117': '(P)',
  '\u20ac': 'EUR', '\u00a3': 'GBP', '\u00a5': 'JPY', '\u00a2': 'c', '\u20a3': 'FRF',
  '\u00b0': ' deg', '\u00d7': 'x', '\u00f7': '/', '\u00b1': '+/-', '\u2030': ' per mille',
  '\u00a7': 'S.', '\u00b5': 'u',
};

/** Letters and punctuation that NFKD does not decompose into ASCII. */
const FOLD: Record<string, string> = {
  ß: 'ss', ẞ: 'SS', Æ: 'AE', æ: 'ae', Ø: 'O', ø: 'o', Œ: 'OE', œ: 'oe', Đ: 'D', đ: 'd', Ð: 'D', ð: 'd',
  Ł: 'L', ł: 'l', Þ: 'TH', þ: 'th', ı: 'i', ħ: 'h', Ħ: 'H',
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u2032': "'",
  '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u2033': '"',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-', '\u2212': '-',
  '\u00ab': '"', '\u00bb': '"', '\u2022': '-', '\u00b7': '.',
};
const FOLDABLE = new RegExp(`[${Object.keys(FOLD).join('')}]`, 'g');

function fold(c: string): string {
  return FOLD[c] ?? '';
}

/** What `toAscii` makes of one code point: the whole pipeline, applied to that character alone. */
function foldChar(char: string): string {
  const before = BEFORE[char];
  if (before !== undefined) return before;
  return char
    .replace(/[\t\r\n\f\v\u2028\u2029]/g, ' ')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(FOLDABLE, fold)
    .replace(/[\u2044\u2215]/g, '/')
    .replace(/[^\x20-\x7e]/gu, '');
}

/**
 * `foldChar` per code point, filled as characters are met (bounded: a table of characters, not of
 * values). Folding character by character gives the same result as folding the whole string: NFKD
 * decomposes each code point on its own and only reorders combining marks, which are all dropped.
 */
const FOLDED = new Map<number, string>();
const MAX_FOLDED = 4096;

function foldCodePoint(code: number): string {
  let folded = FOLDED.get(code);
  if (folded === undefined) {
    folded = foldChar(String.fromCodePoint(code));
    if (FOLDED.size < MAX_FOLDED) FOLDED.set(code, folded);
  }
  return folded;
}

const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;

/** Folds a string to printable ASCII: transliterated where the meaning survives, the rest dropped. */
export function toAscii(value: string): string {
  if (!NOT_PRINTABLE_ASCII.test(value)) return value;
  // One pass: runs of printable ASCII are copied as they are, every other code point is folded.
  let out = '';
  let start = 0;
  const n = value.length;
  for (let i = 0; i < n; ) {
    const c = value.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) {
      i++;
      continue;
    }
    const code = value.codePointAt(i)!; // a lone surrogate is its own code point
    out += value.slice(start, i) + foldCodePoint(code);
    i += code > 0xffff ? 2 : 1;
    start = i;
  }
  return out + value.slice(start);
}

/**
 * Whether cleaning `value` for these delimiters changes more than blanks: a delimiter replaced, a
 * character transliterated or dropped. One loop over the value; the cost of a warning's words is
 * only paid when this says there is something to say.
 */
export function meaningfulChange(value: string, delimiters: Delimiters): boolean {
  const e = delimiters.element.charCodeAt(0);
  const t = delimiters.segment.charCodeAt(0);
  const c = delimiters.component.charCodeAt(0);
  const r = delimiters.repetition === '' ? -1 : delimiters.repetition.charCodeAt(0);
  const n = value.length;
  for (let i = 0; i < n; ) {
    const code = value.codePointAt(i)!;
    i += code > 0xffff ? 2 : 1;
    if (code < 0x80) {
      if (code === e || code === t || code === c || code === r) return true;
      continue; // printable ASCII stays; control characters are blanks
    }
    if (code < 0xa0) continue; // C1 control characters
    const folded = foldCodePoint(code);
    if (folded === '' || folded.trim() !== '') return true; // dropped, or written as something else
  }
  return false;
}

/**
 * The characters of `value` that have no ASCII form at all (dropped by `toAscii`), each once, in
 * order: what a warning names. Blanks and control characters are not listed (they become spaces or
 * nothing, which changes no meaning).
 */
export function droppedCharacters(value: string): string[] {
  const out: string[] = [];
  const n = value.length;
  for (let i = 0; i < n; ) {
    const code = value.codePointAt(i)!;
    const width = code > 0xffff ? 2 : 1;
    // ASCII and control characters (C0 and C1): kept, or blanked (no meaning lost).
    if (code >= 0xa0 && foldCodePoint(code) === '') {
      const char = value.slice(i, i + width);
      if (!out.includes(char)) out.push(char);
    }
    i += width;
  }
  return out;
}

/** A cleaner bound to one set of delimiters; build it once (see `cleanerFor`). */
export class Cleaner {
  /** 1 for each printable ASCII code that may stand as it is (not a delimiter, not a space). */
  private readonly plain = new Uint8Array(128);
  /** 1 for each ASCII code that `squeeze` turns into a space: the space and every delimiter character. */
  private readonly separator = new Uint8Array(128);

  constructor(delimiters: Delimiters, readonly upperCase: boolean) {
    const chars = [delimiters.element, delimiters.segment, delimiters.component, delimiters.repetition];
    for (let c = 0x21; c <= 0x7e; c++) this.plain[c] = 1;
    for (const char of chars) if (char.charCodeAt(0) < 128) this.plain[char.charCodeAt(0)] = 0;
    this.separator[32] = 1;
    for (const char of chars) {
      for (let i = 0; i < char.length; i++) if (char.charCodeAt(i) < 128) this.separator[char.charCodeAt(i)] = 1;
    }
  }

  /** Whether a value needs no work: printable ASCII, no delimiter, no leading/trailing/double space. */
  isClean(v: string): boolean {
    const n = v.length;
    if (n === 0) return true;
    let previousSpace = true; // a leading space is not clean
    for (let i = 0; i < n; i++) {
      const c = v.charCodeAt(i);
      if (c === 32) {
        if (previousSpace) return false;
        previousSpace = true;
      } else if (c < 128 && this.plain[c] === 1) {
        previousSpace = false;
      } else {
        return false;
      }
    }
    return !previousSpace;
  }

  /**
   * Printable ASCII (`toAscii` output) with delimiters made spaces, runs of spaces made one, and no
   * leading or trailing space: the words, joined by single spaces.
   */
  private squeeze(ascii: string): string {
    const separator = this.separator;
    const n = ascii.length;
    let out = '';
    let i = 0;
    while (i < n) {
      while (i < n && separator[ascii.charCodeAt(i)] === 1) i++;
      if (i === n) break;
      const start = i;
      while (i < n && separator[ascii.charCodeAt(i)] !== 1) i++;
      out += out === '' ? ascii.slice(start, i) : ' ' + ascii.slice(start, i);
    }
    return out;
  }

  text(value: string): string {
    let v = value;
    if (!this.isClean(v)) v = this.squeeze(toAscii(v));
    return this.upperCase ? v.toUpperCase() : v;
  }
}

const cache = new Map<string, Cleaner>();

/** The (cached) cleaner for a set of delimiters. */
export function cleanerFor(delimiters: Delimiters, upperCase: boolean): Cleaner {
  const key = `${delimiters.element}${delimiters.segment}${delimiters.component}${delimiters.repetition}${upperCase ? 'U' : 'u'}`;
  let cleaner = cache.get(key);
  if (!cleaner) {
    cleaner = new Cleaner(delimiters, upperCase);
    cache.set(key, cleaner);
  }
  return cleaner;
}

/** A cleaning function for one set of delimiters (convenience over `cleanerFor`). */
export function makeCleaner(delimiters: Delimiters, upperCase: boolean): (value: string) => string {
  const cleaner = cleanerFor(delimiters, upperCase);
  return (value) => cleaner.text(value);
}
