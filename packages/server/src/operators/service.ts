import type { AuditLog } from '../audit/index.js';
import type { Actor } from '../audit/index.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../storage/index.js';
import type { CredentialResolver, OperatorPrincipal } from '../identity/index.js';
import { setGrantCeiling } from './ceiling.js';
import { bootstrapAdmin, createOperator, disableOperator, getOperator } from './accounts.js';
import type { OperatorDeps } from './deps.js';
import { OperatorStore } from './store.js';
import { issueToken, OPERATOR_TOKEN_PREFIX as TOKEN_PREFIX, revokeToken, verifyOperatorToken } from './tokens.js';
import type { GrantCeiling, IssuedToken, NewOperator, Operator, TokenHolder } from './types.js';

export { BOOTSTRAP_OPERATOR_ID } from './accounts.js';
export type { GrantCeiling, IssuedToken, NewOperator, Operator, TokenHolder } from './types.js';

/**
 * Operators (the humans who run Mandate) and their bearer tokens. Each method is a use case
 * of accounts.ts (create, bootstrap, read, disable) or tokens.ts (issue, revoke, verify);
 * every change commits in one transaction with its audit entry.
 */
export class OperatorService {
  private readonly deps: OperatorDeps;

  constructor(db: Db, audit: AuditLog, clock: Clock) {
    this.deps = { operators: new OperatorStore(db), audit, clock };
  }

  /** The first admin and its token when no operator exists yet (accounts.ts bootstrapAdmin), else null. */
  bootstrap(persist?: (token: string) => void | Promise<void>): Promise<IssuedToken | null> {
    return bootstrapAdmin(this.deps, persist);
  }

  /** `beforeCommit` runs in the creating transaction once the rows are written; its failure undoes them. */
  create(input: NewOperator, actor: Actor, beforeCommit?: (token: string) => void | Promise<void>): Promise<IssuedToken> {
    return createOperator(this.deps, input, actor, beforeCommit);
  }

  list(): Promise<Operator[]> {
    return this.deps.operators.all();
  }

  get(id: string): Promise<Operator> {
    return getOperator(this.deps, id);
  }

  /** Sets (null: removes) what an operator may give the agents it owns (ceiling.ts); admins only, checked by the route. */
  setGrantCeiling(id: string, ceiling: GrantCeiling | null, actor: Actor): Promise<Operator> {
    return setGrantCeiling(this.deps, id, ceiling, actor);
  }

  /** Disables an operator and revokes all its tokens, in one transaction. */
  disable(id: string, actor: Actor): Promise<Operator> {
    return disableOperator(this.deps, id, actor);
  }

  /** Issues an additional token for an operator (e.g. a replacement before revoking the old one). */
  issueToken(id: string, description: string | undefined, actor: Actor): Promise<IssuedToken> {
    return issueToken(this.deps, id, description, actor);
  }

  revokeToken(tokenId: string, actor: Actor): Promise<void> {
    return revokeToken(this.deps, tokenId, actor);
  }

  /** Who holds this operator token: null when it is malformed, unknown, revoked, or its operator disabled. */
  verifyToken(token: string): Promise<TokenHolder | null> {
    return verifyOperatorToken(this.deps, token);
  }

  /** Bearer-token authentication for operators. */
  async authenticate(token: string): Promise<OperatorPrincipal | null> {
    const holder = await this.verifyToken(token);
    return holder ? { kind: 'operator', ...holder } : null;
  }

  credentialResolver(): CredentialResolver {
    return { recognises: (credential) => credential.startsWith(TOKEN_PREFIX), resolve: (credential) => this.authenticate(credential) };
  }
}
