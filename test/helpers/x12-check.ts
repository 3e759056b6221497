/**
 * An independent structure check of the X12 the hub writes (850, 997, TA1), per version (004010,
 * 004030, 005010). Written from the X12 standards (segment tables and the element dictionary of
 * each version) and the envelope rules, not from the hub's writer: it must not import
 * src/formats/x12/write, whose output it judges. Returns the list of problems found; an empty list
 * means the interchange is structurally sound for its version.
 *
 * Checks: ISA fixed width (106 characters with its terminator) and field formats; delimiters taken
 * from the ISA; ISA11 `U` before 00402 and a repetition separator from 00402 on; printable ASCII
 * only; no empty trailing elements; GS/ST/SE/GE/IEA counts and control numbers; GS08 ↔ ISA12;
 * every segment defined for its transaction set and version, in the order of the version's table
 * (header, loops, detail, summary); mandatory segments and elements; element counts; min/max
 * lengths (R and N0 count digits only); data types ID, AN, N0, N2, R, DT, TM; known code lists;
 * paired and "at least one" syntax notes; for an 850, CTT01 = number of PO1, CTT02 = Σ quantities,
 * AMT*TT = Σ qty × price; for a 997, AK9 counts agree with the AK2/AK5 loops; a TA1 interchange
 * holds no group and IEA01 = 0.
 */

export type CheckedVersion = '004010' | '004030' | '005010';
type Kind = 'AN' | 'ID' | 'DT' | 'TM' | 'N0' | 'N2' | 'R';
/** [min, max, kind, mandatory]; a composite is a list of component definitions. */
type Def = [number, number, Kind, boolean] | { composite: [number, number, Kind, boolean][]; mandatory: boolean };

const M = true;
const O = false;

/** The element dictionary facts that differ by version. */
function widths(version: CheckedVersion) {
  return {
    /** 127 Reference Identification. */
    ref: version === '004010' ? 30 : 50,
    /** 364 Communication Number. */
    comm: version === '005010' ? 256 : 80,
    /** 719 Segment Position in Transaction Set. */
    segPos: version === '005010' ? 10 : 6,
    /** 447 Loop Identifier Code. */
    loopId: version === '005010' ? 4 : 6,
  };
}

function productPairs(count: number): Def[] {
  const out: Def[] = [];
  for (let i = 0; i < count; i++) out.push([2, 2, 'ID', O], [1, 48, 'AN', O]);
  return out;
}

