import type { AuditEvent } from '../audit/types.js';

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
  /** Appends one event and settles when it has committed (AuditLog.enqueue). */
  write(event: AuditEvent): Promise<unknown>;
  /** How long the first token of a group waits for company. */
  maxDelayMs: number;
  /** Largest group; a full group is written at once. */
  maxTokens: number;
}

/**
 * Records token issuance in the audit log, one entry per agent and kind of token for the
 * tokens issued within a millisecond or so: `oauth.token.issued` with `count` and
 * `tokens: [{jti, exp}]`. An agent asking for one token every few minutes gets one entry
 * per token as before; a burst from one client costs one entry instead of hundreds, which
 * keeps auditing every issuance affordable on the token endpoint's hot path. Each caller's
 * promise settles only when its entry has committed, so no token leaves unaudited.
 */
export class IssuanceAudit {
  private readonly groups = new Map<string, Group>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: IssuanceAuditOptions) {}

  record(kind: IssuanceKind, token: { jti: string; exp: number }): Promise<void> {
    const key = `${kind.agentId}\u0000${kind.grantType}\u0000${kind.authMethod}\u0000${kind.scope}\u0000${JSON.stringify(kind.aud)}\u0000${kind.dpop}\u0000${kind.extra ? JSON.stringify(kind.extra) : ''}`;
    return new Promise<void>((resolve, reject) => {
      let group = this.groups.get(key);
      if (!group) {
        group = { kind, tokens: [], waiters: [] };
        this.groups.set(key, group);
      }
      group.tokens.push(token);
      group.waiters.push({ resolve, reject });
      if (group.tokens.length >= this.options.maxTokens) {
        this.groups.delete(key);
        this.write(group);
      } else {
        this.timer ??= setTimeout(() => this.flush(), this.options.maxDelayMs);
      }
    });
  }

  /** Writes every waiting group now (shutdown, tests). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const groups = [...this.groups.values()];
    this.groups.clear();
    return Promise.all(groups.map((group) => this.write(group))).then(() => undefined);
  }

  private write(group: Group): Promise<void> {
    const { kind, tokens, waiters } = group;
    const event: AuditEvent = {
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
        tokens,
      },
    };
    return this.options.write(event).then(
      () => waiters.forEach((w) => w.resolve()),
      (error: unknown) => waiters.forEach((w) => w.reject(error)),
    );
  }
}
