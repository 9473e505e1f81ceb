import type { Executor } from '../storage/index.js';
import type { IdpRow, LinkRow } from './tables.js';
import { delegationTables } from './tables.js';

/** The delegation context's SQL: trusted issuers, chain links, used assertion jtis. */

export function insertIdp(db: Executor, row: IdpRow): Promise<unknown> {
  return delegationTables(db).insertInto('delegation_idps').values(row).execute();
}

export function listIdps(db: Executor): Promise<IdpRow[]> {
  return delegationTables(db).selectFrom('delegation_idps').selectAll().orderBy('created_at').orderBy('id').execute();
}

export function findIdp(db: Executor, by: { id: string } | { issuer: string }): Promise<IdpRow | undefined> {
  const query = delegationTables(db).selectFrom('delegation_idps').selectAll();
  return ('id' in by ? query.where('id', '=', by.id) : query.where('issuer', '=', by.issuer)).executeTakeFirst();
}

export function deleteIdp(db: Executor, id: string): Promise<unknown> {
  return delegationTables(db).deleteFrom('delegation_idps').where('id', '=', id).execute();
}

export function insertLink(db: Executor, row: LinkRow): Promise<unknown> {
  return delegationTables(db).insertInto('delegation_links').values(row).execute();
}

export function linksOfChain(db: Executor, chainId: string, limit: number): Promise<LinkRow[]> {
  return delegationTables(db).selectFrom('delegation_links').selectAll().where('chain_id', '=', chainId).orderBy('depth').orderBy('created_at').limit(limit).execute();
}

/**
 * The live links of every chain `agentId` takes part in (at most `chains` chains, newest
 * first, and `limit` links in all), ordered by chain, depth and time: a forest to draw.
 */
export async function linksAroundAgent(db: Executor, agentId: string, nowSeconds: number, chains: number, limit: number): Promise<LinkRow[]> {
  const t = delegationTables(db);
  const ids = await t
    .selectFrom('delegation_links')
    .select('chain_id')
    .where('agent_id', '=', agentId)
    .where('exp', '>=', nowSeconds)
    .groupBy('chain_id')
    .orderBy((eb) => eb.fn.max('created_at'), 'desc')
    .limit(chains)
    .execute();
  if (ids.length === 0) return [];
  return t
    .selectFrom('delegation_links')
    .selectAll()
    .where('chain_id', 'in', ids.map((r) => r.chain_id))
    .where('exp', '>=', nowSeconds)
    .orderBy('chain_id')
    .orderBy('depth')
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/** Records an ID-JAG's jti; false when it was already there (a replay). */
export async function spendAssertion(db: Executor, key: string, exp: number): Promise<boolean> {
  const result = await delegationTables(db)
    .insertInto('delegation_used_assertions')
    .values({ key, exp })
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Drops links and used jtis whose tokens or assertions have expired. */
export async function pruneExpired(db: Executor, nowSeconds: number): Promise<void> {
  await delegationTables(db).deleteFrom('delegation_links').where('exp', '<', nowSeconds).execute();
  await delegationTables(db).deleteFrom('delegation_used_assertions').where('exp', '<', nowSeconds).execute();
}
