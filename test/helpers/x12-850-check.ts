/**
 * An independent structural check of an X12 850 interchange, written from the 004010/005010 850
 * layout and the envelope rules (not from the hub's writer, whose output it judges). Returns the
 * list of problems found; an empty list means the file is structurally sound.
 *
 * Checks: ISA fixed width (106 characters with its terminator) and field formats; delimiters taken
 * from the ISA; printable ASCII only; no empty trailing elements; GS/ST/SE/GE/IEA counts and
 * control numbers; GS08 ↔ ISA12 version; 850 segment order (header, N9 and N1 loops, PO1 loops,
 * summary); mandatory elements, min/max lengths and data types of every element written; the
 * paired-element syntax notes; CTT01 = number of PO1, CTT02 = Σ quantities, AMT*TT = Σ qty × price.
 */

type Kind = 'AN' | 'ID' | 'DT' | 'N0' | 'R';
/** [min, max, kind, mandatory] per element position (1-based index - 1). */
type Def = [number, number, Kind, boolean];

const M = true;
const O = false;
const ELEMENTS: Record<string, Def[]> = {
  BEG: [[2, 2, 'ID', M], [2, 2, 'ID', M], [1, 22, 'AN', M], [1, 30, 'AN', O], [8, 8, 'DT', M]],
  CUR: [[2, 3, 'ID', M], [3, 3, 'ID', M]],
  REF: [[2, 3, 'ID', M], [1, 30, 'AN', O], [1, 80, 'AN', O]],
  PER: [[2, 2, 'ID', M], [1, 60, 'AN', O], [2, 2, 'ID', O], [1, 80, 'AN', O], [2, 2, 'ID', O], [1, 80, 'AN', O], [2, 2, 'ID', O], [1, 80, 'AN', O]],
  DTM: [[3, 3, 'ID', M], [8, 8, 'DT', O]],
  TD5: [[1, 2, 'ID', O], [1, 2, 'ID', O], [2, 80, 'AN', O], [1, 2, 'ID', O], [1, 35, 'AN', O], [2, 2, 'ID', O], [1, 2, 'ID', O], [1, 30, 'AN', O], [2, 2, 'ID', O], [2, 2, 'ID', O], [1, 2, 'ID', O], [2, 2, 'ID', O]],
  N9: [[2, 3, 'ID', M], [1, 30, 'AN', O], [1, 45, 'AN', O]],
  MSG: [[1, 264, 'AN', M], [2, 2, 'ID', O], [1, 9, 'N0', O]],
  N1: [[2, 3, 'ID', M], [1, 60, 'AN', O], [1, 2, 'ID', O], [2, 80, 'AN', O]],
  N2: [[1, 60, 'AN', M], [1, 60, 'AN', O]],
  N3: [[1, 55, 'AN', M], [1, 55, 'AN', O]],
  N4: [[2, 30, 'AN', O], [2, 2, 'ID', O], [3, 15, 'ID', O], [2, 3, 'ID', O]],
  PO1: [[1, 20, 'AN', O], [1, 15, 'R', O], [2, 2, 'ID', O], [1, 17, 'R', O], [2, 2, 'ID', O], [2, 2, 'ID', O], [1, 48, 'AN', O], [2, 2, 'ID', O], [1, 48, 'AN', O], [2, 2, 'ID', O], [1, 48, 'AN', O]],
  PID: [[1, 1, 'ID', M], [2, 3, 'ID', O], [2, 3, 'ID', O], [1, 12, 'AN', O], [1, 80, 'AN', O]],
  CTT: [[1, 6, 'N0', M], [1, 10, 'R', O]],
  AMT: [[1, 3, 'ID', M], [1, 15, 'R', M]],
};

