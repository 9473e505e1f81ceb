import type { Migrations } from '../../storage/index.js';
import { m028SigninSessions } from './028-signin-sessions.js';
import { m029SigninStates } from './029-signin-states.js';

/** The signin context's migrations, by name; a shipped migration is never edited (add the next). */
export const signinMigrations: Migrations = {
  '028-signin-sessions': m028SigninSessions,
  '029-signin-states': m029SigninStates,
};
