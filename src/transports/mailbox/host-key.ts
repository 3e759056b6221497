/**
 * The mailbox's SSH host key: made once (ed25519, through src/transports/keys.ts) and kept in a
 * file, so that the fingerprint given to suppliers stays true across restarts and is the same for
 * every hub process that reads the file. Two processes starting at once agree: the key is written
 * aside and linked into place, which only one of them can do.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ssh2 from 'ssh2';
import type { HubEnv } from '../../config/env.ts';
import { HubError, errorMessage } from '../../errors.ts';
import { sshFingerprint } from '../host-key.ts';
import { generateEd25519KeyPair } from '../keys.ts';

export interface MailboxHostKey {
  /** The private key (OpenSSH format). */
  privateKey: string;
  /** `SHA256:…` as `ssh-keygen -l` prints it. */
  fingerprint: string;
  /** `ssh-ed25519 AAAA…`: what a supplier puts in its known_hosts. */
  publicKey: string;
  /** Where it is kept; undefined for a key made for this process only. */
  file: string | undefined;
}

export const HOST_KEY_FILE_NAME = 'mailbox_host_ed25519_key';

/** Where the host key lives: HUB_SFTP_HOST_KEY_FILE, else in HUB_DATA_DIR; undefined for `memory://`. */
export function hostKeyFile(env: Pick<HubEnv, 'HUB_SFTP_HOST_KEY_FILE' | 'HUB_DATA_DIR'>): string | undefined {
  if (env.HUB_SFTP_HOST_KEY_FILE) return path.resolve(env.HUB_SFTP_HOST_KEY_FILE);
  if (env.HUB_DATA_DIR.startsWith('memory://')) return undefined;
  return path.resolve(env.HUB_DATA_DIR, HOST_KEY_FILE_NAME);
}

/** Reads the host key file, making it first when there is none. `file` undefined: a key for this process only. */
export async function loadOrCreateHostKey(file: string | undefined): Promise<MailboxHostKey> {
  if (!file) return describe(generateEd25519KeyPair({ comment: 'dropship-hub mailbox' }).private, undefined);
  const existing = await readHostKey(file);
  if (existing) return existing;
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, generateEd25519KeyPair({ comment: 'dropship-hub mailbox' }).private, { mode: 0o600 });
  try {
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw keyError(file, error);
    // Another process made it a moment ago: use theirs.
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  const made = await readHostKey(file);
  if (!made) throw keyError(file, new Error('it vanished right after it was made'));
  return made;
}

/** The host key in `file`, or undefined when there is no such file. */
export async function readHostKey(file: string): Promise<MailboxHostKey | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw keyError(file, error);
  }
  await chmod(file, 0o600).catch(() => undefined);
  return describe(text, file);
}

function describe(privateKey: string, file: string | undefined): MailboxHostKey {
  const parsed = ssh2.utils.parseKey(privateKey);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error) throw keyError(file ?? 'the generated key', key instanceof Error ? key : new Error('not a private key'));
  const blob = key.getPublicSSH();
  return { privateKey, fingerprint: sshFingerprint(blob), publicKey: `${key.type} ${blob.toString('base64')}`, file };
}

function keyError(file: string, error: unknown): HubError {
  return new HubError('config_invalid', `the mailbox host key ${file} cannot be used: ${errorMessage(error)} (HUB_SFTP_HOST_KEY_FILE)`, { cause: error });
}
