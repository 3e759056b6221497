/**
 * CMS (RFC 5652) for AS2: a detached SignedData over a MIME entity, and an EnvelopedData around
 * one. The ASN.1 structures are @peculiar/asn1-cms's (read and written, DER or BER, including
 * OpenSSL's indefinite lengths); every primitive is Node's own crypto (OpenSSL): RSA and ECDSA
 * signatures, AES-CBC, RSA key transport with OAEP or PKCS#1 v1.5.
 *
 * Node 20 refuses `privateDecrypt` with RSA_PKCS1_PADDING (CVE-2023-46809, the Marvin attack), yet
 * most AS2 partners wrap the content key with PKCS#1 v1.5. Here the key is unwrapped with a raw RSA
 * operation and the padding checked by hand with implicit rejection: a bad padding yields a random
 * key rather than an error, so the message fails later, at the content, exactly as a wrong key
 * would, and a padding oracle learns nothing (RFC 3218 §2.3).
 *
 * Pure apart from randomness; errors are As2SecurityError with the MDN disposition they stand for.
 */
import {
  X509Certificate,
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign as cryptoSign,
  timingSafeEqual,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import {
  Attribute,
  CertificateChoices,
  CertificateSet,
  ContentInfo,
  EncapsulatedContentInfo,
  EncryptedContent,
  EncryptedContentInfo,
  EnvelopedData,
  IssuerAndSerialNumber,
  KeyTransRecipientInfo,
  RecipientIdentifier,
  RecipientInfo,
  RecipientInfos,
  SignedData,
  SignerIdentifier,
  SignerInfo,
  SignerInfos,
  DigestAlgorithmIdentifiers,
  id_data,
  id_envelopedData,
  id_signedData,
} from '@peculiar/asn1-cms';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate as X509Asn } from '@peculiar/asn1-x509';
import * as asn1js from 'asn1js';
import { ParseError } from '../../errors.ts';

/** What went wrong, in the words of an AS2 MDN (RFC 4130 §7.4.3). */
export type As2Failure =
  | 'authentication-failed'
  | 'decryption-failed'
  | 'integrity-check-failed'
  | 'insufficient-message-security'
  | 'decompression-failed'
  | 'unexpected-processing-error';

/** A message that fails a security check: `failure` is what the negative MDN says. */
export class As2SecurityError extends ParseError {
  constructor(readonly failure: As2Failure, message: string, options: { cause?: unknown } = {}) {
    super('AS2 message', message, {}, options);
  }
}

export type DigestName = 'sha1' | 'sha256' | 'sha384' | 'sha512';
export type ContentCipher = 'aes128-cbc' | 'aes192-cbc' | 'aes256-cbc';
export type KeyEncryption = 'rsa-pkcs1' | 'rsa-oaep';

const OID = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  sha1WithRsa: '1.2.840.113549.1.1.5',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  ecdsaSha1: '1.2.840.10045.4.1',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  ecdsaSha512: '1.2.840.10045.4.3.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  aes128: '2.16.840.1.101.3.4.1.2',
  aes192: '2.16.840.1.101.3.4.1.22',
  aes256: '2.16.840.1.101.3.4.1.42',
  desEde3: '1.2.840.113549.3.7',
} as const;

