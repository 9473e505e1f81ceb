import type { Migrations } from '../../storage/index.js';
import { m004OAuth } from './004-oauth.js';
import { m010ResourceServerPackage } from './010-resource-server-package.js';
import { m026OAuthTaskTokens } from './026-oauth-task-tokens.js';
import { m030OAuthPeople } from './030-oauth-people.js';

/** The oauth context's migrations, by name; a shipped migration is never edited (add the next). */
export const oauthMigrations: Migrations = {
  '004-oauth': m004OAuth,
  '010-resource-server-package': m010ResourceServerPackage,
  '026-oauth-task-tokens': m026OAuthTaskTokens,
  '030-oauth-people': m030OAuthPeople,
};
