/**
 * One credential taken back, as a decommission or a task's end lists it: `kind` says what it
 * was (`tokens`, `lease`, `certificate`, `task`, `client_secret`), `id` which one, `detail` how
 * (e.g. "access tokens issued before 2026-12-02T09:00:00Z"). Contexts contribute these to the
 * registry's status-change hooks and to the tasks' close hooks; shared so none depends on another.
 */
export interface RevokedCredential {
  kind: string;
  id: string;
  detail?: string;
}
