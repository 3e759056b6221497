/**
 * An independent structure check of EDIFACT interchanges the hub writes (ORDERS D.96A, CONTRL
 * syntax 3), built from the UN/EDIFACT D.96A segment tables and segment directory and ISO 9735 —
 * not from the hub's writer or reader, whose output it judges (it has its own tokenizer, its own
 * character sets and its own tables). Returns the problems found; [] means the file is sound.
 *
 * Checks: the UNA (9 characters, distinct service characters); UNB (syntax identifier, version 3,
 * date/time formats); UNZ count and reference; UNH/UNT count and reference; every character within
 * the declared character set; the message's segment order, groups, repeats and mandatory segments
 * against the segment table; every element and component against the directory: count, mandatory,
 * an/a/n type and length (n without sign and decimal mark), no empty trailing element or component;
 * for ORDERS also CNT+2 = the LINs, CNT+1 = Σ QTY 21 and MOA 79 = Σ QTY 21 × PRI AAA.
 */

const M = true;
const C = false;

interface Simple {
  id: string;
  format: string;
  mandatory: boolean;
}
interface Composite {
  id: string;
  mandatory: boolean;
  components: Simple[];
}
type Def = Simple | Composite;

const s = (id: string, format: string, mandatory: boolean): Simple => ({ id, format, mandatory });
const c = (id: string, mandatory: boolean, components: Simple[]): Composite => ({ id, mandatory, components });
const isComposite = (d: Def): d is Composite => 'components' in d;

const C212 = (m: boolean) => c('C212', m, [s('7140', 'an..35', m), s('7143', 'an..3', C), s('1131', 'an..3', C), s('3055', 'an..3', C)]);
const S002 = c('S002', M, [s('0004', 'an..35', M), s('0007', 'an..4', C), s('0008', 'an..14', C)]);
const S003 = c('S003', M, [s('0010', 'an..35', M), s('0007', 'an..4', C), s('0014', 'an..14', C)]);
const S009 = c('S009', M, [s('0065', 'an..6', M), s('0052', 'an..3', M), s('0054', 'an..3', M), s('0051', 'an..2', M), s('0057', 'an..6', C)]);
const S011 = (m: boolean) => c('S011', m, [s('0098', 'n..3', M), s('0104', 'n..3', C)]);

