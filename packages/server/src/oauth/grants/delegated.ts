import { DelegationRefused, type DelegatedGrant, type DelegationService } from '../../delegation/index.js';
import { InvalidRequest, InvalidTarget, OAuthError, ServerError } from '../errors.js';
import { parseScope, type FormParameters } from '../form.js';
import { isResourceIndicator } from '../resource-servers.js';
import { mintAccessToken } from '../tokens.js';
import { tokenLifetime, type GrantContext, type GrantResult } from './types.js';

/**
 * What token exchange (token-exchange.ts) and ID-JAG (id-jag.ts) share: the target audience
 * from `resource`/`audience`, the delegation context, refusals as OAuth errors, and minting a
 * delegated token (sub = root, nested act, the delegation claim) recorded in its chain.
 */

export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

export function delegationOf(context: GrantContext): DelegationService {
  if (!context.delegation) throw new ServerError('delegation is not available');
  return context.delegation;
}

/** `resource` (RFC 8707) or `audience` (RFC 8693): one registered audience, or Mandate itself. */
export async function targetAudience(context: GrantContext, form: FormParameters): Promise<{ audience: string; accepted: string[] | null }> {
  const resource = form.get('resource');
  const audience = form.get('audience');
  if (resource !== undefined && audience !== undefined && resource !== audience) throw new InvalidRequest('resource and audience name different targets; give one');
  const target = resource ?? audience;
  if (target === undefined || target === context.issuer) return { audience: context.issuer, accepted: null };
  if (!isResourceIndicator(target)) throw new InvalidTarget('resource/audience must be an absolute URI without a fragment (RFC 8707)');
  const server = await context.resourceServers.findByAudience(target);
  if (!server) throw new InvalidTarget(`unknown resource '${target}'; register it with POST /v1/resource-servers`);
  return { audience: server.audience, accepted: server.scopes };
}

/** The step's request as the rules see it. */
export function stepRequest(context: GrantContext, target: { audience: string; accepted: string[] | null }, scopes: string[] | undefined) {
  const agent = context.client.agent;
  return {
    actor: { id: agent.id, clientId: agent.clientId, scopes: agent.scopes, ttlSeconds: tokenLifetime(agent, context.ttl) },
    scopes,
    audience: target.audience,
    audienceScopes: target.accepted,
    nowSeconds: Math.floor(context.now / 1000),
  };
}

export function requestedScopes(form: FormParameters): string[] | undefined {
  return parseScope(form.get('scope'));
}

/** Runs a delegation call, turning its refusal into the OAuth error it names (with `approval_id`). */
export async function admitted<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof DelegationRefused)) throw error;
    const { refusal } = error;
    const oauth = new OAuthError(refusal.error, 400, refusal.description);
    return Promise.reject(refusal.approvalId ? oauth.withBody({ approval_id: refusal.approvalId }) : oauth);
  }
}

/**
 * Mints (signs) the delegated token and answers (RFC 8693 §2.2.1); `commit` records it in its
 * chain with its issuance entry and spends a deep step's approval, all in one transaction, and
 * the endpoint hands the token out only once that has committed.
 */
export async function mintDelegated(context: GrantContext, grant: DelegatedGrant, audience: string, grantType: string): Promise<GrantResult> {
  const { client, keys, issuer, jkt, now } = context;
  const agent = client.agent;
  const issued = mintAccessToken(
    keys,
    issuer,
    {
      subject: grant.subject,
      clientId: agent.clientId,
      audience,
      scopes: grant.scopes,
      ttlSeconds: grant.ttlSeconds,
      agent: { purpose: agent.purpose, owner: agent.owner, data_classification: agent.dataClassification, environment: agent.environment },
      act: grant.act,
      extra: { delegation: grant.claim },
      ...(jkt ? { jkt } : {}),
    },
    now,
  );
  const delegation = delegationOf(context);
  return {
    issued,
    response: {
      access_token: issued.token,
      token_type: jkt ? 'DPoP' : 'Bearer',
      expires_in: grant.ttlSeconds,
      scope: grant.scopes.join(' '),
      issued_token_type: ACCESS_TOKEN_TYPE,
    },
    details: { delegation: grant.audit },
    commit: (entry) => admitted(() => delegation.record(grant, { jti: issued.jti, exp: issued.exp, agentId: agent.id, audience, grantType }, entry)),
  };
}
