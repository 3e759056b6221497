import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { fingerprintsMatch, sshFingerprint } from '../../src/transports/host-key.ts';

describe('host key fingerprints', () => {
  it.skipIf(!existsSync('/usr/bin/ssh-keygen')).each(['ed25519', 'ecdsa', 'rsa'])('match ssh-keygen -l for an %s key', async (type) => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hub-hostkey-'));
    try {
      const keyPath = path.join(dir, 'key');
      execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', keyPath]);
      const printed = execFileSync('ssh-keygen', ['-l', '-f', `${keyPath}.pub`], { encoding: 'utf8' }).split(' ')[1];
      const parsed = ssh2.utils.parseKey(await fs.readFile(`${keyPath}.pub`));
      if (parsed instanceof Error || Array.isArray(parsed)) throw new Error('cannot parse key');
      expect(sshFingerprint(parsed.getPublicSSH())).toBe(printed);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('compare exactly, ignoring only base64 padding', () => {
    const fp = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';
    expect(fingerprintsMatch(fp, fp)).toBe(true);
    expect(fingerprintsMatch(fp, `${fp}=`)).toBe(true);
    expect(fingerprintsMatch(fp, fp.replace('uN', 'uM'))).toBe(false);
    expect(fingerprintsMatch(fp, fp.slice(0, -1))).toBe(false);
    expect(fingerprintsMatch(fp, '')).toBe(false);
  });
});