const DIGEST_BY_OID = new Map<string, DigestName>([
  [OID.sha1, 'sha1'],
  [OID.sha256, 'sha256'],
  [OID.sha384, 'sha384'],
  [OID.sha512, 'sha512'],
]);
/** Signature algorithm OIDs that carry their own digest. */
const SIGNATURE_DIGEST = new Map<string, DigestName>([
  [OID.sha1WithRsa, 'sha1'],
  [OID.sha256WithRsa, 'sha256'],
  [OID.sha384WithRsa, 'sha384'],
  [OID.sha512WithRsa, 'sha512'],
  [OID.ecdsaSha1, 'sha1'],
  [OID.ecdsaSha256, 'sha256'],
  [OID.ecdsaSha384, 'sha384'],
  [OID.ecdsaSha512, 'sha512'],
]);
const ECDSA_BY_DIGEST: Record<DigestName, string> = {
  sha1: OID.ecdsaSha1,
  sha256: OID.ecdsaSha256,
  sha384: OID.ecdsaSha384,
  sha512: OID.ecdsaSha512,
};
const CIPHERS: Record<string, { node: string; keyLength: number; name: string }> = {
  [OID.aes128]: { node: 'aes-128-cbc', keyLength: 16, name: 'aes128-cbc' },
  [OID.aes192]: { node: 'aes-192-cbc', keyLength: 24, name: 'aes192-cbc' },
  [OID.aes256]: { node: 'aes-256-cbc', keyLength: 32, name: 'aes256-cbc' },
  [OID.desEde3]: { node: 'des-ede3-cbc', keyLength: 24, name: '3des-cbc' },
};
const CIPHER_OID: Record<ContentCipher, string> = { 'aes128-cbc': OID.aes128, 'aes192-cbc': OID.aes192, 'aes256-cbc': OID.aes256 };

/** A certificate read once, with what CMS needs from it. */
export interface LoadedCertificate {
  x509: X509Certificate;
  publicKey: KeyObject;
  /** DER of the issuer Name and the serial number's content bytes, for IssuerAndSerialNumber. */
  issuerDer: Buffer;
  serial: Buffer;
  /** The subjectKeyIdentifier extension's bytes, when the certificate has one. */
  subjectKeyId: Buffer | undefined;
  asn: X509Asn;
}

/** Reads a PEM (or DER) certificate. Throws a plain Error with `what` in its message. */
export function readCertificate(data: Buffer | string, what: string): LoadedCertificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(data);
  } catch (error) {
    throw new Error(`${what} is not a readable X.509 certificate (PEM or DER)`, { cause: error });
  }
  const asn = AsnConvert.parse(x509.raw, X509Asn);
  const ski = asn.tbsCertificate.extensions?.find((e) => e.extnID === '2.5.29.14');
  let subjectKeyId: Buffer | undefined;
  if (ski) {
    const inner = asn1js.fromBER(new Uint8Array(ski.extnValue.buffer));
    if (inner.offset !== -1 && inner.result instanceof asn1js.OctetString) subjectKeyId = Buffer.from(inner.result.valueBlock.valueHexView);
  }
  return {
    x509,
    publicKey: x509.publicKey,
    issuerDer: Buffer.from(AsnConvert.serialize(asn.tbsCertificate.issuer)),
    serial: Buffer.from(asn.tbsCertificate.serialNumber),
    subjectKeyId,
    asn,
  };
}

/** Reads a PEM private key (PKCS#8 or PKCS#1/SEC1). */
export function readPrivateKey(data: Buffer | string, what: string, passphrase?: string): KeyObject {
  try {
    return createPrivateKey(passphrase ? { key: data, passphrase } : { key: data });
  } catch (error) {
    throw new Error(`${what} is not a readable private key (PEM)`, { cause: error });
  }
}

/** Whether a private key belongs to a certificate. */
export function keyMatchesCertificate(key: KeyObject, cert: LoadedCertificate): boolean {
  const fromKey = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const fromCert = cert.publicKey.export({ type: 'spki', format: 'der' });
  return fromKey.length === fromCert.length && timingSafeEqual(fromKey, fromCert);
}

export function digest(name: DigestName, data: Buffer): Buffer {
  return createHash(name).update(data).digest();
}

function der(value: unknown): Buffer {
  return Buffer.from(AsnConvert.serialize(value));
}

function nullParams(): ArrayBuffer {
  return new asn1js.Null().toBER(false);
}

