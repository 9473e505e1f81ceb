import type { AuditEvent } from '../audit/index.js';

/** What is common to tokens recorded in one audit entry. */
export interface IssuanceKind {
  agentId: string;
  grantType: string;
  authMethod: string;
  scope: string;
  aud: string | string[];
  dpop: boolean;
  /** Grant-specific facts (e.g. a delegation chain); tokens group only when these are equal. */
  extra?: Record<string, unknown> | undefined;
}

interface Group {
  kind: IssuanceKind;
  tokens: Array<{ jti: string; exp: number }>;
  waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

export interface IssuanceAuditOptions {
  /** Appends events in one transaction and settles when they have committed (AuditLog.append). */
  append(events: AuditEvent[]): Promise<unknown>;
  /** Largest number of tokens in one entry. */
  maxTokens: number;
}

/**
 * Records token issuance in the audit log: `oauth.token.issued` entries with `count` and
 * `tokens: [{jti, exp}]`, one entry per agent and kind of token among the tokens issued in
 * one turn of the event loop (or while the previous write was committing), all written in
 * one transaction. An agent asking for a token every few minutes gets one entry per token;
 * a burst costs one entry and one commit instead of hundreds. It commits as soon as the
 * loop turn ends (no timer), so a lone request waits for nothing but its own commit, and a
 * busy server never sits idle waiting for a batch window. Each caller's promise settles
 * only when its entry has committed: no token leaves unaudited.
 */
export class IssuanceAudit {
  private open = new Map<string, Group>();
  private full: Group[] = [];
  private scheduled = false;
  private inflight: Promise<void> | null = null;

  constructor(private readonly options: IssuanceAuditOptions) {}

  record(kind: IssuanceKind, token: { jti: string; exp: number }): Promise<void> {
    const key = `${kind.agentId}\u0000${kind.grantType}\u0000${kind.authMethod}\u0000${kind.scope}\u0000${JSON.stringify(kind.aud)}\u0000${kind.dpop}\u0000${kind.extra ? JSON.stringify(kind.extra) : ''}`;
    return new Promise<void>((resolve, reject) => {
      let group = this.open.get(key);
      if (!group) {
        group = { kind, tokens: [], waiters: [] };
        this.open.set(key, group);
      }
      group.tokens.push(token);
      group.waiters.push({ resolve, reject });
      if (group.tokens.length >= this.options.maxTokens) {
        this.open.delete(key);
        this.full.push(group);
      }
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inflight) return; // the running write picks the rest up when it ends
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.start();
    });
  }

  private start(): void {
    if (this.inflight) return;
    const groups = [...this.full, ...this.open.values()];
    this.full = [];
    this.open = new Map();
    if (groups.length === 0) return;
    this.inflight = this.write(groups).finally(() => {
      this.inflight = null;
      if (this.full.length > 0 || this.open.size > 0) this.start();
    });
  }

  /** Writes everything waiting and returns when it has committed (shutdown, tests). */
  async flush(): Promise<void> {
    while (this.inflight || this.full.length > 0 || this.open.size > 0) {
      if (!this.inflight) this.start();
      await this.inflight;
    }
  }

  private async write(groups: Group[]): Promise<void> {
    try {
      await this.options.append(groups.map((group) => issuanceEvent(group.kind, group.tokens)));
      for (const group of groups) group.waiters.forEach((w) => w.resolve());
    } catch (error) {
      for (const group of groups) group.waiters.forEach((w) => w.reject(error));
    }
  }
}

/** The `oauth.token.issued` entry of tokens of one kind (also for a grant that commits it itself, GrantResult `commit`). */
export function issuanceEvent(kind: IssuanceKind, tokens: ReadonlyArray<{ jti: string; exp: number }>): AuditEvent {
  return {
    type: 'oauth.token.issued',
    actor: { kind: 'agent', id: kind.agentId },
    subject: kind.agentId,
    agentId: kind.agentId,
    action: 'issue',
    outcome: 'success',
    details: {
      grant_type: kind.grantType,
      auth_method: kind.authMethod,
      scope: kind.scope,
      aud: kind.aud,
      ...(kind.dpop ? { dpop: true } : {}),
      ...(kind.extra ?? {}),
      count: tokens.length,
      tokens: [...tokens],
    },
  };
}
