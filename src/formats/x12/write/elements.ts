/**
 * The segments the hub writes, per X12 version: each element's data type and min/max length from
 * the element dictionary of that version, and what to do with a value that does not fit:
 * `truncate` (free text: names, addresses, descriptions), `omit` (an optional code such as a
 * state that is not a 2-letter code), or `error`. `required` is the hub's usage: a missing required
 * value is a RenderError naming the element. `identifier` marks the elements a partner acts on or
 * quotes back (PO number, product ids, reference numbers): they are written exactly as given or the
 * document is refused (see writer.ts), never cleaned, folded or cut.
 *
 * The versions differ where the hub's documents touch them:
 * - 004010: the 850's N9 loop carries MSG (message text, 264 characters).
 * - 004030: the N9 loop carries MTX (text, 4096 characters) instead of MSG; reference
 *   identification (data element 127: REF02, N902) widens to 50 characters; ISA11 is the
 *   repetition separator (from 00402 on).
 * - 005010: as 004030, and communication numbers (364: PER04/06/08) widen to 256; the 997 gains
 *   AK103 (version) and AK203 (implementation convention), AK302 widens to 10 digits and AK401 is a
 *   composite of three (element, component, repetition position).
 *
 * An independent table of the same facts lives in test/helpers/x12-check.ts, which judges what this
 * writer produces; the two are kept apart on purpose.
 */

export type ElementType = 'AN' | 'ID' | 'DT' | 'TM' | 'N0' | 'R';

export interface ElementSpec {
  /** Reference designator, e.g. `N102`. */
  id: string;
  type: ElementType;
  min: number;
  max: number;
  required?: boolean;
  /** For values longer than `max`. Default: `error`. */
  tooLong?: 'truncate' | 'omit' | 'error';
  /** Written exactly as given or refused: never cleaned, folded, upper-cased or cut. */
  identifier?: boolean;
}

export interface SegmentSpec {
  tag: string;
  elements: ElementSpec[];
  /** Paired elements (1-based): both present or both absent (X12 "P" syntax notes). */
  pairs?: [number, number][];
}

/** The versions the hub writes (the mapping's `outbound.x12.version`). */
export const WRITE_VERSIONS = ['004010', '004030', '005010'] as const;
export type WriteVersion = (typeof WRITE_VERSIONS)[number];

function el(id: string, type: ElementType, min: number, max: number, options: Partial<ElementSpec> = {}): ElementSpec {
  return { id, type, min, max, ...options };
}
const req = { required: true } as const;
const text = { tooLong: 'truncate' } as const;
const omit = { tooLong: 'omit' } as const;
const ident = { identifier: true } as const;

/** Element 127 (reference identification): 30 characters in 004010, 50 from 004030 on. */
function ref(version: WriteVersion): SegmentSpec {
  const max = version === '004010' ? 30 : 50;
  return { tag: 'REF', elements: [el('REF01', 'ID', 2, 3, req), el('REF02', 'AN', 1, max, { ...req, ...ident }), el('REF03', 'AN', 1, 80, text)] };
}

function per(version: WriteVersion): SegmentSpec {
  const max = version === '005010' ? 256 : 80;
  return {
    tag: 'PER',
    elements: [
      el('PER01', 'ID', 2, 2, req),
      el('PER02', 'AN', 1, 60, text),
      el('PER03', 'ID', 2, 2),
      el('PER04', 'AN', 1, max, omit),
      el('PER05', 'ID', 2, 2),
      el('PER06', 'AN', 1, max, omit),
      el('PER07', 'ID', 2, 2),
      el('PER08', 'AN', 1, max, omit),
    ],
    pairs: [[3, 4], [5, 6], [7, 8]],
  };
}

/** PO106-PO125: ten product/service id pairs, the ids written exactly. */
function productPairs(tag: string, from: number): ElementSpec[] {
  const out: ElementSpec[] = [];
  for (let n = from; n < from + 20; n += 2) {
    out.push(el(`${tag}${String(n).padStart(2, '0')}`, 'ID', 2, 2));
    out.push(el(`${tag}${String(n + 1).padStart(2, '0')}`, 'AN', 1, 48, ident));
  }
  return out;
}

