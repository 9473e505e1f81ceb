import { isoTime, type Clock } from '../shared/clock.js';
import type { Db } from '../storage/index.js';
import { isUniqueViolation } from '../storage/index.js';
import { oauthTables } from './tables.js';

/**
 * Single-use identifiers (client assertion and DPoP proof `jti`s) kept in the database until
 * they could no longer be replayed, so a replay is refused on every replica. The primary
 * key decides: the first insert wins, a second one violates uniqueness.
 */
export class SeenJtis {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** True the first time `key` is used; false when it was seen before (a replay). */
  async use(key: string, expiresAtMs: number): Promise<boolean> {
    try {
      await oauthTables(this.db).insertInto('oauth_seen_jtis').values({ key, expires_at: isoTime(expiresAtMs) }).execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Deletes entries whose replay window has passed. */
  async prune(): Promise<number> {
    const result = await oauthTables(this.db).deleteFrom('oauth_seen_jtis').where('expires_at', '<', isoTime(this.clock.now())).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
