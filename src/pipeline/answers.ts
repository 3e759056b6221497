/**
 * The answers a format sends back for a received file (EDIFACT: CONTRL), through the supplier's own
 * transport (the outbox), numbered from the partner's control-number counter in the caller's
 * transaction. X12's 997 and TA1 are still written by `acks.ts`.
 */
import type { Transaction } from 'kysely';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { RenderError, errorMessage } from '../errors.ts';
import { matchInboundFile, sniffInboundRule } from '../formats/inbound.ts';
import { inboundFormat } from '../formats/registry.ts';
import type { Hub } from '../hub.ts';
import { nextControlNumber } from '../store/control-numbers.ts';
import type { Database } from '../store/schema.ts';
import { enqueueOutbound } from './documents.ts';

/**
 * Queues what the file's format answers: `received` is what the file was parsed into, or the error
 * that refused it. A file under no rule, or whose format answers nothing, gets nothing; an answer
 * that cannot be written is left out with a log line, never failing the file it answers.
 */
export async function enqueueInboundAnswers(
  trx: Transaction<Database>,
  hub: Hub,
  loaded: LoadedMapping,
  file: { name: string; content: Buffer },
  received: unknown,
): Promise<void> {
  const rule = matchInboundFile(loaded.mapping.inbound, file.name) ?? sniffInboundRule(file.content);
  const answer = rule ? inboundFormat(rule.format).answer : undefined;
  if (!rule || !answer) return;
  const supplier = loaded.supplier;
  let answers;
  try {
    answers = await answer(received, rule, { nextControlNumber: () => nextControlNumber(trx, supplier), createdAt: hub.clock().toISOString() });
  } catch (error) {
    if (!(error instanceof RenderError)) throw error;
    hub.logger.warn({ supplier, file: file.name, err: errorMessage(error) }, `no ${rule.format} answer for this file: it cannot be written`);
    return;
  }
  for (const a of answers) {
    await enqueueOutbound(trx, {
      kind: a.kind,
      format: a.format,
      filename: a.filename,
      content: a.content,
      contentType: a.contentType,
      supplierId: supplier,
      maxAttempts: loaded.mapping.transport.retry.maxAttempts,
      controlNumbers: { isa13: a.controlNumber, gs06: a.controlNumber, st02: 1, partner: supplier },
      parsed: { ...a.parsed, file: file.name },
    });
  }
}
