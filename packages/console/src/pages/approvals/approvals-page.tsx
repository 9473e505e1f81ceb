/**
 * The approvals inbox: pending requests with everything a person needs to decide (agent,
 * chain, user, action, tool, resource, reason, what raised it), approve or deny with a
 * reason. It polls every few seconds, so requests appear and leave without a reload; new
 * arrivals are announced politely to screen readers.
 */
import { useState } from 'react';
import { api, describeError } from '../../api';
import { ErrorText, StatusBadge, Time } from '../../components/status';
import { useResource } from '../../hooks';
import { APPROVAL_STATUS_NAMES } from '../../names';
import { Link } from '../../router';
import { useCan } from '../../session';
import type { Approval, Page } from '../../types';

/** How often the inbox asks for changes (ms). */
export const INBOX_POLL_MS = 3_000;

function ApprovalCard({ approval, onDecided }: { approval: Approval; onDecided: (message: string) => void }) {
  const mayDecide = useCan('approvals:decide');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const a = approval;
  const headingId = `approval-${a.id}`;
  const decide = async (decision: 'approve' | 'deny') => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api<Approval>('POST', `/v1/approvals/${encodeURIComponent(a.id)}/${decision}`, { body: reason ? { reason } : {} });
      onDecided(`${a.id}: ${answer.status}${answer.status === 'pending' ? ` (${answer.approvals.length} of ${answer.required_approvals} approvals)` : ''}`);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <article className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {a.action} <code>{a.resource.type}/{a.resource.id}</code> via {a.tool} <StatusBadge status={a.status} />
      </h2>
      <dl className="fields">
        <dt>Agent</dt>
        <dd>
          <Link to={`/agents/${encodeURIComponent(a.agent_id)}`}>{a.agent_id}</Link>
        </dd>
        <dt>On behalf of</dt>
        <dd>{a.on_behalf_of ?? 'no user (the agent itself)'}</dd>
        <dt>Delegation chain</dt>
        <dd>
          <ol className="chain" aria-label="chain from the original subject to the acting agent">
            {a.chain.map((link, i) => (
              <li key={`${i}:${link.sub}`}>{link.sub}</li>
            ))}
          </ol>
        </dd>
        <dt>Action · tool</dt>
        <dd>
          {a.action} · {a.tool}
        </dd>
        <dt>Resource</dt>
        <dd>
          {a.resource.type} <code>{a.resource.id}</code>
          {a.resource.owner ? `, owner ${a.resource.owner}` : ''}
          {a.resource.sensitivity ? `, sensitivity ${a.resource.sensitivity}` : ''}
        </dd>
        <dt>Reason</dt>
        <dd>{a.reason}</dd>
        <dt>Raised by</dt>
        <dd>{a.origin}</dd>
        <dt>Asked</dt>
        <dd>
          <Time iso={a.created_at} />, expires <Time iso={a.expires_at} />
        </dd>
        <dt>Approvals</dt>
        <dd>
          {a.approvals.length} of {a.required_approvals}
          {a.approvals.map((x) => ` · ${x.email}`)}
        </dd>
        {a.decided_by && (
          <>
            <dt>Decided</dt>
            <dd>
              by {a.decided_by} <Time iso={a.decided_at} />
              {a.decision_reason ? `: ${a.decision_reason}` : ''}
            </dd>
          </>
        )}
      </dl>
      {mayDecide && a.status === 'pending' && (
        <div className="decide">
          <label>
            Reason for your decision
            <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <ErrorText error={error} />
          <div className="buttons">
            <button type="button" className="primary" disabled={busy} onClick={() => void decide('approve')}>
              Approve
            </button>
            <button type="button" className="danger" disabled={busy} onClick={() => void decide('deny')}>
              Deny
            </button>
          </div>
        </div>
      )}
    </article>
  );
}

export function ApprovalsPage() {
  const [status, setStatus] = useState('pending');
  const [message, setMessage] = useState<string | null>(null);
  const inbox = useResource((signal) => api<Page<Approval>>('GET', '/v1/approvals', { query: { status, limit: 100 }, signal }).then((p) => p.items), status, INBOX_POLL_MS);
  const items = inbox.data ?? [];
  return (
    <>
      <form className="filters" aria-label="Filter approvals" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select name="status" value={status} onChange={(e) => setStatus(e.target.value)}>
            {APPROVAL_STATUS_NAMES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </form>
      <div role="status" aria-live="polite">
        {message && <p className="notice">Decided {message}.</p>}
        <p className="muted">
          {inbox.data === undefined ? 'Loading…' : `${items.length} ${status} request${items.length === 1 ? '' : 's'}`} (updates every {INBOX_POLL_MS / 1000} s)
        </p>
      </div>
      <ErrorText error={inbox.error} />
      {items.map((a) => (
        <ApprovalCard
          key={a.id}
          approval={a}
          onDecided={(m) => {
            setMessage(m);
            inbox.reload();
          }}
        />
      ))}
    </>
  );
}
