/** The X12 writer: a per-version segment serializer, the 850 purchase order, the 997 and TA1 acknowledgments. */
export { render850, LINE_SEGMENTS, type Overrides850, type ResolvedOverride } from './850.ts';
export { render997, groupStatus, type GroupAckResult, type SetAckResult, type SetAckStatus } from './997.ts';
export { renderTa1, TA1_CODES } from './ta1.ts';
export { X12Writer, writeInterchange, identifierProblem, type InterchangeHeader, type ElementValue, type SegmentOptions, type RenderWarning } from './writer.ts';
export { makeCleaner, toAscii, droppedCharacters, type Delimiters } from './clean.ts';
export { SEGMENTS, VERSIONS, WRITE_VERSIONS, versionTable, type ElementSpec, type SegmentSpec, type SegmentTag, type VersionTable, type WriteVersion } from './elements.ts';
