import type { Actor, AuditLog } from '../audit/index.js';
import { isoTime, type Clock } from '../shared/clock.js';
import { ForbiddenError, NotFoundError } from '../shared/errors.js';
import { randomId } from '../shared/ids.js';
import type { Db } from '../storage/index.js';
import { oauthTables, type ConsentRow } from './tables.js';

/** A person's consent: this client may get tokens for this resource with these scopes, without asking again. */
export interface Consent {
  id: string;
  userId: string;
  clientId: string;
  clientName: string;
  scopes: string[];
  resource: string;
  createdAt: string;
}

const toConsent = (row: ConsentRow): Consent => ({
  id: row.id,
  userId: row.user_id,
  clientId: row.client_id,
  clientName: row.client_name,
  scopes: row.scopes === '' ? [] : row.scopes.split(' '),
  resource: row.resource,
  createdAt: row.created_at,
});

/** The stored key of a scope set: sorted and de-duplicated, so the same set is one consent whatever the order asked. */
export const scopeSetKey = (scopes: readonly string[]): string => [...new Set(scopes)].sort().join(' ');

/**
 * Consents remembered per user, client, resource and scope set. Revoking one (by the person or
 * an admin) makes the next authorization ask again; the tokens already issued run to their
 * expiry, their refresh families are ended by the caller (service.ts).
 */
export class Consents {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async find(userId: string, clientId: string, resource: string, scopes: readonly string[]): Promise<Consent | null> {
    const row = await oauthTables(this.db)
      .selectFrom('oauth_consents')
      .selectAll()
      .where('user_id', '=', userId)
      .where('client_id', '=', clientId)
      .where('resource', '=', resource)
      .where('scopes', '=', scopeSetKey(scopes))
      .executeTakeFirst();
    return row ? toConsent(row) : null;
  }

  async grant(input: { userId: string; clientId: string; clientName: string; resource: string; scopes: readonly string[] }, actor: Actor): Promise<Consent> {
    const existing = await this.find(input.userId, input.clientId, input.resource, input.scopes);
    if (existing) return existing;
    const row: ConsentRow = {
      id: randomId('cns', 12),
      user_id: input.userId,
      client_id: input.clientId,
      client_name: input.clientName.slice(0, 200),
      scopes: scopeSetKey(input.scopes),
      resource: input.resource,
      created_at: isoTime(this.clock.now()),
    };
    return this.audit.withEntry(async (trx) => {
      await oauthTables(trx).insertInto('oauth_consents').values(row).execute();
      return {
        result: toConsent(row),
        events: [{ type: 'oauth.consent.granted', actor, subject: row.id, action: 'grant', outcome: 'success', details: { user: row.user_id, client_id: row.client_id, resource: row.resource, scopes: row.scopes } }],
      };
    });
  }

  /** Every consent, or one person's (`userId`). */
  async list(userId?: string): Promise<Consent[]> {
    let query = oauthTables(this.db).selectFrom('oauth_consents').selectAll();
    if (userId !== undefined) query = query.where('user_id', '=', userId);
    const rows = await query.orderBy('created_at').orderBy('id').execute();
    return rows.map(toConsent);
  }

  /** Revokes a consent; `owner` set: only that person's own (a person revoking their consent). */
  async revoke(id: string, actor: Actor, owner?: string): Promise<Consent> {
    return this.audit.withEntry(async (trx) => {
      const row = await oauthTables(trx).selectFrom('oauth_consents').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError('consent', id);
      if (owner !== undefined && row.user_id !== owner) throw new ForbiddenError('a person may revoke only their own consents');
      await oauthTables(trx).deleteFrom('oauth_consents').where('id', '=', id).execute();
      return {
        result: toConsent(row),
        events: [{ type: 'oauth.consent.revoked', actor, subject: id, action: 'revoke', outcome: 'success', details: { user: row.user_id, client_id: row.client_id, resource: row.resource, scopes: row.scopes } }],
      };
    });
  }
}
