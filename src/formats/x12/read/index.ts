/**
 * Reading X12 from suppliers: the streaming reader (envelopes, delimiters, counts) and one pure
 * parser per transaction set the hub understands (856, 855, 997/999, 810, 846).
 */
import type { InboundItem } from '../../../canonical/inbound.ts';
import { parseFunctionalAck } from './functional-ack.ts';
import { parseInventory } from './inventory.ts';
import { parseInvoice } from './invoice.ts';
import { parsePoAck } from './po-ack.ts';
import type { X12Set } from './reader.ts';
import { parseShipNotice, type TrackingLocation } from './ship-notice.ts';

export {
  X12Reader,
  X12Set,
  readX12,
  readX12Stream,
  el,
  component,
  repetitions,
  type Segment,
  type Delimiters,
  type InterchangeEnvelope,
  type GroupEnvelope,
  type X12File,
  type X12ReaderOptions,
  type X12StreamSummary,
} from './reader.ts';
export { parseShipNotice, DEFAULT_TRACKING_FROM, type ShipNoticeOptions, type TrackingLocation } from './ship-notice.ts';
export { parsePoAck } from './po-ack.ts';
export { parseFunctionalAck } from './functional-ack.ts';
export { parseInvoice } from './invoice.ts';
export { parseInventory } from './inventory.ts';

/** The transaction sets the hub reads. */
export const SUPPORTED_SETS = ['856', '855', '997', '999', '810', '846'] as const;

export interface X12SetOptions {
  /** 856: where tracking numbers are (the mapping's `inbound.trackingFrom`). */
  trackingFrom?: readonly TrackingLocation[];
}

/** One transaction set → what the hub applies. Unknown sets are a ParseError, not a crash. */
export function parseX12Set(set: X12Set, options: X12SetOptions = {}): InboundItem[] {
  switch (set.transactionSet) {
    case '856':
      return parseShipNotice(set, options).map((shipment) => ({ kind: 'shipment', shipment }));
    case '855':
      return [{ kind: 'acknowledgment', acknowledgment: parsePoAck(set) }];
    case '997':
    case '999':
      return [{ kind: 'functional_ack', ack: parseFunctionalAck(set) }];
    case '810':
      return [{ kind: 'invoice', invoice: parseInvoice(set) }];
    case '846':
      return [{ kind: 'inventory', items: parseInventory(set) }];
    default:
      throw set.error(
        `unsupported transaction set ${set.transactionSet} (the hub reads ${SUPPORTED_SETS.join(', ')})`,
      );
  }
}