function elementTables(version: CheckedVersion): Record<string, Def[]> {
  const w = widths(version);
  const v5 = version === '005010';
  return {
    BEG: [[2, 2, 'ID', M], [2, 2, 'ID', M], [1, 22, 'AN', M], [1, 30, 'AN', O], [8, 8, 'DT', M], [1, 30, 'AN', O], [2, 2, 'ID', O], [3, 3, 'ID', O], [2, 2, 'ID', O]],
    CUR: [[2, 3, 'ID', M], [3, 3, 'ID', M], [4, 10, 'R', O]],
    REF: [[2, 3, 'ID', M], [1, w.ref, 'AN', O], [1, 80, 'AN', O]],
    PER: [[2, 2, 'ID', M], [1, 60, 'AN', O], [2, 2, 'ID', O], [1, w.comm, 'AN', O], [2, 2, 'ID', O], [1, w.comm, 'AN', O], [2, 2, 'ID', O], [1, w.comm, 'AN', O], [1, 20, 'AN', O]],
    DTM: [[3, 3, 'ID', M], [8, 8, 'DT', O], [4, 8, 'TM', O], [2, 2, 'ID', O], [2, 3, 'ID', O], [1, 35, 'AN', O]],
    TD5: [[1, 2, 'ID', O], [1, 2, 'ID', O], [2, 80, 'AN', O], [1, 2, 'ID', O], [1, 35, 'AN', O], [2, 2, 'ID', O], [1, 2, 'ID', O], [1, 30, 'AN', O], [2, 2, 'ID', O], [2, 2, 'ID', O], [1, 2, 'ID', O], [2, 2, 'ID', O], [2, 3, 'ID', O], [2, 3, 'ID', O], [2, 2, 'ID', O]],
    N9: [[2, 3, 'ID', M], [1, w.ref, 'AN', O], [1, 45, 'AN', O], [8, 8, 'DT', O], [4, 8, 'TM', O], [2, 2, 'ID', O]],
    MSG: [[1, 264, 'AN', M], [2, 2, 'ID', O], [1, 9, 'N0', O]],
    MTX: [[3, 3, 'ID', O], [1, 4096, 'AN', O], [1, 4096, 'AN', O], [2, 2, 'ID', O], [1, 9, 'N0', O], [1, 9, 'N0', O]],
    N1: [[2, 3, 'ID', M], [1, 60, 'AN', O], [1, 2, 'ID', O], [2, 80, 'AN', O], [2, 2, 'ID', O], [2, 3, 'ID', O]],
    N2: [[1, 60, 'AN', M], [1, 60, 'AN', O]],
    N3: [[1, 55, 'AN', M], [1, 55, 'AN', O]],
    N4: [[2, 30, 'AN', O], [2, 2, 'ID', O], [3, 15, 'ID', O], [2, 3, 'ID', O], [1, 2, 'ID', O], [1, 30, 'AN', O], ...(v5 ? [[1, 3, 'ID', O] as Def] : [])],
    PO1: [[1, 20, 'AN', O], [1, 15, 'R', O], [2, 2, 'ID', O], [1, 17, 'R', O], [2, 2, 'ID', O], ...productPairs(10)],
    PID: [[1, 1, 'ID', M], [2, 3, 'ID', O], [2, 3, 'ID', O], [1, 12, 'AN', O], [1, 80, 'AN', O], [2, 2, 'ID', O], [2, 2, 'ID', O], [1, 1, 'ID', O], [2, 3, 'ID', O]],
    CTT: [[1, 6, 'N0', M], [1, 10, 'R', O], [1, 10, 'R', O], [2, 2, 'ID', O], [1, 8, 'R', O], [2, 2, 'ID', O], [1, 80, 'AN', O]],
    AMT: [[1, 3, 'ID', M], [1, 18, 'R', M], [1, 1, 'ID', O]],
    AK1: [[2, 2, 'ID', M], [1, 9, 'N0', M], ...(v5 ? [[1, 12, 'AN', O] as Def] : [])],
    AK2: [[3, 3, 'ID', M], [4, 9, 'AN', M], ...(v5 ? [[1, 35, 'AN', O] as Def] : [])],
    AK3: [[2, 3, 'ID', M], [1, w.segPos, 'N0', M], [1, w.loopId, 'AN', O], [1, 3, 'ID', O]],
    AK4: [
      { composite: [[1, 2, 'N0', M], [1, 2, 'N0', O], ...(v5 ? [[1, 4, 'N0', O] as [number, number, Kind, boolean]] : [])], mandatory: M },
      [1, 4, 'N0', O],
      [1, 3, 'ID', M],
      [1, 99, 'AN', O],
    ],
    AK5: [[1, 1, 'ID', M], [1, 3, 'ID', O], [1, 3, 'ID', O], [1, 3, 'ID', O], [1, 3, 'ID', O], [1, 3, 'ID', O]],
    AK9: [[1, 1, 'ID', M], [1, 6, 'N0', M], [1, 6, 'N0', M], [1, 6, 'N0', M], [1, 3, 'ID', O], [1, 3, 'ID', O], [1, 3, 'ID', O], [1, 3, 'ID', O], [1, 3, 'ID', O]],
    TA1: [[9, 9, 'N0', M], [6, 6, 'DT', M], [4, 4, 'TM', M], [1, 1, 'ID', M], [3, 3, 'ID', M]],
  };
}

