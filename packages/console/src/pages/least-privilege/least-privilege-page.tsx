/**
 * Least privilege: for each active agent, the scopes, tools and data classes it was granted but
 * did not use in the last N days (GET /v1/agents/{id}/unused-permissions, the monitoring
 * context's report), and the narrowed registration applied in one click (its suggested_patch
 * as PATCH /v1/agents/{id}, agents:write; an owner beyond their ceiling gets a grant request).
 */
import { useState } from 'react';
import { api, describeError } from '../../api';
import { ErrorText } from '../../components/status';
import { useResource } from '../../hooks';
import { Link } from '../../router';
import { useCan } from '../../session';
import type { Agent, Page } from '../../types';
import { DataTable } from '../../components/data-table';
import '../review.css';

interface Report {
  agent_id: string;
  days: number;
  since: string;
  decisions_read: number;
  complete: boolean;
  unused: { scopes: string[]; tools: string[]; data_classifications: string[] };
  suggested_patch: { scopes?: string[]; tools?: string[]; data_classification?: string } | null;
}

const list = (items: string[] | undefined) => (items && items.length > 0 ? items.join(', ') : 'none');

export function LeastPrivilegePage() {
  const [days, setDays] = useState(30);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [selected, setSelected] = useState<string | null>(null);
  const agents = useResource((signal) => api<Page<Agent>>('GET', '/v1/agents', { query: { status: 'active', limit: 100, cursor }, signal }), cursor ?? '');
  return (
    <>
      <p>
        What each agent was granted but did not use, read from its logged decisions. Check an agent, then apply the narrowed registration: it keeps only what was used.
      </p>
      <form className="filters" aria-label="Report window" onSubmit={(e) => e.preventDefault()}>
        <label>
          Days of decisions to read
          <input type="number" min={1} max={365} value={days} onChange={(e) => setDays(Math.min(365, Math.max(1, Number(e.target.value) || 1)))} />
        </label>
      </form>
      <ErrorText error={agents.error} />
      <div className="split">
        <DataTable
          caption="Active agents"
          busy={agents.loading}
          columns={['Agent', 'Owner', 'Grants', 'Report']}
          items={agents.data?.items}
          row={(a) => (
            <tr key={a.id} className={selected === a.id ? 'selected' : undefined}>
              <td>
                <Link to={`/agents/${encodeURIComponent(a.id)}`}>{a.name}</Link>
                <br />
                <code>{a.id}</code>
              </td>
              <td>{a.owner}</td>
              <td>
                {a.scopes.length} scopes, {a.tools.length} tools, up to {a.data_classification}
              </td>
              <td>
                <button type="button" aria-pressed={selected === a.id} aria-label={`Check unused permissions of ${a.name}`} onClick={() => setSelected(a.id)}>
                  Check
                </button>
              </td>
            </tr>
          )}
        />
        {selected !== null && <ReportView key={`${selected}:${days}`} agentId={selected} days={days} />}
      </div>
      {agents.data?.next_cursor && (
        <div className="pager">
          <button type="button" onClick={() => setCursor(agents.data!.next_cursor!)}>
            More agents
          </button>
        </div>
      )}
    </>
  );
}

function ReportView({ agentId, days }: { agentId: string; days: number }) {
  const mayWrite = useCan('agents:write');
  const report = useResource((signal) => api<Report>('GET', `/v1/agents/${encodeURIComponent(agentId)}/unused-permissions`, { query: { days }, signal }), `${agentId}:${days}`);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const patch = report.data?.suggested_patch ?? null;

  const apply = async () => {
    if (!patch) return;
    setBusy(true);
    setError(null);
    try {
      const answer = await api<Agent | { grant_request: { id: string }; message: string }>('PATCH', `/v1/agents/${encodeURIComponent(agentId)}`, { body: patch });
      setMessage('grant_request' in answer ? `Held for an admin: ${answer.message}` : `Registration of ${agentId} narrowed.`);
      report.reload();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="report">
      <h2 id="report">Unused permissions of {agentId}</h2>
      <ErrorText error={report.error ?? error} />
      <p role="status">{message}</p>
      {report.data && (
        <>
          <p>
            {report.data.decisions_read} decisions read since {new Date(report.data.since).toLocaleDateString()} ({report.data.days} days)
            {report.data.complete ? '' : '; the window held more than were read, so nothing is suggested'}.
          </p>
          <dl className="fields">
            <dt>Unused scopes</dt>
            <dd>{list(report.data.unused.scopes)}</dd>
            <dt>Unused tools</dt>
            <dd>{list(report.data.unused.tools)}</dd>
            <dt>Unneeded data classes</dt>
            <dd>{list(report.data.unused.data_classifications)}</dd>
          </dl>
          {patch ? (
            <>
              <h3>Narrowed registration</h3>
              <dl className="fields">
                {patch.scopes && (
                  <>
                    <dt>Scopes</dt>
                    <dd>{list(patch.scopes)}</dd>
                  </>
                )}
                {patch.tools && (
                  <>
                    <dt>Tools</dt>
                    <dd>{list(patch.tools)}</dd>
                  </>
                )}
                {patch.data_classification && (
                  <>
                    <dt>Data classification</dt>
                    <dd>{patch.data_classification}</dd>
                  </>
                )}
              </dl>
              {mayWrite ? (
                <button type="button" className="primary" disabled={busy} onClick={() => void apply()}>
                  Apply narrowed registration
                </button>
              ) : (
                <p className="muted">Applying it needs the agents:write permission.</p>
              )}
            </>
          ) : (
            <p>Nothing to narrow.</p>
          )}
        </>
      )}
    </section>
  );
}
