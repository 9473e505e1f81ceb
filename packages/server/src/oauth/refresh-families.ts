import type { Actor, AuditEvent } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { randomSecret } from '../shared/ids.js';
import type { Tx } from '../storage/index.js';
import { InvalidGrant } from './errors.js';
import { credentialHash } from './pkce.js';
import type { Revocations } from './revocation.js';
import { oauthTables, type RefreshFamilyRow } from './tables.js';

/** The outcome of presenting a refresh token, inside the caller's transaction. */
export type Rotation = { kind: 'ok'; family: RefreshFamilyRow } | { kind: 'reused'; family: RefreshFamilyRow } | { kind: 'refused'; error: InvalidGrant };

/**
 * Refresh families (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2): every refresh token and access token
 * issued from one authorization code. Refresh tokens are stored as SHA-256 and rotated on every
 * use; presenting one already rotated is reuse (a stolen copy, or the thief's), which ends
 * the whole family: its refresh tokens stop working and its access tokens are revoked.
 */
export class RefreshFamilies {
  constructor(private readonly revocations: Revocations) {}

  async start(trx: Tx, family: Omit<RefreshFamilyRow, 'revoked_at' | 'revoked_reason'>): Promise<void> {
    await oauthTables(trx).insertInto('oauth_refresh_families').values({ ...family, revoked_at: null, revoked_reason: null }).execute();
  }

  /** A new refresh token in the family (the value shown once, its hash stored). */
  async issue(trx: Tx, family: Pick<RefreshFamilyRow, 'family_id' | 'expires_at'>): Promise<string> {
    const token = randomSecret();
    await oauthTables(trx).insertInto('oauth_refresh_tokens').values({ token_hash: credentialHash(token), family_id: family.family_id, expires_at: family.expires_at, used_at: null }).execute();
    return token;
  }

  /** Remembers an access token issued in the family, so ending the family revokes it. */
  async recordAccessToken(trx: Tx, familyId: string, token: { jti: string; exp: number; clientId: string }): Promise<void> {
    await oauthTables(trx).insertInto('oauth_family_tokens').values({ jti: token.jti, family_id: familyId, client_id: token.clientId, exp: token.exp }).execute();
  }

  /** Spends a refresh token of `clientId`: reused (already rotated) → `reused`; unknown, another client's, expired or ended → refused. */
  async rotate(trx: Tx, token: string, clientId: string, nowSeconds: number): Promise<Rotation> {
    const hash = credentialHash(token);
    const marked = await oauthTables(trx).updateTable('oauth_refresh_tokens').set({ used_at: nowSeconds }).where('token_hash', '=', hash).where('used_at', 'is', null).executeTakeFirst();
    const row = await oauthTables(trx).selectFrom('oauth_refresh_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    const refused = (why: string): Rotation => ({ kind: 'refused', error: new InvalidGrant(why) });
    if (!row) return refused('the refresh token is not valid');
    const family = await oauthTables(trx).selectFrom('oauth_refresh_families').selectAll().where('family_id', '=', row.family_id).executeTakeFirst();
    if (!family || family.client_id !== clientId) return refused('the refresh token is not valid');
    if (family.revoked_at !== null) return refused(`the refresh token's grant was revoked (${family.revoked_reason ?? 'revoked'})`);
    if (Number(marked.numUpdatedRows) === 0) return { kind: 'reused', family };
    if (Number(row.expires_at) <= nowSeconds) return refused('the refresh token has expired');
    return { kind: 'ok', family };
  }

  /**
   * Ends a family: no refresh token of it works again and every access token issued in it is
   * revoked (on the revocation feed, so resource servers learn it too). Idempotent.
   */
  async end(trx: Tx, familyId: string, actor: Actor, reason: string, nowMs: number): Promise<AuditEvent[]> {
    const family = await oauthTables(trx).selectFrom('oauth_refresh_families').selectAll().where('family_id', '=', familyId).executeTakeFirst();
    if (!family || family.revoked_at !== null) return [];
    await oauthTables(trx).updateTable('oauth_refresh_families').set({ revoked_at: isoTime(nowMs), revoked_reason: reason }).where('family_id', '=', familyId).execute();
    const tokens = await oauthTables(trx).selectFrom('oauth_family_tokens').selectAll().where('family_id', '=', familyId).execute();
    const revoked = await this.revocations.revokeTokensIn(
      trx,
      tokens.map((t) => ({ jti: t.jti, exp: Number(t.exp), agentId: null, clientId: t.client_id })),
      actor,
      reason,
    );
    const ended: AuditEvent = {
      type: 'oauth.refresh_family.revoked',
      actor,
      subject: familyId,
      action: 'revoke',
      outcome: 'success',
      details: { family_id: familyId, client_id: family.client_id, user: family.user_id, resource: family.resource, reason, access_tokens_revoked: revoked.jtis.length },
    };
    return [ended, ...revoked.events];
  }

  /** The live families of a person and client (ended when the person revokes their consent). */
  async liveFamilies(trx: Tx, userId: string, clientId: string): Promise<string[]> {
    const rows = await oauthTables(trx).selectFrom('oauth_refresh_families').select('family_id').where('user_id', '=', userId).where('client_id', '=', clientId).where('revoked_at', 'is', null).execute();
    return rows.map((r) => r.family_id);
  }

  /** Drops families, tokens and records past their expiry (upkeep). */
  async prune(trx: Tx, nowSeconds: number): Promise<void> {
    await oauthTables(trx).deleteFrom('oauth_family_tokens').where('exp', '<', nowSeconds).execute();
    await oauthTables(trx).deleteFrom('oauth_refresh_tokens').where('expires_at', '<', nowSeconds).execute();
    await oauthTables(trx).deleteFrom('oauth_refresh_families').where('expires_at', '<', nowSeconds).execute();
  }
}
