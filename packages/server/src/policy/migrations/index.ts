import type { Migrations } from '../../storage/index.js';
import { m005Policy } from './005-policy.js';

/** The policy context's migrations, by name; a shipped migration is never edited (add the next). */
export const policyMigrations: Migrations = {
  '005-policy': m005Policy,
};
