/**
 * Every format the hub speaks, one line each way. The mapping schema builds `outbound.format`, the
 * formats' own settings keys (`outbound.x12`, `outbound.edifact`) and the inbound rules from these
 * lists; `renderOutbound`, `parseInbound`, the answers to received files and the expected-document
 * ledger look formats up here. A new format: its folder (both directions, see `format.ts` for the
 * two ports) and one line in each list below.
 */
import type { z } from 'zod';
import type { InboundItem, Shipment } from '../canonical/inbound.ts';
import { ParseError } from '../errors.ts';
import { renderCsv } from './csv.ts';
import { edifactInbound, edifactOutbound } from './edifact/plugin.ts';
import type { InboundFormat, OutboundFormat } from './format.ts';
import { parseInboundJson } from './inbound-json.ts';
import { parseInventoryCsv, parseInventoryXml } from './inventory-file.ts';
import { renderJson } from './json.ts';
import { parseTrackingCsv } from './tracking-csv.ts';
import { TrackingRuleKeys } from './tracking-rule.ts';
import { parseTrackingXml } from './tracking-xml.ts';
import { x12Inbound, x12Outbound } from './x12/plugin.ts';
import { renderXml } from './xml.ts';

const needsTemplate = (outbound: { format: string; template?: string | undefined }) =>
  outbound.template === undefined ? [{ key: 'template', message: `required: format ${outbound.format} renders the PO with a JSONata template` }] : [];

const xmlOutbound: OutboundFormat<'xml'> = {
  name: 'xml',
  contentType: 'application/xml',
  check: needsTemplate,
  needsControlNumbers: () => false,
  expectsReceipt: () => false,
  render: async (po, _settings, { loaded }) => ({ content: await renderXml(loaded, po) }),
};

const jsonOutbound: OutboundFormat<'json'> = {
  name: 'json',
  contentType: 'application/json',
  check: needsTemplate,
  needsControlNumbers: () => false,
  expectsReceipt: () => false,
  render: async (po, _settings, { loaded }) => ({ content: await renderJson(loaded, po) }),
};

const csvOutbound: OutboundFormat<'csv'> = {
  name: 'csv',
  contentType: 'text/csv',
  check: (outbound) => (outbound.columns === undefined ? [{ key: 'columns', message: 'required: format csv needs columns (header → JSONata expression per line)' }] : []),
  needsControlNumbers: () => false,
  expectsReceipt: () => false,
  render: async (po, _settings, { loaded }) => ({ content: await renderCsv(loaded, po) }),
};

const csvInbound: InboundFormat<'csv', typeof TrackingRuleKeys> = {
  name: 'csv',
  rule: TrackingRuleKeys,
  parse: (bytes, rule, { filename, limits }) => ({
    format: 'csv',
    items: rule.document === 'inventory' ? [{ kind: 'inventory', items: parseInventoryCsv(rule, bytes, { file: filename }) }] : shipments(parseTrackingCsv(rule, bytes, { file: filename, ...(limits ? { maxRecords: limits.recordsPerFile } : {}) })),
    groups: [],
  }),
};

const xmlInbound: InboundFormat<'xml', typeof TrackingRuleKeys> = {
  name: 'xml',
  rule: TrackingRuleKeys,
  parse: (bytes, rule, { filename }) => ({
    format: 'xml',
    items: rule.document === 'inventory' ? [{ kind: 'inventory', items: parseInventoryXml(rule, bytes, { file: filename }) }] : shipments(parseTrackingXml(rule, bytes, { file: filename })),
    groups: [],
  }),
};

const jsonInbound: InboundFormat<'json', typeof TrackingRuleKeys> = {
  name: 'json',
  rule: TrackingRuleKeys,
  sniff: (head) => head.startsWith('{') || head.startsWith('['),
  parse: (bytes, _rule, { filename }) => ({ format: 'json', items: parseInboundJson(bytes, { file: filename }), groups: [] }),
};

function shipments(list: Shipment[]): InboundItem[] {
  return list.map((shipment) => ({ kind: 'shipment' as const, shipment }));
}

/** `outbound.format`: what the hub writes a purchase order in. */
export const OUTBOUND_FORMATS = [x12Outbound, xmlOutbound, csvOutbound, jsonOutbound, edifactOutbound] as const;

/** Inbound rules' `format`: what the hub reads from suppliers. Sniffed in this order for a file no rule matches. */
export const INBOUND_FORMATS = [x12Inbound, csvInbound, xmlInbound, jsonInbound, edifactInbound] as const;

export type OutboundFormatName = (typeof OUTBOUND_FORMATS)[number]['name'];
export type InboundFormatName = (typeof INBOUND_FORMATS)[number]['name'];

/** The format named by a validated mapping (the schema allows only registered names). */
export function outboundFormat(name: string): OutboundFormat<string, string, unknown> {
  const format = OUTBOUND_FORMATS.find((f) => f.name === name);
  if (!format) throw new Error(`unregistered outbound format ${name}`);
  return format as unknown as OutboundFormat<string, string, unknown>;
}

export function inboundFormat(name: string): InboundFormat<string, z.ZodObject, unknown> {
  const format = INBOUND_FORMATS.find((f) => f.name === name);
  if (!format) throw new ParseError('inbound', `unregistered inbound format ${name}`);
  return format as unknown as InboundFormat<string, z.ZodObject, unknown>;
}
