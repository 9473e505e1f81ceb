import formbody from '@fastify/formbody';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MandateError, ValidationError } from '../../shared/errors.js';
import { SESSION_COOKIE, type CurrentSession, type SessionInfo, type SessionPrincipal, type SigninOrigin } from '../../signin/index.js';
import { CsrfTokenInvalidError, requireOperator } from '../auth.js';
import type { MandatePlugin } from '../plugin.js';
import { authErrors, ErrorResponse } from '../schemas.js';
import { PAGE_HEADERS, signinPage } from '../signin-page.js';

const PrincipalSchema = Type.Object({
  kind: Type.Union([Type.Literal('operator'), Type.Literal('person')]),
  id: Type.String(),
  email: Type.String(),
  roles: Type.Array(Type.String(), { description: "the operator's roles; empty for a person" }),
});
const SessionSchema = Type.Object({ principal: PrincipalSchema, csrf_token: Type.String(), expires_at: Type.String({ description: 'absolute end; the session also ends after signin.sessionIdleSeconds unused' }) });

function principalView(principal: SessionPrincipal) {
  return principal.kind === 'operator'
    ? { kind: 'operator' as const, id: principal.operatorId, email: principal.email, roles: [...principal.roles] }
    : { kind: 'person' as const, id: principal.personId, email: principal.email, roles: [] };
}

function sessionView(session: CurrentSession) {
  return { principal: principalView(session.principal), csrf_token: session.csrfToken, expires_at: session.expiresAt };
}

/** Where a sign-in comes from, for the failure count and the audit entry. */
export function originOf(request: FastifyRequest): SigninOrigin {
  const agent = request.headers['user-agent'];
  return { address: request.ip, userAgent: typeof agent === 'string' ? agent : undefined };
}

const isForm = (request: FastifyRequest) => /^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '');

/**
 * The browser's way in (public, at the root): the sign-in page and the operator-token form.
 * Upstream IdP sign-in adds `/signin/idp/{id}` and `/signin/callback` (signin-idp.ts).
 */
export const signinRoutes: MandatePlugin = async (app, { runtime }) => {
  const { signin, config } = runtime;
  // Form bodies for this plugin's routes only (the OAuth endpoints parse theirs themselves).
  await app.register(formbody, { bodyLimit: config.signin.formBodyLimitBytes });

  const page = (reply: FastifyReply, status: number, returnTo: string, error?: string) =>
    reply.status(status).headers(PAGE_HEADERS).send(signinPage({ idps: signin.providers(), returnTo, ...(error ? { error } : {}) }));

  app.get(
    '/signin',
    {
      schema: {
        tags: ['signin'],
        summary: 'The sign-in page: one button per upstream IdP and the operator-token form',
        querystring: Type.Object({ return_to: Type.Optional(Type.String({ maxLength: 8_192 })) }, { additionalProperties: false }),
        response: { 200: Type.String({ description: 'text/html' }) },
      },
    },
    async (request, reply) => page(reply, 200, signin.safeReturnTo(request.query.return_to)),
  );

  app.post(
    '/signin/token',
    {
      bodyLimit: config.signin.formBodyLimitBytes,
      schema: {
        tags: ['signin'],
        summary: "Starts an operator's session from an operator token (form: 303 to return_to; JSON: the session)",
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 512 }), return_to: Type.Optional(Type.String({ maxLength: 8_192 })) }, { additionalProperties: false }),
        response: { 200: SessionSchema, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (request, reply) => {
      const form = isForm(request);
      const returnTo = signin.safeReturnTo(request.body.return_to);
      const foreign = signin.originRefusal(request);
      if (foreign) throw new CsrfTokenInvalidError(foreign);
      let started;
      try {
        started = await signin.signInWithToken(request.body.token, originOf(request));
      } catch (error) {
        // The form gets the page again with the reason; JSON callers the error body.
        if (form && error instanceof MandateError && (error.status === 401 || error.status === 429)) {
          if (error.status === 429) void reply.header('retry-after', String((error as unknown as { retryAfterSeconds: number }).retryAfterSeconds));
          return page(reply, error.status, returnTo, error.message);
        }
        throw error;
      }
      void reply.setCookie(SESSION_COOKIE, started.cookieValue, signin.cookieAttributes(started.maxAgeSeconds));
      void reply.header('cache-control', 'no-store');
      if (form) return reply.redirect(returnTo, 303);
      return reply.status(200).send(sessionView(started));
    },
  );
};

const SessionInfoSchema = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('operator'), Type.Literal('person')]),
  principal_id: Type.String(),
  email: Type.String(),
  method: Type.Union([Type.Literal('token'), Type.Literal('idp')]),
  idp: Type.Union([Type.String(), Type.Null()]),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  last_seen_at: Type.String(),
  expires_at: Type.String(),
  idle_expires_at: Type.String(),
});

function infoView(info: SessionInfo) {
  return {
    id: info.id,
    kind: info.kind,
    principal_id: info.principalId,
    email: info.email,
    method: info.method,
    idp: info.idpId,
    user_agent: info.userAgent,
    created_at: info.createdAt,
    last_seen_at: info.lastSeenAt,
    expires_at: info.expiresAt,
    idle_expires_at: info.idleExpiresAt,
  };
}

/** The caller's own session (operators and people) and the admin's list and revocation (under /v1). */
export const sessionRoutes: MandatePlugin = async (app, { runtime }) => {
  const { signin } = runtime;

  const ownSession = (request: FastifyRequest): CurrentSession => {
    if (!request.signinSession) throw new ValidationError('this call is about the browser session: send the mandate_session cookie, not a bearer token');
    return request.signinSession;
  };

  app.get(
    '/session',
    { config: { people: true }, schema: { tags: ['sessions'], summary: "The caller's browser session: who, its CSRF token, when it ends", response: { 200: SessionSchema, ...authErrors } } },
    async (request) => sessionView(ownSession(request)),
  );

  app.post(
    '/session/logout',
    { config: { people: true }, schema: { tags: ['sessions'], summary: "Ends the caller's session and clears its cookie (CSRF required)", response: { 204: Type.Null(), ...authErrors } } },
    async (request, reply) => {
      const session = ownSession(request);
      const p = session.principal;
      await signin.logout(session.sessionId, p.kind === 'operator' ? { kind: 'operator', id: p.operatorId, roles: p.roles } : { kind: 'person', id: p.personId });
      void reply.clearCookie(SESSION_COOKIE, signin.cookieAttributes());
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/sessions',
    { schema: { tags: ['sessions'], summary: 'Live browser sessions, newest first (at most 1000)', response: { 200: Type.Object({ items: Type.Array(SessionInfoSchema) }), ...authErrors } } },
    async (request) => {
      requireOperator(request, 'sessions:read');
      return { items: (await signin.list()).map(infoView) };
    },
  );

  app.delete(
    '/sessions/:id',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Ends a session at once (admin)',
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        response: { 204: Type.Null(), 404: ErrorResponse, 409: ErrorResponse, ...authErrors },
      },
    },
    async (request, reply) => {
      const operator = requireOperator(request, 'sessions:manage');
      await signin.revoke(request.params.id, { kind: 'operator', id: operator.operatorId, roles: operator.roles });
      return reply.status(204).send(null);
    },
  );
};
