import { InvalidScope } from './errors.js';

/**
 * Which scopes a token gets (pure). The agent's registered scopes are the upper bound; when
 * the token is for a registered resource server, only the scopes that audience accepts are
 * kept (a token never carries a scope its audience would not understand).
 *
 * @param requested the `scope` parameter, or undefined for "everything I may have"
 * @param resourceScopes the audience's accepted scopes, or null for Mandate's own API (accepts all)
 */
export function grantScopes(requested: readonly string[] | undefined, agentScopes: readonly string[], resourceScopes: readonly string[] | null): string[] {
  if (requested) {
    const allowed = new Set(agentScopes);
    const extra = requested.filter((s) => !allowed.has(s));
    if (extra.length > 0) throw new InvalidScope(`scope not registered for this agent: ${extra.join(' ')}`);
  }
  const wanted = requested ?? agentScopes;
  if (resourceScopes === null) return [...wanted];
  const accepted = new Set(resourceScopes);
  const granted = wanted.filter((s) => accepted.has(s));
  if (granted.length === 0) {
    throw new InvalidScope(`the resource accepts none of the scopes ${requested ? 'requested' : 'of this agent'} (it accepts: ${resourceScopes.join(' ') || 'none'})`);
  }
  return granted;
}