function algorithm(oid: string, parameters?: ArrayBuffer | null): AlgorithmIdentifier {
  return new AlgorithmIdentifier(parameters === undefined ? { algorithm: oid } : { algorithm: oid, parameters });
}

function attribute(type: string, valueDer: ArrayBuffer): Attribute {
  return new Attribute({ attrType: type, attrValues: [valueDer] });
}

/** DER of a SET OF: the members' encodings sorted (X.690 §11.6). */
function derSet(members: Buffer[]): Buffer {
  const sorted = [...members].sort(Buffer.compare);
  const content = Buffer.concat(sorted);
  return Buffer.concat([Buffer.from([0x31]), derLength(content.length), content]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function issuerAndSerial(cert: LoadedCertificate): IssuerAndSerialNumber {
  return new IssuerAndSerialNumber({ issuer: cert.asn.tbsCertificate.issuer, serialNumber: cert.asn.tbsCertificate.serialNumber });
}

/**
 * A detached SignedData (DER) over `content`: signed attributes contentType, signingTime and
 * messageDigest; the signer's certificate included, as partners expect.
 */
export function signDetached(
  content: Buffer,
  signer: { certificate: LoadedCertificate; key: KeyObject },
  digestName: DigestName,
  signingTime: Date,
): Buffer {
  const keyType = signer.key.asymmetricKeyType;
  if (keyType !== 'rsa' && keyType !== 'ec') throw new Error(`cannot sign with a ${keyType} key (RSA or EC)`);
  const attributes = [
    attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: id_data }).toBER(false)),
    attribute(OID.signingTime, new asn1js.UTCTime({ valueDate: signingTime }).toBER(false)),
    attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: digest(digestName, content) }).toBER(false)),
  ];
  const encoded = attributes.map((a) => ({ a, bytes: der(a) })).sort((x, y) => Buffer.compare(x.bytes, y.bytes));
  const signedAttrsDer = derSet(encoded.map((e) => e.bytes));
  const signature = cryptoSign(digestName, signedAttrsDer, keyType === 'ec' ? { key: signer.key, dsaEncoding: 'der' } : signer.key);
  const signerInfo = new SignerInfo({
    version: 1,
    sid: new SignerIdentifier({ issuerAndSerialNumber: issuerAndSerial(signer.certificate) }),
    digestAlgorithm: algorithm(OID[digestName]),
    signedAttrs: encoded.map((e) => e.a),
    signatureAlgorithm: keyType === 'ec' ? algorithm(ECDSA_BY_DIGEST[digestName]) : algorithm(OID.rsaEncryption, nullParams()),
    signature: new OctetString(signature),
  });
  const signed = new SignedData({
    version: 1,
    digestAlgorithms: new DigestAlgorithmIdentifiers([algorithm(OID[digestName])]),
    encapContentInfo: new EncapsulatedContentInfo({ eContentType: id_data }),
    certificates: new CertificateSet([new CertificateChoices({ certificate: signer.certificate.asn })]),
    signerInfos: new SignerInfos([signerInfo]),
  });
  return der(new ContentInfo({ contentType: id_signedData, content: AsnConvert.serialize(signed) }));
}

export interface Verified {
  /** The digest the signer used (also the natural MIC algorithm). */
  digest: DigestName;
}

function parseContentInfo(data: Buffer, expected: string, failure: As2Failure, what: string): ContentInfo {
  let info: ContentInfo;
  try {
    info = AsnConvert.parse(data, ContentInfo);
  } catch (error) {
    throw new As2SecurityError(failure, `the ${what} is not valid CMS (cut short or corrupted)`, { cause: error });
  }
  if (info.contentType !== expected) {
    throw new As2SecurityError(failure, `the ${what} is CMS content type ${info.contentType}, not ${expected === id_signedData ? 'signed-data' : 'enveloped-data'}`);
  }
  return info;
}

/**
 * Verifies a detached SignedData over `content` with the partner's certificate as configured (a
 * certificate carried in the message is never trusted): the signer must be that certificate, the
 * messageDigest attribute must equal the content's digest, and the signature must verify.
 */
