import { epochSeconds, isoTime } from '../shared/clock.js';
import type { Executor } from '../storage/index.js';
import { linksAroundAgent } from './store.js';

/** The most chains one answer covers (newest first). */
export const AGENT_CHAINS_MAX = 50;
/** The most links one answer holds (a chain is at most `delegation.maxDepth` + 1 deep, but wide fan-outs exist). */
export const AGENT_LINKS_MAX = 1_000;

/** One delegated token of a chain: who it was issued to, under which parent, with what. */
export interface DelegationLink {
  jti: string;
  chainId: string;
  /** The parent token's jti; null at the root (the subject token was a user's or an ID-JAG). */
  parentJti: string | null;
  /** The user at the root of the chain, and who vouched for them. */
  root: { sub: string; iss: string };
  agentId: string;
  depth: number;
  scopes: string[];
  audience: string;
  grantType: string;
  createdAt: string;
  expiresAt: string;
}

/**
 * The live chains an agent takes part in, every link of each (above and below the agent), so
 * the console can draw them as trees: parent_jti points up, roots have none. Links expire
 * with their tokens (the prune job drops them), so this is what is in force now.
 */
export async function linksAround(db: Executor, agentId: string, nowMs: number, chains = AGENT_CHAINS_MAX, limit = AGENT_LINKS_MAX): Promise<DelegationLink[]> {
  const rows = await linksAroundAgent(db, agentId, epochSeconds(nowMs), Math.min(chains, AGENT_CHAINS_MAX), Math.min(limit, AGENT_LINKS_MAX));
  return rows.map((r) => ({
    jti: r.jti,
    chainId: r.chain_id,
    parentJti: r.parent_jti,
    root: { sub: r.root_subject, iss: r.root_issuer },
    agentId: r.agent_id,
    depth: Number(r.depth),
    scopes: r.scopes.split(' ').filter((s) => s !== ''),
    audience: r.audience,
    grantType: r.grant_type,
    createdAt: r.created_at,
    expiresAt: isoTime(Number(r.exp) * 1000),
  }));
}
