import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The fingerprint of an SSH public key blob (the wire format, as a server presents it during key
 * exchange) exactly as `ssh-keygen -l` prints it: `SHA256:` and the unpadded base64 of its SHA-256.
 */
export function sshFingerprint(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicKeyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Compares two fingerprints in constant time (a trailing `=` is ignored, as some tools print one). */
export function fingerprintsMatch(actual: string, expected: string): boolean {
  const a = Buffer.from(actual.replace(/=+$/, ''));
  const b = Buffer.from(expected.trim().replace(/=+$/, ''));
  // timingSafeEqual needs equal lengths; compare against itself to keep the time constant.
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}