export function verifyDetached(signatureDer: Buffer, content: Buffer, expected: LoadedCertificate): Verified {
  const info = parseContentInfo(signatureDer, id_signedData, 'authentication-failed', 'signature');
  let signed: SignedData;
  try {
    signed = AsnConvert.parse(info.content, SignedData);
  } catch (error) {
    throw new As2SecurityError('authentication-failed', 'the signature is not a valid CMS SignedData', { cause: error });
  }
  if (signed.signerInfos.length === 0) throw new As2SecurityError('authentication-failed', 'the signature has no signer');
  const signer = signed.signerInfos.find((s) => signerIs(s.sid, expected));
  if (!signer) {
    throw new As2SecurityError('authentication-failed', `the message is signed with another certificate than the partner's (${describeSid(signed.signerInfos[0]!.sid)})`);
  }
  const digestName = DIGEST_BY_OID.get(signer.digestAlgorithm.algorithm);
  if (!digestName) throw new As2SecurityError('authentication-failed', `unsupported signature digest ${signer.digestAlgorithm.algorithm}`);
  const contentDigest = digest(digestName, content);
  let signedBytes: Buffer;
  let candidates: Buffer[];
  if (signer.signedAttrs?.length) {
    const typeAttr = signer.signedAttrs.find((a) => a.attrType === OID.contentType);
    const digestAttr = signer.signedAttrs.find((a) => a.attrType === OID.messageDigest);
    if (!typeAttr || !digestAttr?.attrValues[0]) throw new As2SecurityError('authentication-failed', 'the signature lacks its contentType or messageDigest attribute');
    const claimed = readOctetString(digestAttr.attrValues[0]);
    if (!claimed || claimed.length !== contentDigest.length || !timingSafeEqual(claimed, contentDigest)) {
      throw new As2SecurityError('integrity-check-failed', 'the signed content does not match the signature (changed on the way?)');
    }
    // The signature covers the DER of the attributes as the signer encoded them, as a SET.
    const raw = rawSignedAttributes(info.content, signed.signerInfos.indexOf(signer));
    const reencoded = derSet(signer.signedAttrs.map((a) => der(a)));
    candidates = raw && !raw.equals(reencoded) ? [raw, reencoded] : [reencoded];
  } else {
    candidates = [content];
  }
  const algorithmOid = signer.signatureAlgorithm.algorithm;
  const sigDigest = SIGNATURE_DIGEST.get(algorithmOid) ?? (algorithmOid === OID.rsaEncryption ? digestName : undefined);
  if (!sigDigest) throw new As2SecurityError('authentication-failed', `unsupported signature algorithm ${algorithmOid}`);
  const signature = Buffer.from(signer.signature.buffer);
  const key = expected.publicKey.asymmetricKeyType === 'ec' ? { key: expected.publicKey, dsaEncoding: 'der' as const } : expected.publicKey;
  for (signedBytes of candidates) {
    try {
      if (cryptoVerify(sigDigest, signedBytes, key, signature)) return { digest: digestName };
    } catch {
      // a malformed signature value: not verified
    }
  }
  throw new As2SecurityError('authentication-failed', "the signature does not verify with the partner's certificate (tampered, or signed with another key)");
}

function readOctetString(value: ArrayBuffer): Buffer | undefined {
  const parsed = asn1js.fromBER(new Uint8Array(value));
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.OctetString)) return undefined;
  return Buffer.from(parsed.result.valueBlock.valueHexView);
}

