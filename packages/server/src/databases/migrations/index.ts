import type { Migrations } from '../../storage/index.js';
import { m020Databases } from './020-databases.js';
import { m039DbPendingRoot } from './039-db-pending-root.js';

/** The database engine's migrations, by name; a shipped migration is never edited (add the next). */
export const databaseMigrations: Migrations = {
  '020-databases': m020Databases,
  '039-db-pending-root': m039DbPendingRoot,
};
