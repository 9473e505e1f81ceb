/**
 * `mandate audit verify --archive DIR`: verifies an archive directory on this machine from the
 * first entry (audit/archive-verify.ts: every segment's chain, seal and signed checkpoint), with the
 * keys the server publishes, ending exactly where the server's live log begins; the server verifies
 * the live log. The one CLI file that loads the audit context's code: audit.ts imports it with a
 * dynamic import only when --archive is given, so no other verb pays for it.
 */
import { archiveKeys, verifyArchive, type ArchiveVerifyResult } from '../audit/index.js';

export interface ArchiveKeyView {
  kid: string;
  kty: string;
  crv: string;
  x: string;
}

export function verifyArchiveDir(dir: string, keys: ArchiveKeyView[], liveBoundary: { seq: number; hash: string }): Promise<ArchiveVerifyResult> {
  return verifyArchive(dir, archiveKeys(keys), liveBoundary);
}