/** Pairs (both or neither) and "at least one of" rules, 1-based. */
const PAIRS: Record<string, [number, number][]> = {
  N1: [[3, 4]],
  PER: [[3, 4], [5, 6], [7, 8]],
  TD5: [[2, 3]],
  PO1: [[6, 7], [8, 9], [10, 11]],
};
const AT_LEAST_ONE: Record<string, number[]> = { N1: [2, 3], TD5: [2, 4, 5, 6, 12], N9: [2, 3], PID: [4, 5] };

/** Header ranks from the 850 table; loops start at N9 (295), N1 (310), PO1 (detail), CTT (summary). */
const HEADER_RANK: Record<string, number> = { BEG: 10, CUR: 20, REF: 50, PER: 60, DTM: 150, TD5: 240 };
const LOOP_CONTENT: Record<string, string[]> = {
  N9: ['DTM', 'MSG'],
  N1: ['N2', 'N3', 'N4', 'REF', 'PER'],
  PO1: ['PID', 'REF', 'DTM', 'MSG'],
  CTT: ['AMT'],
};
const LOOP_RANK: Record<string, number> = { N9: 295, N1: 310, PO1: 1000, CTT: 2000 };

function decimalUnits(value: string): bigint {
  const [whole = '0', fraction = ''] = value.replace(/^-/, '').split('.');
  const units = BigInt(whole || '0') * 10_000n + BigInt(fraction.padEnd(4, '0').slice(0, 4) || '0');
  return value.startsWith('-') ? -units : units;
}

export function check850(text: string): string[] {
  const problems: string[] = [];
  const fail = (message: string) => problems.push(message);

  if (!text.startsWith('ISA')) return ['does not start with ISA'];
  if (text.length < 106) return ['shorter than an ISA segment'];
  const element = text[3]!;
  const component = text[104]!;
  const terminator = text[105]!;
  const isa = text.slice(0, 105).split(element);
  if (isa.length !== 17) fail(`ISA has ${isa.length - 1} elements, expected 16 (ISA must be 106 characters)`);
  const widths = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];
  widths.forEach((w, i) => {
    if ((isa[i + 1] ?? '').length !== w) fail(`ISA${String(i + 1).padStart(2, '0')} must be ${w} characters, is "${isa[i + 1]}"`);
  });
  if (!/^\d{6}$/.test(isa[9] ?? '')) fail('ISA09 is not YYMMDD');
  if (!/^\d{4}$/.test(isa[10] ?? '')) fail('ISA10 is not HHMM');
  if (!/^00(401|501)$/.test(isa[12] ?? '')) fail(`ISA12 "${isa[12]}" is not 00401 or 00501`);
  if (!/^\d{9}$/.test(isa[13] ?? '')) fail('ISA13 is not 9 digits');
  if (!/^[01]$/.test(isa[14] ?? '')) fail('ISA14 must be 0 or 1');
  if (!/^[PT]$/.test(isa[15] ?? '')) fail('ISA15 must be P or T');
  const version5 = isa[12] === '00501';
  const repetition = version5 ? isa[11]! : undefined;
  if (!version5 && isa[11] !== 'U') fail('ISA11 must be U in 004010');
  const delimiters = [element, component, terminator, ...(repetition ? [repetition] : [])];
  if (new Set(delimiters).size !== delimiters.length) fail('delimiters are not distinct');

  const body = text.slice(106);
  const raw = body.split(terminator).map((s) => s.replace(/^[\r\n]+/, ''));
  if (raw[raw.length - 1]?.trim() === '') raw.pop();
  else fail('the file does not end with a segment terminator');
  const segments = raw.map((s) => s.split(element));

  for (const [i, s] of segments.entries()) {
    const line = s.join(element);
    if (/[^\x20-\x7e]/.test(line)) fail(`segment ${i + 2} (${s[0]}) has characters outside printable ASCII`);
    if (s.length > 1 && s[s.length - 1] === '') fail(`segment ${i + 2} (${s[0]}) ends with an empty element`);
    if (!/^[A-Z][A-Z0-9]{1,2}$/.test(s[0] ?? '')) fail(`segment ${i + 2}: bad tag "${s[0]}"`);
    for (const value of s.slice(1)) {
      if (value.includes(component)) fail(`${s[0]}: data contains the component separator: "${value}"`);
      if (repetition && value.includes(repetition)) fail(`${s[0]}: data contains the repetition separator: "${value}"`);
      if (value !== value.trim()) fail(`${s[0]}: "${value}" has leading or trailing spaces`);
    }
  }

  // Envelope
  const gs = segments[0];
  const iea = segments[segments.length - 1];
  const ge = segments[segments.length - 2];
  if (gs?.[0] !== 'GS') return [...problems, 'second segment is not GS'];
  if (iea?.[0] !== 'IEA') return [...problems, 'last segment is not IEA'];
  if (ge?.[0] !== 'GE') return [...problems, 'segment before IEA is not GE'];
  if (gs.length !== 9) fail(`GS has ${gs.length - 1} elements, expected 8`);
  if (gs[1] !== 'PO') fail(`GS01 is "${gs[1]}", expected PO`);
  if (!/^\d{8}$/.test(gs[4] ?? '')) fail('GS04 is not CCYYMMDD');
  if (!/^\d{4,8}$/.test(gs[5] ?? '')) fail('GS05 is not HHMM');
  if (!/^\d{1,9}$/.test(gs[6] ?? '')) fail('GS06 is not 1-9 digits');
  if (gs[7] !== 'X') fail('GS07 must be X');
  if ((gs[8] ?? '').slice(0, 5) !== isa[12]) fail(`GS08 "${gs[8]}" does not match ISA12 "${isa[12]}"`);
  if (gs[4]?.slice(2) !== isa[9]) fail('GS04 date differs from ISA09');
  if (iea[1] !== '1') fail(`IEA01 is ${iea[1]}, expected 1 group`);
  if (iea[2] !== isa[13]) fail(`IEA02 "${iea[2]}" does not match ISA13 "${isa[13]}"`);
  if (ge[2] !== gs[6]) fail(`GE02 "${ge[2]}" does not match GS06 "${gs[6]}"`);

  const sets: string[][][] = [];
  let current: string[][] | undefined;
  for (const s of segments.slice(1, -2)) {
    if (s[0] === 'ST') {
      if (current) fail('ST inside a transaction set');
      current = [s];
    } else if (current) {
      current.push(s);
      if (s[0] === 'SE') {
        sets.push(current);
        current = undefined;
      }
    } else fail(`${s[0]} outside a transaction set`);
  }
  if (current) fail('transaction set without SE');
  if (String(sets.length) !== ge[1]) fail(`GE01 is ${ge[1]}, but the group holds ${sets.length} sets`);
  for (const set of sets) checkSet(set, fail);
  return problems;
}

