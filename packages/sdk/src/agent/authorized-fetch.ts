import { createDpopProof } from '../oauth/dpop.js';
import { parseWwwAuthenticate } from '../shared/www-authenticate.js';
import type { AgentAuthService, TokenRequest } from './auth-service.js';

/** Which token to attach; defaults to the service's own scope and resource. */
export type AuthorizedFetchOptions = Omit<TokenRequest, 'forceRefresh'>;

/** The error codes a resource server sent in its WWW-Authenticate challenges. */
function challengeErrors(response: Response): Set<string> {
  const errors = new Set<string>();
  for (const challenge of parseWwwAuthenticate(response.headers.get('www-authenticate'))) {
    if (challenge.params.error) errors.add(challenge.params.error);
  }
  return errors;
}

/**
 * Sends `input` with the agent's token: `Authorization: Bearer <token>`, or for DPoP-bound
 * tokens `Authorization: DPoP <token>` plus a fresh proof carrying `ath` (RFC 9449 §7.1).
 * Retries once when the resource server asks for a DPoP nonce, and once with a new token when
 * it answers `invalid_token` (the token was revoked or keys rotated since it was cached).
 */
export async function authorizedFetch(
  service: AgentAuthService,
  input: string | URL | Request,
  init: RequestInit | undefined,
  options: AuthorizedFetchOptions,
): Promise<Response> {
  const { fetch: fetchImpl, clock, nonces } = service.transport;
  const base = new Request(input, init);
  const origin = new URL(base.url).origin;
  let refreshNext = false;
  let refreshed = false;
  let retriedNonce = false;
  for (;;) {
    const set = await service.getTokenSet({ ...options, forceRefresh: refreshNext });
    refreshNext = false;
    const request = base.clone();
    request.headers.set('authorization', `${set.tokenType} ${set.accessToken}`);
    const key = set.tokenType === 'DPoP' ? await service.dpop() : undefined;
    if (key) {
      const nonce = nonces.get(origin);
      request.headers.set(
        'dpop',
        await createDpopProof(key, { method: request.method, url: request.url, accessToken: set.accessToken, now: clock.now(), ...(nonce ? { nonce } : {}) }),
      );
    }
    const response = await fetchImpl(request);
    const nonce = response.headers.get('dpop-nonce');
    if (nonce) nonces.set(origin, nonce);
    if (response.status !== 401) return response;
    const errors = challengeErrors(response);
    if (errors.has('use_dpop_nonce') && nonce && key && !retriedNonce) {
      retriedNonce = true;
      await response.body?.cancel();
      continue;
    }
    if (errors.has('invalid_token') && !refreshed) {
      refreshed = true;
      refreshNext = true;
      service.invalidate(set.accessToken);
      await response.body?.cancel();
      continue;
    }
    return response;
  }
}
