import type { Role } from './roles.js';

export interface Operator {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  status: 'active' | 'disabled';
  createdAt: string;
  disabledAt: string | null;
  /** What this operator may give the agents it owns (as an owner), set by admins; null: none set. */
  grantCeiling: GrantCeiling | null;
}

/** The most an owner may grant its agents: these scopes, these tools (an entry covers its `entry:…` operations), this classification. */
export interface GrantCeiling {
  scopes: string[];
  tools: string[];
  maxClassification: string;
}

export interface NewOperator {
  id?: string;
  email: string;
  name?: string;
  roles: Role[];
}

export interface IssuedToken {
  operator: Operator;
  tokenId: string;
  /** Shown once; only its hash is stored. */
  token: string;
}

/** Who presented a valid operator token: an active operator and the token's id. */
export interface TokenHolder {
  operatorId: string;
  email: string;
  roles: Role[];
  tokenId: string;
}
