import { randomBytes } from 'node:crypto';
import type { Actor } from '../audit/index.js';
import { hashSecret, verifySecret } from '../crypto/index.js';
import { isoTime } from '../shared/clock.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import type { Tx } from '../storage/index.js';
import type { OperatorDeps } from './deps.js';
import type { IssuedToken, TokenHolder } from './types.js';

/** Operator tokens read `mop_<token id>.<secret>`: the id finds the row, the secret is compared in constant time. */
export const OPERATOR_TOKEN_PREFIX = 'mop_';

interface NewToken {
  tokenId: string;
  secret: string;
  token: string;
}

export function newOperatorToken(): NewToken {
  const tokenId = `${OPERATOR_TOKEN_PREFIX}${randomBytes(9).toString('base64url')}`;
  const secret = randomBytes(32).toString('base64url');
  return { tokenId, secret, token: `${tokenId}.${secret}` };
}

function parseToken(token: string): { tokenId: string; secret: string } | null {
  if (!token.startsWith(OPERATOR_TOKEN_PREFIX)) return null;
  const dot = token.indexOf('.');
  if (dot < 0) return null;
  return { tokenId: token.slice(0, dot), secret: token.slice(dot + 1) };
}

/** Stores a new token of `operatorId` (its hash only) in the caller's transaction. */
export async function storeToken(deps: OperatorDeps, trx: Tx, operatorId: string, token: NewToken, description: string | null, at: string): Promise<void> {
  await deps.operators.insertToken(trx, { id: token.tokenId, operator_id: operatorId, secret_hash: hashSecret(token.secret), description, created_at: at });
}

/** Issues an additional token for an active operator (e.g. a replacement before revoking the old one). */
export async function issueToken(deps: OperatorDeps, id: string, description: string | undefined, actor: Actor): Promise<IssuedToken> {
  const issued = newOperatorToken();
  const operator = await deps.audit.withEntry(async (trx) => {
    const found = await deps.operators.byId(id, trx);
    if (!found) throw new NotFoundError('operator', id);
    if (found.status !== 'active') throw new ConflictError(`operator '${id}' is disabled`);
    await storeToken(deps, trx, id, issued, description ?? null, isoTime(deps.clock.now()));
    return {
      result: found,
      events: [{ type: 'operator.token_issued', actor, subject: id, action: 'issue-token', outcome: 'success', details: { token_id: issued.tokenId } }],
    };
  });
  return { operator, tokenId: issued.tokenId, token: issued.token };
}

/** Revokes one token; 404 when unknown, 409 when already revoked (exactly one of concurrent revocations wins). */
export async function revokeToken(deps: OperatorDeps, tokenId: string, actor: Actor): Promise<void> {
  await deps.audit.withEntry(async (trx) => {
    const token = await deps.operators.tokenById(trx, tokenId);
    if (!token) throw new NotFoundError('operator token', tokenId);
    const alreadyRevoked = () => new ConflictError(`token '${tokenId}' is already revoked`);
    if (token.revoked_at) throw alreadyRevoked();
    if (!(await deps.operators.revokeToken(trx, tokenId, isoTime(deps.clock.now())))) throw alreadyRevoked();
    return {
      result: undefined,
      events: [{ type: 'operator.token_revoked', actor, subject: token.operator_id, action: 'revoke-token', outcome: 'success', details: { token_id: tokenId } }],
    };
  });
}

/** Bearer-token authentication: who holds this token, or null when it is malformed, unknown, revoked, or its operator disabled. */
export async function verifyOperatorToken(deps: OperatorDeps, token: string): Promise<TokenHolder | null> {
  const parsed = parseToken(token);
  if (!parsed) return null;
  const stored = await deps.operators.storedToken(parsed.tokenId);
  if (!stored || stored.revokedAt || stored.operatorStatus !== 'active') return null;
  if (!verifySecret(parsed.secret, stored.secretHash)) return null;
  return { operatorId: stored.operatorId, email: stored.email, roles: stored.roles, tokenId: stored.tokenId };
}