function checkSet(set: string[][], fail: (m: string) => void): void {
  const st = set[0]!;
  const se = set[set.length - 1]!;
  if (st[1] !== '850') fail(`ST01 is ${st[1]}, expected 850`);
  if (!/^[A-Za-z0-9]{4,9}$/.test(st[2] ?? '')) fail(`ST02 "${st[2]}" must be 4-9 characters`);
  if (se[1] !== String(set.length)) fail(`SE01 is ${se[1]}, but the set has ${set.length} segments`);
  if (se[2] !== st[2]) fail(`SE02 "${se[2]}" does not match ST02 "${st[2]}"`);

  const body = set.slice(1, -1);
  if (body[0]?.[0] !== 'BEG') fail('the first segment after ST must be BEG');
  let rank = 0;
  let loop: string | undefined;
  let loopPosition = -1;
  let po1 = 0;
  let quantities = 0n;
  let amount = 0n;
  let sawShipTo = false;
  let ctt: string[] | undefined;
  let amt: string[] | undefined;
  let n1Type: string | undefined;
  const n1Parts = new Set<string>();
  const closeN1 = () => {
    if (n1Type === 'ST' && (!n1Parts.has('N3') || !n1Parts.has('N4'))) fail('N1*ST loop needs N3 and N4');
  };
  for (const s of body) {
    const tag = s[0]!;
    checkElements(s, fail);
    if (tag in LOOP_RANK) {
      const r = LOOP_RANK[tag]!;
      if (r < rank) fail(`${tag} is out of order`);
      if (loop === 'N1') closeN1();
      rank = r;
      loop = tag;
      loopPosition = -1;
      if (tag === 'N1') {
        n1Type = s[1];
        n1Parts.clear();
        if (s[1] === 'ST') sawShipTo = true;
      }
      if (tag === 'PO1') {
        po1++;
        if (s[2]) quantities += decimalUnits(s[2]);
        if (s[2] && s[4]) amount += (decimalUnits(s[2]) * decimalUnits(s[4])) / 10_000n;
        if (!s[2] || !s[3] || !s[4]) fail(`PO1 ${s[1]}: quantity, unit and price are required here`);
      }
      if (tag === 'CTT') ctt = s;
      continue;
    }
    if (loop) {
      const content = LOOP_CONTENT[loop]!;
      const position = content.indexOf(tag);
      if (position < 0) {
        fail(`${tag} is not allowed in the ${loop} loop`);
        continue;
      }
      if (position < loopPosition) fail(`${tag} is out of order in the ${loop} loop`);
      loopPosition = position;
      if (loop === 'N1') n1Parts.add(tag);
      if (tag === 'AMT') amt = s;
      continue;
    }
    const r = HEADER_RANK[tag];
    if (r === undefined) fail(`${tag} is not an 850 header segment`);
    else if (r < rank) fail(`${tag} is out of order in the header`);
    else rank = r;
  }
  if (loop === 'N1') closeN1();
  if (!sawShipTo) fail('no N1*ST ship-to loop');
  if (po1 === 0) fail('no PO1 line');
  if (!ctt) fail('no CTT');
  else {
    if (ctt[1] !== String(po1)) fail(`CTT01 is ${ctt[1]}, but there are ${po1} PO1 segments`);
    if (ctt[2] !== undefined && decimalUnits(ctt[2]) !== quantities) fail(`CTT02 ${ctt[2]} is not the sum of PO102`);
  }
  if (amt && amt[1] === 'TT' && decimalUnits(amt[2] ?? '0') !== amount) fail(`AMT*TT ${amt[2]} is not Σ PO102 × PO104`);
}

