import type { FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../../crypto/index.js';
import { parseForm, type AuthorizeOutcome } from '../../oauth/index.js';
import type { MandatePlugin } from '../plugin.js';
import { consentPage, errorPage, PAGE_HEADERS } from '../consent-page.js';
import { signedInBrowser } from '../signed-in.js';

/**
 * The authorization endpoint (RFC 6749 §3.1): `GET /oauth2/authorize` takes the request, `POST
 * /oauth2/authorize` the consent page's answer (the request's parameters again, re-checked, plus
 * `decision` and the session's CSRF token). The use case is oauth's (endpoints/authorize.ts);
 * this file only renders pages and redirects.
 */
export const oauthAuthorizeRoutes: MandatePlugin = async (app, { runtime }) => {
  const { oauth, config } = runtime;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: config.oauth.formBodyLimitBytes }, (_request, body, done) => done(null, body));

  const respond = (request: FastifyRequest, reply: FastifyReply, outcome: AuthorizeOutcome, csrfToken: string | null) => {
    switch (outcome.kind) {
      case 'error_page':
        if (outcome.retryAfterSeconds !== undefined) void reply.header('retry-after', String(outcome.retryAfterSeconds));
        return reply.status(outcome.status).headers(PAGE_HEADERS).send(errorPage(outcome.error, outcome.description));
      case 'redirect':
        return reply.header('cache-control', 'no-store').redirect(outcome.location, 303);
      case 'signin':
        // Back to this very request after signing in (a relative path: the sign-in page only follows those).
        return reply.header('cache-control', 'no-store').redirect(`/signin?return_to=${encodeURIComponent(request.url)}`, 303);
      case 'consent':
        return reply.status(200).headers(PAGE_HEADERS).send(consentPage(outcome.view, csrfToken));
    }
  };

  app.get('/oauth2/authorize', { schema: { tags: ['oauth'], summary: 'Authorization endpoint: authorization code with PKCE S256 (people’s clients; docs/oauth.md)' } }, async (request, reply) => {
    const browser = await signedInBrowser(runtime, request);
    const outcome = await oauth.authorize(request.query as Record<string, unknown>, browser?.person ?? null, request.ip);
    return respond(request, reply, outcome, browser?.csrfToken ?? null);
  });

  app.post('/oauth2/authorize', { schema: { tags: ['oauth'], summary: 'The consent page’s answer (form: the request’s parameters, decision, csrf_token)' } }, async (request, reply) => {
    let form: Map<string, string>;
    try {
      form = parseForm(typeof request.body === 'string' ? request.body : '');
    } catch (error) {
      return reply.status(400).headers(PAGE_HEADERS).send(errorPage('invalid_request', (error as Error).message));
    }
    const browser = await signedInBrowser(runtime, request);
    const decision = form.get('decision');
    if (decision !== 'allow' && decision !== 'deny') return reply.status(400).headers(PAGE_HEADERS).send(errorPage('invalid_request', "decision must be 'allow' or 'deny'"));
    // A session-authenticated form must carry the session's CSRF token; a Bearer one cannot be forged cross-site.
    if (browser && browser.csrfToken !== null && (browser.originRefusal !== null || !constantTimeEqual(form.get('csrf_token') ?? '', browser.csrfToken))) {
      return reply.status(403).headers(PAGE_HEADERS).send(errorPage('csrf_token_invalid', 'the form’s CSRF token does not match your session; reload the page and try again'));
    }
    const outcome = await oauth.authorize(Object.fromEntries(form), browser?.person ?? null, request.ip, decision);
    return respond(request, reply, outcome, browser?.csrfToken ?? null);
  });
};
