import { tablesOf, type Executor } from './database.js';

/** Storage's own table: small facts about this installation (e.g. the master key check value). */
export interface StorageTables {
  meta: { key: string; value: string };
}

/** The installation fact stored under `key`, or null. */
export async function readMeta(db: Executor, key: string): Promise<string | null> {
  const row = await tablesOf<StorageTables>(db).selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value ?? null;
}

/** Records `value` under `key` unless a value is there already (the first writer wins). */
export async function writeMetaOnce(db: Executor, key: string, value: string): Promise<void> {
  await tablesOf<StorageTables>(db)
    .insertInto('meta')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

/** Replaces the value under `key` (master-key rotation; the caller's transaction). */
export async function replaceMeta(db: Executor, key: string, value: string): Promise<void> {
  await tablesOf<StorageTables>(db).updateTable('meta').set({ value }).where('key', '=', key).execute();
}
