import formbody from '@fastify/formbody';
import type { BrowserSession } from '@mandate/sdk';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MandateError, ValidationError } from '../../shared/errors.js';
import { SESSION_COOKIE, SIGNIN_COOKIE, SigninRefusedError, sessionActor, type CurrentSession, type SessionInfo, type SessionPrincipal, type SigninOrigin } from '../../signin/index.js';
import { CsrfTokenInvalidError, requireOperator } from '../auth.js';
import type { MandatePlugin } from '../plugin.js';
import { authErrors, ErrorResponse, type SdkShapeMatches } from '../schemas.js';
import { PAGE_HEADERS, refusalPage, signinPage } from '../signin-page.js';

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
 * and sign-in at an upstream IdP (`/signin/idp/{id}` → the IdP → `/signin/callback`).
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

  const ReturnTo = Type.Object({ return_to: Type.Optional(Type.String({ maxLength: 8_192 })) }, { additionalProperties: false });
  // The sign-in cookie is sent back only to /signin/… and lives as long as a sign-in may take.
  const signinCookie = (maxAge?: number) => ({ ...signin.cookieAttributes(maxAge), path: '/signin' });

  app.get(
    '/signin/idp/:id',
    {
      schema: {
        tags: ['signin'],
        summary: 'Starts a sign-in at an upstream IdP: 303 to its authorization endpoint (code, PKCE S256, state, nonce)',
        params: Type.Object({ id: Type.String({ maxLength: 63 }) }),
        querystring: ReturnTo,
        response: { 303: Type.Null(), 404: ErrorResponse, 502: ErrorResponse },
      },
    },
    async (request, reply) => {
      const { location, browserCookie } = await signin.beginUpstream(request.params.id, signin.safeReturnTo(request.query.return_to));
      void reply.setCookie(SIGNIN_COOKIE, browserCookie, signinCookie(signin.stateTtlSeconds));
      void reply.header('cache-control', 'no-store');
      return reply.redirect(location, 303);
    },
  );

  app.get(
    '/signin/callback',
    {
      schema: {
        tags: ['signin'],
        summary: "The upstream IdP's redirect back: 303 to return_to with a session, or a page saying why the sign-in was refused",
        querystring: Type.Object({}, { additionalProperties: Type.String({ maxLength: 4_096 }), maxProperties: 10 }),
        response: { 303: Type.Null(), 400: Type.String(), 403: Type.String(), 429: ErrorResponse },
      },
    },
    async (request, reply) => {
      const url = new URL(request.url, `${config.issuer.replace(/\/+$/, '')}/`);
      void reply.clearCookie(SIGNIN_COOKIE, signinCookie());
      try {
        const started = await signin.completeUpstream(url, request.cookies[SIGNIN_COOKIE] ?? null, originOf(request));
        void reply.setCookie(SESSION_COOKIE, started.cookieValue, signin.cookieAttributes(started.maxAgeSeconds));
        void reply.header('cache-control', 'no-store');
        return reply.redirect(started.returnTo, 303);
      } catch (error) {
        if (!(error instanceof SigninRefusedError)) throw error;
        return reply.status(error.status as 400 | 403).headers(PAGE_HEADERS).send(refusalPage(error.message, error.returnTo));
      }
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

/** The SDK's `BrowserSession` (what the console and the CLI read) is this schema: a type error here when they drift. */
const sdkShapeMatches: SdkShapeMatches<Static<typeof SessionInfoSchema>, BrowserSession> = true;
void sdkShapeMatches;

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
      await signin.logout(session.sessionId, sessionActor(session));
      void reply.clearCookie(SESSION_COOKIE, signin.cookieAttributes());
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/sessions/mine',
    {
      config: { people: true },
      schema: {
        tags: ['sessions'],
        summary: "The caller's own live sessions (every browser they are signed in on), newest first; `current` marks the one asking",
        response: { 200: Type.Object({ items: Type.Array(Type.Intersect([SessionInfoSchema, Type.Object({ current: Type.Boolean() })])) }), ...authErrors },
      },
    },
    async (request) => {
      const session = ownSession(request);
      return { items: (await signin.listOwn(session)).map((info) => ({ ...infoView(info), current: info.id === session.sessionId })) };
    },
  );

  app.delete(
    '/sessions/mine/:id',
    {
      config: { people: true },
      schema: {
        tags: ['sessions'],
        summary: 'Ends one of the caller’s own sessions, e.g. on a lost laptop (CSRF required); 404 for anyone else’s',
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        response: { 204: Type.Null(), 404: ErrorResponse, 409: ErrorResponse, ...authErrors },
      },
    },
    async (request, reply) => {
      await signin.endOwn(ownSession(request), request.params.id);
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
