import type { AuditEntry, AuditFilter } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import type { Revocations } from './revocation.js';

/** The most live tokens one answer lists (newest first). */
export const LIVE_TOKENS_MAX = 500;

/** Reads the `oauth.token.issued` entries through the audit face (AuditReader.entries). */
export interface IssuedTokenLog {
  entries(filter: AuditFilter): AsyncGenerator<AuditEntry>;
}

/** An access token issued to an agent that has neither expired nor been revoked. */
export interface LiveToken {
  jti: string;
  issuedAt: string;
  expiresAt: string;
  grantType: string;
  scopes: string[];
  audience: string | string[];
  dpop: boolean;
  /** A delegated token's chain and depth, else null. */
  chainId: string | null;
  depth: number | null;
  taskId: string | null;
  /** The audit entry that recorded its issuance. */
  auditSeq: number;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * An agent's live access tokens. Access tokens are JWTs that Mandate does not store; every
 * issuance is audited with each token's jti and exp (issuance-audit.ts), so the tokens still
 * in force are those entries' tokens from the last `lifetimeSeconds` (the longest lifetime a
 * token may have, plus skew) that have not expired and that the revocation check (by jti, by a
 * parent's jti for a delegated token, or by the agent's "not before" mark) does not refuse.
 */
export async function liveTokensOf(
  log: IssuedTokenLog,
  revocations: Pick<Revocations, 'check'>,
  agentId: string,
  options: { nowMs: number; lifetimeSeconds: number; limit?: number },
): Promise<{ tokens: LiveToken[]; complete: boolean }> {
  const limit = Math.min(options.limit ?? LIVE_TOKENS_MAX, LIVE_TOKENS_MAX);
  const tokens: LiveToken[] = [];
  const from = isoTime(options.nowMs - options.lifetimeSeconds * 1000);
  for await (const entry of log.entries({ type: 'oauth.token.issued', agent: agentId, from, order: 'desc' })) {
    if (entry.agentId !== agentId) continue;
    const d = entry.details;
    const delegation = record(d.delegation);
    const issuedMs = Date.parse(entry.time);
    const listed = Array.isArray(d.tokens) ? d.tokens.map(record) : [];
    for (const t of listed) {
      if (typeof t.jti !== 'string' || typeof t.exp !== 'number' || t.exp * 1000 <= options.nowMs) continue;
      const refused = await revocations.check({ jti: t.jti, iat: Math.floor(issuedMs / 1000), sub: agentId, client_id: agentId, delegation: { parents: delegation.parents } });
      if (refused !== null) continue;
      if (tokens.length === limit) return { tokens, complete: false };
      tokens.push({
        jti: t.jti,
        issuedAt: entry.time,
        expiresAt: isoTime(t.exp * 1000),
        grantType: typeof d.grant_type === 'string' ? d.grant_type : 'unknown',
        scopes: (typeof d.scope === 'string' ? d.scope : '').split(' ').filter((s) => s !== ''),
        audience: typeof d.aud === 'string' || Array.isArray(d.aud) ? (d.aud as string | string[]) : [],
        dpop: d.dpop === true,
        chainId: typeof delegation.chain_id === 'string' ? delegation.chain_id : null,
        depth: typeof delegation.depth === 'number' ? delegation.depth : null,
        taskId: typeof d.task_id === 'string' ? d.task_id : null,
        auditSeq: entry.seq,
      });
    }
  }
  return { tokens, complete: true };
}
