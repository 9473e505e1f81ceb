/**
 * Alerts: the monitor's alerts by status (GET /v1/alerts), acknowledge and resolve
 * (POST /v1/alerts/{id}/ack|resolve, alerts:manage), and each alert's chart of the observed
 * value against the baseline it was judged against (GET /v1/alerts/{id}/series).
 */
import { useState } from 'react';
import { api, describeError } from '../../api';
import { SignalChart, type SeriesData } from '../../components/chart';
import { ErrorText, StatusBadge, Time } from '../../components/status';
import { useResource } from '../../hooks';
import { Link } from '../../router';
import { useCan } from '../../session';
import { Pager } from '../pager';
import { DataTable } from '../../components/data-table';
import type { Alert } from '../../types';
import '../review.css';

interface Series {
  window: string;
  bucket_seconds: number;
  times: string[];
  signals: Record<string, { observed: number[]; mean: number[]; deviation: number[]; threshold: Array<number | null> }>;
}

const STATUSES = ['open', 'acknowledged', 'resolved', 'all'] as const;
const fixed = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

export function AlertsPage() {
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('open');
  const [cursors, setCursors] = useState<string[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const mayManage = useCan('alerts:manage');
  const cursor = cursors.at(-1);
  const list = useResource(
    (signal) => api<{ items: Alert[]; next_cursor: string | null }>('GET', '/v1/alerts', { query: { status: status === 'all' ? undefined : status, limit: 50, cursor }, signal }),
    `${status}:${cursor ?? ''}`,
    10_000,
  );

  const respond = async (alert: Alert, action: 'ack' | 'resolve') => {
    setError(null);
    try {
      const updated = await api<Alert>('POST', `/v1/alerts/${encodeURIComponent(alert.id)}/${action}`, { body: {} });
      setMessage(`Alert ${updated.id} ${updated.status}.`);
      list.reload();
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <>
      <form className="filters" aria-label="Alert filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as (typeof STATUSES)[number]);
              setCursors([]);
            }}
          >
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </form>
      <p role="status">{message}</p>
      <ErrorText error={error ?? list.error} />
      <DataTable
        caption="Alerts, newest first"
        busy={list.loading}
        columns={['Raised', 'Severity', 'Signal', 'Agent', 'Observed / baseline', 'Status', 'Actions']}
        items={list.data?.items}
        empty={<>No {status === 'all' ? '' : `${status} `}alerts.</>}
        row={(a) => (
          <tr key={a.id} className={selected === a.id ? 'selected' : undefined}>
            <td>
              <Time iso={a.raised_at} />
            </td>
            <td>
              <StatusBadge status={a.severity} />
            </td>
            <td>
              <code>{a.signal}</code> ({a.window})
            </td>
            <td>
              <Link to={`/agents/${encodeURIComponent(a.agent_id)}`}>{a.agent_id}</Link>
              {a.agent_suspended && <> (suspended)</>}
            </td>
            <td>
              {fixed(a.observed)} against {fixed(a.baseline.mean)} ± {fixed(a.baseline.deviation)}
            </td>
            <td>
              <StatusBadge status={a.status} />
            </td>
            <td>
              <div className="buttons" role="group" aria-label={`Actions for alert ${a.id}`}>
                <button type="button" aria-pressed={selected === a.id} onClick={() => setSelected(selected === a.id ? null : a.id)}>
                  Chart
                </button>
                {mayManage && a.status === 'open' && (
                  <button type="button" onClick={() => void respond(a, 'ack')}>
                    Acknowledge
                  </button>
                )}
                {mayManage && a.status !== 'resolved' && (
                  <button type="button" onClick={() => void respond(a, 'resolve')}>
                    Resolve
                  </button>
                )}
              </div>
            </td>
          </tr>
        )}
      />
      <Pager cursors={cursors} next={list.data?.next_cursor} onChange={setCursors} />
      {selected !== null && <AlertChart id={selected} />}
    </>
  );
}

function AlertChart({ id }: { id: string }) {
  const chart = useResource((signal) => api<{ alert: Alert; series: Series }>('GET', `/v1/alerts/${encodeURIComponent(id)}/series`, { query: { buckets: 48 }, signal }), id);
  const alert = chart.data?.alert;
  const line = alert ? chart.data?.series.signals[alert.signal] : undefined;
  const data: SeriesData = line
    ? { times: chart.data!.series.times.map((t) => Date.parse(t) / 1000), observed: line.observed, baseline: line.mean, threshold: line.threshold }
    : { times: [], observed: [], baseline: [] };
  return (
    <section aria-labelledby="alert-chart">
      <h2 id="alert-chart">Alert {id}</h2>
      <ErrorText error={chart.error} />
      {alert && (
        <>
          <p>{alert.reason}</p>
          {line ? (
            <div className="charts">
              <SignalChart title={`${alert.signal}: observed against baseline per ${chart.data!.series.window} bucket`} data={data} />
            </div>
          ) : (
            <p>An operational alert: it is not judged against a baseline, so there is no chart.</p>
          )}
          {alert.sample_seqs.length > 0 && <p>Sample audit entries: {alert.sample_seqs.join(', ')} (see the audit explorer).</p>}
        </>
      )}
    </section>
  );
}
