import type { Migrations } from '../../storage/index.js';
import { m019Leases } from './019-leases.js';

/** The lease manager's migrations, by name; a shipped migration is never edited (add the next). */
export const leaseMigrations: Migrations = {
  '019-leases': m019Leases,
};
