/**
 * Policy enforcement for tool servers (the PEP in front of Mandate's decision point): take the
 * calling agent's access token from the request, ask `POST /v1/authorize` what this request
 * may do, and answer for the tool when the answer is not `allow`.
 *
 * | decision                          | HTTP answer                                                           |
 * |-----------------------------------|-----------------------------------------------------------------------|
 * | no token / `invalid_token`        | 401 `{error: "invalid_token"}`, `WWW-Authenticate: Bearer`            |
 * | `deny`                            | 403 `{error: "access_denied", reasons, decision_id}`                   |
 * | `approval_required`               | 403 `{error: "approval_required", approval_id, reasons, decision_id}`, header `Mandate-Approval-Id` |
 * | Mandate unreachable or erroring   | 503 `{error: "decision_unavailable"}` (fail closed)                    |
 * | `allow`                           | the handler runs, with the decision (obligations) at hand              |
 *
 * 403 rather than 428 for approvals: 428 means "make the request conditional" (RFC 6585), which
 * is not what the client must do; the body says what is. The agent retries the same request
 * with the header `Mandate-Approval-Id: <id>` once a human approved it (single use).
 */
import { authorize, type AuthorizationDecision, type AuthorizeRequest, type ResourceRef } from './api/authorize.js';
import type { ApiClient } from './api/client.js';

/** What a request does, for the decision point. */
export interface ActionDescription {
  action: string;
  tool: string;
  resource: ResourceRef;
  context?: Record<string, unknown>;
}

/** Asks the decision point (an operator/resource-server client); the token is the agent's. */
export type Decider = (request: AuthorizeRequest & { token: string }) => Promise<AuthorizationDecision>;

export interface EnforcerOptions {
  /** A Mandate API client whose credentials may request decisions (an operator token with decisions:request) … */
  client?: ApiClient;
  /** … or any function that asks (e.g. `resourceServerDecider`). */
  decide?: Decider;
}

export const APPROVAL_HEADER = 'mandate-approval-id';

export type Enforcement =
  | { ok: true; decision: AuthorizationDecision }
  | { ok: false; status: number; body: Record<string, unknown>; headers: Record<string, string>; decision?: AuthorizationDecision };

/** A decider for a registered resource server (HTTP Basic with its client credentials). */
export function resourceServerDecider(options: { baseUrl: string; clientId: string; clientSecret: string; fetch?: typeof fetch }): Decider {
  const basic = Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64');
  const doFetch = options.fetch ?? fetch;
  return async (request) => {
    const response = await doFetch(`${options.baseUrl.replace(/\/$/, '')}/v1/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Basic ${basic}` },
      body: JSON.stringify(request),
    });
    const body = (await response.json()) as AuthorizationDecision & { message?: string };
    if (!response.ok) throw new Error(`POST /v1/authorize: ${response.status} ${body.message ?? ''}`);
    return body;
  };
}

function bearerOf(authorization: string | null | undefined): string | null {
  return /^(?:Bearer|DPoP)\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1] ?? null;
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

export class PolicyEnforcer {
  private readonly decide: Decider;

  constructor(options: EnforcerOptions) {
    if (options.decide) this.decide = options.decide;
    else if (options.client) {
      const client = options.client;
      this.decide = (request) => authorize(client, request);
    } else throw new TypeError('PolicyEnforcer needs a client or a decide function');
  }

  /** Decides one request from its Authorization and Mandate-Approval-Id headers. */
  async check(headers: { authorization?: string | null | undefined; approvalId?: string | null | undefined }, what: ActionDescription): Promise<Enforcement> {
    const token = bearerOf(headers.authorization);
    if (!token) return { ok: false, status: 401, body: { error: 'invalid_token', error_description: 'an agent access token is required' }, headers: { ...JSON_HEADERS, 'www-authenticate': 'Bearer' } };
    let decision: AuthorizationDecision;
    try {
      decision = await this.decide({ ...what, token, ...(headers.approvalId ? { approval_id: headers.approvalId } : {}) });
    } catch {
      return { ok: false, status: 503, body: { error: 'decision_unavailable', error_description: 'the authorization decision point could not be reached' }, headers: JSON_HEADERS };
    }
    if (decision.decision === 'allow') return { ok: true, decision };
    const common = { reasons: decision.reasons, decision_id: decision.decision_id };
    if (decision.decision === 'approval_required') {
      return {
        ok: false,
        status: 403,
        body: { error: 'approval_required', approval_id: decision.approval_id, ...common },
        headers: { ...JSON_HEADERS, ...(decision.approval_id ? { 'mandate-approval-id': decision.approval_id } : {}) },
        decision,
      };
    }
    if (decision.reasons.includes('invalid_token')) {
      return { ok: false, status: 401, body: { error: 'invalid_token', ...common }, headers: { ...JSON_HEADERS, 'www-authenticate': 'Bearer error="invalid_token"' }, decision };
    }
    return { ok: false, status: 403, body: { error: 'access_denied', ...common }, headers: JSON_HEADERS, decision };
  }

  /** Wraps a fetch-style handler; `describe` says what each request does. */
  fetchHandler(describe: (request: Request) => ActionDescription | Promise<ActionDescription>, handler: (request: Request, decision: AuthorizationDecision) => Promise<Response>) {
    return async (request: Request): Promise<Response> => {
      const result = await this.check({ authorization: request.headers.get('authorization'), approvalId: request.headers.get(APPROVAL_HEADER) }, await describe(request));
      if (!result.ok) return new Response(JSON.stringify(result.body), { status: result.status, headers: result.headers });
      return handler(request, result.decision);
    };
  }

  /** A Fastify preHandler; the decision is put on `request.mandateDecision`. */
  fastifyPreHandler<R extends { headers: Record<string, string | string[] | undefined> }>(describe: (request: R) => ActionDescription | Promise<ActionDescription>) {
    return async (request: R, reply: { code(status: number): unknown; headers(values: Record<string, string>): unknown; send(body: unknown): unknown }) => {
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const result = await this.check({ authorization: header('authorization'), approvalId: header(APPROVAL_HEADER) }, await describe(request));
      if (!result.ok) {
        reply.code(result.status);
        reply.headers(result.headers);
        return reply.send(result.body);
      }
      (request as R & { mandateDecision?: AuthorizationDecision }).mandateDecision = result.decision;
      return undefined;
    };
  }
}

/** Shorthand: `enforcePolicy({client})`. */
export function enforcePolicy(options: EnforcerOptions): PolicyEnforcer {
  return new PolicyEnforcer(options);
}
