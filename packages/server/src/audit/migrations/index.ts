import type { Migrations } from '../../storage/index.js';
import { m001Audit } from './001-audit.js';
import { m007AuditKeys } from './007-audit-keys.js';
import { m013AuditChain } from './013-audit-chain.js';
import { m033AuditBlobs } from './033-audit-blobs.js';
import { m034AuditArchive } from './034-audit-archive.js';

/** The audit context's migrations, by name; a shipped migration is never edited (add the next). */
export const auditMigrations: Migrations = {
  '001-audit': m001Audit,
  '007-audit-keys': m007AuditKeys,
  '013-audit-chain': m013AuditChain,
  '033-audit-blobs': m033AuditBlobs,
  '034-audit-archive': m034AuditArchive,
};
