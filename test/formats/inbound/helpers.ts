import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ParseError } from '../../../src/errors.ts';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/inbound');

export function fixture(name: string): Buffer {
  return readFileSync(path.join(dir, name));
}

export function fixtureText(name: string): string {
  return fixture(name).toString('utf8');
}

/** Runs `fn` and returns the ParseError it throws (failing the test on anything else). */
export function parseError(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw new Error(`expected a ParseError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a ParseError, nothing was thrown');
}

/**
 * Rewrites a fixture written with `*` `~` `>` and a newline after each terminator into other
 * delimiters (the fixtures' data holds none of the characters used here).
 */
export function withDelimiters(
  x12: string,
  d: { element?: string; segment?: string; component?: string; after?: string },
): string {
  const lines = x12.replace(/^\uFEFF/, '').split('~\n').filter((l) => l !== '');
  return lines
    .map((line) => {
      let l = line.split('*').join(d.element ?? '*');
      if (line.startsWith('ISA')) l = l.slice(0, -1) + (d.component ?? '>');
      return l + (d.segment ?? '~') + (d.after ?? '\n');
    })
    .join('');
}

/** A standard interchange around ready-made set bodies (segments as arrays), with correct counts. */
export function interchange(
  sets: { id: string; control: string; body: string[][] }[],
  options: { functionalId?: string; control?: number; version?: string } = {},
): string {
  const control = options.control ?? 900;
  const isa = `ISA*00*          *00*          *ZZ*ACMETOYS       *ZZ*DROPHUB        *261127*1405*U*00401*${String(control).padStart(9, '0')}*0*P*>`;
  const out = [isa, `GS*${options.functionalId ?? 'SH'}*ACMETOYS*DROPHUB*20261127*1405*${control}*X*${options.version ?? '004010'}`];
  for (const set of sets) {
    out.push(`ST*${set.id}*${set.control}`);
    for (const seg of set.body) out.push(seg.join('*'));
    out.push(`SE*${set.body.length + 2}*${set.control}`);
  }
  out.push(`GE*${sets.length}*${control}`, `IEA*1*${String(control).padStart(9, '0')}`);
  return out.map((s) => `${s}~\n`).join('');
}
