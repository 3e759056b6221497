/**
 * The certificates and key of one AS2 partnership, read from the PEM files the mapping names
 * (paths given through `${VAR}`). Read once, when first needed, and kept; a file that cannot be
 * read is a `transport_auth_failed` naming the mapping key and the path, never the file's content.
 */
import { readFile } from 'node:fs/promises';
import type { As2TransportConfig } from '../../config/mapping-schema.ts';
import { TransportError, errorMessage } from '../../errors.ts';
import { keyMatchesCertificate, readCertificate, readPrivateKey, type LoadedCertificate } from './cms.ts';
import type { As2Identity } from './message.ts';

export interface As2Credentials {
  hub: As2Identity;
  partner: LoadedCertificate;
}

type Paths = Pick<As2TransportConfig, 'certificate' | 'privateKey' | 'partnerCertificate' | 'passphrase'>;

export async function loadCredentials(supplierId: string, config: Paths): Promise<As2Credentials> {
  const read = async (key: 'certificate' | 'privateKey' | 'partnerCertificate'): Promise<Buffer> => {
    try {
      return await readFile(config[key]);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new TransportError('transport_auth_failed', `AS2 ${supplierId}: transport.${key} file ${config[key]} cannot be read (${code ?? errorMessage(error)})`, { cause: error });
    }
  };
  const [certificatePem, keyPem, partnerPem] = await Promise.all([read('certificate'), read('privateKey'), read('partnerCertificate')]);
  const wrap = <T>(key: string, make: () => T): T => {
    try {
      return make();
    } catch (error) {
      throw new TransportError('transport_auth_failed', `AS2 ${supplierId}: ${errorMessage(error)}`, { details: { key }, cause: error });
    }
  };
  const certificate = wrap('certificate', () => readCertificate(certificatePem, `transport.certificate (${config.certificate})`));
  const key = wrap('privateKey', () => readPrivateKey(keyPem, `transport.privateKey (${config.privateKey})`, config.passphrase));
  const partner = wrap('partnerCertificate', () => readCertificate(partnerPem, `transport.partnerCertificate (${config.partnerCertificate})`));
  if (!keyMatchesCertificate(key, certificate)) {
    throw new TransportError('transport_auth_failed', `AS2 ${supplierId}: transport.privateKey (${config.privateKey}) does not belong to transport.certificate (${config.certificate})`);
  }
  if (partner.publicKey.asymmetricKeyType !== 'rsa') {
    throw new TransportError('transport_auth_failed', `AS2 ${supplierId}: transport.partnerCertificate has a ${partner.publicKey.asymmetricKeyType} key; encryption needs RSA`);
  }
  return { hub: { certificate, key }, partner };
}

/** "valid until 2027-01-01" or "EXPIRED on …" for one certificate (for the probe). */
export function validity(certificate: LoadedCertificate, now: Date): { ok: boolean; text: string } {
  const from = new Date(certificate.x509.validFrom);
  const to = new Date(certificate.x509.validTo);
  if (now < from) return { ok: false, text: `not valid before ${from.toISOString().slice(0, 10)}` };
  if (now > to) return { ok: false, text: `EXPIRED on ${to.toISOString().slice(0, 10)}` };
  return { ok: true, text: `valid until ${to.toISOString().slice(0, 10)}` };
}
