/**
 * `mandate audit verify --archive DIR`: verifies an archive directory on this machine from the
 * first entry (audit/archive-verify.ts: every segment's chain, seal and signed checkpoint), with the
 * keys the server publishes, ending exactly where the server's live log begins; the server verifies
 * the live log. The one CLI file that loads the audit context's code: audit.ts imports it with a
 * dynamic import only when --archive is given, so no other verb pays for it.
 */
import { archiveKeys, archiveVerifyView, verifyArchive } from '../audit/index.js';

export interface ArchiveKeyView {
  kid: string;
  kty: string;
  crv: string;
  x: string;
}

/** The archive's verification as `GET /v1/audit/verify?archive=true` reports it (its `archive` field). */
export async function verifyArchiveDir(dir: string, keys: ArchiveKeyView[], liveBoundary: { seq: number; hash: string }) {
  return archiveVerifyView(await verifyArchive(dir, archiveKeys(keys), liveBoundary));
}
