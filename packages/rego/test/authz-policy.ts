/**
 * An agent-authorization policy in both syntaxes (the one Mandate seeds a new server with):
 * realistic material for the fuzz tests to mutate and evaluate.
 */
export const AUTHZ_POLICY_V1 = `package mandate.authz

import rego.v1

default allow := false

allow if {
  input.agent.purpose == "calendar-management"
  input.action == "read"
  input.resource.type == "calendar-events"
  input.resource.owner == input.agent.delegating_user
  time.now_ns() < input.agent.token_expiry_ns
}

deny if { input.action == "delete"; not input.human_approval.exists }

deny if { input.resource.owner != input.agent.delegating_user; not input.agent.has_admin_scope }
`;

export const AUTHZ_POLICY_V0 = `package mandate.authz

default allow = false

allow {
  input.agent.purpose == "calendar-management"
  input.action == "read"
  input.resource.type == "calendar-events"
  input.resource.owner == input.agent.delegating_user
  time.now_ns() < input.agent.token_expiry_ns
}

deny { input.action == "delete"; not input.human_approval.exists }

deny { input.resource.owner != input.agent.delegating_user; not input.agent.has_admin_scope }
`;

/** 2026-01-01T00:00:00Z in ns: the frozen clock of the tests. */
export const NOW_NS = 1_767_225_600_000_000_000n;

