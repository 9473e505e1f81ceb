import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { MandateSdkError } from '../shared/errors.js';

/** Which peers an mTLS endpoint accepts: SPIFFE IDs, or a predicate over them. */
export type SpiffeAllowList = readonly string[] | ((spiffeId: string) => boolean);

/** A peer was refused after a valid handshake: its SPIFFE ID is not allowed, or its certificate was revoked. */
export class PeerRefusedError extends MandateSdkError {
  constructor(code: 'ERR_SPIFFE_ID_NOT_ALLOWED' | 'ERR_CERTIFICATE_REVOKED' | 'ERR_NOT_AN_SVID', message: string) {
    super(code, message);
  }
}

/**
 * The SPIFFE ID of an X.509-SVID: its one URI SAN (X509-SVID §2). Node renders SANs as
 * `URI:…, DNS:…`; a certificate with no URI SAN or more than one is not an SVID.
 */
export function spiffeIdOf(certificate: Pick<X509Certificate, 'subjectAltName'> | Pick<PeerCertificate, 'subjectaltname'>): string {
  const sans = 'subjectAltName' in certificate ? certificate.subjectAltName : certificate.subjectaltname;
  const uris = (sans ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => entry.slice(4));
  if (uris.length !== 1 || !uris[0]!.startsWith('spiffe://')) throw new PeerRefusedError('ERR_NOT_AN_SVID', `the peer certificate is not an X.509-SVID (URI SANs: ${uris.join(' ') || 'none'})`);
  return uris[0]!;
}

export function isAllowed(allow: SpiffeAllowList, spiffeId: string): boolean {
  return typeof allow === 'function' ? allow(spiffeId) : allow.includes(spiffeId);
}

/** Lower-case hex without leading zeros: how serials compare, whatever printed them. */
export function normaliseSerial(serial: string): string {
  return serial.toLowerCase().replace(/^0+(?=.)/, '');
}

export interface PeerCheck {
  allow: SpiffeAllowList;
  isRevoked(serial: string): boolean;
}

/** The peer's SPIFFE ID when it is allowed and not revoked; else a PeerRefusedError. */
export function checkPeer(certificate: Pick<PeerCertificate, 'subjectaltname' | 'serialNumber'>, check: PeerCheck): string {
  const spiffeId = spiffeIdOf(certificate);
  if (!isAllowed(check.allow, spiffeId)) throw new PeerRefusedError('ERR_SPIFFE_ID_NOT_ALLOWED', `peer ${spiffeId} is not on the allow-list`);
  if (check.isRevoked(certificate.serialNumber)) throw new PeerRefusedError('ERR_CERTIFICATE_REVOKED', `peer ${spiffeId} presented a revoked certificate (serial ${normaliseSerial(certificate.serialNumber)})`);
  return spiffeId;
}