/** Code lists the checker knows, by element (any other ID value is checked for form only). */
const CODES: Record<string, readonly string[]> = {
  BEG01: ['00', '01', '05', '06', '07'],
  AK501: ['A', 'E', 'M', 'R', 'W', 'X'],
  AK901: ['A', 'E', 'M', 'P', 'R', 'W', 'X'],
  AK304: ['1', '2', '3', '4', '5', '6', '7', '8'],
  AK403: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '12', '13'],
  AK502: Array.from({ length: 27 }, (_, i) => String(i + 1)),
  AK905: Array.from({ length: 26 }, (_, i) => String(i + 1)),
  TA104: ['A', 'E', 'R'],
  TA105: Array.from({ length: 32 }, (_, i) => String(i).padStart(3, '0')),
};
for (const n of [3, 4, 5, 6]) CODES[`AK50${n}`] = CODES.AK502!;
for (const n of [6, 7, 8, 9]) CODES[`AK90${n}`] = CODES.AK905!;

/** Pairs (both or neither) and "at least one of" syntax notes, 1-based. */
const PAIRS: Record<string, [number, number][]> = {
  N1: [[3, 4]],
  PER: [[3, 4], [5, 6], [7, 8]],
  TD5: [[2, 3]],
  PO1: [[6, 7], [8, 9], [10, 11], [12, 13], [14, 15], [16, 17], [18, 19], [20, 21], [22, 23], [24, 25]],
  DTM: [[5, 6]],
};
const AT_LEAST_ONE: Record<string, number[]> = { N1: [2, 3], TD5: [2, 4, 5, 6, 12], N9: [2, 3], PID: [4, 5], REF: [2, 3], MTX: [1, 2], DTM: [2, 3, 5] };

/**
 * The 850 table by version: header positions (a rank each), the loops (their first segment's rank
 * and the segments they may hold, in order), detail (PO1 loop) and summary (CTT loop).
 */
function po850(version: CheckedVersion) {
  const text = version === '004010' ? 'MSG' : 'MTX';
  const header: Record<string, number> = {
    BEG: 20, CUR: 40, REF: 50, PER: 60, TAX: 70, FOB: 80, CTP: 90, PAM: 95, CSH: 110, TC2: 115, ITD: 130, DIS: 140, INC: 145,
    DTM: 150, LIN: 185, SI: 190, PID: 200, MEA: 210, PWK: 220, PKG: 230, TD1: 235, TD5: 240, TD3: 250, TD4: 260, MAN: 270,
    PCT: 276, CTB: 280, TXI: 285,
  };
  if (version === '004010') header.LDT = 160;
  const loops: Record<string, { rank: number; content: string[] }> = {
    N9: { rank: 295, content: version === '004010' ? ['DTM', 'MSG'] : ['DTM', 'MTX', 'PWK', 'EFI'] },
    N1: { rank: 310, content: version === '004010' ? ['N2', 'N3', 'N4', 'NX2', 'REF', 'PER', 'SI', 'FOB', 'TD1', 'TD5', 'TD3', 'TD4', 'PKG'] : ['N2', 'IN2', 'N3', 'N4', 'NX2', 'REF', 'PER', 'SI', 'FOB', 'TD1', 'TD5', 'TD3', 'TD4', 'PKG'] },
    PO1: { rank: 1000, content: ['LIN', 'SI', 'CUR', 'CN1', 'PO3', 'CTP', 'PAM', 'MEA', 'PID', 'PWK', 'PO4', 'REF', 'PER', 'SAC', 'IT8', 'CSH', 'ITD', 'DIS', 'INC', 'TAX', 'FOB', 'SDQ', 'IT3', 'DTM', 'TC2', 'TD1', 'TD5', 'TD3', 'TD4', 'PCT', 'MAN', text, 'SPI', 'TXI', 'CTB', 'QTY'] },
    CTT: { rank: 2000, content: ['AMT'] },
  };
  return { header, loops };
}

