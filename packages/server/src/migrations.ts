import { approvalMigrations } from './approvals/index.js';
import { auditMigrations } from './audit/index.js';
import { delegationMigrations } from './delegation/index.js';
import { oauthMigrations } from './oauth/index.js';
import { operatorMigrations } from './operators/index.js';
import { policyMigrations } from './policy/index.js';
import { registryMigrations } from './registry/index.js';
import { joinMigrations, storageMigrations } from './storage/index.js';
import { monitoringMigrations } from './monitoring/index.js';
import { secretMigrations } from './secrets/index.js';
import { leaseMigrations } from './leases/index.js';
import { databaseMigrations } from './databases/index.js';
import { taskMigrations } from './tasks/index.js';
import { workloadMigrations } from './workload/index.js';
import { signinMigrations } from './signin/index.js';

/**
 * Every context's migrations, joined by the composition root (storage knows no context).
 * Numbers are reserved per context: 000 storage, 001/007/013 audit, 002/008 operators, 003/011 registry,
 * 004/010/026 oauth, 005 policy, 006/009 approvals, 012/038 delegation, 015/016/027 workload, 018 secrets,
 * 019 leases, 020 databases, 021 tasks, 022–024 monitoring, 028/029 signin; a new context or change takes the next free number.
 */
export const MIGRATIONS = joinMigrations(
  storageMigrations,
  auditMigrations,
  operatorMigrations,
  registryMigrations,
  oauthMigrations,
  policyMigrations,
  approvalMigrations,
  delegationMigrations,
  monitoringMigrations,
  secretMigrations,
  leaseMigrations,
  databaseMigrations,
  taskMigrations,
  workloadMigrations,
  signinMigrations,
);