/** The signer info's signed attributes exactly as encoded, re-tagged as a SET (0x31). */
function rawSignedAttributes(signedDataDer: ArrayBuffer, index: number): Buffer | undefined {
  const parsed = asn1js.fromBER(new Uint8Array(signedDataDer));
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) return undefined;
  const members = parsed.result.valueBlock.value;
  const infos = members[members.length - 1];
  if (!(infos instanceof asn1js.Set)) return undefined;
  const info = infos.valueBlock.value[index];
  if (!(info instanceof asn1js.Sequence)) return undefined;
  const attrs = info.valueBlock.value.find((m) => m.idBlock.tagClass === 3 && m.idBlock.tagNumber === 0);
  if (!attrs || attrs.lenBlock.isIndefiniteForm) return undefined;
  const bytes = Buffer.from(attrs.valueBeforeDecodeView);
  bytes[0] = 0x31;
  return bytes;
}

function signerIs(sid: SignerIdentifier | RecipientIdentifier, cert: LoadedCertificate): boolean {
  if (sid.issuerAndSerialNumber) {
    const issuer = der(sid.issuerAndSerialNumber.issuer);
    const serial = Buffer.from(sid.issuerAndSerialNumber.serialNumber);
    return issuer.equals(cert.issuerDer) && stripZeros(serial).equals(stripZeros(cert.serial));
  }
  if (sid.subjectKeyIdentifier && cert.subjectKeyId) return Buffer.from(sid.subjectKeyIdentifier.buffer).equals(cert.subjectKeyId);
  return false;
}

function stripZeros(serial: Buffer): Buffer {
  let i = 0;
  while (i < serial.length - 1 && serial[i] === 0) i++;
  return serial.subarray(i);
}

function describeSid(sid: SignerIdentifier | RecipientIdentifier): string {
  if (sid.issuerAndSerialNumber) {
    const serial = stripZeros(Buffer.from(sid.issuerAndSerialNumber.serialNumber)).toString('hex');
    return `issuer ${sid.issuerAndSerialNumber.issuer.map((rdn) => rdn.map((a) => a.value.toString()).join('+')).join(', ')}, serial ${serial}`;
  }
  if (sid.subjectKeyIdentifier) return `subject key id ${Buffer.from(sid.subjectKeyIdentifier.buffer).toString('hex')}`;
  return 'an unnamed certificate';
}

/** An EnvelopedData (DER) of `content` for the recipient's RSA certificate. */
export function encryptFor(
  content: Buffer,
  recipient: LoadedCertificate,
  options: { cipher: ContentCipher; keyEncryption: KeyEncryption },
): Buffer {
  if (recipient.publicKey.asymmetricKeyType !== 'rsa') {
    throw new Error(`cannot encrypt for a ${recipient.publicKey.asymmetricKeyType} certificate (RSA only)`);
  }
  const cipherOid = CIPHER_OID[options.cipher];
  const cipher = CIPHERS[cipherOid]!;
  const key = randomBytes(cipher.keyLength);
  const iv = randomBytes(16);
  const encrypter = createCipheriv(cipher.node, key, iv);
  const encrypted = Buffer.concat([encrypter.update(content), encrypter.final()]);
  const oaep = options.keyEncryption === 'rsa-oaep';
  const wrapped = publicEncrypt(
    oaep
      ? { key: recipient.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }
      : { key: recipient.publicKey, padding: constants.RSA_PKCS1_PADDING },
    key,
  );
  const keyAlgorithm = oaep ? algorithm(OID.rsaOaep, oaepSha256Params()) : algorithm(OID.rsaEncryption, nullParams());
  const enveloped = new EnvelopedData({
    version: 0,
    recipientInfos: new RecipientInfos([
      new RecipientInfo({
        ktri: new KeyTransRecipientInfo({
          version: 0,
          rid: new RecipientIdentifier({ issuerAndSerialNumber: issuerAndSerial(recipient) }),
          keyEncryptionAlgorithm: keyAlgorithm,
          encryptedKey: new OctetString(wrapped),
        }),
      }),
    ]),
    encryptedContentInfo: new EncryptedContentInfo({
      contentType: id_data,
      contentEncryptionAlgorithm: algorithm(cipherOid, new asn1js.OctetString({ valueHex: iv }).toBER(false)),
      encryptedContent: new EncryptedContent({ value: new OctetString(encrypted) }),
    }),
  });
  return der(new ContentInfo({ contentType: id_envelopedData, content: AsnConvert.serialize(enveloped) }));
}

