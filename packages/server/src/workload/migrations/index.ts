import type { Migrations } from '../../storage/index.js';
import { m015Workload } from './015-workload.js';
import { m016WorkloadIssuers } from './016-workload-issuers.js';
import { m027WorkloadCertificateTask } from './027-workload-certificate-task.js';

/** The workload context's migrations, by name; a shipped migration is never edited (add the next). */
export const workloadMigrations: Migrations = {
  '015-workload': m015Workload,
  '016-workload-issuers': m016WorkloadIssuers,
  '027-workload-certificate-task': m027WorkloadCertificateTask,
};
