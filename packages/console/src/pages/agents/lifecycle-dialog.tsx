/**
 * A lifecycle move with its confirmation: what the move takes back is listed before the
 * operator confirms (the agent's live certificates and leases, its client secret and tokens on
 * decommission), and what the server actually revoked is shown after.
 */
import { useState } from 'react';
import { api, describeError } from '../../api';
import { Dialog } from '../../components/dialog';
import { ErrorText } from '../../components/status';
import { useResource } from '../../hooks';
import type { LifecycleAction } from '../../names';
import type { Agent, Certificate, Lease, Revoked } from '../../types';

/** What each move does to credentials, in words (registry/transition.ts decides; this explains). */
const EFFECTS: Record<LifecycleAction, string> = {
  suspend: 'The agent can obtain no new credentials; its access tokens stop working while it is suspended.',
  resume: 'The agent may obtain credentials again.',
  deprecate: 'The agent is on its way out: its replacement takes over, and it can then only be decommissioned. Access tokens are honoured for active agents only.',
  decommission: 'Final. Every credential the agent holds is revoked and its record is frozen.',
};

export function LifecycleDialog({ agent, action, onDone, onClose }: { agent: Agent; action: LifecycleAction | null; onDone: (agent: Agent, revoked: Revoked[]) => void; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const revokes = action === 'decommission' || action === 'suspend';
  const live = useResource(
    async (signal) => {
      if (!revokes) return { certificates: [] as Certificate[], leases: [] as Lease[] };
      const q = { agent_id: agent.id };
      // A role that may not list one kind still sees the other: each list fails alone.
      const [certificates, leases] = await Promise.all([
        api<{ items: Certificate[] }>('GET', '/v1/certificates', { query: q, signal }).then((r) => r.items.filter((c) => !c.revoked_at && Date.parse(c.not_after) > Date.now()), () => []),
        api<{ items: Lease[] }>('GET', '/v1/leases', { query: { ...q, status: 'active' }, signal }).then((r) => r.items, () => []),
      ]);
      return { certificates, leases };
    },
    `${agent.id}:${action}`,
  );

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
          {revokes && (
            <section aria-labelledby="will-revoke">
              <h3 id="will-revoke">{action === 'decommission' ? 'Will be revoked' : 'Will stop working'}</h3>
              {live.loading ? (
                <p>Listing live credentials…</p>
              ) : (
                <ul className="revoke-list">
                  {action === 'decommission' && <li>client secret of {agent.client_id}</li>}
                  <li>every unexpired access token issued to {agent.client_id}, and the delegated tokens below them</li>
                  {live.data?.certificates.map((c) => (
                    <li key={c.serial}>
                      certificate {c.serial} ({c.spiffe_id})
                    </li>
                  ))}
                  {action === 'decommission' &&
                    live.data?.leases.map((l) => (
                      <li key={l.lease_id}>
                        lease {l.lease_id} ({l.path})
                      </li>
                    ))}
                  {action === 'decommission' && <li>the agent's open tasks</li>}
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
