/**
 * The agent behind an access token, for every /v1 route and the decision point alike, with
 * what can be cached cached:
 *
 * | what                         | kept                                   | why it is safe                               |
 * |------------------------------|----------------------------------------|----------------------------------------------|
 * | verified claims of a token   | until the token's `exp` (+ clock skew), while its signing key is published | a JWT's signature and claims never change |
 * | the agent record             | `agentTtlMs` (1 s), dropped at once on a status change seen here | status is also re-checked; tools/scopes edits show within 1 s |
 * | revocation state             | never: consulted on every use          | a revoked token or agent stops at once       |
 *
 * The verified-token cache is keyed by the SHA-256 of the token (no bearer credential is held
 * as a key), bounded by `maxEntries` (config `oauth.verifiedTokenCacheEntries`) and evicts the
 * least recently used entry when full. A cached token whose signing key left the published set
 * (removed after retirement, or on compromise) is dropped and verified again, which then fails.
 *
 * Consulting the revocation state costs one primary-key read (shared by the calls that begin
 * in the same event-loop turn, each still answered by a read made after it began:
 * shared-read.ts). Every revocation (of a token or of an agent's tokens) bumps the
 * revocation feed's head sequence in its own transaction (the issuer's, oauth/), so a token
 * found clean at head N is still clean while the head is N; only when it moved is the full
 * check (revoked jti, agent marks) run again.
 *
 * A token that fails verification is never cached (the next call verifies it again).
 */
import { hash } from 'node:crypto';
import type { Agent } from '../registry/index.js';
import type { Clock } from '../shared/clock.js';
import type { AccessTokenClaims } from './claims.js';
import type { AgentTokenSource, Subject } from './resolvers.js';
import { sharedRead } from './shared-read.js';

export interface TokenSubjectsOptions {
  /** The tokens' issuer: full verification, revocation state and its head. */
  tokens: AgentTokenSource;
  agentByClientId(clientId: string): Promise<Agent | null>;
  clock: Clock;
  skewSeconds: number;
  agentTtlMs?: number;
  /** Most verified tokens kept (the least recently used goes first when full); also bounds the agent records. */
  maxEntries?: number;
  /** Monotonic ms for the agent cache (I/O caching, not domain time). */
  monotonic?: () => number;
}

interface CachedToken {
  claims: AccessTokenClaims;
  /** The key that signed it: the entry is void once the key is no longer published. */
  kid: string;
  /** The revocation head at which the token was last found not revoked. */
  cleanAt: number;
}

/** The cache key of a token: its SHA-256, so the cache holds no usable credential as a key. */
function tokenKey(token: string): string {
  return hash('sha256', token, 'base64url');
}

/** The `kid` of a compact JWS header, read after the token verified (so trusted); '' when absent. */
function headerKid(token: string): string {
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'));
    const kid = (header as { kid?: unknown } | null)?.kid;
    return typeof kid === 'string' ? kid : '';
  } catch {
    return '';
  }
}

function hasAudience(claims: AccessTokenClaims, audience: string): boolean {
  return Array.isArray(claims.aud) ? claims.aud.includes(audience) : claims.aud === audience;
}

/** The `aud` a compact JWS claims, read without verifying anything; null when unreadable. */
function unverifiedAudiences(token: string): string[] | null {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const aud = (payload as { aud?: unknown } | null)?.aud;
    if (typeof aud === 'string') return [aud];
    return Array.isArray(aud) && aud.every((a) => typeof a === 'string') ? aud : null;
  } catch {
    return null;
  }
}

export class TokenSubjects {
  /** SHA-256 of the token → its verified claims; Map order is recency (least recent first). */
  private readonly tokens = new Map<string, CachedToken>();
  private readonly agents = new Map<string, { agent: Agent; at: number }>();
  /** Agent reads in flight, shared by the calls that wait for the same record. */
  private readonly loadingAgents = new Map<string, Promise<Agent | null>>();
  /** Counts forgetAgent calls: a read that began before one does not fill the cache. */
  private forgets = 0;
  private readonly agentTtlMs: number;
  private readonly maxEntries: number;
  private readonly monotonic: () => number;
  /** Every call waits for a read of the head made after it began, shared with the calls of its turn. */
  private readonly revocationHead: () => Promise<number>;

  constructor(private readonly options: TokenSubjectsOptions) {
    this.agentTtlMs = options.agentTtlMs ?? 1_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.monotonic = options.monotonic ?? (() => performance.now());
    this.revocationHead = sharedRead(() => options.tokens.revocationHead());
  }

  /** Drops a cached agent (status change on this replica). */
  forgetAgent(clientId: string): void {
    this.agents.delete(clientId);
    // A read begun before the change must neither answer later calls nor refill the cache.
    this.loadingAgents.delete(clientId);
    this.forgets += 1;
  }