/** RSAES-OAEP-params with SHA-256 and MGF1-SHA-256 (RFC 4055). */
function oaepSha256Params(): ArrayBuffer {
  const sha256 = new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.sha256 })] });
  return new asn1js.Sequence({
    value: [
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [sha256] }),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 1 },
        value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.mgf1 }), new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.sha256 })] })] })],
      }),
    ],
  }).toBER(false);
}

/** The OAEP digest named by RSAES-OAEP-params (default SHA-1); MGF1 must use the same one. */
function oaepHash(parameters: ArrayBuffer | null | undefined): DigestName {
  if (!parameters) return 'sha1';
  const parsed = asn1js.fromBER(new Uint8Array(parameters));
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) return 'sha1';
  let hash: DigestName = 'sha1';
  let mgfHash: DigestName = 'sha1';
  for (const member of parsed.result.valueBlock.value) {
    const inner = (member as asn1js.Constructed).valueBlock?.value?.[0];
    if (!(inner instanceof asn1js.Sequence)) continue;
    const oid = (inner.valueBlock.value[0] as asn1js.ObjectIdentifier | undefined)?.valueBlock.toString();
    if (member.idBlock.tagNumber === 0 && oid) hash = DIGEST_BY_OID.get(oid) ?? hash;
    if (member.idBlock.tagNumber === 1) {
      const mgfParams = inner.valueBlock.value[1];
      const mgfOid = mgfParams instanceof asn1js.Sequence ? (mgfParams.valueBlock.value[0] as asn1js.ObjectIdentifier | undefined)?.valueBlock.toString() : undefined;
      if (mgfOid) mgfHash = DIGEST_BY_OID.get(mgfOid) ?? mgfHash;
    }
  }
  if (hash !== mgfHash) throw new As2SecurityError('decryption-failed', `RSA-OAEP with ${hash} and MGF1 ${mgfHash} is not supported (use the same digest for both)`);
  return hash;
}

/**
 * Decrypts an EnvelopedData addressed to the hub's certificate. Every failure, from a cut-short
 * body to a wrong key, is `decryption-failed`.
 */
