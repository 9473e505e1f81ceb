/**
 * The monitoring context's public face. The pure core — `AgentMonitor` judging `MonitorEvent`s
 * against each agent's windowed baselines and registration (signals.ts, baseline.ts) — and the
 * signal, window and severity tables.
 */
export { AgentMonitor, type Anomaly } from './monitor.js';
export type { AuthFailureEvent, DecisionEvent, MonitorEvent, TokenEvent } from './events.js';
export type { MonitorSettings, RateSignalSettings } from './settings.js';
export { RATE_SIGNALS, SEVERITIES, SIGNAL_NAMES, SIGNALS, WINDOWS, WINDOW_NAMES, type RateSignal, type Severity, type SignalName, type WindowName } from './signals.js';
