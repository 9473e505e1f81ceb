import type { Executor } from '../storage/index.js';
import { databaseTables, type DbConnectionRow, type DbRoleRow } from './tables.js';

/** The database engine's SQL (Mandate's own store), and the only place it is written. */

export async function connectionByName(db: Executor, name: string): Promise<DbConnectionRow | undefined> {
  return databaseTables(db).selectFrom('db_connections').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function allConnections(db: Executor): Promise<DbConnectionRow[]> {
  return databaseTables(db).selectFrom('db_connections').selectAll().orderBy('name').execute();
}

/** Inserts or replaces a connection (name is the key). */
export async function upsertConnection(db: Executor, row: DbConnectionRow): Promise<void> {
  const existing = await connectionByName(db, row.name);
  if (existing) {
    const { name: _name, created_at: _created, ...rest } = row;
    await databaseTables(db).updateTable('db_connections').set(rest).where('name', '=', row.name).execute();
  } else {
    await databaseTables(db).insertInto('db_connections').values(row).execute();
  }
}

export async function updateConnection(db: Executor, name: string, set: Partial<DbConnectionRow>): Promise<void> {
  await databaseTables(db).updateTable('db_connections').set(set).where('name', '=', name).execute();
}

export async function roleByName(db: Executor, connection: string, name: string): Promise<DbRoleRow | undefined> {
  return databaseTables(db).selectFrom('db_roles').selectAll().where('connection', '=', connection).where('name', '=', name).executeTakeFirst();
}

export async function rolesOf(db: Executor, connection: string): Promise<DbRoleRow[]> {
  return databaseTables(db).selectFrom('db_roles').selectAll().where('connection', '=', connection).orderBy('name').execute();
}

export async function upsertRole(db: Executor, row: DbRoleRow): Promise<void> {
  const existing = await roleByName(db, row.connection, row.name);
  if (existing) {
    const { connection: _c, name: _n, created_at: _created, ...rest } = row;
    await databaseTables(db).updateTable('db_roles').set(rest).where('connection', '=', row.connection).where('name', '=', row.name).execute();
  } else {
    await databaseTables(db).insertInto('db_roles').values(row).execute();
  }
}