  /**
   * The verified subject of `token`, or null when the token is not valid now (bad signature,
   * expired, wrong audience, revoked, agent gone or not active).
   * @param audience required audience, or null to accept any
   */
  async resolve(token: string, audience: string | null): Promise<Subject | null> {
    const nowSeconds = this.options.clock.now() / 1000;
    const key = tokenKey(token);
    const cached = this.cached(key, nowSeconds);
    if (cached === 'expired') return null;
    // Read before the check, so a revocation committed during it moves the head past this value.
    const head = await this.revocationHead();
    if (!cached) {
      const verified = await this.options.tokens.verify(token, audience);
      if (!verified) return null;
      // Calls that verified the same token at once (a client's first burst) keep the first
      // one's claims: one claims object per token, which the decision input's shared parts are
      // keyed by (policy/input.ts).
      const first = this.tokens.get(key);
      if (first) return { ...verified, claims: first.claims };
      this.remember(key, { claims: verified.claims, kid: headerKid(token), cleanAt: head });
      this.agents.set(verified.agent.clientId, { agent: verified.agent, at: this.monotonic() });
      return verified;
    }
    const { claims } = cached;
    if (audience !== null && !hasAudience(claims, audience)) return null;
    if (cached.cleanAt !== head) {
      if (await this.options.tokens.isRevoked(claims)) {
        this.tokens.delete(key);
        return null;
      }
      cached.cleanAt = head;
    }
    const agent = await this.agent(claims.client_id);
    if (!agent || !this.options.tokens.mayHoldTokens(agent.status)) return null;
    return { claims, agent };
  }

  /** Verified tokens held now (for tests and metrics). */
  get size(): number {
    return this.tokens.size;
  }

  /**
   * The cache entry for `key`, marked most recently used; 'expired' for a token past its `exp`
   * (dropped), undefined when absent or when its signing key is no longer published (dropped,
   * so the token is verified again).
   */
  private cached(key: string, nowSeconds: number): CachedToken | 'expired' | undefined {
    const entry = this.tokens.get(key);
    if (!entry) return undefined;
    this.tokens.delete(key);
    if (entry.claims.exp + this.options.skewSeconds <= nowSeconds) return 'expired';
    if (!this.options.tokens.keyInUse(entry.kid)) return undefined;
    this.tokens.set(key, entry);
    return entry;
  }

  /**
   * Why a token that `resolve` refused is refused, when the reason is its audience: for a token
   * that passes every other check (signature, expiry, revocation, the agent's status) but is
   * not for `audience`, a message naming both audiences; otherwise null (the generic "not
   * valid" stands). Only a token whose unverified `aud` already names another audience is
   * verified again, so other refusals cost nothing more. The token's `aud` is readable by
   * whoever holds it, so naming it gives nothing away.
   */
  async audienceRefusal(token: string, audience: string): Promise<string | null> {
    const claimed = unverifiedAudiences(token);
    if (claimed === null || claimed.includes(audience)) return null;
    const verified = await this.options.tokens.verify(token, null);
    if (!verified || hasAudience(verified.claims, audience)) return null;
    const named = claimed.map((a) => `'${a}'`).join(', ');
    return `this token is for audience ${named}, not for Mandate's API ('${audience}'): request a token without 'resource' (or with resource=${audience}) to call /v1`;
  }

  private remember(key: string, entry: CachedToken): void {
    // Full: the least recently used goes (Map iteration order is insertion order, refreshed on every hit).
    while (this.tokens.size >= this.maxEntries) {
      const oldest = this.tokens.keys().next();
      if (oldest.done) break;
      this.tokens.delete(oldest.value);
    }
    this.tokens.set(key, entry);
  }

  private agent(clientId: string): Promise<Agent | null> {
    const cached = this.agents.get(clientId);
    const now = this.monotonic();
    if (cached && now - cached.at < this.agentTtlMs) return Promise.resolve(cached.agent);
    // One read per agent at a time: the calls that find the record stale share it (no older
    // than the cache would be; a status change here drops the read in flight: forgetAgent).
    let loading = this.loadingAgents.get(clientId);
    if (!loading) {
      const started = this.loadAgent(clientId, now).finally(() => {
        if (this.loadingAgents.get(clientId) === started) this.loadingAgents.delete(clientId);
      });
      this.loadingAgents.set(clientId, (loading = started));
    }
    return loading;
  }

  private async loadAgent(clientId: string, now: number): Promise<Agent | null> {
    const forgets = this.forgets;
    const agent = await this.options.agentByClientId(clientId);
    if (forgets !== this.forgets) return agent; // a status changed meanwhile: answer, but cache nothing
    if (agent) {
      if (this.agents.size >= this.maxEntries) this.agents.clear();
      this.agents.set(clientId, { agent, at: now });
    } else {
      this.agents.delete(clientId);
    }
    return agent;
  }
}
