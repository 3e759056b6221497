/**
 * The 997 Functional Acknowledgment the hub sends for each X12 functional group it receives:
 * AK1 names the group (GS01, GS06), AK2/AK5 answer each transaction set, AK9 sums up. The envelope
 * is the received one turned around (their sender is our receiver) and echoes the received version.
 */
import type { ControlNumbers } from '../../../canonical/purchase-order.ts';
import type { ReceivedGroup } from '../../../canonical/inbound.ts';
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
}

export interface GroupAckResult {
  /** Per received set; sets not listed are answered `A`. */
  sets?: SetAckResult[];
  /** AK905-AK909 group error codes. */
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

export function render997(
  group: ReceivedGroup,
  env: X12EnvelopeConfig,
  numbers: ControlNumbers,
  result: GroupAckResult = {},
): string {
  const writer = X12Writer.forEnvelope(env, { upperCase: false });
  const bySet = new Map((result.sets ?? []).map((s) => [s.controlNumber, s]));
  const answers = group.sets.map((set) => ({
    set,
    result: bySet.get(set.controlNumber) ?? { controlNumber: set.controlNumber, status: 'A' as const },
  }));
  const statuses = answers.map((a) => a.result.status);
  const accepted = statuses.filter((s) => s !== 'R').length;

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
      version: group.version,
      isaVersion: group.interchange.version,
      createdAt: result.createdAt ?? new Date().toISOString(),
      isa13: numbers.isa13,
      gs06: numbers.gs06,
      st02: numbers.st02,
    },
    (w) => {
      w.segment('AK1', [group.functionalId, group.controlNumber]);
      for (const { set, result: answer } of answers) {
        w.segment('AK2', [set.transactionSet, set.controlNumber]);
        w.segment('AK5', [answer.status, ...(answer.errorCodes ?? []).slice(0, 5)]);
      }
      w.segment('AK9', [groupStatus(statuses), group.sets.length, group.sets.length, accepted, ...(result.groupErrorCodes ?? []).slice(0, 5)]);
    },
  );
  return writer.toString();
}
