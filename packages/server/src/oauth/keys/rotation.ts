/**
 * The signing-key rotation decision as a pure function of the keys' times and `now`
 * (STYLE.md §8, as SPIRE's ca/manager/slot.go). A key's life is derived, not stored:
 *
 *   published ──(activates_at)──▶ signing ──(successor activates)──▶ retired ──(+ retain)──▶ removed
 *
 * - A new key is published `publishDelayMs` before it signs, so JWKS caches learn it first.
 * - The signing key is the one with the latest `activates_at` that has passed.
 * - A retired key stays published until every token it signed has expired: its successor's
 *   `activates_at` + `retainMs` (the longest token lifetime plus clock skew).
 */
export interface KeyTimes {
  kid: string;
  /** Epoch milliseconds. */
  activatesAt: number;
}

export interface RotationPolicy {
  /** Scheduled rotation period. */
  rotationMs: number;
  /** How long a new key is published before it signs. */
  publishDelayMs: number;
  /** How long a retired key stays published: longest access token lifetime + clock skew. */
  retainMs: number;
}

export interface RotationRequest {
  /** Rotate now rather than on schedule (admin `POST /v1/keys/rotate`). */
  rotateNow?: boolean;
  /** Skip the publish delay (key compromise): the new key signs at once. */
  immediate?: boolean;
}

export type KeyState = 'pending' | 'active' | 'retired';

export interface KeyStatus {
  kid: string;
  state: KeyState;
  activatesAt: number;
  /** When a successor took over (retired keys and a key whose successor is pending). */
  retiresAt: number | null;
  /** When it leaves the JWKS (retired keys). */
  removeAt: number | null;
}

export interface KeyPlan {
  /** The key that signs at `now`, or null when none has activated yet. */
  signing: string | null;
  /** Keys to publish in the JWKS, each with its state. */
  published: KeyStatus[];
  /** Keys whose tokens have all expired: delete them. */
  removable: string[];
  /** Create a key that activates at this time, or null for none. */
  create: { activatesAt: number } | null;
  /** Move a pending key's activation to `now` (immediate rotation while one is pending). */
  activateNow: string | null;
}

export function planKeys(keys: readonly KeyTimes[], now: number, policy: RotationPolicy, request: RotationRequest = {}): KeyPlan {
  const ordered = [...keys].sort((a, b) => a.activatesAt - b.activatesAt || a.kid.localeCompare(b.kid));
  const published: KeyStatus[] = [];
  const removable: string[] = [];
  let signing: KeyTimes | null = null;
  let pending: KeyTimes | null = null;
  ordered.forEach((key, index) => {
    const successor = ordered[index + 1];
    const retiresAt = successor ? successor.activatesAt : null;
    if (key.activatesAt > now) {
      pending ??= key;
      published.push({ kid: key.kid, state: 'pending', activatesAt: key.activatesAt, retiresAt, removeAt: null });
    } else if (retiresAt === null || retiresAt > now) {
      signing = key;
      published.push({ kid: key.kid, state: 'active', activatesAt: key.activatesAt, retiresAt, removeAt: null });
    } else if (now >= retiresAt + policy.retainMs) {
      removable.push(key.kid);
    } else {
      published.push({ kid: key.kid, state: 'retired', activatesAt: key.activatesAt, retiresAt, removeAt: retiresAt + policy.retainMs });
    }
  });
  const active = signing as KeyTimes | null;
  const waiting = pending as KeyTimes | null;

  let create: KeyPlan['create'] = null;
  let activateNow: string | null = null;
  if (!active && !waiting) {
    // First start: no token has been signed, so no cache can be stale; sign at once.
    create = { activatesAt: now };
  } else if (waiting) {
    if (request.immediate) activateNow = waiting.kid;
  } else if (active) {
    const due = now >= active.activatesAt + policy.rotationMs - policy.publishDelayMs;
    if (request.rotateNow || due) create = { activatesAt: request.immediate ? now : now + policy.publishDelayMs };
  }
  return { signing: active?.kid ?? null, published, removable, create, activateNow };
}
