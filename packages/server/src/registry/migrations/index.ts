import type { Migrations } from '../../storage/index.js';
import { m003Registry } from './003-registry.js';
import { m011GrantRequests } from './011-grant-requests.js';

/** The registry context's migrations, by name; a shipped migration is never edited (add the next). */
export const registryMigrations: Migrations = {
  '003-registry': m003Registry,
  '011-grant-requests': m011GrantRequests,
};
