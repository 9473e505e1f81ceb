import { Type } from '@sinclair/typebox';
import type { Actor } from '../../audit/index.js';
import type { OperatorPrincipal } from '../../identity/index.js';
import type { CertificateRow, IssuerRow, MappingRule, SigningAuthority } from '../../workload/index.js';
import type { FastifyRequest } from 'fastify';
import { UnauthenticatedError } from '../../shared/errors.js';
import { authenticateRequest, requireAgent, requireOperator } from '../auth.js';
import { clientCertificateOf } from '../tls-listener.js';
import type { MandatePlugin } from '../plugin.js';
import { authErrors, ErrorResponse } from '../schemas.js';

const SvidResponse = Type.Object({
  certificate: Type.String({ description: 'the X.509-SVID, PEM' }),
  chain: Type.Array(Type.String(), { description: 'PEMs from the issuer up to, not including, the trust anchor' }),
  expires_at: Type.String(),
  spiffe_id: Type.String(),
  serial: Type.String(),
});

export const CertificateView = Type.Object({
  serial: Type.String(),
  agent_id: Type.String(),
  spiffe_id: Type.String(),
  ca: Type.String(),
  thumbprint: Type.String({ description: 'x5t#S256' }),
  not_before: Type.String(),
  not_after: Type.String(),
  issued_at: Type.String(),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
  revoke_reason: Type.Union([Type.String(), Type.Null()]),
  task_id: Type.Union([Type.String(), Type.Null()], { description: 'the task it ends with (issued with task_id), else null' }),
});

