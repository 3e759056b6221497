/**
 * Cleaning X12 data values: what a customer typed must never break the interchange. Accents are
 * folded to ASCII (é → e, ß → ss), anything that still is not printable ASCII (emoji, control
 * characters) is dropped, the four delimiters become spaces, and runs of spaces become one.
 */

export interface Delimiters {
  element: string;
  segment: string;
  component: string;
  repetition: string;
}

/** Letters that NFKD does not decompose into ASCII. */
const FOLD: Record<string, string> = {
  ß: 'ss', ẞ: 'SS', Æ: 'AE', æ: 'ae', Ø: 'O', ø: 'o', Œ: 'OE', œ: 'oe', Đ: 'D', đ: 'd', Ð: 'D', ð: 'd',
  Ł: 'L', ł: 'l', Þ: 'TH', þ: 'th', ı: 'i', ħ: 'h', Ħ: 'H',
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u2032': "'",
  '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u2033': '"',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-', '\u2212': '-',
  '\u00ab': '"', '\u00bb': '"', '\u2022': '-', '\u00b7': '.',
};
const FOLDABLE = new RegExp(`[${Object.keys(FOLD).join('')}]`, 'g');
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;

function fold(c: string): string {
  return FOLD[c] ?? '';
}

/** Folds a string to printable ASCII: diacritics stripped, typographic punctuation simplified, the rest dropped. */
export function toAscii(value: string): string {
  if (!NOT_PRINTABLE_ASCII.test(value)) return value;
  return value
    .replace(/[\t\r\n\f\v\u2028\u2029]/g, ' ')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(FOLDABLE, fold)
    .replace(/[^\x20-\x7e]/gu, '');
}

function escapeClass(char: string): string {
  return char.replace(/[\\\]^-]/g, '\\$&');
}

/** A cleaner bound to one set of delimiters; build it once (see `cleanerFor`). */
export class Cleaner {
  /** 1 for each printable ASCII code that may stand as it is (not a delimiter, not a space). */
  private readonly plain = new Uint8Array(128);
  private readonly delimiters: RegExp;

  constructor(delimiters: Delimiters, readonly upperCase: boolean) {
    const chars = [delimiters.element, delimiters.segment, delimiters.component, delimiters.repetition];
    for (let c = 0x21; c <= 0x7e; c++) this.plain[c] = 1;
    for (const char of chars) if (char.charCodeAt(0) < 128) this.plain[char.charCodeAt(0)] = 0;
    this.delimiters = new RegExp(`[${chars.map(escapeClass).join('')}]`, 'g');
  }

  /** Whether a value needs no work: printable ASCII, no delimiter, no leading/trailing/double space. */
  private isClean(v: string): boolean {
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

  text(value: string): string {
    let v = value;
    if (!this.isClean(v)) v = toAscii(v).replace(this.delimiters, ' ').replace(/ {2,}/g, ' ').trim();
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
