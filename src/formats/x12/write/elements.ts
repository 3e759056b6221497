/**
 * The elements the hub writes, with their X12 data type and min/max lengths (the 004010 limits,
 * which 005010 keeps or widens), and what to do with a value that does not fit:
 * `truncate` (free text: names, addresses, descriptions), `omit` (an optional code such as a
 * state that is not a 2-letter code), or `error` (identifiers: PO number, SKUs, which must never be
 * cut). `required` is the hub's usage: a missing required value is a RenderError naming the element.
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
}

export interface SegmentSpec {
  tag: string;
  elements: ElementSpec[];
  /** Paired elements (1-based): both present or both absent (X12 "P" syntax notes). */
  pairs?: [number, number][];
}

function el(id: string, type: ElementType, min: number, max: number, options: Partial<ElementSpec> = {}): ElementSpec {
  return { id, type, min, max, ...options };
}
const req = { required: true } as const;
const text = { tooLong: 'truncate' } as const;
const omit = { tooLong: 'omit' } as const;

export const SEGMENTS = {
  ST: { tag: 'ST', elements: [el('ST01', 'ID', 3, 3, req), el('ST02', 'AN', 4, 9, req)] },
  SE: { tag: 'SE', elements: [el('SE01', 'N0', 1, 10, req), el('SE02', 'AN', 4, 9, req)] },
  BEG: {
    tag: 'BEG',
    elements: [
      el('BEG01', 'ID', 2, 2, req),
      el('BEG02', 'ID', 2, 2, req),
      el('BEG03', 'AN', 1, 22, req),
      el('BEG04', 'AN', 1, 30),
      el('BEG05', 'DT', 8, 8, req),
    ],
  },
  CUR: { tag: 'CUR', elements: [el('CUR01', 'ID', 2, 3, req), el('CUR02', 'ID', 3, 3, req)] },
  REF: { tag: 'REF', elements: [el('REF01', 'ID', 2, 3, req), el('REF02', 'AN', 1, 30, req), el('REF03', 'AN', 1, 80, text)] },
  PER: {
    tag: 'PER',
    elements: [
      el('PER01', 'ID', 2, 2, req),
      el('PER02', 'AN', 1, 60, text),
      el('PER03', 'ID', 2, 2),
      el('PER04', 'AN', 1, 80, omit),
      el('PER05', 'ID', 2, 2),
      el('PER06', 'AN', 1, 80, omit),
      el('PER07', 'ID', 2, 2),
      el('PER08', 'AN', 1, 80, omit),
    ],
    pairs: [[3, 4], [5, 6], [7, 8]],
  },
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
  N9: { tag: 'N9', elements: [el('N901', 'ID', 2, 3, req), el('N902', 'AN', 1, 30, { required: true, tooLong: 'truncate' })] },
  MSG: { tag: 'MSG', elements: [el('MSG01', 'AN', 1, 264, { required: true, tooLong: 'truncate' })] },
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
      el('PO106', 'ID', 2, 2),
      el('PO107', 'AN', 1, 48),
      el('PO108', 'ID', 2, 2),
      el('PO109', 'AN', 1, 48),
      el('PO110', 'ID', 2, 2),
      el('PO111', 'AN', 1, 48),
    ],
    pairs: [[6, 7], [8, 9], [10, 11]],
  },
  PID: {
    tag: 'PID',
    elements: [el('PID01', 'ID', 1, 1, req), el('PID02', 'ID', 2, 3), el('PID03', 'ID', 2, 3), el('PID04', 'AN', 1, 12), el('PID05', 'AN', 1, 80, { required: true, tooLong: 'truncate' })],
  },
  CTT: { tag: 'CTT', elements: [el('CTT01', 'N0', 1, 6, req), el('CTT02', 'R', 1, 10, omit)] },
  AMT: { tag: 'AMT', elements: [el('AMT01', 'ID', 1, 3, req), el('AMT02', 'R', 1, 15, req)] },
  AK1: { tag: 'AK1', elements: [el('AK101', 'ID', 2, 2, req), el('AK102', 'N0', 1, 9, req)] },
  AK2: { tag: 'AK2', elements: [el('AK201', 'ID', 3, 3, req), el('AK202', 'AN', 4, 9, req)] },
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
} satisfies Record<string, SegmentSpec>;

export type SegmentTag = keyof typeof SEGMENTS;
