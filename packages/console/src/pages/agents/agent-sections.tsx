/**
 * The sections of an agent's page that read other contexts: live credentials, recent
 * activity from the audit log, delegation chains and monitoring signals. Each loads on its
 * own, so a role that may not read one still sees the others.
 */
import { useState } from 'react';
import { api } from '../../api';
import { SignalChart } from '../../components/chart';
import { DelegationTree } from '../../components/delegation-tree';
import { ErrorText, StatusBadge, Time } from '../../components/status';
import { useResource } from '../../hooks';
import type { AuditEntry, Credentials, DelegationLink, Signals } from '../../types';
import { DataTable } from '../../components/data-table';

const agentPath = (id: string, rest: string) => `/v1/agents/${encodeURIComponent(id)}/${rest}`;

/** What the agent holds now (GET /v1/agents/{id}/credentials); the lifecycle dialog lists the same. */
export function useCredentials(agentId: string, key = '') {
  return useResource((signal) => api<Credentials>('GET', agentPath(agentId, 'credentials'), { signal }), `${agentId}:${key}`, 15_000);
}

export function CredentialsSection({ agentId, clientId, reloadKey }: { agentId: string; clientId: string; reloadKey: string }) {
  const credentials = useCredentials(agentId, reloadKey);
  const c = credentials.data;
  return (
    <section aria-labelledby="credentials">
      <h2 id="credentials">Live credentials</h2>
      <p className="muted">
        OAuth client <code>{clientId}</code>. Updates every 15 s.
      </p>
      <ErrorText error={credentials.error} />
      <DataTable
        caption={<>Access tokens, unexpired and unrevoked{c && !c.tokens_complete ? ' (newest shown; more exist)' : ''}</>}
        columns={['Token id (jti)', 'Grant', 'Scopes', 'Audience', 'Issued', 'Expires', 'Bound']}
        items={c?.tokens}
        empty="none"
        row={(t) => (
          <tr key={t.jti}>
            <td>
              <code>{t.jti}</code>
            </td>
            <td>
              {t.grant_type.replace(/^urn:ietf:params:oauth:grant-type:/, '')}
              {t.depth !== null ? ` (depth ${t.depth})` : ''}
            </td>
            <td>
              <code>{t.scopes.join(' ')}</code>
            </td>
            <td>{Array.isArray(t.audience) ? t.audience.join(', ') : t.audience}</td>
            <td>
              <Time iso={t.issued_at} />
            </td>
            <td>
              <Time iso={t.expires_at} />
            </td>
            <td>
              {t.dpop ? 'DPoP' : 'bearer'}
              {t.task_id ? `, task ${t.task_id}` : ''}
            </td>
          </tr>
        )}
      />
      <DataTable
        caption="Certificates (X.509-SVIDs), unexpired and unrevoked"
        columns={['Serial', 'SPIFFE id', 'Issued', 'Expires', 'Task']}
        items={c?.certificates}
        empty="none"
        row={(cert) => (
          <tr key={cert.serial}>
            <td>
              <code>{cert.serial}</code>
            </td>
            <td>{cert.spiffe_id}</td>
            <td>
              <Time iso={cert.issued_at} />
            </td>
            <td>
              <Time iso={cert.not_after} />
            </td>
            <td>{cert.task_id ?? '—'}</td>
          </tr>
        )}
      />
      {c?.leases && (
        <DataTable
          caption="Leases (database credentials), live"
          columns={['Lease', 'Path', 'Status', 'Expires', 'Task']}
          items={c.leases}
          empty="none"
          row={(l) => (
            <tr key={l.lease_id}>
              <td>
                <code>{l.lease_id}</code>
              </td>
              <td>{l.path}</td>
              <td>
                <StatusBadge status={l.status} />
              </td>
              <td>
                <Time iso={l.expires_at} />
              </td>
              <td>{l.task_id ?? '—'}</td>
            </tr>
          )}
        />
      )}
      <DataTable
        caption="Open tasks"
        columns={['Task', 'Description', 'Created', 'Expires']}
        items={c?.tasks}
        empty="none"
        row={(t) => (
          <tr key={t.id}>
            <td>
              <code>{t.id}</code>
            </td>
            <td>{t.description}</td>
            <td>
              <Time iso={t.created_at} />
            </td>
            <td>
              <Time iso={t.expires_at} />
            </td>
          </tr>
        )}
      />
    </section>
  );
}

