import type { Migrations } from '../../storage/index.js';
import { m018Secrets } from './018-secrets.js';

/** The secret store's migrations, by name; a shipped migration is never edited (add the next). */
export const secretMigrations: Migrations = {
  '018-secrets': m018Secrets,
};
