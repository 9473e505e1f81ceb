import { isoTime } from '../shared/clock.js';
import { matchesClientSecret } from './credentials.js';
import type { RegistryDeps } from './deps.js';
import { agentFromRow } from './record.js';
import type { Agent } from './types.js';

/**
 * Client-secret authentication: the agent when `secret` matches its current secret or its
 * unexpired previous one, else null. Runs the same comparisons whether or not the client
 * exists. It does not judge status: callers check `mayObtainCredentials(agent.status)`
 * (decommissioned agents have no secrets left, so they never authenticate).
 */
export async function authenticateClientSecret(deps: RegistryDeps, clientId: string, secret: string, now: number): Promise<Agent | null> {
  const row = await deps.agents.byClientId(clientId);
  const stored = row ? { currentHash: row.client_secret_hash, previousHash: row.previous_secret_hash, previousExpiresAt: row.previous_secret_expires_at } : null;
  const ok = matchesClientSecret(secret, stored, isoTime(now));
  return ok && row ? agentFromRow(row, now, deps.settings.reviewIntervalDays) : null;
}
