/**
 * Agents: the registry as a table with search and filters (status, owner, environment,
 * classification, review overdue), status badges, and registration. Lifecycle moves, edit and
 * review are on each agent's page.
 */
import { useState } from 'react';
import { api, describeError } from '../../api';
import { Dialog } from '../../components/dialog';
import { ErrorText, StatusBadge, Time } from '../../components/status';
import { useResource } from '../../hooks';
import { AGENT_STATUS_NAMES, CLASSIFICATION_NAMES } from '../../names';
import { Link, navigate } from '../../router';
import { useCan } from '../../session';
import type { Agent, Held, Page, Registered } from '../../types';
import { AgentForm, type AgentFields } from './agent-form';
import { DataTable } from '../../components/data-table';

interface Filters {
  q: string;
  status: string;
  owner: string;
  environment: string;
  classification: string;
  reviewOverdue: boolean;
}

const NO_FILTERS: Filters = { q: '', status: '', owner: '', environment: '', classification: '', reviewOverdue: false };

export function AgentsPage() {
  const mayWrite = useCan('agents:write');
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  const [more, setMore] = useState<Agent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [registering, setRegistering] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [registered, setRegistered] = useState<Registered | null>(null);
  const [held, setHeld] = useState<string | null>(null);

  const query = (after?: string | null) => ({
    q: applied.q,
    status: applied.status,
    owner: applied.owner,
    environment: applied.environment,
    classification: applied.classification,
    review_overdue: applied.reviewOverdue ? true : undefined,
    limit: 100,
    cursor: after ?? undefined,
  });
  const list = useResource(
    async (signal) => {
      const page = await api<Page<Agent>>('GET', '/v1/agents', { query: query(), signal });
      setMore([]);
      setCursor(page.next_cursor);
      return page.items;
    },
    JSON.stringify(applied),
  );

  const loadMore = async () => {
    const page = await api<Page<Agent>>('GET', '/v1/agents', { query: query(cursor) });
    setMore((m) => [...m, ...page.items]);
    setCursor(page.next_cursor);
  };

  const rows = [...(list.data ?? []), ...more];

  const register = async (fields: AgentFields) => {
    setFormError(null);
    try {
      const answer = await api<Registered | Held>('POST', '/v1/agents', { body: fields });
      setRegistering(false);
      if ('grant_request' in answer) setHeld(answer.message);
      else setRegistered(answer);
      list.reload();
    } catch (e) {
      setFormError(describeError(e));
    }
  };

  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => setFilters((f) => ({ ...f, [key]: value }));

  return (
    <>
      <form
        className="filters"
        role="search"
        aria-label="Filter agents"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(filters);
        }}
      >
        <label>
          Search
          <input type="search" name="q" value={filters.q} onChange={(e) => set('q', e.target.value)} placeholder="name, id, purpose" />
        </label>
        <label>
          Status
          <select name="status" value={filters.status} onChange={(e) => set('status', e.target.value)}>
            <option value="">any</option>
            {AGENT_STATUS_NAMES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Owner
          <input name="owner" value={filters.owner} onChange={(e) => set('owner', e.target.value)} />
        </label>
        <label>
          Environment
          <input name="environment" value={filters.environment} onChange={(e) => set('environment', e.target.value)} />
        </label>
        <label>
          Classification
          <select name="classification" value={filters.classification} onChange={(e) => set('classification', e.target.value)}>
            <option value="">any</option>
            {CLASSIFICATION_NAMES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" name="review_overdue" checked={filters.reviewOverdue} onChange={(e) => set('reviewOverdue', e.target.checked)} />
          Review overdue
        </label>
        <div className="buttons">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            onClick={() => {
              setFilters(NO_FILTERS);
              setApplied(NO_FILTERS);
            }}
          >
            Clear
          </button>
        </div>
      </form>

      {mayWrite && (
        <p>
          <button type="button" className="primary" onClick={() => setRegistering(true)}>
            Register an agent
          </button>
        </p>
      )}
      {held && (
        <p role="status" className="notice">
          {held}
        </p>
      )}

      <ErrorText error={list.error} />
      <DataTable
        caption={list.loading ? 'Loading agents…' : `${rows.length} agent${rows.length === 1 ? '' : 's'}`}
        columns={['Name', 'Id', 'Owner', 'Environment', 'Classification', 'Status', 'Review due']}
        items={rows}
        row={(agent) => (
          <tr key={agent.id}>
            <td>
              <Link to={`/agents/${encodeURIComponent(agent.id)}`}>{agent.name}</Link>
            </td>
            <td>
              <code>{agent.id}</code>
            </td>
            <td>{agent.owner}</td>
            <td>{agent.environment}</td>
            <td>{agent.data_classification}</td>
            <td>
              <StatusBadge status={agent.status} />
            </td>
            <td>
              <Time iso={agent.review_due_at} /> {agent.review_overdue && <StatusBadge status="overdue" />}
            </td>
          </tr>
        )}
      />
      {cursor && (
        <button type="button" onClick={() => void loadMore()}>
          Load more
        </button>
      )}

      <Dialog title="Register an agent" open={registering} onClose={() => setRegistering(false)}>
        <ErrorText error={formError} />
        <AgentForm submitLabel="Register" onSubmit={register} onCancel={() => setRegistering(false)} />
      </Dialog>
      <Dialog title="Agent registered" open={registered !== null} onClose={() => setRegistered(null)}>
        {registered && (
          <>
            <p>The client secret is shown once: copy it now, it cannot be read again.</p>
            <dl>
              <dt>Agent</dt>
              <dd>
                <code>{registered.agent.id}</code>
              </dd>
              <dt>Client id</dt>
              <dd>
                <code>{registered.client_id}</code>
              </dd>
              <dt>Client secret</dt>
              <dd>
                <code className="secret">{registered.client_secret}</code>
              </dd>
            </dl>
            <div className="buttons">
              <button
                type="button"
                className="primary"
                onClick={() => {
                  const id = registered.agent.id;
                  setRegistered(null);
                  navigate(`/agents/${encodeURIComponent(id)}`);
                }}
              >
                Open the agent
              </button>
              <button type="button" onClick={() => setRegistered(null)}>
                Close
              </button>
            </div>
          </>
        )}
      </Dialog>
    </>
  );
}
