import type { RateSignal, Severity } from './signals.js';
import type { Threshold } from './baseline.js';

/** When a rate signal alerts, and how loudly (config `monitoring.signals.<name>`). */
export interface RateSignalSettings extends Threshold {
  severity: Severity;
  /** At or above this z-score the alert gets `escalatedSeverity` instead. */
  escalateZScore: number;
  escalatedSeverity: Severity;
  /**
   * This many events within one minute alert with `escalatedSeverity` even before the agent's
   * baseline has warmed up (0: off): a brute force on a new agent has no history to compare.
   */
  burstPerMinute: number;
}

/** The monitor's settings (config `monitoring`, defaults in config/defaults.ts). */
export interface MonitorSettings {
  /** An agent is watched this long before first-use and depth signals may alert. */
  warmupMinutes: number;
  /** Agents tracked at once; beyond, the agent seen first is forgotten (bounded memory). */
  maxAgents: number;
  /** Distinct tools and scopes remembered per agent for first-use detection. */
  maxSeenPerAgent: number;
  signals: Record<RateSignal, RateSignalSettings> & {
    scope_usage: { undeclaredSeverity: Severity; firstUseSeverity: Severity };
    delegation_depth: { severity: Severity };
  };
}
