/** A feed event as docs/oauth.md "Revocation feed" defines it. */
export type RevocationEvent =
  | { kind: 'token'; jti: string; exp: number }
  | { kind: 'agent'; agent_id: string; client_id?: string | null; not_before: number };

/** The claims revocation looks at. */
export interface RevocableClaims {
  jti?: unknown;
  iat?: unknown;
  sub?: unknown;
  client_id?: unknown;
  act?: unknown;
  /** A delegated token's `delegation` claim: `parents` lists the jtis of every token above it. */
  delegation?: unknown;
}

export type RevocationReason = 'token' | 'agent';

/**
 * What the feed has said so far: revoked jtis and per-agent "not before" marks, each kept only
 * while it can still matter (docs/oauth.md "Timing and retention"). Pure data: no I/O, no timers.
 */
export class RevocationState {
  /** jti → the token's exp (epoch seconds). */
  private readonly tokens = new Map<string, number>();
  /** agent id → not_before (epoch seconds). */
  private readonly agents = new Map<string, number>();
  /** client id → not_before. */
  private readonly clients = new Map<string, number>();

  constructor(
    /** Longest access token lifetime (seconds): an agent mark stops mattering this long after it. */
    private readonly maxTokenLifetimeSeconds: number,
    private readonly skewSeconds: number,
  ) {}

  apply(event: RevocationEvent): void {
    if (event.kind === 'token') {
      this.tokens.set(event.jti, event.exp);
      return;
    }
    // For one agent a later mark supersedes an earlier one: keep the largest.
    raise(this.agents, event.agent_id, event.not_before);
    if (event.client_id) raise(this.clients, event.client_id, event.not_before);
  }

  /** Why the token is revoked, or undefined. Cheap: a few map lookups. */
  check(claims: RevocableClaims): RevocationReason | undefined {
    if (typeof claims.jti === 'string' && this.tokens.has(claims.jti)) return 'token';
    // Cascade: revoking a token revokes every token delegated from it (its jti is in their parents).
    const parents = (claims.delegation as { parents?: unknown } | undefined)?.parents;
    if (Array.isArray(parents) && parents.slice(0, 16).some((jti) => typeof jti === 'string' && this.tokens.has(jti))) return 'token';
    if (this.agents.size === 0 && this.clients.size === 0) return undefined;
    const iat = typeof claims.iat === 'number' ? claims.iat : Number.NEGATIVE_INFINITY;
    const revokedBy = (map: Map<string, number>, id: unknown): boolean => {
      if (typeof id !== 'string') return false;
      const notBefore = map.get(id);
      return notBefore !== undefined && iat <= notBefore;
    };
    if (revokedBy(this.agents, claims.sub) || revokedBy(this.clients, claims.client_id)) return 'agent';
    // Every actor in the delegation chain: revoking a link revokes everything below it.
    let actor = claims.act as RevocableClaims | undefined;
    for (let depth = 0; actor && typeof actor === 'object' && depth < 32; depth++) {
      if (revokedBy(this.agents, actor.sub) || revokedBy(this.clients, actor.client_id)) return 'agent';
      actor = actor.act as RevocableClaims | undefined;
    }
    return undefined;
  }

  /** Drops entries whose retention has passed (`nowSeconds` in epoch seconds). */
  prune(nowSeconds: number): void {
    for (const [jti, exp] of this.tokens) if (exp + this.skewSeconds < nowSeconds) this.tokens.delete(jti);
    const horizon = nowSeconds - this.maxTokenLifetimeSeconds - this.skewSeconds;
    for (const map of [this.agents, this.clients]) {
      for (const [id, notBefore] of map) if (notBefore < horizon) map.delete(id);
    }
  }

  get size(): { tokens: number; agents: number } {
    return { tokens: this.tokens.size, agents: this.agents.size };
  }
}

function raise(map: Map<string, number>, id: string, value: number): void {
  const current = map.get(id);
  if (current === undefined || value > current) map.set(id, value);
}

/** Validates one event from the wire; unknown kinds are skipped (forward compatible). */
export function parseEvent(raw: unknown): RevocationEvent | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const event = raw as Record<string, unknown>;
  if (event.kind === 'token' && typeof event.jti === 'string' && typeof event.exp === 'number') {
    return { kind: 'token', jti: event.jti, exp: event.exp };
  }
  if (event.kind === 'agent' && typeof event.agent_id === 'string' && typeof event.not_before === 'number') {
    return { kind: 'agent', agent_id: event.agent_id, client_id: typeof event.client_id === 'string' ? event.client_id : null, not_before: event.not_before };
  }
  return undefined;
}