function segments(version: WriteVersion) {
  const v5 = version === '005010';
  return {
    ST: { tag: 'ST', elements: [el('ST01', 'ID', 3, 3, req), el('ST02', 'AN', 4, 9, req)] },
    SE: { tag: 'SE', elements: [el('SE01', 'N0', 1, 10, req), el('SE02', 'AN', 4, 9, req)] },
    BEG: {
      tag: 'BEG',
      elements: [
        el('BEG01', 'ID', 2, 2, req),
        el('BEG02', 'ID', 2, 2, req),
        el('BEG03', 'AN', 1, 22, { ...req, ...ident }),
        el('BEG04', 'AN', 1, 30, ident),
        el('BEG05', 'DT', 8, 8, req),
      ],
    },
    CUR: { tag: 'CUR', elements: [el('CUR01', 'ID', 2, 3, req), el('CUR02', 'ID', 3, 3, req)] },
    REF: ref(version),
    PER: per(version),
    DTM: { tag: 'DTM', elements: [el('DTM01', 'ID', 3, 3, req), el('DTM02', 'DT', 8, 8, req)] },
    TD5: {
      tag: 'TD5',
      elements: [
        el('TD501', 'ID', 1, 2),
        el('TD502', 'ID', 1, 2),
        el('TD503', 'AN', 2, 80, omit),
        el('TD504', 'ID', 1, 2),
        el('TD505', 'AN', 1, 35, text),
        el('TD506', 'ID', 2, 2),
        el('TD507', 'ID', 1, 2),
        el('TD508', 'AN', 1, 30, text),
        el('TD509', 'ID', 2, 2),
        el('TD510', 'ID', 2, 2),
        el('TD511', 'ID', 1, 2),
        el('TD512', 'ID', 2, 2, omit),
      ],
      pairs: [[2, 3]],
    },
    N9: {
      tag: 'N9',
      elements: [el('N901', 'ID', 2, 3, req), el('N902', 'AN', 1, version === '004010' ? 30 : 50, { required: true, tooLong: 'truncate' })],
    },
    N1: {
      tag: 'N1',
      elements: [el('N101', 'ID', 2, 3, req), el('N102', 'AN', 1, 60, { required: true, tooLong: 'truncate' }), el('N103', 'ID', 1, 2), el('N104', 'AN', 2, 80, omit)],
      pairs: [[3, 4]],
    },
    N2: { tag: 'N2', elements: [el('N201', 'AN', 1, 60, { required: true, tooLong: 'truncate' }), el('N202', 'AN', 1, 60, text)] },
    N3: { tag: 'N3', elements: [el('N301', 'AN', 1, 55, { required: true, tooLong: 'truncate' }), el('N302', 'AN', 1, 55, text)] },
    N4: {
      tag: 'N4',
      elements: [el('N401', 'AN', 2, 30, { required: true, tooLong: 'truncate' }), el('N402', 'ID', 2, 2, omit), el('N403', 'ID', 3, 15, omit), el('N404', 'ID', 2, 3, omit)],
    },
    PO1: {
      tag: 'PO1',
      elements: [
        el('PO101', 'AN', 1, 20, req),
        el('PO102', 'R', 1, 15, req),
        el('PO103', 'ID', 2, 2, req),
        el('PO104', 'R', 1, 17, req),
        el('PO105', 'ID', 2, 2),
        ...productPairs('PO1', 6),
      ],
      pairs: [[6, 7], [8, 9], [10, 11], [12, 13], [14, 15], [16, 17], [18, 19], [20, 21], [22, 23], [24, 25]],
    },
    PID: {
      tag: 'PID',
      elements: [el('PID01', 'ID', 1, 1, req), el('PID02', 'ID', 2, 3), el('PID03', 'ID', 2, 3), el('PID04', 'AN', 1, 12), el('PID05', 'AN', 1, 80, { required: true, tooLong: 'truncate' })],
    },
    CTT: { tag: 'CTT', elements: [el('CTT01', 'N0', 1, 6, req), el('CTT02', 'R', 1, 10, omit)] },
    // AMT02 is data element 782 (monetary amount): R, 1 to 18 digits.
    AMT: { tag: 'AMT', elements: [el('AMT01', 'ID', 1, 3, req), el('AMT02', 'R', 1, 18, req)] },
    AK1: {
      tag: 'AK1',
      elements: [el('AK101', 'ID', 2, 2, req), el('AK102', 'N0', 1, 9, req), ...(v5 ? [el('AK103', 'AN', 1, 12)] : [])],
    },
    AK2: {
      tag: 'AK2',
      elements: [el('AK201', 'ID', 3, 3, req), el('AK202', 'AN', 4, 9, req), ...(v5 ? [el('AK203', 'AN', 1, 35)] : [])],
    },
    AK3: {
      tag: 'AK3',
      elements: [el('AK301', 'ID', 2, 3, req), el('AK302', 'N0', 1, v5 ? 10 : 6, req), el('AK303', 'AN', 1, v5 ? 4 : 6), el('AK304', 'ID', 1, 3)],
    },
    AK4: {
      tag: 'AK4',
      // AK401 is a composite (element position, component position[, repetition]); the hub writes
      // its first component, the element's position, so it is checked as a number here.
      elements: [el('AK401', 'N0', 1, 2, req), el('AK402', 'N0', 1, 4), el('AK403', 'ID', 1, 3, req), el('AK404', 'AN', 1, 99, text)],
    },
    AK5: {
      tag: 'AK5',
      elements: [el('AK501', 'ID', 1, 1, req), el('AK502', 'ID', 1, 3), el('AK503', 'ID', 1, 3), el('AK504', 'ID', 1, 3), el('AK505', 'ID', 1, 3), el('AK506', 'ID', 1, 3)],
    },
    AK9: {
      tag: 'AK9',
      elements: [
        el('AK901', 'ID', 1, 1, req),
        el('AK902', 'N0', 1, 6, req),
        el('AK903', 'N0', 1, 6, req),
        el('AK904', 'N0', 1, 6, req),
        el('AK905', 'ID', 1, 3),
        el('AK906', 'ID', 1, 3),
        el('AK907', 'ID', 1, 3),
        el('AK908', 'ID', 1, 3),
        el('AK909', 'ID', 1, 3),
      ],
    },
    MSG: { tag: 'MSG', elements: [el('MSG01', 'AN', 1, 264, { required: true, tooLong: 'truncate' })] },
    MTX: { tag: 'MTX', elements: [el('MTX01', 'ID', 3, 3), el('MTX02', 'AN', 1, 4096, { required: true, tooLong: 'truncate' })] },
  } satisfies Record<string, SegmentSpec>;
}