export function decryptWith(data: Buffer, recipient: { certificate: LoadedCertificate; key: KeyObject }): { content: Buffer; cipher: string; keyEncryption: KeyEncryption } {
  const info = parseContentInfo(data, id_envelopedData, 'decryption-failed', 'encrypted body');
  let enveloped: EnvelopedData;
  try {
    enveloped = AsnConvert.parse(info.content, EnvelopedData);
  } catch (error) {
    throw new As2SecurityError('decryption-failed', 'the encrypted body is not a valid CMS EnvelopedData (cut short?)', { cause: error });
  }
  const transports = enveloped.recipientInfos.map((r) => r.ktri).filter((k): k is KeyTransRecipientInfo => k !== undefined);
  const mine = transports.find((k) => signerIs(k.rid, recipient.certificate));
  if (!mine) {
    const other = transports[0];
    throw new As2SecurityError('decryption-failed', `the message is encrypted for another certificate than the hub's${other ? ` (${describeSid(other.rid)})` : ''}`);
  }
  const eci = enveloped.encryptedContentInfo;
  const cipher = CIPHERS[eci.contentEncryptionAlgorithm.algorithm];
  if (!cipher) throw new As2SecurityError('decryption-failed', `unsupported content encryption ${eci.contentEncryptionAlgorithm.algorithm}`);
  const ivBytes = eci.contentEncryptionAlgorithm.parameters ? readOctetString(eci.contentEncryptionAlgorithm.parameters) : undefined;
  const ivLength = cipher.node.startsWith('des') ? 8 : 16;
  if (!ivBytes || ivBytes.length !== ivLength) throw new As2SecurityError('decryption-failed', 'the encryption parameters (IV) are missing or malformed');
  const encryptedContent = eci.encryptedContent?.value
    ? Buffer.from(eci.encryptedContent.value.buffer)
    : Buffer.concat((eci.encryptedContent?.constructedValue ?? []).map((o) => Buffer.from(o.buffer)));
  if (encryptedContent.length === 0) throw new As2SecurityError('decryption-failed', 'the encrypted body has no content');

  const wrapped = Buffer.from(mine.encryptedKey.buffer);
  const keyOid = mine.keyEncryptionAlgorithm.algorithm;
  let key: Buffer;
  let keyEncryption: KeyEncryption;
  if (keyOid === OID.rsaOaep) {
    keyEncryption = 'rsa-oaep';
    try {
      key = privateDecrypt({ key: recipient.key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(mine.keyEncryptionAlgorithm.parameters) }, wrapped);
    } catch (error) {
      if (error instanceof As2SecurityError) throw error;
      key = randomBytes(cipher.keyLength);
    }
  } else if (keyOid === OID.rsaEncryption) {
    keyEncryption = 'rsa-pkcs1';
    key = unwrapPkcs1(wrapped, recipient.key, cipher.keyLength);
  } else {
    throw new As2SecurityError('decryption-failed', `unsupported key transport ${keyOid}`);
  }
  const failed = "the message cannot be decrypted with the hub's key (encrypted for another certificate, or corrupted)";
  let content: Buffer;
  try {
    const decipher = createDecipheriv(cipher.node, key, ivBytes);
    content = Buffer.concat([decipher.update(encryptedContent), decipher.final()]);
  } catch (error) {
    throw new As2SecurityError('decryption-failed', failed, { cause: error });
  }
  // A wrong key (or the random key of implicit rejection) passes the CBC padding check about
  // once in 256 tries; what it yields is noise, not the MIME entity every AS2 body wraps.
  if (!startsLikeMimeEntity(content)) throw new As2SecurityError('decryption-failed', failed);
  return { content, cipher: cipher.name, keyEncryption };
}

/** A MIME entity starts with a header field name (printable ASCII but ':') and its colon, or with the blank line of an entity without headers. */
function startsLikeMimeEntity(content: Buffer): boolean {
  if (content[0] === 0x0d || content[0] === 0x0a) return true;
  for (let i = 0; i < Math.min(content.length, 200); i++) {
    const byte = content[i]!;
    if (byte === 0x3a) return i > 0;
    if (byte < 0x21 || byte > 0x7e) return false;
  }
  return false;
}

/**
 * RSAES-PKCS1-v1_5 decryption (RFC 8017 §7.2.2) over a raw RSA operation, with implicit
 * rejection: whatever is wrong yields a random key of the expected length, never an error here.
 */
function unwrapPkcs1(wrapped: Buffer, key: KeyObject, keyLength: number): Buffer {
  const fallback = randomBytes(keyLength);
  let block: Buffer;
  try {
    block = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, wrapped);
  } catch {
    return fallback;
  }
  // 0x00 0x02 PS (at least 8 non-zero bytes) 0x00 M; scanned to the end whatever is found.
  let good = (block[0] === 0 ? 1 : 0) & (block[1] === 2 ? 1 : 0);
  let separator = 0;
  for (let i = 2; i < block.length; i++) {
    const isZero = block[i] === 0 ? 1 : 0;
    const first = isZero & (separator === 0 ? 1 : 0);
    separator = first ? i : separator;
  }
  good &= separator >= 10 ? 1 : 0;
  good &= block.length - separator - 1 === keyLength ? 1 : 0;
  const message = block.subarray(block.length - keyLength);
  return good ? Buffer.from(message) : fallback;
}
