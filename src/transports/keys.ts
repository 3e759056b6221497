import ssh2 from 'ssh2';

/**
 * An ed25519 key pair in OpenSSH format that ssh2 can read back. ssh2's generator now and then
 * (about 2 in 1,000 here) writes a private key its own parser calls malformed; such a pair is
 * thrown away and another made.
 */
export function generateEd25519KeyPair(options: { passphrase?: string; comment?: string } = {}): { private: string; public: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = options.passphrase
      ? ssh2.utils.generateKeyPairSync('ed25519', { passphrase: options.passphrase, cipher: 'aes256-ctr', ...(options.comment ? { comment: options.comment } : {}) })
      : ssh2.utils.generateKeyPairSync('ed25519', options.comment ? { comment: options.comment } : {});
    const parsed = ssh2.utils.parseKey(pair.private, options.passphrase);
    if (!(parsed instanceof Error)) return pair;
  }
  throw new Error('could not generate a readable ed25519 key');
}