export type SegmentTag = keyof ReturnType<typeof segments>;

/** What one version offers the writer: its element tables and the 850's version-specific choices. */
export interface VersionTable {
  version: WriteVersion;
  /** ISA12 for this version. */
  isaVersion: string;
  segments: Readonly<Record<SegmentTag, SegmentSpec>>;
  /** The segments the 850 the hub writes may hold in this version (envelope aside). */
  po850: ReadonlySet<SegmentTag>;
  /** The segments of the 997 the hub writes in this version. */
  fa997: ReadonlySet<SegmentTag>;
  /** The text segment of the 850's N9 loop: MSG in 004010, MTX from 004030 on. */
  noteSegment: 'MSG' | 'MTX';
}

const PO_COMMON: SegmentTag[] = ['BEG', 'CUR', 'REF', 'PER', 'DTM', 'TD5', 'N9', 'N1', 'N2', 'N3', 'N4', 'PO1', 'PID', 'CTT', 'AMT'];
const FA: SegmentTag[] = ['AK1', 'AK2', 'AK3', 'AK4', 'AK5', 'AK9'];

export const VERSIONS: Readonly<Record<WriteVersion, VersionTable>> = {
  '004010': {
    version: '004010',
    isaVersion: '00401',
    segments: segments('004010'),
    po850: new Set<SegmentTag>([...PO_COMMON, 'MSG']),
    fa997: new Set(FA),
    noteSegment: 'MSG',
  },
  '004030': {
    version: '004030',
    isaVersion: '00403',
    segments: segments('004030'),
    po850: new Set<SegmentTag>([...PO_COMMON, 'MTX']),
    fa997: new Set(FA),
    noteSegment: 'MTX',
  },
  '005010': {
    version: '005010',
    isaVersion: '00501',
    segments: segments('005010'),
    po850: new Set<SegmentTag>([...PO_COMMON, 'MTX']),
    fa997: new Set(FA),
    noteSegment: 'MTX',
  },
};

/**
 * The table to write a document of version `gs08` with: the version itself when the hub writes
 * it, else the nearest one below it (a 997 echoes the version of the group it answers, which may be
 * 004010VICS, 004060 or 003050).
 */
export function versionTable(gs08: string): VersionTable {
  const base = gs08.slice(0, 6);
  if (base >= '005010') return VERSIONS['005010'];
  if (base >= '004030') return VERSIONS['004030'];
  return VERSIONS['004010'];
}

/** The 004010 tables (the hub's default version), for callers that do not care about versions. */
export const SEGMENTS = VERSIONS['004010'].segments;
