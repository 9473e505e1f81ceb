import { MandateSdkError } from '../shared/errors.js';

/**
 * Asymmetric JWS algorithms a verifier may accept (STYLE.md §3). Symmetric (HS*) algorithms
 * are absent on purpose: a resource server holds only public keys, and accepting HS256 would
 * let anyone who has the public key forge tokens. `none` is never accepted.
 */
export const ASYMMETRIC_ALGORITHMS = ['EdDSA', 'Ed25519', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'] as const;

export const DEFAULT_ACCESS_TOKEN_ALGORITHMS: readonly string[] = ASYMMETRIC_ALGORITHMS;
export const DEFAULT_DPOP_ALGORITHMS: readonly string[] = ['ES256', 'EdDSA', 'Ed25519', 'ES384', 'PS256', 'RS256'];

/** Checks a configured allow-list: refuses `none`, HS*, and anything else not in the table. */
export function allowedAlgorithms(requested: readonly string[] | undefined, fallback: readonly string[]): string[] {
  const list = [...(requested ?? fallback)];
  if (list.length === 0) throw new MandateSdkError('ERR_VERIFIER_CONFIG', 'the algorithm allow-list is empty');
  for (const alg of list) {
    if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new MandateSdkError('ERR_VERIFIER_CONFIG', `algorithm '${alg}' may not be allowed (only asymmetric algorithms; never none or HS*)`);
    }
  }
  return list;
}
