/**
 * Names the server defines that the CLI needs before it sends anything: the choices of
 * `agent register --classification` (a typo is bad usage, exit 2, with the choices listed) and
 * one `agent <verb>` command per lifecycle verb. Copies, so that client verbs load no server
 * code (docs/architecture.md, "The CLI"); test/cli/names.test.ts fails when they drift from
 * registry/classification.ts and registry/lifecycle.ts.
 */

/** registry/classification.ts CLASSIFICATION_NAMES, lowest first. */
export const CLASSIFICATION_NAMES = ['public', 'internal', 'confidential', 'restricted'] as const;

/** registry/lifecycle.ts LIFECYCLE_ACTION_NAMES: `POST /v1/agents/{id}/<verb>`. */
export const LIFECYCLE_ACTION_NAMES = ['suspend', 'resume', 'deprecate', 'decommission'] as const;
