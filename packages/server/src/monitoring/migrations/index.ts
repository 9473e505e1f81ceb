import type { Migrations } from '../../storage/index.js';
import { m022MonitoringAlerts } from './022-monitoring-alerts.js';

/** The monitoring context's migrations (numbers 022–024 reserved), by name; a shipped one is never edited. */
export const monitoringMigrations: Migrations = {
  '022-monitoring-alerts': m022MonitoringAlerts,
};
