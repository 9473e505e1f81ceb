import type { Executor } from '../storage/index.js';
import type { AlertStatus } from './alerts.js';
import { monitoringTables, type AlertRow } from './tables.js';

/** The monitoring context's SQL, and the only place it is written. Times are ISO text. */

export async function insertAlert(db: Executor, row: AlertRow): Promise<void> {
  await monitoringTables(db).insertInto('monitoring_alerts').values(row).execute();
}

export async function alertRow(db: Executor, id: string): Promise<AlertRow | undefined> {
  return monitoringTables(db).selectFrom('monitoring_alerts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Changes an alert only if it is still in one of `from` (so two operators cannot both move it); true when it did. */
export async function updateAlert(db: Executor, id: string, from: readonly AlertStatus[], set: Partial<AlertRow>): Promise<boolean> {
  const result = await monitoringTables(db).updateTable('monitoring_alerts').set(set).where('id', '=', id).where('status', 'in', [...from]).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface AlertQuery {
  status?: AlertStatus | undefined;
  agentId?: string | undefined;
  signal?: string | undefined;
  severity?: string | undefined;
  /** Rows strictly before this `[raised_at, id]` (newest-first keyset paging). */
  before?: readonly [string, string] | undefined;
  limit: number;
}

/** Newest first, by (raised_at, id). */
export async function listAlertRows(db: Executor, query: AlertQuery): Promise<AlertRow[]> {
  let select = monitoringTables(db).selectFrom('monitoring_alerts').selectAll();
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  if (query.agentId !== undefined) select = select.where('agent_id', '=', query.agentId);
  if (query.signal !== undefined) select = select.where('signal', '=', query.signal);
  if (query.severity !== undefined) select = select.where('severity', '=', query.severity);
  if (query.before !== undefined) {
    const [raisedAt, id] = query.before;
    select = select.where((eb) => eb.or([eb('raised_at', '<', raisedAt), eb.and([eb('raised_at', '=', raisedAt), eb('id', '<', id)])]));
  }
  return select.orderBy('raised_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
}
