import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadMappingFile, type LoadedMapping } from '../../src/config/mapping-loader.ts';
import type { SftpPeer } from './sftp-server.ts';

/** The tracking CSV columns of the ACME test supplier (`PO,SKU,Qty,Carrier,Tracking`). */
export const ACME_TRACKING_CSV = { match: '*.csv', format: 'csv', columns: { poNumber: 'PO', sku: 'SKU', quantity: 'Qty', carrier: 'Carrier', trackingNumber: 'Tracking' } };

/**
 * ACME over HTTP: X12 850 004010 out (PO number `<order number>-ACME`), its files pushed to the
 * hub; `inbound` is the mapping's inbound section (default: X12 `.edi` files and the tracking CSV).
 */
export function acmeHttpX12Mapping(name: string, inbound: Record<string, unknown> = { files: [{ match: '*.edi', format: 'x12' }, ACME_TRACKING_CSV] }): Record<string, unknown> {
  return {
    supplier: 'acme',
    name,
    skus: { prefixes: ['ACME-'] },
    transport: { type: 'http', url: 'http://127.0.0.1:9/po', inboundToken: 'acme-inbound-token-000000001' },
    outbound: {
      format: 'x12-850',
      filename: 'PO_{poNumber}.edi',
      poNumber: "$replace(orderNumber, '#', '') & '-ACME'",
      x12: { version: '004010', senderQualifier: 'ZZ', senderId: 'DROPHUB', receiverQualifier: 'ZZ', receiverId: 'ACMETOYS' },
    },
    inbound,
  };
}

/**
 * The transport of a supplier on an SFTP test peer: POs to `in/`, its files from `out/`, read ones to
 * `out/processed`, unreadable ones to `out/failed`; address and secrets from the environment.
 */
export function sftpPeerTransport(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'sftp',
    host: '${SFTP_HOST}',
    port: '${SFTP_PORT}',
    username: '${SFTP_USER}',
    privateKey: '${SFTP_KEY}',
    hostKey: '${SFTP_HOST_KEY}',
    outboundDir: 'in',
    inboundDir: 'out',
    processedDir: 'out/processed',
    failedDir: 'out/failed',
    createDirs: true,
    timeoutMs: 5000,
    retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 200 },
    ...overrides,
  };
}

export interface X12SupplierOptions {
  supplier?: string;
  prefixes?: string[];
  retry?: Record<string, number>;
  expect?: Record<string, number>;
  /** Extra transport keys (e.g. `maxConnections`). */
  transport?: Record<string, unknown>;
  inbound?: boolean;
}

/**
 * An X12 850/856 supplier on an SFTP peer, as an integrator would write it: POs to `in/`, its files
 * from `out/`, read ones to `out/processed`, unreadable ones to `out/failed`. Secrets and the peer's
 * address come from the environment (returned beside the mapping).
 */
export function x12SftpMapping(peer: SftpPeer, options: X12SupplierOptions = {}): { mapping: Record<string, unknown>; env: Record<string, string> } {
  const supplier = options.supplier ?? 'acme';
  return {
    mapping: {
      supplier,
      name: `${supplier} (test)`,
      skus: { prefixes: options.prefixes ?? ['ACME-'] },
      transport: sftpPeerTransport({ ...(options.retry ? { retry: options.retry } : {}), ...options.transport }),
      outbound: {
        format: 'x12-850',
        filename: 'PO_{poNumber}.edi',
        x12: { version: '004010', senderQualifier: 'ZZ', senderId: 'DROPHUB', receiverQualifier: 'ZZ', receiverId: supplier.toUpperCase().slice(0, 15) },
      },
      ...(options.inbound === false
        ? {}
        : {
            inbound: {
              schedule: '*/5 * * * *',
              files: [
                { match: '*.856', format: 'x12' },
                { match: '*.855', format: 'x12' },
                { match: '*.997', format: 'x12' },
                { match: 'tracking_*.csv', format: 'csv', columns: { poNumber: 'PO', sku: 'SKU', quantity: 'Qty', carrier: 'Carrier', trackingNumber: 'Tracking', shippedAt: 'Ship Date' } },
              ],
            },
          }),
      ...(options.expect ? { expect: options.expect } : {}),
    },
    env: {
      SFTP_HOST: peer.host,
      SFTP_PORT: String(peer.port),
      SFTP_USER: peer.username,
      SFTP_KEY: peer.privateKeyPath,
      SFTP_HOST_KEY: peer.hostKeyFingerprint,
    },
  };
}

/** Writes mapping files into a fresh folder, for a `hub` process (HUB_MAPPINGS_DIR). */
export function writeMappingDir(...mappings: Record<string, unknown>[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-mappings-'));
  for (const mapping of mappings) writeFileSync(path.join(dir, `${String(mapping.supplier)}.yaml`), stringify(mapping));
  return dir;
}

/** Writes a mapping file into a temp folder and loads it like the hub does. */
export async function writeMapping(mapping: Record<string, unknown>, env: Record<string, string> = {}): Promise<LoadedMapping> {
  const dir = writeMappingDir(mapping);
  return loadMappingFile(path.join(dir, `${String(mapping.supplier)}.yaml`), env);
}

export async function x12SftpSupplier(peer: SftpPeer, options: X12SupplierOptions = {}): Promise<LoadedMapping> {
  const { mapping, env } = x12SftpMapping(peer, options);
  return writeMapping(mapping, env);
}
