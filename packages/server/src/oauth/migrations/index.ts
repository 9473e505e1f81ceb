import type { Migrations } from '../../storage/index.js';
import { m004OAuth } from './004-oauth.js';

/** The oauth context's migrations, by name; a shipped migration is never edited (add the next). */
export const oauthMigrations: Migrations = {
  '004-oauth': m004OAuth,
};
