/**
 * An AS2 message body (RFC 4130 §5): the document as a MIME entity, signed (multipart/signed with a
 * detached application/pkcs7-signature), then encrypted (application/pkcs7-mime enveloped-data),
 * and the way back. Also used for MDNs, which are signed but not encrypted. Pure.
 */
import type { KeyObject } from 'node:crypto';
import {
  As2SecurityError,
  decryptWith,
  encryptFor,
  signDetached,
  verifyDetached,
  type ContentCipher,
  type DigestName,
  type KeyEncryption,
  type LoadedCertificate,
} from './cms.ts';
import { computeMic, micName } from './mdn.ts';
import {
  base64Lines,
  boundaryFor,
  canonicalLineEnds,
  decodeBase64Strict,
  decodeBody,
  dispositionFilename,
  entity,
  looksLikeBase64,
  multipartBody,
  parseContentType,
  parseEntity,
  quoteParam,
  splitMultipart,
  type MimeEntity,
} from './mime.ts';

/** The hub's side of a partnership: its certificate and private key. */
export interface As2Identity {
  certificate: LoadedCertificate;
  key: KeyObject;
}

/** The document as the MIME entity that is signed: its headers are part of what the MIC covers. */
export function payloadEntity(file: { content: Buffer; contentType: string; filename: string }): Buffer {
  const headers: [string, string][] = [
    ['Content-Type', file.contentType.replace(/[\r\n]/g, '')],
    ['Content-Transfer-Encoding', 'binary'],
  ];
  if (file.filename) headers.push(['Content-Disposition', `attachment; filename=${quoteParam(file.filename.replace(/[\r\n"\\]/g, '_'))}`]);
  return entity(headers, file.content);
}

export interface Signed {
  /** The multipart/signed entity: its Content-Type header, a blank line and the body. */
  entity: Buffer;
  contentType: string;
  body: Buffer;
}

/** Signs an entity: multipart/signed, the entity as the first part, the detached signature second. */
export function signEntity(content: Buffer, signer: As2Identity, digest: DigestName, signingTime: Date, signatureEncoding: 'base64' | 'binary' = 'base64'): Signed {
  const signature = signDetached(content, signer, digest, signingTime);
  const signaturePart = entity(
    [
      ['Content-Type', 'application/pkcs7-signature; name=smime.p7s; smime-type=signed-data'],
      ['Content-Transfer-Encoding', signatureEncoding],
      ['Content-Disposition', 'attachment; filename="smime.p7s"'],
    ],
    signatureEncoding === 'base64' ? base64Lines(signature) : signature,
  );
  const boundary = boundaryFor(content, signaturePart);
  const contentType = `multipart/signed; protocol="application/pkcs7-signature"; micalg=${micName(digest)}; boundary=${quoteParam(boundary)}`;
  const body = multipartBody(boundary, [content, signaturePart]);
  return { entity: entity([['Content-Type', contentType]], body), contentType, body };
}

export interface PackOptions {
  digest: DigestName;
  cipher: ContentCipher;
  keyEncryption: KeyEncryption;
  /** How the encrypted body travels: raw DER (`binary`, most partners) or base64 text. */
  transferEncoding: 'binary' | 'base64';
  signingTime: Date;
}

export interface Packed {
  body: Buffer;
  /** HTTP headers describing the body. */
  contentType: string;
  transferEncoding: 'binary' | 'base64';
  /** The MIC of the signed entity, as the partner's MDN must return it. */
  mic: string;
}

/** Signs the payload entity, then encrypts the signed entity for the partner. */
export function packMessage(payload: Buffer, signer: As2Identity, partner: LoadedCertificate, options: PackOptions): Packed {
  const signed = signEntity(payload, signer, options.digest, options.signingTime);
  const encrypted = encryptFor(signed.entity, partner, { cipher: options.cipher, keyEncryption: options.keyEncryption });
  return {
    body: options.transferEncoding === 'base64' ? base64Lines(encrypted) : encrypted,
    contentType: 'application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m',
    transferEncoding: options.transferEncoding,
    mic: computeMic(payload, options.digest),
  };
}

export interface Unpacked {
  encrypted: boolean;
  signed: boolean;
  /** The innermost entity (the document, or an MDN's multipart/report). */
  payload: MimeEntity;
  /** Its content type, lower case. */
  payloadType: string;
  /** Its body with the transfer encoding undone. */
  content: Buffer;
  filename: string | undefined;
  /** The exact bytes the signature covers (or the whole entity when unsigned): what the MIC is over. */
  signedContent: Buffer;
  /** The digest the sender signed with. */
  signatureDigest: DigestName | undefined;
  cipher?: string;
  keyEncryption?: KeyEncryption;
}

