import type { FastifyRequest } from 'fastify';
import type { SignedInPerson } from '../oauth/index.js';
import type { Runtime } from '../runtime.js';

/** The person behind a browser request, and the CSRF token their form must carry (null: none needed). */
export interface SignedInBrowser {
  person: SignedInPerson;
  csrfToken: string | null;
  /** Why the request may not act on the session (another site's Origin), or null. */
  originRefusal: string | null;
}

/**
 * "Who is signed in" for the authorization endpoint and the consent page: the signin context's
 * session cookie (a person signed in at the company IdP, or an operator), else an operator's own
 * token sent as `Authorization: Bearer mop_…` (scripts, tests; a header no other site can make a
 * browser send, so it needs no CSRF token). The person is known by their email: the `sub` of
 * their tokens and the user policies compare resource owners with, as agents' owners are.
 */
export async function signedInBrowser(runtime: Pick<Runtime, 'authenticator' | 'signin'>, request: FastifyRequest): Promise<SignedInBrowser | null> {
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^Bearer\s+mop_/i.test(header)) {
    try {
      const principal = await runtime.authenticator.authenticate({ method: request.method, url: request.url, headers: request.headers });
      if (principal.kind === 'operator') return { person: { userId: principal.email, email: principal.email }, csrfToken: null, originRefusal: null };
    } catch {
      return null;
    }
    return null;
  }
  const session = await runtime.signin.currentSession(request);
  if (!session) return null;
  const email = session.principal.email;
  return { person: { userId: email, email }, csrfToken: session.csrfToken, originRefusal: runtime.signin.originRefusal(request) };
}
