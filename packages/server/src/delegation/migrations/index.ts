import type { Migrations } from '../../storage/index.js';
import { m012Delegation } from './012-delegation.js';
import { m038DelegationLinksAgent } from './038-delegation-links-agent.js';

/** The delegation context's migrations, by name; a shipped migration is never edited (add the next). */
export const delegationMigrations: Migrations = {
  '012-delegation': m012Delegation,
  '038-delegation-links-agent': m038DelegationLinksAgent,
};
