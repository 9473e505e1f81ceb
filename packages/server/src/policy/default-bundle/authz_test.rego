# Tests of the default bundle: `mandate policy test packages/server/src/policy/default-bundle`.
package mandate.authz_test

import rego.v1

import data.mandate.authz

base := {
	"action": "read",
	"tool": "google-calendar-api:events.list",
	"resource": {"type": "calendar", "id": "primary", "owner": "alice@example.com", "sensitivity": "internal", "sensitivity_rank": 1},
	"agent": {"status": "active", "tools": ["google-calendar-api"], "classification_rank": 2},
	"user": {"id": "alice@example.com"},
	"token": {"scopes": ["calendar:read"], "expiry_ns": 4102444800000000000},
}

test_allows_the_base_request if authz.allow with input as base

test_inactive_agent_denied if {
	"agent_not_active" in authz.deny with input as object.union(base, {"agent": {"status": "suspended", "tools": ["google-calendar-api"], "classification_rank": 2}})
}

test_unregistered_tool_denied if "tool_not_registered" in authz.deny with input as object.union(base, {"tool": "gmail-api:send"})

test_operation_level_registration if {
	inp := object.union(base, {"tool": "files-api:files.get", "agent": {"status": "active", "tools": ["files-api:files.get"], "classification_rank": 2}})
	not "tool_not_registered" in authz.deny with input as inp
	"tool_not_registered" in authz.deny with input as object.union(inp, {"tool": "files-api:files.delete"})
}

test_ceiling if {
	"sensitivity_exceeds_ceiling" in authz.deny with input as object.union(base, {"resource": object.union(base.resource, {"sensitivity_rank": 3})})
}

test_scope_forms if {
	not "scope_missing" in authz.deny with input as object.union(base, {"token": {"scopes": ["read"], "expiry_ns": 4102444800000000000}})
	not "scope_missing" in authz.deny with input as object.union(base, {"token": {"scopes": ["calendar:*"], "expiry_ns": 4102444800000000000}})
	"scope_missing" in authz.deny with input as object.union(base, {"token": {"scopes": ["files:read"], "expiry_ns": 4102444800000000000}})
}

test_expired_token if "token_expired" in authz.deny with input as object.union(base, {"token": {"scopes": ["calendar:read"], "expiry_ns": 1}})

test_other_users_calendar if {
	reasons := authz.deny with input as object.union(base, {"resource": object.union(base.resource, {"owner": "bob@example.com"})})
	reasons == {"calendar_not_delegating_user", "cross_user_without_admin_scope"}
}

test_cross_user_rule_uses_the_chain_root if {
	files := {"type": "files", "id": "r", "owner": "alice@example.com", "sensitivity_rank": 1}
	token := {"scopes": ["files:read"], "expiry_ns": 4102444800000000000}
	own := object.union(base, {"resource": files, "token": token, "delegation": {"root_user": "alice@example.com", "depth": 3}})
	not "cross_user_without_admin_scope" in authz.deny with input as own
	other := object.union(own, {"delegation": {"root_user": "bob@example.com", "depth": 3}})
	"cross_user_without_admin_scope" in authz.deny with input as other
}

test_admin_scope_reaches_other_users_files if {
	inp := object.union(base, {
		"resource": {"type": "files", "id": "r", "owner": "bob@example.com", "sensitivity_rank": 1},
		"token": {"scopes": ["files:read", "files:admin"], "expiry_ns": 4102444800000000000},
	})
	authz.allow with input as inp
}

test_delete_requires_approval if {
	inp := object.union(base, {"action": "delete", "token": {"scopes": ["calendar:delete"], "expiry_ns": 4102444800000000000}})
	authz.allow with input as inp
	"delete_requires_human_approval" in authz.require_approval with input as inp
}
