import { hashSecret, verifySecret } from '../crypto/index.js';
import { randomSecret } from '../shared/ids.js';

/**
 * Client secrets for `client_secret_basic` / `client_secret_post`. 256 random bits with a
 * recognisable prefix (so secret scanners can find leaked ones), shown once and stored only
 * as a hash. After a rotation the previous hash stays valid until its expiry.
 */
export const CLIENT_SECRET_PREFIX = 'mcs_';
const SECRET_BYTES = 32;

/** A hash that no secret matches, compared against when a row or slot is missing so timing stays alike. */
const UNMATCHABLE_HASH = `sha256:${'0'.repeat(64)}`;

export interface IssuedSecret {
  secret: string;
  hash: string;
}

export function newClientSecret(): IssuedSecret {
  const secret = `${CLIENT_SECRET_PREFIX}${randomSecret(SECRET_BYTES)}`;
  return { secret, hash: hashSecret(secret) };
}

export interface StoredSecrets {
  currentHash: string | null;
  previousHash: string | null;
  /** ISO-8601; the previous secret is accepted strictly before this instant. */
  previousExpiresAt: string | null;
}

/**
 * True when `presented` matches the current secret or the unexpired previous one. Both
 * comparisons always run and are combined without short-circuiting, so the time taken does
 * not tell which slot matched or whether a slot exists.
 */
export function matchesClientSecret(presented: string, stored: StoredSecrets | null, nowIso: string): boolean {
  const current = verifySecret(presented, stored?.currentHash ?? UNMATCHABLE_HASH);
  const previous = verifySecret(presented, stored?.previousHash ?? UNMATCHABLE_HASH);
  const previousLive = stored?.previousExpiresAt != null && nowIso < stored.previousExpiresAt;
  const found = stored !== null;
  // Bitwise operators on 0/1: every operand is evaluated.
  return ((Number(found) & (Number(current) | (Number(previous) & Number(previousLive)))) === 1);
}
