/**
 * What the monitor observes: plain facts about one agent, each with the audit sequence number
 * of the entry it came from (alerts cite sample entries). feed.ts makes them from the audit
 * log's committed entries; tests and the benchmark make them directly.
 */
export type MonitorEvent = TokenEvent | AuthFailureEvent | DecisionEvent;

interface Common {
  agentId: string;
  /** When it happened (ms since the epoch, from the injected clock via the audit entry). */
  atMs: number;
  /** The audit entry's sequence number. */
  seq: number;
}

/** Access tokens issued to the agent (one audit entry may stand for several). */
export interface TokenEvent extends Common {
  kind: 'token';
  count: number;
  scopes: readonly string[];
}

/** A failed client authentication naming the agent's client_id. */
export interface AuthFailureEvent extends Common {
  kind: 'auth_failure';
}

/** A policy decision the agent asked for (POST /v1/authorize). */
export interface DecisionEvent extends Common {
  kind: 'decision';
  decision: 'allow' | 'deny' | 'approval_required';
  tool: string;
  /** The tools the agent registered (`<api>` or `<api>:<operation>`). */
  declaredTools: readonly string[];
  /** The user the agent acts for (the delegating user, else its owner). */
  actingFor: string | null;
  /** The owner of the resource acted on, when the caller named one. */
  resourceOwner: string | null;
  /** Length of the delegation chain behind the token (0: the agent's own token), when known. */
  depth?: number | undefined;
}

/** A tool is declared when registered exactly or by its API (`files-api` covers `files-api:files.get`), as the default policy reads it. */
export function toolDeclared(tool: string, declared: readonly string[]): boolean {
  for (const registered of declared) {
    if (tool === registered || tool.startsWith(`${registered}:`)) return true;
  }
  return false;
}
