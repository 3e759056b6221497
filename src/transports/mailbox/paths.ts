/**
 * The mailbox's tree, as every supplier sees it:
 *
 * ```
 * /               read-only
 * /from-hub/      the POs (and 997s) the hub placed for pickup: read, remove
 * /to-hub/        where the supplier drops its files: write new files, read back, remove
 * ```
 *
 * A client path is resolved against `/` with `..` stopping there, so nothing can name a place
 * outside this tree: not another supplier's mailbox (there is no path to one), not a file of the
 * hub's. What does not resolve to one of these places does not exist.
 */
import path from 'node:path';
import { MAILBOX_FOLDERS, type MailboxFolder } from '../../store/mailbox.ts';

export type MailboxPath =
  | { kind: 'root'; path: '/' }
  | { kind: 'folder'; folder: MailboxFolder; path: string }
  | { kind: 'file'; folder: MailboxFolder; name: string; path: string }
  /** Anything else: a deeper path, an unknown top-level name, a bad name. `climbed`: the client's `..` tried to go above `/`. */
  | { kind: 'nowhere'; path: string; climbed: boolean; reason: string };

/** The longest file name the mailbox keeps (bytes, as most file systems). */
export const MAX_NAME_BYTES = 255;

/** Names the mailbox keeps as the supplier gave them: no separators, no control characters, not `.`/`..`. */
export function badName(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return `"${name}" is not a file name`;
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `a file name is at most ${MAX_NAME_BYTES} bytes`;
  if (name.includes('\\')) return 'a file name cannot contain a backslash';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'a file name cannot contain control characters';
  return undefined;
}

/**
 * An upload under a name like these is not applied when it is closed but held, in its session, until
 * it is renamed to its final name: clients that upload under a temporary name and rename (WinSCP's
 * `.filepart`, the hub's own `.part`, dot-files) are applied once, whole, under the final name.
 */
export function isTemporaryName(name: string): boolean {
  return name.startsWith('.') || /\.(part|filepart|partial|tmp|temp|upload|uploading)$/i.test(name);
}

export function resolveMailboxPath(clientPath: string): MailboxPath {
  if (clientPath.includes('\0')) return { kind: 'nowhere', path: '/', climbed: false, reason: 'a path cannot contain NUL' };
  const resolved = path.posix.resolve('/', clientPath);
  const climbed = climbsAboveRoot(clientPath);
  const parts = resolved.split('/').filter(Boolean);
  if (parts.length === 0) return { kind: 'root', path: '/' };
  const folder = MAILBOX_FOLDERS.find((f) => f === parts[0]);
  if (!folder) return { kind: 'nowhere', path: resolved, climbed, reason: `there is no ${parts[0]} here: only from-hub/ and to-hub/` };
  if (parts.length === 1) return { kind: 'folder', folder, path: `/${folder}` };
  if (parts.length > 2) return { kind: 'nowhere', path: resolved, climbed, reason: `${folder}/ has no folders in it` };
  const name = parts[1]!;
  const bad = badName(name);
  if (bad) return { kind: 'nowhere', path: resolved, climbed, reason: bad };
  return { kind: 'file', folder, name, path: resolved };
}

/** Whether the client's own `..` segments went above `/` (an attempt worth auditing). */
function climbsAboveRoot(clientPath: string): boolean {
  let depth = 0;
  for (const part of clientPath.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (depth === 0) return true;
      depth--;
    } else {
      depth++;
    }
  }
  return false;
}
