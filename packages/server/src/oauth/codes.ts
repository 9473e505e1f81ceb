import type { AuditEvent } from '../audit/index.js';
import { randomSecret } from '../shared/ids.js';
import type { Tx } from '../storage/index.js';
import { InvalidGrant } from './errors.js';
import { personActor } from './people-actor.js';
import { credentialHash } from './pkce.js';
import { oauthTables, type CodeRow } from './tables.js';

/** What a code is bound to (RFC 6749 §4.1.3, RFC 7636, RFC 8707): all checked when it is redeemed. */
export interface CodeGrant {
  clientId: string;
  userId: string;
  redirectUri: string;
  codeChallenge: string;
  resource: string;
  scopes: string[];
}

/** A new code: the value for the client (shown once) and the row stored (its SHA-256 only). */
export function newCode(grant: CodeGrant, familyId: string, expiresAt: number): { code: string; row: CodeRow } {
  const code = randomSecret();
  return {
    code,
    row: {
      code_hash: credentialHash(code),
      client_id: grant.clientId,
      user_id: grant.userId,
      redirect_uri: grant.redirectUri,
      code_challenge: grant.codeChallenge,
      resource: grant.resource,
      scopes: grant.scopes.join(' '),
      family_id: familyId,
      expires_at: expiresAt,
      used_at: null,
    },
  };
}

export async function storeCode(trx: Tx, row: CodeRow): Promise<void> {
  await oauthTables(trx).insertInto('oauth_codes').values(row).execute();
}

/** The outcome of presenting a code, inside the caller's transaction. */
export type Redemption = { kind: 'ok'; row: CodeRow } | { kind: 'reused'; row: CodeRow } | { kind: 'refused'; error: InvalidGrant };

/**
 * Spends a code (single use): unknown or expired → refused; already spent → `reused` (the
 * caller revokes what was issued from it, RFC 6749 §4.1.2); else marked used and returned.
 * The row is read FOR UPDATE-equivalently by marking it in the same statement's transaction,
 * so two concurrent redemptions cannot both win (the second sees `used_at`).
 */
export async function redeemCode(trx: Tx, code: string, nowSeconds: number): Promise<Redemption> {
  const hash = credentialHash(code);
  const marked = await oauthTables(trx).updateTable('oauth_codes').set({ used_at: nowSeconds }).where('code_hash', '=', hash).where('used_at', 'is', null).executeTakeFirst();
  const row = await oauthTables(trx).selectFrom('oauth_codes').selectAll().where('code_hash', '=', hash).executeTakeFirst();
  if (!row) return { kind: 'refused', error: new InvalidGrant('the authorization code is not valid') };
  if (Number(marked.numUpdatedRows) === 0) return { kind: 'reused', row };
  if (Number(row.expires_at) <= nowSeconds) return { kind: 'refused', error: new InvalidGrant('the authorization code has expired') };
  return { kind: 'ok', row };
}

/** Expired codes are deleted by the upkeep job (a spent code is kept until then, to detect its reuse). */
export async function pruneCodes(trx: Tx, nowSeconds: number): Promise<void> {
  await oauthTables(trx).deleteFrom('oauth_codes').where('expires_at', '<', nowSeconds).execute();
}

export const codeIssuedEvent = (row: CodeRow): AuditEvent => ({
  type: 'oauth.code.issued',
  actor: personActor(row.user_id),
  subject: row.client_id,
  action: 'issue',
  outcome: 'success',
  details: { user: row.user_id, client_id: row.client_id, resource: row.resource, scope: row.scopes, redirect_uri: row.redirect_uri, family_id: row.family_id },
});
