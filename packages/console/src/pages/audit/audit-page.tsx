/**
 * The audit explorer: the hash-chained log filtered by type, agent, actor, delegation chain and
 * time (GET /v1/audit, paged by after_seq), one entry in full (GET /v1/audit/entries/{seq}),
 * and the chain's verification (GET /v1/audit/verify) beside the newest signed checkpoint
 * (GET /v1/audit/checkpoints/latest).
 */
import { useState, type FormEvent } from 'react';
import { api, ApiError, describeError } from '../../api';
import { ErrorText, StatusBadge, Time } from '../../components/status';
import { useResource } from '../../hooks';
import type { AuditEntry } from '../../types';
import { Pager } from '../pager';
import { DataTable } from '../../components/data-table';
import '../review.css';

interface Filters {
  type: string;
  agent: string;
  actor: string;
  chain_id: string;
  from: string;
  to: string;
}

const NO_FILTERS: Filters = { type: '', agent: '', actor: '', chain_id: '', from: '', to: '' };
const PAGE_SIZE = 50;

interface AuditPage {
  items: AuditEntry[];
  next_after_seq: number | null;
}

interface Verification {
  ok: boolean;
  count: number;
  checkpoints: number;
  head: { seq: number; hash: string };
  first_bad_seq?: number;
  reason?: string;
  message?: string;
}

interface Checkpoint {
  seq: number;
  hash: string;
  time: string;
  key_id: string;
  signature: string;
}

/** A datetime-local value (the browser's zone) as ISO-8601, the API's form. */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function AuditPage() {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // The after_seq of each page shown so far: the last one is the current page's.
  const [cursors, setCursors] = useState<number[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const after = cursors.at(-1);
  const page = useResource(
    (signal) =>
      api<AuditPage>('GET', '/v1/audit', {
        query: { type: filters.type, agent: filters.agent, actor: filters.actor, chain_id: filters.chain_id, from: isoOf(filters.from), to: isoOf(filters.to), limit: PAGE_SIZE, after_seq: after },
        signal,
      }),
    JSON.stringify([filters, after]),
  );

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
    setCursors([]);
    setSelected(null);
  };
  const field = (name: keyof Filters, label: string, type = 'text', hint?: string) => (
    <label>
      {label}
      <input type={type} value={draft[name]} onChange={(e) => setDraft({ ...draft, [name]: e.target.value })} placeholder={hint} />
    </label>
  );

  return (
    <>
      <ChainStatus />
      <section aria-labelledby="audit-entries">
        <h2 id="audit-entries">Entries</h2>
        <form className="filters" onSubmit={apply} aria-label="Audit filters">
          {field('type', 'Type', 'text', 'token.* or agent.suspended')}
          {field('agent', 'Agent')}
          {field('actor', 'Actor')}
          {field('chain_id', 'Delegation chain')}
          {field('from', 'From', 'datetime-local')}
          {field('to', 'To', 'datetime-local')}
          <div className="buttons">
            <button type="submit" className="primary">
              Apply filters
            </button>
            <button
              type="button"
              onClick={() => {
                setDraft(NO_FILTERS);
                setFilters(NO_FILTERS);
                setCursors([]);
              }}
            >
              Clear
            </button>
          </div>
        </form>
        <ErrorText error={page.error} />
        <div className="split">
          <div>
            <DataTable
              caption={<>Audit entries, newest first{page.data ? ` (${page.data.items.length} shown)` : ''}</>}
              busy={page.loading}
              columns={['Seq', 'Time', 'Type', 'Actor', 'Agent', 'Outcome']}
              items={page.data?.items}
              empty="No entries match."
              row={(e) => (
                <tr key={e.seq} className={selected === e.seq ? 'selected' : undefined}>
                  <td>
                    <button type="button" aria-pressed={selected === e.seq} aria-label={`Show entry ${e.seq}`} onClick={() => setSelected(e.seq)}>
                      {e.seq}
                    </button>
                  </td>
                  <td>
                    <Time iso={e.time} />
                  </td>
                  <td>
                    <code>{e.type}</code>
                  </td>
                  <td>
                    {e.actor.kind}:{e.actor.id}
                  </td>
                  <td>{e.agent_id ?? '—'}</td>
                  <td>
                    <StatusBadge status={e.outcome} />
                  </td>
                </tr>
              )}
            />
            <Pager cursors={cursors} next={page.data?.next_after_seq} onChange={setCursors} />
          </div>
          {selected !== null && <EntryDetail seq={selected} />}
        </div>
      </section>
    </>
  );
}