/** The D.96A segment directory (and ISO 9735 v3 service segments), for the segments checked. */
const SEGMENTS: Record<string, Def[]> = {
  UNB: [
    c('S001', M, [s('0001', 'a4', M), s('0002', 'n1', M)]),
    S002,
    S003,
    c('S004', M, [s('0017', 'n6', M), s('0019', 'n4', M)]),
    s('0020', 'an..14', M),
    c('S005', C, [s('0022', 'an..14', M), s('0025', 'an2', C)]),
    s('0026', 'an..14', C),
    s('0029', 'a1', C),
    s('0031', 'n1', C),
    s('0032', 'an..35', C),
    s('0035', 'n1', C),
  ],
  UNZ: [s('0036', 'n..6', M), s('0020', 'an..14', M)],
  UNH: [s('0062', 'an..14', M), S009, s('0068', 'an..35', C), c('S010', C, [s('0070', 'n..2', M), s('0073', 'a1', C)])],
  UNT: [s('0074', 'n..6', M), s('0062', 'an..14', M)],
  BGM: [c('C002', C, [s('1001', 'an..3', C), s('1131', 'an..3', C), s('3055', 'an..3', C), s('1000', 'an..35', C)]), s('1004', 'an..35', C), s('1225', 'an..3', C), s('4343', 'an..3', C)],
  DTM: [c('C507', M, [s('2005', 'an..3', M), s('2380', 'an..35', C), s('2379', 'an..3', C)])],
  FTX: [
    s('4451', 'an..3', M),
    s('4453', 'an..3', C),
    c('C107', C, [s('4441', 'an..3', M), s('1131', 'an..3', C), s('3055', 'an..3', C)]),
    c('C108', C, [s('4440', 'an..70', M), s('4440', 'an..70', C), s('4440', 'an..70', C), s('4440', 'an..70', C), s('4440', 'an..70', C)]),
    s('3453', 'an..3', C),
  ],
  RFF: [c('C506', M, [s('1153', 'an..3', M), s('1154', 'an..35', C), s('1156', 'an..6', C), s('4000', 'an..35', C)])],
  NAD: [
    s('3035', 'an..3', M),
    c('C082', C, [s('3039', 'an..35', M), s('1131', 'an..3', C), s('3055', 'an..3', C)]),
    c('C058', C, [s('3124', 'an..35', M), s('3124', 'an..35', C), s('3124', 'an..35', C), s('3124', 'an..35', C), s('3124', 'an..35', C)]),
    c('C080', C, [s('3036', 'an..35', M), s('3036', 'an..35', C), s('3036', 'an..35', C), s('3036', 'an..35', C), s('3036', 'an..35', C), s('3045', 'an..3', C)]),
    c('C059', C, [s('3042', 'an..35', M), s('3042', 'an..35', C), s('3042', 'an..35', C), s('3042', 'an..35', C)]),
    s('3164', 'an..35', C),
    s('3229', 'an..9', C),
    s('3251', 'an..9', C),
    s('3207', 'an..3', C),
  ],
  CTA: [s('3139', 'an..3', C), c('C056', C, [s('3413', 'an..17', C), s('3412', 'an..35', C)])],
  COM: [c('C076', M, [s('3148', 'an..512', M), s('3155', 'an..3', M)])],
  CUX: [
    c('C504', C, [s('6347', 'an..3', M), s('6345', 'an..3', C), s('6343', 'an..3', C), s('6348', 'n..4', C)]),
    c('C504', C, [s('6347', 'an..3', M), s('6345', 'an..3', C), s('6343', 'an..3', C), s('6348', 'n..4', C)]),
    s('5402', 'n..12', C),
    s('6341', 'an..3', C),
  ],
  TDT: [
    s('8051', 'an..3', M),
    s('8028', 'an..17', C),
    c('C220', C, [s('8067', 'an..3', C), s('8066', 'an..17', C)]),
    c('C228', C, [s('8179', 'an..8', C), s('8178', 'an..17', C)]),
    c('C040', C, [s('3127', 'an..17', C), s('1131', 'an..3', C), s('3055', 'an..3', C), s('3128', 'an..35', C)]),
    s('8101', 'an..3', C),
    c('C401', C, [s('8457', 'an..3', M), s('8459', 'an..3', M), s('7130', 'an..17', C)]),
    c('C222', C, [s('8213', 'an..9', C), s('1131', 'an..3', C), s('3055', 'an..3', C), s('8212', 'an..35', C), s('8453', 'an..3', C)]),
    s('8281', 'an..3', C),
  ],
  LIN: [s('1082', 'an..6', C), s('1229', 'an..3', C), C212(C), c('C829', C, [s('5495', 'an..3', M), s('1082', 'an..6', C)]), s('1222', 'n..2', C), s('7083', 'an..3', C)],
  PIA: [s('4347', 'an..3', M), C212(M), C212(C), C212(C), C212(C), C212(C)],
  IMD: [
    s('7077', 'an..3', C),
    s('7081', 'an..3', C),
    c('C273', C, [s('7009', 'an..7', C), s('1131', 'an..3', C), s('3055', 'an..3', C), s('7008', 'an..35', C), s('7008', 'an..35', C), s('3453', 'an..3', C)]),
    s('7383', 'an..3', C),
  ],
  QTY: [c('C186', M, [s('6063', 'an..3', M), s('6060', 'n..15', M), s('6411', 'an..3', C)])],
  PRI: [c('C509', C, [s('5125', 'an..3', M), s('5118', 'n..15', C), s('5375', 'an..3', C), s('5387', 'an..3', C), s('5284', 'n..9', C), s('6411', 'an..3', C)]), s('5213', 'an..3', C)],
  UNS: [s('0081', 'a1', M)],
  MOA: [c('C516', M, [s('5025', 'an..3', M), s('5004', 'n..18', C), s('6345', 'an..3', C), s('6343', 'an..3', C), s('4405', 'an..3', C)])],
  CNT: [c('C270', M, [s('6069', 'an..3', M), s('6066', 'n..18', M), s('6411', 'an..3', C)])],
  UCI: [s('0020', 'an..14', M), S002, S003, s('0083', 'an..3', M), s('0085', 'an..3', C), s('0013', 'a3', C), S011(C)],
  UCM: [s('0062', 'an..14', M), S009, s('0083', 'an..3', M), s('0085', 'an..3', C), s('0013', 'a3', C), S011(C)],
  UCS: [s('0096', 'n..6', M), s('0085', 'an..3', C)],
  UCD: [s('0085', 'an..3', M), S011(M)],
};