function checkElements(s: string[], fail: (m: string) => void): void {
  const tag = s[0]!;
  const defs = ELEMENTS[tag];
  if (!defs) return fail(`${tag}: unknown segment`);
  if (s.length - 1 > defs.length) fail(`${tag} has ${s.length - 1} elements, at most ${defs.length}`);
  defs.forEach(([min, max, kind, mandatory], i) => {
    const id = `${tag}${String(i + 1).padStart(2, '0')}`;
    const v = s[i + 1] ?? '';
    if (v === '') {
      if (mandatory) fail(`${id} is mandatory`);
      return;
    }
    const length = kind === 'R' || kind === 'N0' ? v.replace(/[-.]/g, '').length : v.length;
    if (length < min || length > max) fail(`${id} "${v}" must be ${min}-${max} characters`);
    if (kind === 'N0' && !/^\d+$/.test(v)) fail(`${id} "${v}" is not a whole number`);
    if (kind === 'R' && !/^-?(\d+(\.\d*)?|\.\d+)$/.test(v)) fail(`${id} "${v}" is not a decimal`);
    if (kind === 'DT' && !/^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/.test(v)) fail(`${id} "${v}" is not a date`);
  });
  for (const [a, b] of PAIRS[tag] ?? []) {
    if (!!s[a] !== !!s[b]) fail(`${tag}: elements ${a} and ${b} must both be present or both absent`);
  }
  const oneOf = AT_LEAST_ONE[tag];
  if (oneOf && !oneOf.some((i) => s[i])) fail(`${tag}: needs at least one of elements ${oneOf.join(', ')}`);
}