function EntryDetail({ seq }: { seq: number }) {
  const entry = useResource((signal) => api<AuditEntry>('GET', `/v1/audit/entries/${seq}`, { signal }), String(seq));
  return (
    <section aria-labelledby="entry-detail" aria-live="polite">
      <h2 id="entry-detail">Entry {seq}</h2>
      <ErrorText error={entry.error} />
      {entry.data && (
        <>
          <dl className="fields">
            <dt>Time</dt>
            <dd>
              <Time iso={entry.data.time} />
            </dd>
            <dt>Type</dt>
            <dd>
              <code>{entry.data.type}</code>
            </dd>
            <dt>Actor</dt>
            <dd>
              <code>{JSON.stringify(entry.data.actor)}</code>
            </dd>
            <dt>Subject</dt>
            <dd>{entry.data.subject ?? '—'}</dd>
            <dt>Agent</dt>
            <dd>{entry.data.agent_id ?? '—'}</dd>
            <dt>Action</dt>
            <dd>{entry.data.action}</dd>
            <dt>Outcome</dt>
            <dd>
              <StatusBadge status={entry.data.outcome} />
            </dd>
            <dt>Hash</dt>
            <dd className="hash">{entry.data.hash}</dd>
            <dt>Previous hash</dt>
            <dd className="hash">{entry.data.prev_hash}</dd>
          </dl>
          <h3>Details</h3>
          <pre className="json" tabIndex={0} aria-label={`Details of entry ${seq}`}>
            {JSON.stringify(entry.data.details, null, 2)}
          </pre>
        </>
      )}
    </section>
  );
}

/** The chain's state: verified on request (it reads the whole log), and the newest signed checkpoint. */
function ChainStatus() {
  const [result, setResult] = useState<Verification | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const checkpoint = useResource(
    (signal) =>
      api<Checkpoint>('GET', '/v1/audit/checkpoints/latest', { signal }).catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }),
    'latest',
  );
  const verify = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await api<Verification>('GET', '/v1/audit/verify'));
      checkpoint.reload();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="chain-status">
      <h2 id="chain-status">Chain verification</h2>
      <div className="buttons">
        <button type="button" className="primary" onClick={() => void verify()} disabled={busy}>
          {busy ? 'Verifying…' : 'Verify the chain'}
        </button>
      </div>
      <ErrorText error={error} />
      <div role="status">
        {result?.ok && (
          <p className="status-ok">
            Chain intact: {result.count} entries and {result.checkpoints} signed checkpoints verify; head seq {result.head.seq} <span className="hash">{result.head.hash}</span>
          </p>
        )}
        {result && !result.ok && (
          <p className="status-bad">
            Chain broken at seq {result.first_bad_seq}: {result.reason} ({result.message})
          </p>
        )}
      </div>
      <ErrorText error={checkpoint.error} />
      {checkpoint.data === null && <p>No signed checkpoint yet.</p>}
      {checkpoint.data && (
        <dl className="fields" aria-label="Last signed checkpoint">
          <dt>Last signed checkpoint</dt>
          <dd>seq {checkpoint.data.seq}</dd>
          <dt>Signed at</dt>
          <dd>
            <Time iso={checkpoint.data.time} />
          </dd>
          <dt>Hash</dt>
          <dd className="hash">{checkpoint.data.hash}</dd>
          <dt>Key</dt>
          <dd>
            <code>{checkpoint.data.key_id}</code> (public keys: GET /v1/audit/keys)
          </dd>
        </dl>
      )}
    </section>
  );
}
