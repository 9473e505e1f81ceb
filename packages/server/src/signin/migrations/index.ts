import type { Migrations } from '../../storage/index.js';
import { m028SigninSessions } from './028-signin-sessions.js';

/** The signin context's migrations, by name; a shipped migration is never edited (add the next). */
export const signinMigrations: Migrations = {
  '028-signin-sessions': m028SigninSessions,
};
