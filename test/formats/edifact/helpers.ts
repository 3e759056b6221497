/** Shared by the EDIFACT tests: fixtures (test/fixtures/edifact), golden files, chunked streams. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { ControlNumbers, PurchaseOrder } from '../../../src/canonical/purchase-order.ts';
import { EdifactParseError, type EdifactConfigInput } from '../../../src/formats/edifact/index.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures/edifact');

export function inbound(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, 'inbound', name));
}

/** Runs `fn`, expects an EdifactParseError, returns it. */
export function parseError(fn: () => unknown): EdifactParseError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EdifactParseError);
    return error as EdifactParseError;
  }
  throw new Error('expected an EdifactParseError, nothing was thrown');
}

/** Splits bytes into chunks of `size` (the streaming tests feed these one by one). */
export function chunks(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

export async function* stream(parts: readonly (Buffer | string)[]): AsyncGenerator<Buffer | string> {
  for (const part of parts) yield part;
}

export const GOLDEN = path.join(FIXTURES, 'golden');

/** Compares with test/fixtures/edifact/golden/<name> byte for byte; UPDATE_GOLDEN=1 rewrites it instead. */
export function expectGolden(name: string, content: Buffer): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(file, content);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${name} is missing: run UPDATE_GOLDEN=1 npx vitest run test/formats/edifact`);
  expect(content.toString('latin1'), `output differs from golden file ${name} (UPDATE_GOLDEN=1 to accept the change)`).toBe(readFileSync(file).toString('latin1'));
}

/** A PO fixture (test/fixtures/edifact/orders/<name>.po.json) with its config and control numbers. */
export function orderFixture(name: string): { po: PurchaseOrder; config: EdifactConfigInput; controlNumbers: ControlNumbers } {
  const po = JSON.parse(readFileSync(path.join(FIXTURES, 'orders', `${name}.po.json`), 'utf8')) as PurchaseOrder;
  const { config, controlNumbers } = JSON.parse(readFileSync(path.join(FIXTURES, 'orders', `${name}.config.json`), 'utf8')) as {
    config: EdifactConfigInput;
    controlNumbers: ControlNumbers;
  };
  return { po, config, controlNumbers };
}