/**
 * Undoes what `packMessage` did, for any partner's message: base64 or binary bodies, encrypted or
 * not, signed or not (the caller decides what it requires). The signature is checked with the
 * partner's certificate as configured. Raises As2SecurityError (with the disposition to report) or
 * ParseError (malformed MIME).
 */
export function unpackMessage(
  body: Buffer,
  headers: { contentType: string | undefined; transferEncoding?: string | undefined },
  hub: As2Identity,
  partner: LoadedCertificate,
): Unpacked {
  let type = parseContentType(headers.contentType);
  let current: MimeEntity;
  let encrypted = false;
  let cipher: string | undefined;
  let keyEncryption: KeyEncryption | undefined;
  if (type.type === 'application/pkcs7-mime' || type.type === 'application/x-pkcs7-mime') {
    const smime = (type.params.get('smime-type') ?? 'enveloped-data').toLowerCase();
    if (smime === 'compressed-data') throw new As2SecurityError('decompression-failed', 'compressed AS2 messages are not supported (send them uncompressed)');
    if (smime !== 'enveloped-data') throw new As2SecurityError('decryption-failed', `unsupported smime-type ${smime}`);
    const base64 = /base64/i.test(headers.transferEncoding ?? '') || looksLikeBase64(body);
    let der: Buffer;
    try {
      der = base64 ? decodeBase64Strict(body) : body;
    } catch (error) {
      throw new As2SecurityError('decryption-failed', 'the encrypted body is malformed base64 (cut short?)', { cause: error });
    }
    const decrypted = decryptWith(der, hub);
    encrypted = true;
    cipher = decrypted.cipher;
    keyEncryption = decrypted.keyEncryption;
    current = parseEntity(decrypted.content);
  } else {
    current = parseEntity(Buffer.concat([Buffer.from(`Content-Type: ${headers.contentType ?? 'text/plain'}\r\n\r\n`, 'latin1'), body]));
  }
  type = parseContentType(current.headers.get('content-type'));
  let signed = false;
  let signatureDigest: DigestName | undefined;
  let signedContent = current.raw;
  if (type.type === 'multipart/signed') {
    const parts = splitMultipart(current.body, type.params.get('boundary') ?? '');
    if (parts.length !== 2) throw new As2SecurityError('authentication-failed', `a signed message has two parts, not ${parts.length}`);
    const signaturePart = parseEntity(parts[1]!);
    const signatureType = parseContentType(signaturePart.headers.get('content-type')).type;
    if (!/^application\/(x-)?pkcs7-signature$/.test(signatureType)) {
      throw new As2SecurityError('authentication-failed', `the signature part is ${signatureType}, not application/pkcs7-signature`);
    }
    let signature: Buffer;
    try {
      signature = decodeBody(signaturePart);
    } catch (error) {
      throw new As2SecurityError('authentication-failed', 'the signature part is malformed (cut short?)', { cause: error });
    }
    signedContent = parts[0]!;
    try {
      signatureDigest = verifyDetached(signature, signedContent, partner).digest;
    } catch (error) {
      // A gateway on the way may have turned CRLF into LF in a text part: try its canonical form.
      const canonical = canonicalLineEnds(signedContent);
      if (canonical === signedContent || !(error instanceof As2SecurityError)) throw error;
      try {
        signatureDigest = verifyDetached(signature, canonical, partner).digest;
        signedContent = canonical;
      } catch {
        throw error;
      }
    }
    signed = true;
    current = parseEntity(signedContent);
  }
  const payloadType = parseContentType(current.headers.get('content-type'));
  if ((payloadType.type === 'application/pkcs7-mime' || payloadType.type === 'application/x-pkcs7-mime') && /compressed/i.test(payloadType.params.get('smime-type') ?? '')) {
    throw new As2SecurityError('decompression-failed', 'compressed AS2 messages are not supported (send them uncompressed)');
  }
  return {
    encrypted,
    signed,
    payload: current,
    payloadType: payloadType.type,
    content: decodeBody(current),
    filename: dispositionFilename(current.headers.get('content-disposition')),
    signedContent,
    signatureDigest,
    ...(cipher ? { cipher } : {}),
    ...(keyEncryption ? { keyEncryption } : {}),
  };
}
