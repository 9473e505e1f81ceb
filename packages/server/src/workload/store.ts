import type { Executor, Tx } from '../storage/index.js';
import type { AuthorityRow, CertificateRow, IssuerRow, RevocationRow } from './tables.js';
import { workloadTables } from './tables.js';

/** The workload context's SQL, all of it: CA slots, issued certificates, the revocation feed. */

export function listAuthorities(db: Executor): Promise<AuthorityRow[]> {
  return workloadTables(db).selectFrom('workload_authorities').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function insertAuthority(db: Executor, row: AuthorityRow): Promise<void> {
  await workloadTables(db).insertInto('workload_authorities').values(row).execute();
}

export async function updateAuthority(db: Executor, id: string, patch: Partial<Pick<AuthorityRow, 'state' | 'activated_at' | 'remove_at'>>): Promise<void> {
  await workloadTables(db).updateTable('workload_authorities').set(patch).where('id', '=', id).execute();
}

export async function deleteAuthority(db: Executor, id: string): Promise<void> {
  await workloadTables(db).deleteFrom('workload_authorities').where('id', '=', id).execute();
}

/** The expiry of the last certificate a CA signed (ISO text), or null when it signed none. */
export async function lastExpiryBy(db: Executor, authorityId: string): Promise<string | null> {
  const row = await workloadTables(db)
    .selectFrom('workload_certificates')
    .select((eb) => eb.fn.max('not_after').as('last'))
    .where('authority_id', '=', authorityId)
    .executeTakeFirst();
  return (row?.last as string | null | undefined) ?? null;
}

export async function insertCertificate(db: Executor, row: CertificateRow): Promise<void> {
  await workloadTables(db).insertInto('workload_certificates').values(row).execute();
}

export async function findCertificate(db: Executor, serial: string): Promise<CertificateRow | null> {
  return (await workloadTables(db).selectFrom('workload_certificates').selectAll().where('serial', '=', serial).executeTakeFirst()) ?? null;
}

export async function findCertificateByThumbprint(db: Executor, thumbprint: string): Promise<CertificateRow | null> {
  return (await workloadTables(db).selectFrom('workload_certificates').selectAll().where('thumbprint', '=', thumbprint).executeTakeFirst()) ?? null;
}

export function listCertificates(db: Executor, filter: { agentId?: string | undefined; limit: number }): Promise<CertificateRow[]> {
  let query = workloadTables(db).selectFrom('workload_certificates').selectAll();
  if (filter.agentId !== undefined) query = query.where('agent_id', '=', filter.agentId);
  return query.orderBy('issued_at', 'desc').orderBy('serial').limit(filter.limit).execute();
}

/** An agent's certificates not yet expired nor revoked: what a suspension must revoke. */
export function liveCertificatesOf(db: Executor, agentId: string, nowIso: string): Promise<CertificateRow[]> {
  return workloadTables(db)
    .selectFrom('workload_certificates')
    .selectAll()
    .where('agent_id', '=', agentId)
    .where('revoked_at', 'is', null)
    .where('not_after', '>', nowIso)
    .orderBy('serial')
    .execute();
}

/** A task's certificates not yet expired nor revoked: what the task's end must revoke. */
export function liveCertificatesOfTask(db: Executor, taskId: string, nowIso: string): Promise<CertificateRow[]> {
  return workloadTables(db)
    .selectFrom('workload_certificates')
    .selectAll()
    .where('task_id', '=', taskId)
    .where('revoked_at', 'is', null)
    .where('not_after', '>', nowIso)
    .orderBy('serial')
    .execute();
}

/**
 * Takes the feed head's row lock (a no-op update, so both dialects serialise on it): a task
 * certificate's insert and its task's close meet here, so the close sees every certificate
 * committed before it.
 */
export async function lockRevocationHead(trx: Tx): Promise<void> {
  await workloadTables(trx).updateTable('workload_revocation_head').set((eb) => ({ seq: eb.ref('seq') })).where('id', '=', 1).execute();
}

export async function markRevoked(trx: Tx, serials: readonly string[], revokedAt: string, reason: string): Promise<void> {
  if (serials.length === 0) return;
  await workloadTables(trx).updateTable('workload_certificates').set({ revoked_at: revokedAt, revoke_reason: reason }).where('serial', 'in', serials).where('revoked_at', 'is', null).execute();
}

/** Appends feed events in order; the head row update serialises writers on both dialects. */
export async function appendRevocations(trx: Tx, rows: ReadonlyArray<Omit<RevocationRow, 'seq'>>): Promise<number[]> {
  const seqs: number[] = [];
  for (const row of rows) {
    const head = await workloadTables(trx)
      .updateTable('workload_revocation_head')
      .set((eb) => ({ seq: eb('seq', '+', 1) }))
      .where('id', '=', 1)
      .returning('seq')
      .executeTakeFirstOrThrow();
    const seq = Number(head.seq);
    await workloadTables(trx).insertInto('workload_revocations').values({ ...row, seq }).execute();
    seqs.push(seq);
  }
  return seqs;
}

export async function revocationsAfter(db: Executor, after: number, limit: number): Promise<RevocationRow[]> {
  const rows = await workloadTables(db).selectFrom('workload_revocations').selectAll().where('seq', '>', after).orderBy('seq').limit(limit).execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

export async function revocationHead(db: Executor): Promise<number> {
  const row = await workloadTables(db).selectFrom('workload_revocation_head').select('seq').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(row.seq);
}

/** Revoked certificates not yet expired: the CRL's entries. */
export function revokedUnexpired(db: Executor, nowIso: string): Promise<Array<Pick<CertificateRow, 'serial' | 'revoked_at' | 'authority_id'>>> {
  return workloadTables(db)
    .selectFrom('workload_certificates')
    .select(['serial', 'revoked_at', 'authority_id'])
    .where('revoked_at', 'is not', null)
    .where('not_after', '>', nowIso)
    .orderBy('serial')
    .execute();
}

export async function insertIssuer(db: Executor, row: IssuerRow): Promise<void> {
  await workloadTables(db).insertInto('workload_issuers').values(row).execute();
}

export function listIssuers(db: Executor): Promise<IssuerRow[]> {
  return workloadTables(db).selectFrom('workload_issuers').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function findIssuer(db: Executor, issuer: string): Promise<IssuerRow | null> {
  return (await workloadTables(db).selectFrom('workload_issuers').selectAll().where('issuer', '=', issuer).executeTakeFirst()) ?? null;
}

export async function deleteIssuer(db: Executor, id: string): Promise<IssuerRow | null> {
  const row = (await workloadTables(db).selectFrom('workload_issuers').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  if (row) await workloadTables(db).deleteFrom('workload_issuers').where('id', '=', id).execute();
  return row;
}
