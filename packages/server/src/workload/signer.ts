import { createHash } from 'node:crypto';
import type { SigningAuthority } from './ca/authority.js';
import { CA_SIGNING_ALGORITHM, x509 } from './x509.js';

export interface SvidRequest {
  publicKey: x509.PublicKey;
  spiffeId: string;
  /** Common name for readers of the certificate; the identity is the URI SAN alone. */
  commonName: string;
  serial: string;
  notBefore: number;
  notAfter: number;
}

export interface SignedSvid {
  certificate: x509.X509Certificate;
  pem: string;
  /** SHA-256 of the DER, base64url: RFC 8705's `x5t#S256`. */
  thumbprint: string;
}

/** Issued certificates start this much before now: a peer whose clock lags a little still accepts them. */
export const SVID_BACKDATE_MS = 30_000;

/**
 * Signs an X.509-SVID (SPIFFE X509-SVID §4-5): exactly one URI SAN (the SPIFFE ID), not a
 * CA, digitalSignature as its only key usage, usable for TLS servers and clients.
 */
export async function signSvid(authority: SigningAuthority, request: SvidRequest): Promise<SignedSvid> {
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: request.serial,
    subject: `CN=${request.commonName.replace(/[,+"\\<>;=]/g, '_')}`,
    issuer: authority.certificate.subject,
    notBefore: new Date(request.notBefore),
    notAfter: new Date(request.notAfter),
    publicKey: request.publicKey,
    signingKey: authority.key,
    signingAlgorithm: CA_SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: request.spiffeId }], true),
      await x509.SubjectKeyIdentifierExtension.create(request.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(authority.certificate.publicKey),
    ],
  });
  return {
    certificate,
    pem: certificate.toString('pem'),
    thumbprint: createHash('sha256').update(Buffer.from(certificate.rawData)).digest('base64url'),
  };
}