/** A segment table entry: a segment, or a group whose first entry is its trigger segment. */
type Entry = { tag: string; mandatory: boolean; max: number } | { group: string; mandatory: boolean; max: number; entries: Entry[] };

const seg = (tag: string, mandatory: boolean, max: number): Entry => ({ tag, mandatory, max });
const grp = (group: string, mandatory: boolean, max: number, entries: Entry[]): Entry => ({ group, mandatory, max, entries });

/** ORDERS D.96A segment table (UNTDID D.96A, ORDERS). */
const ORDERS: Entry[] = [
  seg('UNH', M, 1),
  seg('BGM', M, 1),
  seg('DTM', M, 35),
  seg('PAI', C, 1),
  seg('ALI', C, 5),
  seg('IMD', C, 1),
  seg('FTX', C, 99),
  grp('SG1', C, 10, [seg('RFF', M, 1), seg('DTM', C, 5)]),
  grp('SG2', C, 99, [
    seg('NAD', M, 1),
    seg('LOC', C, 99),
    seg('FII', C, 5),
    grp('SG3', C, 10, [seg('RFF', M, 1), seg('DTM', C, 5)]),
    grp('SG4', C, 5, [seg('DOC', M, 1), seg('DTM', C, 5)]),
    grp('SG5', C, 5, [seg('CTA', M, 1), seg('COM', C, 5)]),
  ]),
  grp('SG6', C, 5, [seg('TAX', M, 1), seg('MOA', C, 1), seg('LOC', C, 5)]),
  grp('SG7', C, 5, [seg('CUX', M, 1), seg('PCD', C, 5), seg('DTM', C, 5)]),
  grp('SG8', C, 10, [seg('PAT', M, 1), seg('DTM', C, 5), seg('PCD', C, 1), seg('MOA', C, 1)]),
  grp('SG9', C, 10, [seg('TDT', M, 1), grp('SG10', C, 10, [seg('LOC', M, 1), seg('DTM', C, 5)])]),
  grp('SG11', C, 5, [seg('TOD', M, 1), seg('LOC', C, 2)]),
  grp('SG12', C, 10, [seg('PAC', M, 1), seg('MEA', C, 5), grp('SG13', C, 10, [seg('PCI', M, 1), seg('RFF', C, 1), seg('DTM', C, 5), seg('GIN', C, 10)])]),
  grp('SG14', C, 10, [seg('EQD', M, 1), seg('HAN', C, 5), seg('MEA', C, 5), seg('FTX', C, 5)]),
  grp('SG15', C, 10, [seg('SCC', M, 1), seg('FTX', C, 5), seg('RFF', C, 5), grp('SG16', C, 10, [seg('QTY', M, 1), seg('DTM', C, 5)])]),
  grp('SG17', C, 5, [seg('APR', M, 1), seg('DTM', C, 5), seg('RNG', C, 1)]),
  grp('SG18', C, 15, [
    seg('ALC', M, 1),
    seg('ALI', C, 5),
    seg('DTM', C, 5),
    grp('SG19', C, 1, [seg('QTY', M, 1), seg('RNG', C, 1)]),
    grp('SG20', C, 1, [seg('PCD', M, 1), seg('RNG', C, 1)]),
    grp('SG21', C, 2, [seg('MOA', M, 1), seg('RNG', C, 1)]),
    grp('SG22', C, 1, [seg('RTE', M, 1), seg('RNG', C, 1)]),
    grp('SG23', C, 5, [seg('TAX', M, 1), seg('MOA', C, 1)]),
  ]),
  grp('SG24', C, 10, [seg('RCS', M, 1), seg('RFF', C, 5), seg('DTM', C, 5), seg('FTX', C, 5)]),
  grp('SG25', C, 200000, [
    seg('LIN', M, 1),
    seg('PIA', C, 25),
    seg('IMD', C, 99),
    seg('MEA', C, 99),
    seg('QTY', C, 99),
    seg('PCD', C, 5),
    seg('ALI', C, 5),
    seg('DTM', C, 35),
    seg('MOA', C, 10),
    seg('GIN', C, 1000),
    seg('GIR', C, 1000),
    seg('QVR', C, 1),
    seg('DOC', C, 5),
    seg('PAI', C, 1),
    seg('FTX', C, 99),
    grp('SG26', C, 999, [seg('CCI', M, 1), seg('CAV', C, 10), seg('MEA', C, 10)]),
    grp('SG27', C, 10, [seg('PAT', M, 1), seg('DTM', C, 5), seg('PCD', C, 1), seg('MOA', C, 1)]),
    grp('SG28', C, 25, [seg('PRI', M, 1), seg('CUX', C, 1), seg('APR', C, 1), seg('RNG', C, 1), seg('DTM', C, 5)]),
    grp('SG29', C, 10, [seg('RFF', M, 1), seg('DTM', C, 5)]),
    grp('SG30', C, 10, [
      seg('PAC', M, 1),
      seg('MEA', C, 5),
      seg('QTY', C, 5),
      seg('DTM', C, 5),
      grp('SG31', C, 1, [seg('RFF', M, 1), seg('DTM', C, 5)]),
      grp('SG32', C, 10, [seg('PCI', M, 1), seg('RFF', C, 1), seg('DTM', C, 5), seg('GIN', C, 10)]),
    ]),
    grp('SG33', C, 9999, [seg('LOC', M, 1), seg('QTY', C, 1), seg('DTM', C, 5)]),
    grp('SG34', C, 10, [seg('TAX', M, 1), seg('MOA', C, 1), seg('LOC', C, 5)]),
    grp('SG35', C, 999, [
      seg('NAD', M, 1),
      seg('LOC', C, 5),
      grp('SG36', C, 10, [seg('RFF', M, 1), seg('DTM', C, 5)]),
      grp('SG37', C, 5, [seg('DOC', M, 1), seg('DTM', C, 5)]),
      grp('SG38', C, 5, [seg('CTA', M, 1), seg('COM', C, 5)]),
    ]),
    grp('SG39', C, 15, [
      seg('ALC', M, 1),
      seg('ALI', C, 5),
      seg('DTM', C, 5),
      grp('SG40', C, 1, [seg('QTY', M, 1), seg('RNG', C, 1)]),
      grp('SG41', C, 1, [seg('PCD', M, 1), seg('RNG', C, 1)]),
      grp('SG42', C, 2, [seg('MOA', M, 1), seg('RNG', C, 1)]),
      grp('SG43', C, 1, [seg('RTE', M, 1), seg('RNG', C, 1)]),
      grp('SG44', C, 5, [seg('TAX', M, 1), seg('MOA', C, 1)]),
    ]),
    grp('SG45', C, 10, [seg('TDT', M, 1), grp('SG46', C, 10, [seg('LOC', M, 1), seg('DTM', C, 5)])]),
    grp('SG47', C, 5, [seg('TOD', M, 1), seg('LOC', C, 2)]),
    grp('SG48', C, 10, [seg('EQD', M, 1), seg('HAN', C, 5), seg('MEA', C, 5), seg('FTX', C, 5)]),
    grp('SG49', C, 100, [seg('SCC', M, 1), seg('FTX', C, 5), seg('RFF', C, 5), grp('SG50', C, 10, [seg('QTY', M, 1), seg('DTM', C, 5)])]),
    grp('SG51', C, 10, [seg('RCS', M, 1), seg('RFF', C, 5), seg('DTM', C, 5), seg('FTX', C, 5)]),
  ]),
  seg('UNS', M, 1),
  seg('MOA', C, 12),
  seg('CNT', C, 10),
  grp('SG52', C, 10, [seg('ALC', M, 1), seg('ALI', C, 1), seg('MOA', C, 2)]),
  seg('UNT', M, 1),
];

