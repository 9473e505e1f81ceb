import type { Migrations } from '../../storage/index.js';
import { m021Tasks } from './021-tasks.js';

/** The tasks context's migrations, by name; a shipped migration is never edited (add the next). */
export const taskMigrations: Migrations = {
  '021-tasks': m021Tasks,
};
