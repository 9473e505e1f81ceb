import { ForbiddenError } from '../shared/errors.js';
import { classificationRank, isDataClassification } from './classification.js';
import type { AccessScope, Agent, GrantLimit } from './types.js';

/** What a registration or a patch would grant: only the fields the ceiling limits. */
type Grant = Partial<Pick<Agent, 'scopes' | 'tools' | 'dataClassification'>>;

/** The rule's name in refusals, so a 403 says which limit it hit. */
export const GRANT_CEILING_RULE = 'grant_ceiling';

/** What an owner without a ceiling may grant: nothing. */
const NO_CEILING: GrantLimit = { scopes: [], tools: [], maxClassification: 'public' };

const covers = (entry: string, tool: string) => tool === entry || tool.startsWith(`${entry}:`);

/**
 * Refuses (403, naming what exceeds) an owner-scoped caller granting beyond the ceiling an admin
 * set for it: scopes not listed, tools not covered, a classification above the maximum. No
 * ceiling set: the empty one — no scopes, no tools, public data (deny by default). Callers
 * that are not owner-scoped (admins) are not limited. Only fields present are checked, so a
 * patch of the purpose never trips over what an admin granted earlier.
 */
export function assertWithinCeiling(grant: Grant, access: AccessScope): void {
  const excess = ceilingExcess(grant, access);
  if (excess) throw new ForbiddenError(`${excess.message}; an admin may grant it`, { rule: GRANT_CEILING_RULE, exceeds: excess.exceeds });
}

/** What a grant beyond the ceiling exceeds (wire names) and a sentence saying so. */
export interface CeilingExcess {
  exceeds: Record<string, unknown>;
  message: string;
}

/** What `grant` exceeds of `access`'s ceiling, or null when within it (or the caller is not owner-scoped). */
export function ceilingExcess(grant: Grant, access: AccessScope): CeilingExcess | null {
  if (access.owner === undefined) return null;
  if (grant.scopes === undefined && grant.tools === undefined && grant.dataClassification === undefined) return null;
  // No ceiling set: the empty one (deny by default) — an agent with no scopes, no tools, public data.
  const ceiling = access.ceiling ?? NO_CEILING;
  const exceeds: Record<string, unknown> = {};
  const scopes = (grant.scopes ?? []).filter((s) => !ceiling.scopes.includes(s));
  if (scopes.length > 0) exceeds.scopes = scopes;
  const tools = (grant.tools ?? []).filter((t) => !ceiling.tools.some((entry) => covers(entry, t)));
  if (tools.length > 0) exceeds.tools = tools;
  const wanted = grant.dataClassification;
  const max = ceiling.maxClassification;
  // Fails closed: a name either side does not know counts as beyond.
  if (wanted !== undefined && !(isDataClassification(wanted) && isDataClassification(max) && classificationRank(wanted) <= classificationRank(max))) {
    exceeds.data_classification = wanted;
  }
  if (Object.keys(exceeds).length === 0) return null;
  const parts = [
    ...(exceeds.scopes ? [`scopes ${(exceeds.scopes as string[]).join(', ')} (allowed: ${ceiling.scopes.join(', ') || 'none'})`] : []),
    ...(exceeds.tools ? [`tools ${(exceeds.tools as string[]).join(', ')} (allowed: ${ceiling.tools.join(', ') || 'none'})`] : []),
    ...(exceeds.data_classification ? [`data_classification ${wanted} (max: ${ceiling.maxClassification})`] : []),
  ];
  const unset = access.ceiling ? '' : ' (no grant ceiling is set for this owner: it may grant nothing until an admin sets one with PUT /v1/operators/{id}/grant-ceiling, mandate operator ceiling)';
  return { exceeds, message: `beyond this owner's grant ceiling (${GRANT_CEILING_RULE})${unset}: ${parts.join('; ')}` };
}
