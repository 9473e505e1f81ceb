import { decodeJwt } from 'jose';
import { parentFromAccessToken, type DelegationParent } from '../../delegation/index.js';
import { InvalidGrant, InvalidRequest, OAuthError } from '../errors.js';
import type { FormParameters } from '../form.js';
import { ACCESS_TOKEN_TYPE, admitted, delegationOf, mintDelegated, requestedScopes, stepRequest, targetAudience } from './delegated.js';
import type { GrantContext, GrantModule } from './types.js';

const TOKEN_TYPES = {
  access_token: ACCESS_TOKEN_TYPE,
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  id_token: 'urn:ietf:params:oauth:token-type:id_token',
} as const;
const SUBJECT_TYPES: readonly string[] = Object.values(TOKEN_TYPES);
/** Longest subject or actor token read (a JWT far larger than any Mandate or IdP token is refused unparsed). */
const MAX_TOKEN_CHARS = 8_192;

function required(form: FormParameters, name: string): string {
  const value = form.get(name);
  if (value === undefined || value === '') throw new InvalidRequest(`missing required parameter '${name}'`);
  if (value.length > MAX_TOKEN_CHARS) throw new InvalidRequest(`${name} is longer than ${MAX_TOKEN_CHARS} characters`);
  return value;
}

function issuerOf(token: string): string | undefined {
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    throw new InvalidGrant('[token_invalid] the subject token is not a JWT');
  }
}

/** The subject token as a parent: a Mandate token (any audience, fully verified) or a trusted IdP's user token. */
async function parentOf(context: GrantContext, token: string, type: string): Promise<DelegationParent> {
  if (issuerOf(token) === context.issuer) {
    if (type === TOKEN_TYPES.id_token) throw new InvalidRequest('a Mandate token is an access token, not an id_token');
    let verified;
    try {
      verified = await context.verifier.verify(token, null);
    } catch (error) {
      if (error instanceof OAuthError) throw new InvalidGrant(`[token_invalid] the subject token is not valid: ${error.message}`);
      throw error;
    }
    return parentFromAccessToken(verified.claims, verified.agent.scopes, context.issuer);
  }
  return admitted(() => delegationOf(context).userParent(token));
}

/** RFC 8693 §2.1: an actor token, when given, must be a valid Mandate token of the authenticated agent. */
async function checkActor(context: GrantContext, form: FormParameters): Promise<void> {
  const token = form.get('actor_token');
  if (token === undefined) {
    if (form.get('actor_token_type') !== undefined) throw new InvalidRequest('actor_token_type without actor_token');
    return;
  }
  const type = required(form, 'actor_token_type');
  if (type !== TOKEN_TYPES.access_token && type !== TOKEN_TYPES.jwt) throw new InvalidRequest(`actor_token_type must be ${TOKEN_TYPES.access_token}`);
  let clientId: string;
  try {
    clientId = (await context.verifier.verify(required(form, 'actor_token'), null)).claims.client_id;
  } catch (error) {
    if (error instanceof OAuthError) throw new InvalidGrant(`the actor token is not valid: ${error.message}`);
    throw error;
  }
  if (clientId !== context.client.agent.clientId) throw new InvalidGrant('the actor token belongs to another agent than the authenticated client');
}

/**
 * RFC 8693 token exchange: an agent, authenticated as a client, trades a user's token from a
 * trusted IdP or a parent agent's Mandate token for a narrower delegated token of its own.
 * The rules, the approval beyond depth 2 and the chain record are the delegation context's.
 */
export const tokenExchange: GrantModule = {
  grantType: 'urn:ietf:params:oauth:grant-type:token-exchange',
  parameters: ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'scope', 'resource', 'audience', 'approval_id'],
  async handler(context) {
    const { form } = context;
    const subjectToken = required(form, 'subject_token');
    const subjectType = required(form, 'subject_token_type');
    if (!SUBJECT_TYPES.includes(subjectType)) throw new InvalidRequest(`subject_token_type must be one of ${SUBJECT_TYPES.join(', ')}`);
    const requested = form.get('requested_token_type');
    if (requested !== undefined && requested !== TOKEN_TYPES.access_token && requested !== TOKEN_TYPES.jwt) {
      throw new InvalidRequest(`requested_token_type must be ${TOKEN_TYPES.access_token}`);
    }
    const approvalId = form.get('approval_id');
    if (approvalId !== undefined && approvalId.length > 200) throw new InvalidRequest('approval_id is longer than 200 characters');
    await checkActor(context, form);
    const target = await targetAudience(context, form);
    const parent = await parentOf(context, subjectToken, subjectType);
    const grant = await admitted(() =>
      delegationOf(context).delegate({ parent, request: stepRequest(context, target, requestedScopes(form)), approvalId, grantType: tokenExchange.grantType }),
    );
    return mintDelegated(context, grant, target.audience, tokenExchange.grantType);
  },
};
