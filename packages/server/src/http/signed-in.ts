import type { FastifyRequest } from 'fastify';
import type { Authenticator } from '../identity/index.js';
import type { SignedInPerson } from '../oauth/index.js';

/** The person behind a browser request, and the CSRF token their form must carry (null: none needed). */
export interface SignedInBrowser {
  person: SignedInPerson;
  csrfToken: string | null;
}

/**
 * "Who is signed in" for the authorization endpoint and the consent page. One small port so the
 * endpoint does not depend on how people sign in: the signin context's session cookie, and an
 * operator's own token sent as `Authorization: Bearer mop_…` (scripts, tests; a header no other
 * site can make a browser send, so no CSRF token is needed with it).
 */
export async function signedInBrowser(authenticator: Authenticator, request: FastifyRequest): Promise<SignedInBrowser | null> {
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^Bearer\s+mop_/i.test(header)) {
    try {
      const principal = await authenticator.authenticate({ method: request.method, url: request.url, headers: request.headers });
      if (principal.kind === 'operator') return { person: { userId: principal.email, email: principal.email }, csrfToken: null };
    } catch {
      return null;
    }
  }
  return null;
}