const AuthorityView = Type.Object({
  id: Type.String(),
  state: Type.String({ description: 'prepared (published, not signing), active (signing) or retired (published until its last certificate expires)' }),
  not_before: Type.String(),
  not_after: Type.String(),
  remove_at: Type.Union([Type.String(), Type.Null()]),
  certificate: Type.String(),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const actorOf = (p: OperatorPrincipal): Actor => ({ kind: 'operator', id: p.operatorId, roles: p.roles });
export const certificateView = (row: CertificateRow) => ({
  serial: row.serial,
  agent_id: row.agent_id,
  spiffe_id: row.spiffe_id,
  ca: row.authority_id,
  thumbprint: row.thumbprint,
  not_before: row.not_before,
  not_after: row.not_after,
  issued_at: row.issued_at,
  revoked_at: row.revoked_at,
  revoke_reason: row.revoke_reason,
  task_id: row.task_id,
});
const authorityView = (a: SigningAuthority) => ({ id: a.id, state: a.state, not_before: iso(a.notBefore)!, not_after: iso(a.notAfter)!, remove_at: iso(a.removeAt), certificate: a.pem });

const PEM_TYPE = 'application/x-pem-file';
const Serial = Type.Object({ serial: Type.String({ pattern: '^[0-9A-Fa-f]{1,64}$' }) });

/**
 * Workload identity (docs/workload-identity.md): agents' X.509-SVIDs, the trust bundle, the
 * CRL and the revocation feed (public: peers need them and they hold no secret), and the
 * operators' view of certificates and the CA.
 */
export const workloadRoutes: MandatePlugin = async (app, { runtime }) => {
  const { workload, config } = runtime;
  const tags = ['workload'];

  /**
   * Who asks for an SVID: the agent of the access token when there is one (the usual /v1
   * authentication, run here because the route also takes a certificate), else, on the TLS
   * listener, the agent whose live SVID the connection presents (renewal over mTLS).
   */
  const svidCaller = async (request: FastifyRequest): Promise<string> => {
    if (request.headers.authorization !== undefined) {
      await authenticateRequest(runtime.authenticator, request);
      return requireAgent(request).agentId;
    }
    const certificate = clientCertificateOf(request);
    const agentId = certificate ? await workload.certificateAgent(certificate, runtime.clock.now()) : null;
    if (agentId === null) throw new UnauthenticatedError(certificate ? 'the client certificate is not a live X.509-SVID' : 'missing or invalid credentials');
    return agentId;
  };

  app.post(
    '/svids',
    {
      // Authenticated in the handler (svidCaller): by access token, or by the current certificate.
      config: { public: true },
      schema: {
        tags,
        summary: 'An X.509-SVID for the calling agent from its PKCS#10 CSR',
        body: Type.Object(
          {
            csr: Type.String({ minLength: 1, maxLength: config.workload.csrMaxBytes, description: 'PEM PKCS#10 request, signed by the key it certifies' }),
            ttl_seconds: Type.Optional(Type.Integer({ minimum: 60, maximum: config.workload.svidMaxTtlSeconds })),
            task_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'an open task of the agent: the certificate is revoked when it ends' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: SvidResponse, 429: ErrorResponse, ...authErrors },
      },
    },
    async (request, reply) => {
      const issued = await workload.issue(await svidCaller(request), request.body.csr, request.body.ttl_seconds, request.body.task_id);
      return reply.status(201).header('cache-control', 'no-store').send(issued);
    },
  );

  app.post(
    '/svids/jwt',
    {
      schema: {
        tags,
        summary: 'A JWT-SVID for the calling agent (SPIFFE JWT-SVID), for audiences that prefer tokens',
        body: Type.Object(
          {
            audience: Type.Union([Type.String({ minLength: 1, maxLength: 2000 }), Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), { minItems: 1, maxItems: 10 })]),
            ttl_seconds: Type.Optional(Type.Integer({ minimum: 30, maximum: 3600 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ token: Type.String(), spiffe_id: Type.String(), expires_at: Type.String() }), 429: ErrorResponse, ...authErrors },
      },
    },
    async (request, reply) => {
      const agent = requireAgent(request);
      const issued = await workload.issueJwt(agent.agentId, request.body.audience, request.body.ttl_seconds);
      return reply.status(201).header('cache-control', 'no-store').send(issued);
    },
  );

  app.get(
    '/bundle',
    { config: { public: true }, schema: { tags, summary: 'Trust bundle: PEM, or the SPIFFE bundle (JWKS form) with Accept: application/json' } },
    async (request, reply) => {
      void reply.header('cache-control', 'public, max-age=60').header('vary', 'accept');
      if (/\bapplication\/(?:json|jwk-set\+json)\b/i.test(request.headers.accept ?? '')) return reply.type('application/json').send(workload.spiffeBundle());
      return reply.type(PEM_TYPE).send(workload.bundlePem());
    },
  );

  app.get('/svids/crl', { config: { public: true }, schema: { tags, summary: 'Revoked, unexpired X.509-SVIDs: one CRL per published CA (PEM)' } }, async (_request, reply) => {
    return reply.header('cache-control', 'public, max-age=30').type(PEM_TYPE).send(await workload.crl());
  });

  app.get(
    '/svids/revocations',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Revocation feed of X.509-SVID serials, in order',
        querystring: Type.Object({ after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      return workload.revocations(request.query.after ?? 0, request.query.limit ?? 500);
    },
  );

  app.get(
    '/certificates',
    {
      schema: {
        tags,
        querystring: Type.Object({ agent_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(CertificateView) }), ...authErrors },
      },
    },
    async (request) => {
      requireOperator(request, 'agents:read');
      const rows = await workload.listCertificates({ agentId: request.query.agent_id, limit: request.query.limit ?? 100 });
      return { items: rows.map(certificateView) };
    },
  );

  app.get('/certificates/:serial', { schema: { tags, params: Serial, response: { 200: CertificateView, 404: ErrorResponse, ...authErrors } } }, async (request) => {
    requireOperator(request, 'agents:read');
    return certificateView(await workload.certificate(request.params.serial));
  });

  app.post(
    '/certificates/:serial/revoke',
    {
      schema: {
        tags,
        params: Serial,
        body: Type.Optional(Type.Object({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) }, { additionalProperties: false })),
        response: { 200: Type.Object({ revoked: Type.Boolean(), certificate: CertificateView }), 404: ErrorResponse, ...authErrors },
      },
    },
    async (request) => {
      const principal = requireOperator(request, 'keys:manage');
      const revoked = await workload.revoke(request.params.serial, actorOf(principal), request.body?.reason ?? 'revoked by an operator');
      return { revoked, certificate: certificateView(await workload.certificate(request.params.serial)) };
    },
  );

  const Rule = Type.Object(
    {
      agent_id: Type.String({ minLength: 1, maxLength: 200 }),
      sub: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
      namespace: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
      service_account: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
      spiffe_id: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    },
    { additionalProperties: false },
  );
  const IssuerView = Type.Object({ id: Type.String(), issuer: Type.String(), jwks_uri: Type.Union([Type.String(), Type.Null()]), audience: Type.String(), rules: Type.Array(Rule), created_at: Type.String() });
  const issuerView = (row: IssuerRow) => ({ ...row, rules: JSON.parse(row.rules) as MappingRule[] });

  app.post(
    '/workload-issuers',
    {
      schema: {
        tags,
        summary: 'Trust a workload issuer (Kubernetes, SPIRE) whose JWTs authenticate agents at the token endpoint',
        body: Type.Object(
          {
            issuer: Type.String({ minLength: 1, maxLength: 2000 }),
            jwks_uri: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'absent: OIDC discovery at <issuer>/.well-known/openid-configuration' })),
            audience: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: "the aud its tokens must carry; default Mandate's issuer URL" })),
            rules: Type.Array(Rule, { minItems: 1, maxItems: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: IssuerView, 409: ErrorResponse, ...authErrors },
      },
    },
    async (request, reply) => {
      const principal = requireOperator(request, 'keys:manage');
      return reply.status(201).send(issuerView(await workload.addIssuer(request.body, actorOf(principal))));
    },
  );

  app.get('/workload-issuers', { schema: { tags, response: { 200: Type.Object({ items: Type.Array(IssuerView) }), ...authErrors } } }, async (request) => {
    requireOperator(request, 'keys:manage');
    return { items: (await workload.listIssuers()).map(issuerView) };
  });

  app.delete('/workload-issuers/:id', { schema: { tags, params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }), response: { 204: Type.Null(), 404: ErrorResponse, ...authErrors } } }, async (request, reply) => {
    const principal = requireOperator(request, 'keys:manage');
    await workload.removeIssuer(request.params.id, actorOf(principal));
    return reply.status(204).send(null);
  });

  app.get('/ca', { schema: { tags, response: { 200: Type.Object({ items: Type.Array(AuthorityView) }), ...authErrors } } }, async (request) => {
    requireOperator(request, 'keys:manage');
    return { items: workload.published().map(authorityView) };
  });

  app.post('/ca/rotate', { schema: { tags, response: { 200: Type.Object({ items: Type.Array(AuthorityView) }), ...authErrors } } }, async (request) => {
    const principal = requireOperator(request, 'keys:manage');
    return { items: (await workload.rotateCa(actorOf(principal))).map(authorityView) };
  });
};
