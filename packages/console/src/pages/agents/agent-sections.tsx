/**
 * The sections of an agent's page that read other contexts: live credentials, recent
 * activity from the audit log, delegation chains and monitoring signals. Each loads on its
 * own, so a role that may not read one still sees the others.
 */
import { api, ApiError } from '../../api';
import { SignalChart, type SeriesPoint } from '../../components/chart';
import { DelegationTree } from '../../components/delegation-tree';
import { ErrorText, StatusBadge, Time } from '../../components/status';
import { useResource } from '../../hooks';
import { useCan } from '../../session';
import type { AuditEntry, Certificate, ChainLink, Lease } from '../../types';

/** A list that answered 404 "no route" is an API this build does not serve. */
const notServed = (e: unknown) => e instanceof ApiError && e.status === 404 && /^no route/.test(e.message);

export function CredentialsSection({ agentId, clientId }: { agentId: string; clientId: string }) {
  const mayReadLeases = useCan('leases:read');
  const certificates = useResource((signal) => api<{ items: Certificate[] }>('GET', '/v1/certificates', { query: { agent_id: agentId }, signal }), `c:${agentId}`);
  const leases = useResource(
    (signal) => (mayReadLeases ? api<{ items: Lease[] }>('GET', '/v1/leases', { query: { agent_id: agentId, status: 'active,revoking' }, signal }) : Promise.resolve({ items: [] as Lease[] })),
    `l:${agentId}`,
  );
  const now = Date.now();
  const liveCerts = (certificates.data?.items ?? []).filter((c) => !c.revoked_at && Date.parse(c.not_after) > now);
  return (
    <section aria-labelledby="credentials">
      <h2 id="credentials">Live credentials</h2>
      <p>
        OAuth client <code>{clientId}</code>: access tokens are short-lived JWTs; every issuance is in the activity below.
      </p>
      <ErrorText error={certificates.error} />
      <table>
        <caption>Certificates (X.509-SVIDs), unexpired and unrevoked</caption>
        <thead>
          <tr>
            <th scope="col">Serial</th>
            <th scope="col">SPIFFE id</th>
            <th scope="col">Issued</th>
            <th scope="col">Expires</th>
            <th scope="col">Task</th>
          </tr>
        </thead>
        <tbody>
          {liveCerts.length === 0 && (
            <tr>
              <td colSpan={5}>none</td>
            </tr>
          )}
          {liveCerts.map((c) => (
            <tr key={c.serial}>
              <td>
                <code>{c.serial}</code>
              </td>
              <td>{c.spiffe_id}</td>
              <td>
                <Time iso={c.issued_at} />
              </td>
              <td>
                <Time iso={c.not_after} />
              </td>
              <td>{c.task_id ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {mayReadLeases && (
        <>
          <ErrorText error={leases.error} />
          <table>
            <caption>Leases (database credentials), live</caption>
            <thead>
              <tr>
                <th scope="col">Lease</th>
                <th scope="col">Path</th>
                <th scope="col">Status</th>
                <th scope="col">Expires</th>
                <th scope="col">Task</th>
              </tr>
            </thead>
            <tbody>
              {(leases.data?.items ?? []).length === 0 && (
                <tr>
                  <td colSpan={5}>none</td>
                </tr>
              )}
              {(leases.data?.items ?? []).map((l) => (
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
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/** The agent's recent audit entries (as actor or as subject), newest first; also the source of its delegation chains. */
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
      <table>
        <caption>Audit entries for this agent, newest first (updates every 10 s)</caption>
        <thead>
          <tr>
            <th scope="col">Seq</th>
            <th scope="col">Time</th>
            <th scope="col">Type</th>
            <th scope="col">Actor</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {entries.length === 0 && (
            <tr>
              <td colSpan={5}>no entries</td>
            </tr>
          )}
          {entries.map((e) => (
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
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Chains seen in the agent's activity: the audit actor of a delegated call carries its chain. */
export function chainsOf(entries: AuditEntry[]): ChainLink[][] {
  const chains: ChainLink[][] = [];
  for (const entry of entries) {
    const chain = entry.actor.chain;
    if (Array.isArray(chain) && chain.every((l) => typeof l === 'object' && l !== null && typeof (l as ChainLink).sub === 'string')) chains.push(chain as ChainLink[]);
  }
  return chains;
}

export function DelegationSection({ agentId, entries }: { agentId: string; entries: AuditEntry[] }) {
  return (
    <section aria-labelledby="delegation">
      <h2 id="delegation">Delegation chains</h2>
      <p className="muted">From the original subject (a user) down to the acting agent, as recorded in the audit log.</p>
      <DelegationTree chains={chainsOf(entries)} highlight={agentId} label={`Delegation chains of ${agentId}`} />
    </section>
  );
}

/** The monitor's six signals, in the order the monitor lists them (names.ts SIGNAL_NAMES). */
export const SIGNALS: { name: string; title: string; unit?: string }[] = [
  { name: 'auth_frequency', title: 'Authentication frequency', unit: 'per window' },
  { name: 'scope_usage', title: 'First use of a permission' },
  { name: 'cross_user', title: 'Cross-user access' },
  { name: 'action_velocity', title: 'Action velocity', unit: 'per window' },
  { name: 'error_rate', title: 'Error rate' },
  { name: 'delegation_depth', title: 'Delegation depth' },
];

interface SignalSeries {
  signal: string;
  points: { t: string; value: number; baseline: number | null }[];
}

export function SignalsSection({ agentId }: { agentId: string }) {
  const series = useResource(
    (signal) =>
      api<{ signals: SignalSeries[] }>('GET', `/v1/agents/${encodeURIComponent(agentId)}/signals`, { signal }).then(
        (r) => r.signals,
        (e: unknown) => {
          if (notServed(e)) return null;
          throw e;
        },
      ),
    `s:${agentId}`,
    30_000,
  );
  return (
    <section aria-labelledby="signals">
      <h2 id="signals">Monitoring signals</h2>
      <ErrorText error={series.error} />
      {series.data === null && <p className="muted">Per-agent signal series are not served by this build.</p>}
      {series.data && (
        <div className="charts">
          {SIGNALS.map((s) => {
            const found = series.data?.find((x) => x.signal === s.name);
            const points: SeriesPoint[] = (found?.points ?? []).map((p) => ({ t: Date.parse(p.t) / 1000, value: p.value, baseline: p.baseline }));
            return <SignalChart key={s.name} title={s.title} points={points} unit={s.unit} />;
          })}
        </div>
      )}
    </section>
  );
}