function decimalUnits(value: string): bigint {
  const [whole = '0', fraction = ''] = value.replace(/^-/, '').split('.');
  const units = BigInt(whole || '0') * 10_000n + BigInt(fraction.padEnd(4, '0').slice(0, 4) || '0');
  return value.startsWith('-') ? -units : units;
}

function versionOf(gs08: string): CheckedVersion | undefined {
  const base = gs08.slice(0, 6);
  if (base === '004010' || base === '004030' || base === '005010') return base;
  if (base > '005010') return '005010';
  if (base > '004030') return '004030';
  if (base >= '003010') return '004010';
  return undefined;
}

interface Envelope {
  element: string;
  component: string;
  terminator: string;
  repetition?: string;
  isa: string[];
  segments: string[][];
}

/** The ISA checks and the segments after it; undefined (with problems) when unreadable. */
function envelope(text: string, fail: (m: string) => void): Envelope | undefined {
  if (!text.startsWith('ISA')) {
    fail('does not start with ISA');
    return undefined;
  }
  if (text.length < 106) {
    fail('shorter than an ISA segment');
    return undefined;
  }
  const element = text[3]!;
  const component = text[104]!;
  const terminator = text[105]!;
  const isa = text.slice(0, 105).split(element);
  if (isa.length !== 17) fail(`ISA has ${isa.length - 1} elements, expected 16 (ISA must be 106 characters)`);
  const widthsIsa = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];
  widthsIsa.forEach((n, i) => {
    if ((isa[i + 1] ?? '').length !== n) fail(`ISA${String(i + 1).padStart(2, '0')} must be ${n} characters, is "${isa[i + 1]}"`);
  });
  if (!/^\d{6}$/.test(isa[9] ?? '')) fail('ISA09 is not YYMMDD');
  if (!/^([01]\d|2[0-3])[0-5]\d$/.test(isa[10] ?? '')) fail('ISA10 is not HHMM');
  if (!/^00[2-9]\d\d$/.test(isa[12] ?? '')) fail(`ISA12 "${isa[12]}" is not an interchange control version such as 00401`);
  if (!/^\d{9}$/.test(isa[13] ?? '')) fail('ISA13 is not 9 digits');
  if (!/^[01]$/.test(isa[14] ?? '')) fail('ISA14 must be 0 or 1');
  if (!/^[PT]$/.test(isa[15] ?? '')) fail('ISA15 must be P or T');
  const withRepetition = (isa[12] ?? '') >= '00402';
  const repetition = withRepetition ? isa[11]! : undefined;
  if (!withRepetition && isa[11] !== 'U') fail(`ISA11 must be U in ${isa[12]}`);
  if (withRepetition && /^[A-Za-z0-9 ]$/.test(isa[11] ?? '')) fail(`ISA11 must be a repetition separator in ${isa[12]}, is "${isa[11]}"`);
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
    for (const [e, value] of s.slice(1).entries()) {
      const composite = s[0] === 'AK4' && e === 0;
      if (value.includes(component) && !composite) fail(`${s[0]}: data contains the component separator: "${value}"`);
      if (repetition && value.includes(repetition)) fail(`${s[0]}: data contains the repetition separator: "${value}"`);
      if (value !== value.trimEnd()) fail(`${s[0]}: "${value}" has trailing spaces`);
      if (value !== value.trimStart()) fail(`${s[0]}: "${value}" has leading spaces`);
    }
  }
  return { element, component, terminator, ...(repetition ? { repetition } : {}), isa, segments };
}

type SetChecker = (set: string[][], version: CheckedVersion, fail: (m: string) => void, component: string) => void;
const SET_CHECKERS: Record<string, { functionalId: string; check: SetChecker }> = {
  '850': { functionalId: 'PO', check: check850Set },
  '997': { functionalId: 'FA', check: check997Set },
};

