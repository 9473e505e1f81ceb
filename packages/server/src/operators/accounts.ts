import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { OperatorDeps } from './deps.js';
import { ROLES } from './roles.js';
import { newOperatorToken, storeToken } from './tokens.js';
import type { IssuedToken, NewOperator, Operator } from './types.js';

export const BOOTSTRAP_OPERATOR_ID = 'admin';

function idFromEmail(email: string): string {
  return `op-${email.split('@')[0]!.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'operator'}`;
}

/**
 * The id for an operator created without one: `op-<local part>`, or with `-2`, `-3`, … when
 * another operator (another domain, say) already has it. Only an email that exists is a 409.
 */
async function freeId(deps: OperatorDeps, email: string): Promise<string> {
  const base = idFromEmail(email);
  const taken = await deps.operators.idsLike(base);
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base}-${n}`)) n += 1;
  return `${base}-${n}`;
}

/**
 * Creates an operator with its first token (shown once). `beforeCommit` runs in the creating
 * transaction once the rows are written; its failure undoes them.
 */
export async function createOperator(deps: OperatorDeps, input: NewOperator, actor: Actor, beforeCommit?: (token: string) => void | Promise<void>): Promise<IssuedToken> {
  if (input.roles.length === 0) throw new ValidationError('an operator needs at least one role', { allowed: ROLES });
  const unknown = input.roles.filter((r) => !ROLES.includes(r));
  if (unknown.length > 0) throw new ValidationError(`unknown role ${unknown.join(', ')}; allowed: ${ROLES.join(', ')}`);
  const now = isoTime(deps.clock.now());
  const created: Operator = {
    id: input.id ?? (await freeId(deps, input.email)),
    email: input.email.toLowerCase(),
    name: input.name ?? input.email,
    roles: [...new Set(input.roles)],
    status: 'active',
    createdAt: now,
    disabledAt: null,
    grantCeiling: null,
  };
  const issued = newOperatorToken();
  const operator = await deps.audit.withEntry(async (trx) => {
    await deps.operators.insert(trx, created);
    await storeToken(deps, trx, created.id, issued, 'initial', now);
    await beforeCommit?.(issued.token);
    return {
      result: created,
      events: [
        { type: 'operator.created', actor, subject: created.id, action: 'create', outcome: 'success', details: { email: created.email, roles: created.roles, token_id: issued.tokenId } },
      ],
    };
  });
  return { operator, tokenId: issued.tokenId, token: issued.token };
}

/**
 * Creates the first admin and its token when no operator exists yet. Returns the token
 * (to show once) or null when already bootstrapped. `persist` (writing the admin-token
 * file) runs inside the creating transaction: if it fails, the admin is not created, so the
 * next start bootstraps again instead of leaving an admin whose token nobody has.
 */
export async function bootstrapAdmin(deps: OperatorDeps, persist?: (token: string) => void | Promise<void>): Promise<IssuedToken | null> {
  if (!(await deps.operators.isEmpty())) return null;
  try {
    return await createOperator(
      deps,
      { id: BOOTSTRAP_OPERATOR_ID, email: 'admin@localhost', name: 'Bootstrap admin', roles: ['admin'] },
      { kind: 'system', id: 'bootstrap' },
      persist,
    );
  } catch (error) {
    if (error instanceof ConflictError) return null; // another replica bootstrapped first
    throw error;
  }
}

export async function getOperator(deps: OperatorDeps, id: string): Promise<Operator> {
  const operator = await deps.operators.byId(id);
  if (!operator) throw new NotFoundError('operator', id);
  return operator;
}

/** Disables an operator and revokes all its tokens, in one transaction; an operator cannot disable itself. */
export async function disableOperator(deps: OperatorDeps, id: string, actor: Actor): Promise<Operator> {
  return deps.audit.withEntry(async (trx) => {
    const operator = await deps.operators.byId(id, trx);
    if (!operator) throw new NotFoundError('operator', id);
    const alreadyDisabled = () => new ConflictError(`operator '${id}' is already disabled`);
    if (operator.status === 'disabled') throw alreadyDisabled();
    if (actor.kind === 'operator' && actor.id === id) throw new ConflictError('an operator cannot disable itself');
    const now = isoTime(deps.clock.now());
    // Conditional on the status read above: of concurrent disables, exactly one changes the row and writes the entry.
    if (!(await deps.operators.disable(trx, id, now))) throw alreadyDisabled();
    return {
      result: { ...operator, status: 'disabled' as const, disabledAt: now },
      events: [{ type: 'operator.disabled', actor, subject: id, action: 'disable', outcome: 'success' }],
    };
  });
}
