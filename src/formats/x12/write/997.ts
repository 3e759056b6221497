/**
 * The 997 Functional Acknowledgment the hub sends for each X12 functional group it receives:
 * AK1 names the group (GS01, GS06), AK2/AK5 answer each transaction set (with AK3/AK4 detail for
 * the segments and elements in error), AK9 sums up. The envelope is the received one turned around
 * (their sender is our receiver) and echoes the received version; the segments follow that
 * version's 997 table (elements.ts: 004010, 004030, 005010, or the nearest below).
 *
 * A 997 acknowledges syntax: that a set was received and could be read. It does not say the hub
 * accepted the business content (an unknown PO is answered A and quarantined): see
 * docs/inbound-formats.md.
 */
import type { ControlNumbers } from '../../../canonical/purchase-order.ts';
import type { ReceivedGroup, SetAck, SetSyntaxNote } from '../../../canonical/inbound.ts';
import type { X12EnvelopeConfig } from '../../../config/mapping-schema.ts';
import { X12Writer, writeInterchange } from './writer.ts';

/** AK5 (set) status: A accepted, E accepted with errors, R rejected. */
export type SetAckStatus = 'A' | 'E' | 'R';

export interface SetAckResult {
  /** ST02 of the set answered. */
  controlNumber: string;
  status: SetAckStatus;
  /** AK502-AK506 syntax error codes (e.g. 5 = "one or more segments in error"). */
  errorCodes?: string[];
  /** AK3/AK4 detail. */
  notes?: SetSyntaxNote[];
}

export interface GroupAckResult {
  /** Per received set, overriding the set's own `ack`; sets not listed take their `ack`, else `A`. */
  sets?: SetAckResult[];
  /** AK905-AK909 group error codes (added to the group's own `errors`). */
  groupErrorCodes?: string[];
  /** ISO timestamp for ISA09/GS04 (default: now). Inject it for reproducible output. */
  createdAt?: string;
}

/** AK901 from the set statuses: A all accepted, E all accepted (some with errors), P some rejected, R all rejected. */
export function groupStatus(statuses: readonly SetAckStatus[]): 'A' | 'E' | 'P' | 'R' {
  const rejected = statuses.filter((s) => s === 'R').length;
  if (statuses.length > 0 && rejected === statuses.length) return 'R';
  if (rejected > 0) return 'P';
  return statuses.includes('E') ? 'E' : 'A';
}

/** AK3/AK4 notes per set are capped: a partner's file full of errors does not make a huge 997. */
const MAX_NOTES_PER_SET = 50;

export function render997(
  group: ReceivedGroup,
  env: X12EnvelopeConfig,
  numbers: ControlNumbers,
  result: GroupAckResult = {},
): string {
  // The received version is echoed when it is one (a broken GS08 is answered in the mapping's).
  const echo = /^00[2-9]\d{3}/.test(group.version) && /^00[2-9]\d\d$/.test(group.interchange.version);
  const version = echo ? group.version : env.version;
  const isaVersion = echo ? group.interchange.version : undefined;
  const writer = X12Writer.forEnvelope(env, {
    upperCase: false,
    version,
    ...(isaVersion ? { isaVersion } : {}),
    document: '997',
  });
  const v5 = writer.table.version === '005010';
  const bySet = new Map((result.sets ?? []).map((s) => [s.controlNumber, s]));
  const groupCodes = [...(group.errors ?? []).map((e) => e.code), ...(result.groupErrorCodes ?? [])];
  // A group with envelope errors is rejected whole: none of its sets is accepted.
  const groupRejected = (group.errors ?? []).length > 0;
  const answers = group.sets.map((set) => {
    const given = bySet.get(set.controlNumber);
    const ack: SetAck = given
      ? { status: given.status, ...(given.errorCodes ? { codes: given.errorCodes } : {}), ...(given.notes ? { notes: given.notes } : {}) }
      : (set.ack ?? { status: 'A' });
    return { set, ack };
  });
  const statuses = answers.map((a) => a.ack.status);
  const accepted = groupRejected ? 0 : statuses.filter((s) => s !== 'R').length;
  const status = groupRejected ? 'R' : groupStatus(statuses);

  writeInterchange(
    writer,
    {
      senderQualifier: group.interchange.receiverQualifier,
      senderId: group.interchange.receiverId,
      receiverQualifier: group.interchange.senderQualifier,
      receiverId: group.interchange.senderId,
      groupSenderId: group.receiverId,
      groupReceiverId: group.senderId,
      usage: env.usage,
      requestTa1: false,
      functionalId: 'FA',
      transactionSet: '997',
      version,
      ...(isaVersion ? { isaVersion } : {}),
      createdAt: result.createdAt ?? new Date().toISOString(),
      isa13: numbers.isa13,
      gs06: numbers.gs06,
      st02: numbers.st02,
    },
    (w) => {
      // AK102 is numeric (N0): the group's control number without its leading zeros.
      const gs06 = group.controlNumber.replace(/^0+(?=\d)/, '');
      w.segment('AK1', v5 && echo ? [group.functionalId, gs06, group.version] : [group.functionalId, gs06]);
      for (const { set, ack } of answers) {
        w.segment('AK2', [set.transactionSet, set.controlNumber]);
        for (const note of (ack.notes ?? []).slice(0, MAX_NOTES_PER_SET)) {
          w.segment('AK3', [note.segment, note.position, null, note.segmentCode ?? (note.element ? '8' : null)]);
          if (note.element) {
            w.segment('AK4', [note.element.position, note.element.reference ?? null, note.element.code, note.element.value ?? null]);
          }
        }
        w.segment('AK5', [ack.status, ...(ack.codes ?? []).slice(0, 5)]);
      }
      const declared = group.declaredSets ?? group.sets.length;
      w.segment('AK9', [status, declared, group.sets.length, accepted, ...groupCodes.slice(0, 5)]);
    },
  );
  return writer.toString();
}