/**
 * Checks one interchange the hub wrote: an 850 or 997 in a group, or a TA1 without a group.
 * `expect` names the transaction set (or `TA1`) it must hold.
 */
export function checkInterchange(text: string, expect?: '850' | '997' | 'TA1'): string[] {
  const problems: string[] = [];
  const fail = (message: string) => problems.push(message);
  const env = envelope(text, fail);
  if (!env) return problems;
  const { isa, segments } = env;
  const iea = segments[segments.length - 1];
  if (iea?.[0] !== 'IEA') return [...problems, 'last segment is not IEA'];
  if (iea[2] !== isa[13]) fail(`IEA02 "${iea[2]}" does not match ISA13 "${isa[13]}"`);

  if (segments[0]?.[0] === 'TA1') {
    if (expect && expect !== 'TA1') fail(`expected a ${expect}, found a TA1`);
    if (segments.length !== 2) fail(`a TA1 interchange holds the TA1 and the IEA only, found ${segments.map((s) => s[0]).join(' ')}`);
    checkElements(segments[0], elementTables(versionOf(`${isa[12]}0`) ?? '004010'), fail, env.component);
    const ta1 = segments[0];
    if (ta1[2] && !/^\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/.test(ta1[2])) fail(`TA102 "${ta1[2]}" is not a date YYMMDD`);
    if (iea[1] !== '0') fail(`IEA01 is ${iea[1]}, expected 0 groups in a TA1 interchange`);
    return problems;
  }
  if (expect === 'TA1') fail('expected a TA1 interchange');

  const gs = segments[0];
  const ge = segments[segments.length - 2];
  if (gs?.[0] !== 'GS') return [...problems, 'second segment is not GS'];
  if (ge?.[0] !== 'GE') return [...problems, 'segment before IEA is not GE'];
  if (gs.length !== 9) fail(`GS has ${gs.length - 1} elements, expected 8`);
  if (!/^\d{8}$/.test(gs[4] ?? '')) fail('GS04 is not CCYYMMDD');
  if (!/^\d{4,8}$/.test(gs[5] ?? '')) fail('GS05 is not HHMM');
  if (!/^\d{1,9}$/.test(gs[6] ?? '')) fail('GS06 is not 1-9 digits');
  if (gs[7] !== 'X') fail('GS07 must be X');
  if (!/^00[2-9]\d{3}[A-Z0-9]{0,6}$/.test(gs[8] ?? '')) fail(`GS08 "${gs[8]}" is not a version/release code`);
  // The hub writes its own documents in one version; a 997 echoes what the partner sent.
  if (gs[1] !== 'FA' && (gs[8] ?? '').slice(0, 5) !== isa[12]) fail(`GS08 "${gs[8]}" does not match ISA12 "${isa[12]}"`);
  if (gs[4]?.slice(2) !== isa[9]) fail('GS04 date differs from ISA09');
  if (iea[1] !== '1') fail(`IEA01 is ${iea[1]}, expected 1 group`);
  if (ge[2] !== gs[6]) fail(`GE02 "${ge[2]}" does not match GS06 "${gs[6]}"`);
  const version = versionOf(gs[8] ?? '');
  if (!version) return [...problems, `GS08 "${gs[8]}" is not a version this check knows`];

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
  for (const set of sets) {
    const st = set[0]!;
    const se = set[set.length - 1]!;
    if (!/^[A-Za-z0-9]{4,9}$/.test(st[2] ?? '')) fail(`ST02 "${st[2]}" must be 4-9 characters`);
    if (se[1] !== String(set.length)) fail(`SE01 is ${se[1]}, but the set has ${set.length} segments`);
    if (se[2] !== st[2]) fail(`SE02 "${se[2]}" does not match ST02 "${st[2]}"`);
    const checker = SET_CHECKERS[st[1] ?? ''];
    if (expect && st[1] !== expect) fail(`ST01 is ${st[1]}, expected ${expect}`);
    if (!checker) {
      fail(`ST01 ${st[1]}: not a set this check knows`);
      continue;
    }
    if (gs[1] !== checker.functionalId) fail(`GS01 is "${gs[1]}", expected ${checker.functionalId} for an ${st[1]}`);
    checker.check(set, version, fail, env.component);
  }
  return problems;
}

