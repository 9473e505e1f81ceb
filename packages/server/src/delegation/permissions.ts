/**
 * Permissions as (resource type, action) pairs: the measure behind the delegation rules
 * (docs/delegation.md "The narrowing measure"). Pure.
 *
 * Scopes follow the decision point's convention (docs/policies.md "Scope convention"):
 * `<type>:<action>` is one pair, `<type>:*` every action on that type, a bare `<action>` (one of
 * ACTIONS) that action on every type; any other scope (`openid`, `calendar.read`) is opaque and
 * stands for itself only. Wildcards are expanded over a finite universe built from the scopes
 * being compared: every type and action they name, the seed's four action types, plus one
 * `(other)` member standing for everything no scope in play names. Two scope sets expanded
 * over the same universe compare exactly as the decision point would cover actions with them.
 */

/** The seed's action types (read, write, delete, admin): always part of the action universe. */
export const ACTIONS = ['read', 'write', 'delete', 'admin'] as const;

/** Stands for every type (or action) that no scope in play names. */
export const OTHER = '(other)';

export interface Universe {
  types: string[];
  actions: string[];
}

type Parsed = { kind: 'pair'; type: string; action: string } | { kind: 'action'; action: string } | { kind: 'opaque'; scope: string };

const ACTION_SET: ReadonlySet<string> = new Set(ACTIONS);

function parse(scope: string): Parsed {
  const colon = scope.indexOf(':');
  if (colon > 0 && colon < scope.length - 1 && scope.indexOf(':', colon + 1) === -1) {
    return { kind: 'pair', type: scope.slice(0, colon), action: scope.slice(colon + 1) };
  }
  if (ACTION_SET.has(scope)) return { kind: 'action', action: scope };
  return { kind: 'opaque', scope };
}

/** The universe the given scope sets are compared in. */
export function universeOf(...scopeSets: ReadonlyArray<readonly string[]>): Universe {
  const types = new Set<string>();
  const actions = new Set<string>(ACTIONS);
  for (const scopes of scopeSets) {
    for (const scope of scopes) {
      const parsed = parse(scope);
      if (parsed.kind === 'pair') {
        types.add(parsed.type);
        if (parsed.action !== '*') actions.add(parsed.action);
      } else if (parsed.kind === 'action') actions.add(parsed.action);
    }
  }
  return { types: [...types, OTHER], actions: [...actions, OTHER] };
}

/** The pairs a scope set covers in `universe`, as `type\u0000action` keys (opaque scopes as `\u0001scope`). */
export function expand(scopes: readonly string[], universe: Universe): Set<string> {
  const pairs = new Set<string>();
  for (const scope of scopes) {
    const parsed = parse(scope);
    if (parsed.kind === 'opaque') pairs.add(`\u0001${parsed.scope}`);
    else if (parsed.kind === 'action') for (const type of universe.types) pairs.add(`${type}\u0000${parsed.action}`);
    else if (parsed.action === '*') for (const action of universe.actions) pairs.add(`${parsed.type}\u0000${action}`);
    else pairs.add(`${parsed.type}\u0000${parsed.action}`);
  }
  return pairs;
}

/** The scopes of `child` that `parent` does not cover (empty: child ⊆ parent). */
export function uncovered(child: readonly string[], parent: readonly string[]): string[] {
  const universe = universeOf(child, parent);
  const held = expand(parent, universe);
  return child.filter((scope) => [...expand([scope], universe)].some((pair) => !held.has(pair)));
}

/** How many pairs `child` and `parent` cover, measured in one universe. */
export function pairCounts(child: readonly string[], parent: readonly string[]): { child: number; parent: number } {
  const universe = universeOf(child, parent);
  return { child: expand(child, universe).size, parent: expand(parent, universe).size };
}

/** The share of the parent's pairs the child gives up (0..1); 1 when the parent has none. */
export function reduction(child: readonly string[], parent: readonly string[]): number {
  const counts = pairCounts(child, parent);
  return counts.parent === 0 ? 1 : 1 - counts.child / counts.parent;
}
