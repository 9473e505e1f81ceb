import { uncovered } from '../../delegation/index.js';
import { InvalidRequest, InvalidScope, InvalidTarget } from '../errors.js';
import { admitted, delegationOf, mintDelegated, requestedScopes, stepRequest, targetAudience } from './delegated.js';
import type { GrantModule } from './types.js';

/** The grant profile Mandate advertises in `authorization_grant_profiles_supported`. */
export const ID_JAG_PROFILE = 'urn:ietf:params:oauth:grant-profile:id-jag';
const MAX_ASSERTION_CHARS = 8_192;

/**
 * The Identity Assertion JWT Authorization Grant (draft-ietf-oauth-identity-assertion-authz-grant):
 * RFC 7523's jwt-bearer grant carrying an ID-JAG (`typ: oauth-id-jag+jwt`) from a trusted IdP.
 * Mandate, as the resource authorization server, checks iss, aud, client_id, exp and the
 * single-use jti (delegation context), restricts the audience to the requested resource, and
 * grants the intersection of the assertion's scopes, the request and the agent's registration.
 * The assertion's user becomes the chain's root, the agent its first actor.
 */
export const idJag: GrantModule = {
  grantType: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  parameters: ['assertion', 'scope', 'resource', 'audience'],
  async handler(context) {
    const { form } = context;
    const assertion = form.get('assertion');
    if (assertion === undefined || assertion === '') throw new InvalidRequest("missing required parameter 'assertion'");
    if (assertion.length > MAX_ASSERTION_CHARS) throw new InvalidRequest(`assertion is longer than ${MAX_ASSERTION_CHARS} characters`);
    const target = await targetAudience(context, form);
    const { parent, assertion: verified } = await admitted(() => delegationOf(context).redeemAssertion(assertion, context.client.agent.clientId));
    if (verified.resource !== null && verified.resource !== target.audience) {
      throw new InvalidTarget(`the assertion is for resource '${verified.resource}', not '${target.audience}'`);
    }
    // The intersection (the draft's rule): asked ∩ asserted ∩ registered ∩ accepted by the audience.
    const asked = requestedScopes(form) ?? verified.scopes;
    const scopes = asked.filter(
      (scope) => verified.scopes.includes(scope) && uncovered([scope], context.client.agent.scopes).length === 0 && (target.accepted === null || target.accepted.includes(scope)),
    );
    if (scopes.length === 0) throw new InvalidScope(`[no_scope] no scope is in the request, the assertion (${verified.scopes.join(' ') || 'none'}), the agent's registration and the audience at once`);
    const grant = await admitted(() =>
      delegationOf(context).delegate({ parent, request: stepRequest(context, target, scopes), approvalId: undefined, grantType: idJag.grantType }),
    );
    return mintDelegated(context, grant, target.audience, idJag.grantType);
  },
};