/** An 850 interchange (the version from its GS08). */
export function check850(text: string): string[] {
  return checkInterchange(text, '850');
}

/** A 997 interchange. */
export function check997(text: string): string[] {
  return checkInterchange(text, '997');
}

/** A TA1 interchange. */
export function checkTa1(text: string): string[] {
  return checkInterchange(text, 'TA1');
}

function check850Set(set: string[][], version: CheckedVersion, fail: (m: string) => void, component: string): void {
  const tables = elementTables(version);
  const { header, loops } = po850(version);
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
    checkElements(s, tables, fail, component);
    const start = loops[tag];
    if (start) {
      if (start.rank < rank) fail(`${tag} is out of order`);
      if (loop === 'N1') closeN1();
      rank = start.rank;
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
      const content = loops[loop]!.content;
      const position = content.indexOf(tag);
      if (position < 0) {
        fail(`${tag} is not allowed in the ${loop} loop of a ${version} 850`);
        continue;
      }
      if (position < loopPosition) fail(`${tag} is out of order in the ${loop} loop`);
      loopPosition = position;
      if (loop === 'N1') n1Parts.add(tag);
      if (tag === 'AMT') amt = s;
      continue;
    }
    const r = header[tag];
    if (r === undefined) fail(`${tag} is not a ${version} 850 header segment`);
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

/** 997: ST, AK1, AK2 loops (AK2, AK3 loops of AK3 + AK4s, AK5), AK9, SE. */
function check997Set(set: string[][], version: CheckedVersion, fail: (m: string) => void, component: string): void {
  const tables = elementTables(version);
  const body = set.slice(1, -1);
  let state: 'start' | 'ak1' | 'ak2' | 'ak3' | 'ak5' | 'ak9' = 'start';
  let ak2 = 0;
  let accepted = 0;
  let rejected = 0;
  let withErrors = 0;
  let ak9: string[] | undefined;
  for (const s of body) {
    const tag = s[0]!;
    checkElements(s, tables, fail, component);
    const allowedAfter: Record<string, string[]> = {
      AK1: ['start'],
      AK2: ['ak1', 'ak5'],
      AK3: ['ak2', 'ak3'],
      AK4: ['ak3'],
      AK5: ['ak2', 'ak3'],
      AK9: ['ak1', 'ak5'],
    };
    const allowed = allowedAfter[tag];
    if (!allowed) {
      fail(`${tag} is not a ${version} 997 segment`);
      continue;
    }
    if (!allowed.includes(state)) fail(`${tag} is out of order in the 997 (after ${state.toUpperCase()})`);
    if (tag === 'AK1') state = 'ak1';
    else if (tag === 'AK2') {
      ak2++;
      state = 'ak2';
    } else if (tag === 'AK3' || tag === 'AK4') state = 'ak3';
    else if (tag === 'AK5') {
      state = 'ak5';
      if (s[1] === 'R') rejected++;
      else accepted++;
      if (s[1] === 'E') withErrors++;
      if (s[1] === 'R' && !s[2] && !body.some((x) => x[0] === 'AK3')) fail('AK5 R without a reason (AK502 or AK3/AK4)');
    } else {
      state = 'ak9';
      ak9 = s;
    }
  }
  if (state === 'ak2' || state === 'ak3') fail('AK2 loop without AK5');
  if (!ak9) return fail('no AK9');
  const [, status, included, received, acceptedCount] = ak9;
  if (ak2 > 0 && received !== String(ak2)) fail(`AK903 is ${received}, but the 997 answers ${ak2} sets`);
  if (Number(acceptedCount) > Number(received)) fail(`AK904 ${acceptedCount} is more than AK903 ${received}`);
  const groupCodes = ak9.slice(5).filter(Boolean);
  if (ak2 > 0 && groupCodes.length === 0 && acceptedCount !== String(accepted)) fail(`AK904 is ${acceptedCount}, but ${accepted} AK5 accept`);
  if (status === 'A' && (rejected > 0 || withErrors > 0 || groupCodes.length > 0)) fail('AK901 A, but a set or the group has errors');
  if (status === 'R' && Number(acceptedCount) !== 0) fail('AK901 R, but sets are accepted');
  if (status === 'P' && (rejected === 0 || accepted === 0)) fail('AK901 P needs both accepted and rejected sets');
  if (included === undefined) fail('AK902 missing');
}

function checkElements(s: string[], tables: Record<string, Def[]>, fail: (m: string) => void, component: string): void {
  const tag = s[0]!;
  const defs = tables[tag];
  if (!defs) return fail(`${tag}: unknown segment`);
  if (s.length - 1 > defs.length) fail(`${tag} has ${s.length - 1} elements, at most ${defs.length}`);
  defs.forEach((def, i) => {
    const id = `${tag}${String(i + 1).padStart(2, '0')}`;
    const v = s[i + 1] ?? '';
    if (!Array.isArray(def)) {
      if (v === '') {
        if (def.mandatory) fail(`${id} is mandatory`);
        return;
      }
      const parts = v.split(component);
      if (parts.length > def.composite.length) fail(`${id} has ${parts.length} components, at most ${def.composite.length}`);
      def.composite.forEach((c, k) => checkValue(`${id}-${k + 1}`, parts[k] ?? '', c, fail));
      return;
    }
    checkValue(id, v, def, fail);
  });
  for (const [a, b] of PAIRS[tag] ?? []) {
    if (!!s[a] !== !!s[b]) fail(`${tag}: elements ${a} and ${b} must both be present or both absent`);
  }
  const oneOf = AT_LEAST_ONE[tag];
  if (oneOf && !oneOf.some((i) => s[i])) fail(`${tag}: needs at least one of elements ${oneOf.join(', ')}`);
}

function checkValue(id: string, v: string, [min, max, kind, mandatory]: [number, number, Kind, boolean], fail: (m: string) => void): void {
  if (v === '') {
    if (mandatory) fail(`${id} is mandatory`);
    return;
  }
  const numeric = kind === 'R' || kind === 'N0' || kind === 'N2';
  const length = numeric ? v.replace(/[-.]/g, '').length : v.length;
  if (length < min || length > max) fail(`${id} "${v}" must be ${min}-${max} ${numeric ? 'digits' : 'characters'}`);
  switch (kind) {
    case 'N0':
    case 'N2':
      if (!/^-?\d+$/.test(v)) fail(`${id} "${v}" is not ${kind === 'N0' ? 'a whole number' : 'a number with two implied decimals'}`);
      break;
    case 'R':
      if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(v)) fail(`${id} "${v}" is not a decimal`);
      break;
    case 'DT':
      if (v.length === 8 && !/^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/.test(v)) fail(`${id} "${v}" is not a date`);
      if (v.length === 6 && !/^\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/.test(v)) fail(`${id} "${v}" is not a date`);
      break;
    case 'TM':
      if (!/^([01]\d|2[0-3])[0-5]\d([0-5]\d(\d{1,2})?)?$/.test(v)) fail(`${id} "${v}" is not a time`);
      break;
    case 'ID': {
      const codes = CODES[id];
      if (codes && !codes.includes(v)) fail(`${id} "${v}" is not one of its codes (${codes.join(', ')})`);
      break;
    }
    case 'AN':
      break;
  }
}
