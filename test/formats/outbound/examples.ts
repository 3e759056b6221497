/**
 * Shared by the outbound, routing and config tests: the example mappings in mappings/ loaded with a
 * fixed environment, the fixture orders, a fixed clock and fixed control numbers, and the golden
 * file check (UPDATE_GOLDEN=1 rewrites the committed outputs).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { CanonicalOrder } from '../../../src/canonical/order.ts';
import type { ControlNumbers } from '../../../src/canonical/purchase-order.ts';
import { loadMappings, type LoadedMapping } from '../../../src/config/mapping-loader.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const MAPPINGS_DIR = path.join(ROOT, 'mappings');
export const GOLDEN_DIR = path.join(ROOT, 'test/fixtures/golden');

const HOST_KEY = (c: string) => `SHA256:${c.repeat(43)}`;

/** What the example mappings' `${NAME}` references resolve to in tests. */
export const EXAMPLE_ENV: Record<string, string> = {
  ACME_SFTP_HOST: 'sftp.acme-toys.example',
  ACME_SFTP_USER: 'drophub',
  ACME_SFTP_KEY_FILE: '/run/secrets/acme_key',
  ACME_SFTP_HOST_KEY: HOST_KEY('A'),
  GLOBEX_SFTP_HOST: 'edi.globex.example',
  GLOBEX_SFTP_PORT: '2022',
  GLOBEX_SFTP_USER: 'drophub',
  GLOBEX_SFTP_PASSWORD: 'globex-secret-password',
  GLOBEX_SFTP_HOST_KEY: HOST_KEY('B'),
  INITECH_SFTP_HOST: 'sftp.initech.example',
  INITECH_SFTP_USER: 'orders',
  INITECH_SFTP_KEY_FILE: '/run/secrets/initech_key',
  INITECH_SFTP_KEY_PASSPHRASE: 'initech-passphrase',
  INITECH_SFTP_HOST_KEY: HOST_KEY('C'),
  UMBRELLA_API_URL: 'https://api.umbrella.example/v2/orders',
  UMBRELLA_API_TOKEN: 'umbrella-bearer-token',
  UMBRELLA_INBOUND_TOKEN: 'umbrella-inbound-token-0123456789',
  HANSE_SFTP_HOST: 'sftp.hanse-spielwaren.example',
  HANSE_SFTP_USER: 'drophub',
  HANSE_SFTP_KEY_FILE: '/run/secrets/hanse_key',
  HANSE_SFTP_HOST_KEY: HOST_KEY('D'),
  WONKA_MAILBOX_KEY: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKypUiyqexzJbwkQYUYLwaugio7DRBL6Sq5A/glCAldD wonka@example',
};

export const CREATED_AT = '2026-11-26T12:00:00Z';
export const NUMBERS: ControlNumbers = { isa13: 1001, gs06: 1001, st02: 1 };
export const RETAILER = { id: 'toyshop', name: 'The Toy Shop & Co' };

let examples: Promise<LoadedMapping[]> | undefined;
export function exampleMappings(): Promise<LoadedMapping[]> {
  examples ??= loadMappings(MAPPINGS_DIR, EXAMPLE_ENV);
  return examples;
}

export async function exampleMapping(supplier: string): Promise<LoadedMapping> {
  const found = (await exampleMappings()).find((m) => m.supplier === supplier);
  if (!found) throw new Error(`no example mapping ${supplier}`);
  return found;
}

export function fixtureOrder(name: string): CanonicalOrder {
  return CanonicalOrder.parse(JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/orders', `${name}.json`), 'utf8')));
}

/** Compares with test/fixtures/golden/<name>; UPDATE_GOLDEN=1 rewrites it instead. */
export function expectGolden(name: string, content: string | Buffer): void {
  const file = path.join(GOLDEN_DIR, name);
  const text = content.toString();
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(file, text);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${name} is missing: run UPDATE_GOLDEN=1 npx vitest run test/formats/outbound`);
  expect(text, `output differs from golden file ${name} (UPDATE_GOLDEN=1 to accept the change)`).toBe(readFileSync(file, 'utf8'));
}
