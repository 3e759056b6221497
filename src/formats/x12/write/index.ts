/** The X12 writer: a cleaning segment serializer, the 850 purchase order and the 997 acknowledgment. */
export { render850, LINE_SEGMENTS, type Overrides850, type ResolvedOverride } from './850.ts';
export { render997, groupStatus, type GroupAckResult, type SetAckResult, type SetAckStatus } from './997.ts';
export { X12Writer, writeInterchange, type InterchangeHeader, type ElementValue, type SegmentOptions } from './writer.ts';
export { makeCleaner, toAscii, type Delimiters } from './clean.ts';
export { SEGMENTS, type ElementSpec, type SegmentSpec, type SegmentTag } from './elements.ts';
