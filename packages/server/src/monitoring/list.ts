import { NotFoundError, ValidationError } from '../shared/errors.js';
import { toAlert, type Alert, type AlertStatus } from './alerts.js';
import type { MonitoringDeps } from './deps.js';
import { alertRow, listAlertRows } from './store.js';

export interface AlertFilter {
  status?: AlertStatus | undefined;
  agentId?: string | undefined;
  signal?: string | undefined;
  severity?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

export interface AlertPage {
  items: Alert[];
  nextCursor: string | null;
}

const PAGE = { default: 100, max: 1_000 };
/** What a cursor holds: the last row's raised_at and id (`alr_` + base64url), joined by a space. */
const CURSOR = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (alr_[A-Za-z0-9_-]{1,64})$/;

function cursorAfter(alert: Alert): string {
  return Buffer.from(`${alert.raisedAt} ${alert.id}`, 'utf8').toString('base64url');
}

function readCursor(cursor: string): [string, string] {
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new ValidationError('cursor is not one this server gave out', { field: 'cursor' });
  return [match[1]!, match[2]!];
}

/** Alerts newest first, filtered, by keyset paging on (raised_at, id). */
export async function listAlerts(deps: MonitoringDeps, filter: AlertFilter): Promise<AlertPage> {
  const limit = Math.min(Math.max(filter.limit ?? PAGE.default, 1), PAGE.max);
  const rows = await listAlertRows(deps.db, { ...filter, before: filter.cursor === undefined ? undefined : readCursor(filter.cursor), limit: limit + 1 });
  const items = rows.slice(0, limit).map(toAlert);
  return { items, nextCursor: rows.length > limit ? cursorAfter(items[items.length - 1]!) : null };
}

export async function getAlert(deps: MonitoringDeps, id: string): Promise<Alert> {
  const row = await alertRow(deps.db, id);
  if (!row) throw new NotFoundError('alert', id);
  return toAlert(row);
}
