import { X509Certificate } from 'node:crypto';
import type { SigningAuthority } from './ca/authority.js';

/** A SPIFFE bundle in JWKS form (SPIFFE Trust Domain and Bundle §4). */
export interface SpiffeBundle {
  keys: Array<Record<string, unknown>>;
  spiffe_sequence: number;
  spiffe_refresh_hint: number;
}

/** The trust anchors of every published CA (prepared, active, retired), each once, in a stable order. */
export function trustAnchors(authorities: readonly SigningAuthority[]): string[] {
  return [...new Set(authorities.map((a) => a.anchor.trim()))];
}

/** The bundle as concatenated PEM: what `ca` / `tls` options take. */
export function bundlePem(authorities: readonly SigningAuthority[]): string {
  return trustAnchors(authorities)
    .map((pem) => `${pem}\n`)
    .join('');
}

/**
 * The bundle as a SPIFFE bundle: one `x509-svid` JWK per anchor with its certificate in
 * `x5c`. `spiffe_sequence` changes whenever the set does; the refresh hint tells peers to
 * look again well within a CA's preparation window.
 */
export function spiffeBundle(authorities: readonly SigningAuthority[], sequence: number, refreshHintSeconds: number): SpiffeBundle {
  const keys: Array<Record<string, unknown>> = trustAnchors(authorities).map((pem) => {
    const certificate = new X509Certificate(pem);
    const jwk = certificate.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    return { ...jwk, use: 'x509-svid', x5c: [certificate.raw.toString('base64')] };
  });
  // JWT-SVID signing keys: each published CA's own key (jwt-svid.ts signs with the active one).
  for (const authority of authorities) {
    const jwk = new X509Certificate(authority.pem).publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    keys.push({ ...jwk, use: 'jwt-svid', kid: authority.id, alg: 'ES256' });
  }
  return { keys, spiffe_sequence: sequence, spiffe_refresh_hint: refreshHintSeconds };
}
