import type { AgentPrincipal } from '../identity/index.js';
import type { DecisionRequest } from '../policy/index.js';
import type { Runtime } from '../runtime.js';
import { ForbiddenError } from '../shared/errors.js';

/**
 * An agent's own call to a credential endpoint (secrets, database credentials) is authorised
 * by the policy decision point, exactly as `POST /v1/authorize` would answer it: the default
 * policy wants the tool registered (`secrets`, `db`), a scope covering the action
 * (`secret:read`, `database:read`) and the resource within the agent's classification. The
 * decision is logged like any other. Anything but `allow` is a 403 with the policy's reasons.
 */
export async function requireAllowed(runtime: Runtime, agent: AgentPrincipal, request: DecisionRequest): Promise<void> {
  const decision = await runtime.decisions.authorize({
    caller: { kind: 'agent', id: agent.agentId },
    token: agent.token,
    tokenFromBody: false,
    audience: runtime.oauth.issuer,
    // The /v1 hook has already verified the token and, for DPoP, this request's proof.
    proofChecked: true,
    request,
  });
  if (decision.decision !== 'allow') {
    throw new ForbiddenError(`policy ${decision.decision === 'deny' ? 'denies' : 'needs approval for'} ${request.action} on ${request.resource.type} '${request.resource.id}': ${decision.reasons.join(', ') || 'no rule allows it'}`, {
      decision: decision.decision,
      reasons: decision.reasons,
      decision_id: decision.decision_id,
      ...(decision.approval_id ? { approval_id: decision.approval_id } : {}),
    });
  }
}
