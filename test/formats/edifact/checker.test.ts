/** The structure checker judges the writer, so it must be able to fail: each break below is found. */
import { describe, expect, it } from 'vitest';
import { checkEdifact } from '../../helpers/edifact-d96a-check.ts';
import { GOLDEN } from './helpers.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const good = readFileSync(path.join(GOLDEN, 'acme-eu.edi'), 'latin1');

describe('the D.96A structure checker', () => {
  it('passes a sound interchange', () => {
    expect(checkEdifact(good)).toEqual([]);
  });

  const breaks: [string, (text: string) => string, string][] = [
    ['a wrong UNT count', (t) => t.replace("UNT+28+1'", "UNT+27+1'"), 'UNT 0074 "27" but the message has 28 segments'],
    ['a wrong UNZ reference', (t) => t.replace("UNZ+1+1001'", "UNZ+1+1002'"), 'UNZ 0020 "1002" is not UNB 0020 "1001"'],
    ['a segment out of order', (t) => t.replace("CUX+2:EUR:9'\n", '').replace("UNS+S'", "UNS+S'\nCUX+2:EUR:9'"), 'is out of place'],
    ['a mandatory segment missing', (t) => t.replace("UNS+S'\n", ''), 'mandatory UNS missing'],
    ['too many repeats', (t) => t.replace("CUX+2:EUR:9'", "CUX+2:EUR:9'\nPCD+1:5'\nPCD+1:5'\nPCD+1:5'\nPCD+1:5'\nPCD+1:5'\nPCD+1:5'"), 'out of place'],
    ['an element too long', (t) => t.replace('BGM+220+1001-acme-eu+9', `BGM+220+${'X'.repeat(36)}+9`), 'is 36 characters (1004 an..35)'],
    ['a mandatory component missing', (t) => t.replace("QTY+21:2'", "QTY+21'"), 'component 2 (C186/6060) is mandatory and missing'],
    ['a non-numeric number', (t) => t.replace("QTY+21:2'", "QTY+21:two'"), 'is not numeric (6060 n..15)'],
    ['too many elements', (t) => t.replace("UNS+S'", "UNS+S+X'"), '2 elements, the directory has 1'],
    ['an empty trailing element', (t) => t.replace("UNS+S'", "UNS+S+'"), 'empty trailing element'],
    ['a character outside the set', (t) => t.replace('UNOC:3', 'UNOA:3'), 'has characters outside UNOA'],
    ['CNT not counting the lines', (t) => t.replace("CNT+2:2'", "CNT+2:3'"), 'CNT+2 says 3 lines, there are 2'],
    ['MOA 79 not the sum', (t) => t.replace("MOA+79:74.93'", "MOA+79:74.94'"), 'MOA+79 74.94 is not Σ QTY × PRI'],
    ['an unreleased service character', (t) => t.replace('Ada Lovelace', "Ada+Love'lace"), 'no directory entry to check it against'],
    ['a bad UNB date', (t) => t.replace('261126:1200', '261326:1200'), 'UNB date "261326" is not YYMMDD'],
  ];
  for (const [what, mutate, problem] of breaks) {
    it(`finds ${what}`, () => {
      const broken = mutate(good);
      expect(broken).not.toBe(good);
      expect(checkEdifact(broken).join('\n')).toContain(problem);
    });
  }
});
