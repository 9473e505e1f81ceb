/**
 * A lifecycle move with its confirmation: what the move takes back is listed, credential by
 * credential, before the operator confirms (GET /v1/agents/{id}/credentials), and what the
 * server actually revoked is shown after.
 */
import { useState } from 'react';
import { api, describeError } from '../../api';
import { Dialog } from '../../components/dialog';
import { ErrorText } from '../../components/status';
import type { LifecycleAction } from '../../names';
import type { Agent, Revoked } from '../../types';
import { useCredentials } from './agent-sections';

/** What each move does, in words (registry/transition.ts and the contexts' status hooks decide; this explains). */
const EFFECTS: Record<LifecycleAction, string> = {
  suspend: 'The agent can obtain no new credentials until it is resumed; what it holds is revoked.',
  resume: 'The agent may obtain credentials again.',
  deprecate: 'The agent is on its way out: its replacement takes over, and it can then only be decommissioned. Access tokens are honoured for active agents only.',
  decommission: 'Final. Every credential the agent holds is revoked and its record is frozen.',
};

/**
 * What each move takes back, as the status hooks do it: tokens for every status but active
 * (oauth/agent-status.ts), certificates likewise (workload/status-changes.ts), tasks and
 * leases where the status may obtain no credentials (tasks/agent-status.ts), the client
 * secret on decommission (registry).
 */
const TAKES_BACK: Record<LifecycleAction, { secret: boolean; tokens: boolean; certificates: boolean; tasksAndLeases: boolean }> = {
  suspend: { secret: false, tokens: true, certificates: true, tasksAndLeases: true },
  resume: { secret: false, tokens: false, certificates: false, tasksAndLeases: false },
  deprecate: { secret: false, tokens: true, certificates: true, tasksAndLeases: false },
  decommission: { secret: true, tokens: true, certificates: true, tasksAndLeases: true },
};

export function LifecycleDialog({ agent, action, onDone, onClose }: { agent: Agent; action: LifecycleAction | null; onDone: (agent: Agent, revoked: Revoked[]) => void; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const takes = action ? TAKES_BACK[action] : undefined;
  const heading = takes && (takes.tokens || takes.secret) ? 'Will be revoked' : undefined;
  const live = useCredentials(agent.id, `${action}`);
  const c = live.data;

  const confirm = async () => {
    if (!action) return;
    setBusy(true);
    setError(null);
    try {
      const answer = await api<Agent & { revoked: Revoked[] }>('POST', `/v1/agents/${encodeURIComponent(agent.id)}/${action}`, { body: reason ? { reason } : {} });
      setReason('');
      onDone(answer, answer.revoked);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={action ? `${action[0]!.toUpperCase()}${action.slice(1)} ${agent.name}?` : 'Lifecycle'} open={action !== null} onClose={onClose}>
      {action && (
        <>
          <p>{EFFECTS[action]}</p>
          {heading && (
            <section aria-labelledby="will-revoke">
              <h3 id="will-revoke">{heading}</h3>
              <ErrorText error={live.error} />
              {!c ? (
                <p>Listing live credentials…</p>
              ) : (
                <ul className="revoke-list">
                  {takes?.secret && <li>the client secret of {agent.client_id}</li>}
                  {takes?.tokens && (
                    <li>
                      every unexpired access token issued to {agent.client_id}, and the delegated tokens below them ({c.tokens.length}
                      {c.tokens_complete ? '' : '+'} live now)
                    </li>
                  )}
                  {takes?.tokens &&
                    c.tokens.map((t) => (
                      <li key={t.jti}>
                        access token {t.jti} ({t.scopes.join(' ') || 'no scope'})
                      </li>
                    ))}
                  {takes?.certificates &&
                    c.certificates.map((cert) => (
                      <li key={cert.serial}>
                        certificate {cert.serial} ({cert.spiffe_id})
                      </li>
                    ))}
                  {takes?.tasksAndLeases &&
                    c.tasks.map((t) => (
                      <li key={t.id}>
                        open task {t.id} ({t.description}) and what it was issued
                      </li>
                    ))}
                  {takes?.tasksAndLeases &&
                    (c.leases ?? []).map((l) => (
                      <li key={l.lease_id}>
                        lease {l.lease_id} ({l.path})
                      </li>
                    ))}
                  {takes?.tasksAndLeases && c.leases === null && <li>the agent's database leases (your roles cannot list them)</li>}
                </ul>
              )}
            </section>
          )}
          <label>
            Reason (recorded in the audit log)
            <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <ErrorText error={error} />
          <div className="buttons">
            <button type="button" className={action === 'decommission' ? 'danger' : 'primary'} disabled={busy} onClick={() => void confirm()}>
              Confirm {action}
            </button>
            <button type="button" onClick={onClose}>
              Cancel
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
