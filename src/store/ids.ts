import { createHash, randomUUID } from 'node:crypto';

/** Ids are prefixed UUIDs, so that a log line or URL says what it points at. */
export function newId(prefix: 'ord' | 'po' | 'doc' | 'shp' | 'inv' | 'evt' | 'rsv' | 'rtd'): string {
  return `${prefix}_${randomUUID().replace(/-/g, '')}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted, so that equal content hashes equally. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

/** PGlite returns bytea as Uint8Array, pg as Buffer: the hub works with Buffers. */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