/** CONTRL, syntax version 3 (message version 2 release 2). */
const CONTRL: Entry[] = [
  seg('UNH', M, 1),
  seg('UCI', M, 1),
  grp('SG1', C, 999999, [seg('UCM', M, 1), grp('SG2', C, 999, [seg('UCS', M, 1), seg('UCD', C, 99)])]),
  grp('SG3', C, 999999, [seg('UCF', M, 1), grp('SG4', C, 999999, [seg('UCM', M, 1), grp('SG5', C, 999, [seg('UCS', M, 1), seg('UCD', C, 99)])])]),
  seg('UNT', M, 1),
];

const TABLES: Record<string, Entry[]> = { 'ORDERS:D:96A:UN': ORDERS, 'CONTRL:2:2:UN': CONTRL };

/** ISO 9735 character repertoires, written out here on their own. */
const CHARSETS: Record<string, RegExp> = {
  UNOA: /^[A-Z0-9 .,\-()/='+:?!"%&*;<>]*$/,
  UNOB: /^[\x20-\x7e]*$/,
  UNOC: /^[\x20-\x7e\xa0-\xff]*$/,
};

interface Seg {
  tag: string;
  elements: string[][];
  index: number;
}

/** Cuts an interchange into segments with the given service characters (its own tokenizer). */
function tokenize(text: string, problems: string[]): { segments: Seg[]; una: boolean } {
  let component = ':';
  let element = '+';
  let decimal = '.';
  let rel = '?';
  let terminator = "'";
  let pos = 0;
  let una = false;
  if (text.startsWith('UNA')) {
    una = true;
    const sa = text.slice(3, 9);
    if (sa.length !== 6) problems.push('UNA is not followed by six service characters');
    [component = ':', element = '+', decimal = '.', rel = '?', , terminator = "'"] = sa.split('');
    if (new Set([component, element, rel, terminator]).size !== 4) problems.push(`UNA service characters are not distinct: "${sa}"`);
    if (decimal !== '.' && decimal !== ',') problems.push(`UNA decimal mark "${decimal}" is neither "." nor ","`);
    pos = 9;
  }
  const segments: Seg[] = [];
  let elements: string[][] = [];
  let components: string[] = [];
  let value = '';
  let started = false;
  for (let i = pos; i < text.length; i++) {
    const ch = text[i]!;
    if (!started && (ch === '\n' || ch === '\r')) continue;
    started = true;
    if (ch === rel) {
      i++;
      if (i >= text.length) problems.push('the file ends with a release character');
      value += text[i] ?? '';
    } else if (ch === component) {
      components.push(value);
      value = '';
    } else if (ch === element) {
      components.push(value);
      elements.push(components);
      components = [];
      value = '';
    } else if (ch === terminator) {
      components.push(value);
      elements.push(components);
      const [head, ...rest] = elements;
      segments.push({ tag: head!.join(component), elements: rest, index: segments.length + 1 });
      elements = [];
      components = [];
      value = '';
      started = false;
    } else if (ch === '\n' || ch === '\r') {
      problems.push(`a line break inside segment ${segments.length + 1}`);
    } else {
      value += ch;
    }
  }
  if (started) problems.push('the last segment has no terminator');
  return { segments, una };
}

function checkValue(value: string, def: Simple, where: string, problems: string[]): void {
  const m = /^(an|a|n)(\.\.)?(\d+)$/.exec(def.format)!;
  const [, type, upTo, n] = m;
  const max = Number(n);
  if (type === 'n') {
    if (!/^-?(\d+([.,]\d+)?|[.,]\d+)$/.test(value)) problems.push(`${where} ${JSON.stringify(value)} is not numeric (${def.id} ${def.format})`);
    const digits = value.replace(/[-.,]/g, '').length;
    if (upTo ? digits > max : digits !== max) problems.push(`${where} ${JSON.stringify(value)} has ${digits} digits (${def.id} ${def.format})`);
    return;
  }
  if (type === 'a' && !/^[A-Za-z ]*$/.test(value)) problems.push(`${where} ${JSON.stringify(value)} is not alphabetic (${def.id} ${def.format})`);
  if (upTo ? value.length > max : value.length !== max) problems.push(`${where} ${JSON.stringify(value)} is ${value.length} characters (${def.id} ${def.format})`);
}

function checkSegment(segment: Seg, problems: string[]): void {
  const defs = SEGMENTS[segment.tag];
  const at = `segment ${segment.index} ${segment.tag}`;
  if (!defs) {
    problems.push(`${at}: no directory entry to check it against`);
    return;
  }
  if (segment.elements.length > defs.length) problems.push(`${at}: ${segment.elements.length} elements, the directory has ${defs.length}`);
  const last = segment.elements[segment.elements.length - 1];
  if (last && last.every((v) => v === '')) problems.push(`${at}: empty trailing element`);
  defs.forEach((def, e) => {
    const element = segment.elements[e];
    const where = `${at} element ${e + 1}`;
    const empty = !element || element.every((v) => v === '');
    if (empty) {
      if (def.mandatory) problems.push(`${where} (${def.id}) is mandatory and missing`);
      return;
    }
    if (!isComposite(def)) {
      if (element.length > 1) problems.push(`${where} (${def.id}) is simple but has ${element.length} components`);
      checkValue(element[0]!, def, where, problems);
      return;
    }
    if (element.length > def.components.length) problems.push(`${where} (${def.id}) has ${element.length} components, the directory ${def.components.length}`);
    if (element[element.length - 1] === '') problems.push(`${where} (${def.id}) has an empty trailing component`);
    def.components.forEach((cd, k) => {
      const v = element[k] ?? '';
      if (v === '') {
        if (cd.mandatory) problems.push(`${where} component ${k + 1} (${def.id}/${cd.id}) is mandatory and missing`);
        return;
      }
      checkValue(v, cd, `${where} component ${k + 1}`, problems);
    });
  });
}

/** Walks a message's segments through its segment table (groups, repeats, mandatory segments). */
function walk(entries: Entry[], segments: Seg[], start: number, path: string, problems: string[]): number {
  let pos = start;
  for (const entry of entries) {
    let count = 0;
    if ('tag' in entry) {
      // Up to its maximum; one more of the same tag can only start the next instance of a group
      // (or is out of place, which the caller reports).
      while (pos < segments.length && segments[pos]!.tag === entry.tag && count < entry.max) {
        count++;
        pos++;
      }
      if (entry.mandatory && count === 0) problems.push(`${path || 'message'}: mandatory ${entry.tag} missing before segment ${segments[pos]?.index ?? 'end'} (${segments[pos]?.tag ?? 'end'})`);
      continue;
    }
    const trigger = (entry.entries[0] as { tag: string }).tag;
    while (pos < segments.length && segments[pos]!.tag === trigger) {
      count++;
      if (count > entry.max) problems.push(`segment ${segments[pos]!.index}: ${entry.group} repeated more than ${entry.max} times`);
      pos = walk(entry.entries, segments, pos, `${path}${path ? '/' : ''}${entry.group}`, problems);
    }
    if (entry.mandatory && count === 0) problems.push(`${path || 'message'}: mandatory ${entry.group} missing`);
  }
  return pos;
}

function units(value: string): bigint {
  const v = value.replace(',', '.');
  const [whole = '0', fraction = ''] = v.replace(/^-/, '').split('.');
  const u = BigInt(whole || '0') * 10_000n + BigInt(fraction.padEnd(4, '0').slice(0, 4) || '0');
  return v.startsWith('-') ? -u : u;
}

function checkOrders(message: Seg[], problems: string[]): void {
  const lins = message.filter((x) => x.tag === 'LIN');
  const value = (x: Seg, e: number, k: number) => x.elements[e - 1]?.[k - 1] ?? '';
  const bgm = message.find((x) => x.tag === 'BGM');
  if (bgm && value(bgm, 1, 1) !== '220') problems.push(`BGM 1001 is "${value(bgm, 1, 1)}", not 220 (order)`);
  if (bgm && !['9', '1'].includes(value(bgm, 3, 1))) problems.push(`BGM 1225 is "${value(bgm, 3, 1)}", not 9 (original) or 1 (cancellation)`);
  const numbers = lins.map((l) => value(l, 1, 1));
  if (new Set(numbers).size !== numbers.length) problems.push(`LIN line numbers repeat: ${numbers.join(',')}`);
  let quantity = 0n;
  let amount = 0n;
  for (let i = 0; i < message.length; i++) {
    if (message[i]!.tag !== 'LIN') continue;
    let q: bigint | undefined;
    let p: bigint | undefined;
    for (let j = i + 1; j < message.length && !['LIN', 'UNS'].includes(message[j]!.tag); j++) {
      const x = message[j]!;
      if (x.tag === 'QTY' && value(x, 1, 1) === '21' && /^\d+$/.test(value(x, 1, 2))) q = BigInt(value(x, 1, 2));
      if (x.tag === 'PRI' && value(x, 1, 1) === 'AAA' && /^-?\d+([.,]\d+)?$/.test(value(x, 1, 2))) p = units(value(x, 1, 2));
    }
    if (q === undefined) problems.push(`LIN ${value(message[i]!, 1, 1)} has no QTY+21`);
    else quantity += q;
    if (q !== undefined && p !== undefined) amount += q * p;
  }
  for (const cnt of message.filter((x) => x.tag === 'CNT')) {
    const [qualifier, total] = [value(cnt, 1, 1), value(cnt, 1, 2)];
    if (qualifier === '2' && Number(total) !== lins.length) problems.push(`CNT+2 says ${total} lines, there are ${lins.length}`);
    if (qualifier === '1' && (!/^\d+$/.test(total) || BigInt(total) !== quantity)) problems.push(`CNT+1 says ${total}, the quantities add up to ${quantity}`);
  }
  const moa = message.slice(message.findIndex((x) => x.tag === 'UNS')).find((x) => x.tag === 'MOA' && value(x, 1, 1) === '79');
  if (moa && (!/^-?\d+([.,]\d+)?$/.test(value(moa, 1, 2)) || units(value(moa, 1, 2)) !== amount)) problems.push(`MOA+79 ${value(moa, 1, 2)} is not Σ QTY × PRI (${Number(amount) / 10_000})`);
}

export function checkEdifact(input: string | Buffer): string[] {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  const problems: string[] = [];
  const { segments } = tokenize(text, problems);
  if (segments[0]?.tag !== 'UNB') return [...problems, 'the interchange does not start with UNB (after an optional UNA)'];
  const unb = segments[0];
  const syntax = unb.elements[0]?.[0] ?? '';
  const charset = CHARSETS[syntax];
  if (!charset) problems.push(`UNB syntax identifier "${syntax}" is not UNOA, UNOB or UNOC`);
  if (unb.elements[0]?.[1] !== '3') problems.push(`UNB syntax version "${unb.elements[0]?.[1]}" is not 3`);
  const date = unb.elements[3]?.[0] ?? '';
  const time = unb.elements[3]?.[1] ?? '';
  const month = Number(date.slice(2, 4));
  const day = Number(date.slice(4, 6));
  if (!/^\d{6}$/.test(date) || month < 1 || month > 12 || day < 1 || day > 31) problems.push(`UNB date "${date}" is not YYMMDD`);
  if (!/^([01]\d|2[0-3])[0-5]\d$/.test(time)) problems.push(`UNB time "${time}" is not HHMM`);
  for (const x of segments) {
    checkSegment(x, problems);
    for (const element of x.elements) for (const v of element) if (charset && !charset.test(v)) problems.push(`segment ${x.index} ${x.tag}: "${v}" has characters outside ${syntax}`);
  }
  const unz = segments[segments.length - 1]!;
  if (unz.tag !== 'UNZ') problems.push('the interchange does not end with UNZ');
  let messages = 0;
  for (let i = 1; i < segments.length - 1; ) {
    const unh = segments[i]!;
    if (unh.tag !== 'UNH') {
      problems.push(`segment ${unh.index} ${unh.tag} is outside a message`);
      i++;
      continue;
    }
    let j = i + 1;
    while (j < segments.length && segments[j]!.tag !== 'UNT') j++;
    const message = segments.slice(i, j + 1);
    const unt = segments[j];
    messages++;
    if (!unt) {
      problems.push(`message at segment ${unh.index} has no UNT`);
      break;
    }
    if (unt.elements[0]?.[0] !== String(message.length)) problems.push(`UNT 0074 "${unt.elements[0]?.[0]}" but the message has ${message.length} segments`);
    if (unt.elements[1]?.[0] !== unh.elements[0]?.[0]) problems.push(`UNT 0062 "${unt.elements[1]?.[0]}" is not UNH 0062 "${unh.elements[0]?.[0]}"`);
    const id = (unh.elements[1] ?? []).slice(0, 4).join(':');
    const table = TABLES[id];
    if (!table) problems.push(`no segment table for message ${id}`);
    else {
      const end = walk(table, message, 0, '', problems);
      if (end < message.length) problems.push(`segment ${message[end]!.index} ${message[end]!.tag} is out of place in ${id} (not allowed where it stands)`);
      if (id.startsWith('ORDERS')) checkOrders(message, problems);
    }
    i = j + 1;
  }
  if (unz.tag === 'UNZ') {
    if (unz.elements[0]?.[0] !== String(messages)) problems.push(`UNZ 0036 "${unz.elements[0]?.[0]}" but the interchange has ${messages} messages`);
    if (unz.elements[1]?.[0] !== unb.elements[4]?.[0]) problems.push(`UNZ 0020 "${unz.elements[1]?.[0]}" is not UNB 0020 "${unb.elements[4]?.[0]}"`);
  }
  return problems;
}
