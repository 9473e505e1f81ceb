import type { SigningAuthority } from './ca/authority.js';
import { CA_SIGNING_ALGORITHM, x509 } from './x509.js';

export interface RevokedEntry {
  serial: string;
  revokedAt: number;
  authorityId: string;
}

/**
 * One CRL per published CA, each listing the revoked, unexpired certificates that CA signed
 * (a CRL is signed by the issuer of what it lists, RFC 5280 §5). PEM, concatenated: node's
 * `tls` takes them as its `crl` option.
 */
export async function revocationLists(authorities: readonly SigningAuthority[], revoked: readonly RevokedEntry[], now: number, ttlSeconds: number): Promise<string> {
  const lists = await Promise.all(
    authorities.map((authority) =>
      x509.X509CrlGenerator.create({
        issuer: authority.certificate.subject,
        thisUpdate: new Date(now),
        nextUpdate: new Date(now + ttlSeconds * 1000),
        entries: revoked
          .filter((entry) => entry.authorityId === authority.id)
          .map((entry) => ({ serialNumber: entry.serial, revocationDate: new Date(entry.revokedAt), reason: x509.X509CrlReason.cessationOfOperation })),
        signingKey: authority.key,
        signingAlgorithm: CA_SIGNING_ALGORITHM,
      }),
    ),
  );
  return lists.map((crl) => `${crl.toString('pem')}\n`).join('');
}