/** The agent's recent audit entries (as actor or as subject), newest first. */
export function useAgentActivity(agentId: string, enabled: boolean) {
  return useResource(
    (signal) => (enabled ? api<{ items: AuditEntry[] }>('GET', '/v1/audit', { query: { agent: agentId, limit: 50 }, signal }).then((r) => r.items) : Promise.resolve([] as AuditEntry[])),
    `a:${agentId}:${enabled}`,
    10_000,
  );
}

export function ActivitySection({ entries, error }: { entries: AuditEntry[]; error: string | null }) {
  return (
    <section aria-labelledby="activity">
      <h2 id="activity">Recent activity</h2>
      <ErrorText error={error} />
      <DataTable
        caption="Audit entries for this agent, newest first (updates every 10 s)"
        columns={['Seq', 'Time', 'Type', 'Actor', 'Outcome']}
        items={entries}
        empty="none"
        row={(e) => (
          <tr key={e.seq}>
            <td>{e.seq}</td>
            <td>
              <Time iso={e.time} />
            </td>
            <td>
              <code>{e.type}</code>
            </td>
            <td>
              {e.actor.kind} {e.actor.id}
            </td>
            <td>
              <StatusBadge status={e.outcome} />
            </td>
          </tr>
        )}
      />
    </section>
  );
}

export function DelegationSection({ agentId }: { agentId: string }) {
  const links = useResource((signal) => api<{ items: DelegationLink[] }>('GET', agentPath(agentId, 'delegations'), { signal }).then((r) => r.items), agentId, 15_000);
  return (
    <section aria-labelledby="delegation">
      <h2 id="delegation">Delegation chains</h2>
      <p className="muted">Unexpired delegated tokens this agent takes part in, each under the token it was exchanged from, from the original subject down.</p>
      <ErrorText error={links.error} />
      {links.data && <DelegationTree links={links.data} highlight={agentId} label={`Delegation chains of ${agentId}`} />}
    </section>
  );
}

/** The monitor's six signals (monitoring/signals.ts), each with what its value counts. */
export const SIGNALS: { name: string; title: string; unit?: string }[] = [
  { name: 'auth_frequency', title: 'Authentication frequency', unit: 'per bucket' },
  { name: 'scope_usage', title: 'First use of a permission', unit: 'first uses' },
  { name: 'cross_user', title: 'Cross-user access', unit: 'users' },
  { name: 'action_velocity', title: 'Action velocity', unit: 'per bucket' },
  { name: 'error_rate', title: 'Error rate' },
  { name: 'delegation_depth', title: 'Delegation depth', unit: 'links' },
];

const WINDOWS = ['1m', '1h', '24h'] as const;

export function SignalsSection({ agentId }: { agentId: string }) {
  const [bucket, setBucket] = useState<(typeof WINDOWS)[number]>('1h');
  const series = useResource((signal) => api<Signals>('GET', agentPath(agentId, 'signals'), { query: { window: bucket, buckets: 48 }, signal }), `${agentId}:${bucket}`, 30_000);
  const s = series.data;
  return (
    <section aria-labelledby="signals">
      <h2 id="signals">Monitoring signals</h2>
      <label className="inline">
        Bucket size
        <select name="window" value={bucket} onChange={(e) => setBucket(e.target.value as (typeof WINDOWS)[number])}>
          {WINDOWS.map((w) => (
            <option key={w} value={w}>
              {w}
            </option>
          ))}
        </select>
      </label>
      <p className="muted">Observed value (solid), the baseline it was judged against (dashed) and the alert threshold (dotted), rebuilt from the audit log.</p>
      <ErrorText error={series.error} />
      {s && (
        <div className="charts">
          {SIGNALS.map((signal) => {
            const one = s.signals[signal.name];
            const times = s.times.map((t) => Date.parse(t) / 1000);
            const data = one ? { times, observed: one.observed, baseline: one.mean, threshold: one.threshold } : { times: [], observed: [], baseline: [] };
            return <SignalChart key={signal.name} title={signal.title} data={data} unit={signal.unit} />;
          })}
        </div>
      )}
    </section>
  );
}
