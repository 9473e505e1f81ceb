import { tablesOf, type Executor } from '../storage/index.js';

/** A trusted identity provider: whose users' tokens and identity assertions Mandate accepts. */
export interface IdpRow {
  id: string;
  issuer: string;
  jwks_uri: string;
  /** JSON array: the `aud` values accepted on users' tokens from this issuer. */
  audiences: string;
  /** The claim that names the user (`sub`, `email`, …). */
  user_claim: string;
  name: string;
  created_at: string;
}

/** One issued delegated token: its place in its chain (the chain's record; never the token). */
export interface LinkRow {
  jti: string;
  /** The chain's id, minted at its root exchange and inherited by every token below. */
  chain_id: string;
  /** The subject token's jti when it was a Mandate token, else null (a user's token, an ID-JAG). */
  parent_jti: string | null;
  root_subject: string;
  root_issuer: string;
  agent_id: string;
  depth: number;
  /** Space-separated. */
  scopes: string;
  audience: string;
  /** Epoch seconds. */
  exp: number;
  grant_type: string;
  created_at: string;
}

/** ID-JAG `jti`s already redeemed (`<issuer> <jti>`), kept until the assertion expires. */
export interface UsedAssertionRow {
  key: string;
  exp: number;
}

export interface DelegationTables {
  delegation_idps: IdpRow;
  delegation_links: LinkRow;
  delegation_used_assertions: UsedAssertionRow;
}

/** This context's typed view of the database or of an open transaction: only its own tables. */
export const delegationTables = (executor: Executor) => tablesOf<DelegationTables>(executor);
