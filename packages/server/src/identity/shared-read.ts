/**
 * One read shared by every caller that asked for it in the same turn of the event loop.
 *
 * The subject resolver reads the revocation feed's head before every use of an agent's token
 * (subjects.ts: each decision, each /v1 call), so a token revoked anywhere stops at once. On
 * SQLite that read cost about as much as evaluating the policy — a statement prepared and a
 * WAL read transaction opened per decision — and on PostgreSQL it is a round trip. Decisions
 * that arrive together (the requests parsed in one poll phase) now wait for one read, made in
 * the next check phase (`setImmediate`):
 *
 * - every caller still gets a value read *after* it asked, so nothing revoked before a
 *   decision began can be missed — the guarantee the per-decision read gave;
 * - callers that ask while a read is in flight wait for a new one (they may have arrived after
 *   a revocation the running read did not see);
 * - a failed read fails every caller that shared it (the decision fails closed).
 */
export type Schedule = (run: () => void) => void;

export function sharedRead<T>(read: () => Promise<T>, schedule: Schedule = setImmediate): () => Promise<T> {
  let waiting: Array<{ resolve: (value: T) => void; reject: (error: unknown) => void }> | null = null;
  const run = () => {
    const batch = waiting!;
    waiting = null;
    let started: Promise<T>;
    try {
      started = read();
    } catch (error) {
      started = Promise.reject(error);
    }
    started.then(
      (value) => batch.forEach((w) => w.resolve(value)),
      (error: unknown) => batch.forEach((w) => w.reject(error)),
    );
  };
  return () =>
    new Promise<T>((resolve, reject) => {
      if (waiting) {
        waiting.push({ resolve, reject });
        return;
      }
      waiting = [{ resolve, reject }];
      schedule(run);
    });
}
