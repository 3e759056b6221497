/**
 * Mailbox passwords, kept only as scrypt hashes in PHC string form:
 * `$scrypt$ln=15,r=8,p=1$<salt base64>$<hash base64>` (`hub mailbox hash-password` prints one). The
 * mapping file names the hash through `${NAME}`; the password itself is never stored anywhere.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { PASSWORD_HASH } from '../../config/mapping-schema.ts';

/**
 * N = 2^15, r = 8 (32 MiB, tens of milliseconds a check): below OWASP's 2^17, on purpose, because
 * checks run on the server's thread pool while suppliers log in. An online guess is stopped by the
 * lockout after a few tries; the cost matters only if a hash leaks, and a longer password does more.
 */
const DEFAULT_COST = { ln: 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, cost: { ln: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** cost.ln, r: cost.r, p: cost.p, maxmem: 256 * 2 ** cost.ln * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))));
}

const b64 = (bytes: Buffer): string => bytes.toString('base64').replace(/=+$/, '');

/** A new hash of `password` with a random salt. */
export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${b64(salt)}$${b64(key)}`;
}

/** Whether `password` matches `hash` (compared in constant time). A malformed hash matches nothing. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const match = PASSWORD_HASH.exec(hash);
  if (!match) return false;
  const [ln, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // The cost comes from configuration, but bound it anyway: 2^20 × 8 is a gigabyte.
  if (ln < 10 || ln > 20 || r < 1 || r > 16 || p < 1 || p > 4) return false;
  const [, , , saltText, keyText] = hash.split('$');
  const expected = Buffer.from(keyText!, 'base64');
  const key = await derive(password, Buffer.from(saltText!, 'base64'), { ln, r, p });
  return expected.length === key.length && timingSafeEqual(expected, key);
}

/** Spends what a real check costs, for a user without a password: no timing tells them apart. */
let dummy: Promise<string> | undefined;
export async function verifyNothing(password: string): Promise<false> {
  dummy ??= hashPassword('not a password');
  await verifyPassword(password, await dummy);
  return false;
}
