/**
 * An agent-authorization policy in both syntaxes, material for the fuzz tests to mutate and
 * evaluate: it uses most of the language (defaults, several bodies, `some ... in`, `every`,
 * `not`, comprehensions, partial sets, functions with `else`, builtins and time), and its
 * `allow` is a boolean for any input.
 */
export const AUTHZ_POLICY_V1 = `package mandate.authz

import rego.v1

default allow := false

allow if {
  input.action in {"read", "list"}
  some grant in input.agent.grants
  grant.resource == input.resource.type
  every scope in input.required_scopes { scope in input.agent.scopes }
  not expired
}

allow if {
  input.agent.role == "admin"
  count([r | some r in input.agent.roles; startswith(r, "ops-")]) > 0
}

expired if time.now_ns() >= input.agent.token_expiry_ns

deny contains msg if {
  input.action == "delete"
  not input.human_approval.exists
  msg := sprintf("delete of %v by %v needs approval", [input.resource.type, owner(input.resource)])
}

owner(resource) := resource.owner if {
  is_string(resource.owner)
} else := "unknown"
`;

export const AUTHZ_POLICY_V0 = `package mandate.authz

import future.keywords.in
import future.keywords.every

default allow = false

allow {
  input.action in {"read", "list"}
  some grant in input.agent.grants
  grant.resource == input.resource.type
  every scope in input.required_scopes { scope in input.agent.scopes }
  not expired
}

allow {
  input.agent.role == "admin"
  count([r | some r in input.agent.roles; startswith(r, "ops-")]) > 0
}

expired { time.now_ns() >= input.agent.token_expiry_ns }

deny[msg] {
  input.action == "delete"
  not input.human_approval.exists
  msg := sprintf("delete of %v by %v needs approval", [input.resource.type, owner(input.resource)])
}

owner(resource) = resource.owner {
  is_string(resource.owner)
} else = "unknown"
`;

/** 2026-01-01T00:00:00Z in ns: the frozen clock of the tests. */
export const NOW_NS = 1_767_225_600_000_000_000n;
