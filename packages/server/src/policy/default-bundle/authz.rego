# Mandate's default authorization policy (revision 1 on a fresh server).
# Every line is explained in docs/policies.md ("The default bundle").
# Replace it with `mandate policy put mandate/authz.rego <file>` (its id) or add modules to package mandate.authz.
package mandate.authz

import rego.v1

# Default deny: nothing is allowed unless the rule below holds.
default allow := false

# Allowed when no check below found a reason to deny.
allow if count(deny) == 0

# The agent must be active (suspended, deprecated and decommissioned agents act on nothing).
deny contains "agent_not_active" if input.agent.status != "active"

# The tool must be one the agent registered: an exact match, or the tool's API when the agent
# registered the whole API (`google-calendar-api` covers `google-calendar-api:events.insert`).
deny contains "tool_not_registered" if not tool_registered

tool_registered if input.tool in input.agent.tools

# A person's own client (authorization code, e.g. an MCP client): the person chose the tool and
# consented to the scopes; tool registration is the agents' check. Scopes and the rules below still apply.
tool_registered if input.agent.kind == "person_client"

tool_registered if {
	some registered in input.agent.tools
	not contains(registered, ":")
	startswith(input.tool, concat("", [registered, ":"]))
}

# The resource may be no more sensitive than the agent's classification ceiling.
deny contains "sensitivity_exceeds_ceiling" if input.resource.sensitivity_rank > input.agent.classification_rank

# A scope in the token must cover the action: `<action>`, `<resource type>:<action>` or `<resource type>:*`.
deny contains "scope_missing" if not action_in_scope

action_in_scope if {
	some scope in input.token.scopes
	scope_covers(scope)
}

scope_covers(scope) if scope == input.action

scope_covers(scope) if scope == concat(":", [input.resource.type, input.action])

scope_covers(scope) if scope == concat(":", [input.resource.type, "*"])

# Seed rule 1: calendars are reachable only for the user the agent acts for, and only while its token lives.
deny contains "calendar_not_delegating_user" if {
	input.resource.type in calendar_types
	input.resource.owner != input.user.id
}

calendar_types := {"calendar", "calendar-events"}

deny contains "token_expired" if time.now_ns() >= input.token.expiry_ns

# Seed rule 3: no access to another user's resources without an admin scope. "The user" is the
# root of the delegation chain: every agent of user → A → B → C acts for that one user.
deny contains "cross_user_without_admin_scope" if {
	input.resource.owner != null
	input.resource.owner != root_user
	not has_admin_scope
}

root_user := object.get(object.get(input, "delegation", {}), "root_user", input.user.id)

has_admin_scope if "admin" in input.token.scopes

has_admin_scope if concat(":", [input.resource.type, "admin"]) in input.token.scopes

# Seed rule 2: no delete without a human's approval (satisfied by a valid approval_id).
require_approval contains "delete_requires_human_approval" if input.action == "delete"
