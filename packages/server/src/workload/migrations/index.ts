import type { Migrations } from '../../storage/index.js';
import { m015Workload } from './015-workload.js';

/** The workload context's migrations, by name; a shipped migration is never edited (add the next). */
export const workloadMigrations: Migrations = {
  '015-workload': m015Workload,
};
