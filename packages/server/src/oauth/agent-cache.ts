import { createHash, timingSafeEqual } from 'node:crypto';
import type { Agent } from '../registry/index.js';

/**
 * Recently authenticated agents, so a client asking for tokens in a burst is not read from
 * the database and hashed each time. An entry is only ever used for the exact secret that
 * authenticated it (compared in constant time), lives `ttlMs` (1 s), and is dropped at once
 * when this replica sees a status change. Other replicas' caches may lag by up to `ttlMs`;
 * the agent revocation mark is set that much later than the change (status-changes.ts), so a token
 * a lagging replica issues in that window is revoked too.
 */
export class AuthenticatedAgents {
  private readonly entries = new Map<string, { agent: Agent; proof: Buffer; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  private static proof(secret: string): Buffer {
    return createHash('sha256').update(secret, 'utf8').digest();
  }

  get(clientId: string, secret: string, now: number): Agent | null {
    const entry = this.entries.get(clientId);
    if (!entry) return null;
    if (entry.until <= now) {
      this.entries.delete(clientId);
      return null;
    }
    return timingSafeEqual(entry.proof, AuthenticatedAgents.proof(secret)) ? entry.agent : null;
  }

  set(clientId: string, secret: string, agent: Agent, now: number): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(clientId, { agent, proof: AuthenticatedAgents.proof(secret), until: now + this.ttlMs });
  }

  forget(clientId: string): void {
    this.entries.delete(clientId);
  }
}
