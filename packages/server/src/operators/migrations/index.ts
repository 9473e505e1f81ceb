import type { Migrations } from '../../storage/index.js';
import { m002Operators } from './002-operators.js';
import { m008OwnerCeilings } from './008-owner-ceilings.js';

/** The operators context's migrations, by name; a shipped migration is never edited (add the next). */
export const operatorMigrations: Migrations = {
  '002-operators': m002Operators,
  '008-owner-ceilings': m008OwnerCeilings,
};
