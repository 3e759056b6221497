import path from 'node:path';
import { TransportError } from '../errors.ts';

/**
 * Refuses remote file names that could leave the folder they were listed in: a hostile server
 * listing `../../etc/passwd` must not make the hub read or move anything outside inboundDir, and a
 * file name rendered from order data must not write outside outboundDir.
 */
export function assertSafeRemoteName(name: string): void {
  if (
    name === '' ||
    name === '.' ||
    name.includes('/') ||
    name.includes('\\') ||
    name.includes('\0') ||
    name.includes('..')
  ) {
    throw new TransportError('transport_rejected', `refusing unsafe remote file name ${JSON.stringify(name)}`, {
      details: { name },
    });
  }
}

/** `dir` + `name` with forward slashes, whatever the local platform. */
export function remoteJoin(dir: string, name: string): string {
  return path.posix.join(dir, name);
}
