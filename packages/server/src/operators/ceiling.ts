import type { Actor } from '../audit/index.js';
import { CLASSIFICATION_NAMES, isDataClassification } from '../registry/index.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import type { OperatorDeps } from './deps.js';
import type { GrantCeiling, Operator } from './types.js';

/** Most entries a ceiling may list, per kind: a ceiling is a short list an admin reads. */
export const MAX_CEILING_ENTRIES = 200;

function list(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.trim() === '' || v.length > 200)) {
    throw new ValidationError(`${field} must be a list of non-empty names (at most 200 characters each)`, { field });
  }
  if (value.length > MAX_CEILING_ENTRIES) throw new ValidationError(`${field} lists more than ${MAX_CEILING_ENTRIES} entries`, { field });
  return [...new Set(value as string[])];
}

/** A ceiling as given (scopes, tools, max classification), checked. */
export function checkCeiling(input: { scopes: unknown; tools: unknown; maxClassification: unknown }): GrantCeiling {
  if (!isDataClassification(input.maxClassification)) {
    throw new ValidationError(`max_classification must be one of ${CLASSIFICATION_NAMES.join(', ')}`, { field: 'max_classification', allowed: CLASSIFICATION_NAMES });
  }
  return { scopes: list(input.scopes, 'scopes'), tools: list(input.tools, 'tools'), maxClassification: input.maxClassification };
}

/**
 * Sets (or, with null, removes) what an operator may give the agents it owns as an owner,
 * in one transaction with its `operator.grant_ceiling_set` entry. The registry enforces it
 * (registry/ceiling.ts); admins are not limited by it.
 */
export async function setGrantCeiling(deps: OperatorDeps, id: string, ceiling: GrantCeiling | null, actor: Actor): Promise<Operator> {
  return deps.audit.withEntry(async (trx) => {
    const operator = await deps.operators.byId(id, trx);
    if (!operator) throw new NotFoundError('operator', id);
    await deps.operators.setCeiling(trx, id, ceiling);
    return {
      result: { ...operator, grantCeiling: ceiling },
      events: [
        {
          type: 'operator.grant_ceiling_set',
          actor,
          subject: id,
          action: 'set_grant_ceiling',
          outcome: 'success',
          details: {
            before: operator.grantCeiling ? ceilingView(operator.grantCeiling) : null,
            after: ceiling ? ceilingView(ceiling) : null,
          },
        },
      ],
    };
  });
}

/** The wire form (snake_case), shared by the API, the audit entry and the CLI. */
export function ceilingView(ceiling: GrantCeiling) {
  return { scopes: ceiling.scopes, tools: ceiling.tools, max_classification: ceiling.maxClassification };
}
