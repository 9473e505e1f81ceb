/**
 * One agent: every registry field, the moves its status allows (edit, suspend, resume,
 * deprecate, decommission, review), its live credentials, recent activity, delegation chains
 * and monitoring signals.
 */
import { useState, type ReactNode } from 'react';
import { api, describeError } from '../../api';
import { Dialog } from '../../components/dialog';
import { ErrorText, StatusBadge, Time } from '../../components/status';
import { useResource } from '../../hooks';
import { LIFECYCLE_MOVES, type AgentStatus, type LifecycleAction } from '../../names';
import { useCan } from '../../session';
import type { Agent, Held, Revoked } from '../../types';
import { AgentForm, type AgentFields } from './agent-form';
import { ActivitySection, CredentialsSection, DelegationSection, SignalsSection, useAgentActivity } from './agent-sections';
import { LifecycleDialog } from './lifecycle-dialog';

function Field({ name, children }: { name: string; children: ReactNode }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{children}</dd>
    </>
  );
}

const list = (items: string[]) => (items.length ? items.map((s) => <code key={s}>{s} </code>) : '—');

export function AgentDetailPage({ id }: { id: string }) {
  const mayWrite = useCan('agents:write');
  const mayAudit = useCan('audit:read');
  const agent = useResource((signal) => api<Agent>('GET', `/v1/agents/${encodeURIComponent(id)}`, { signal }), id);
  const activity = useAgentActivity(id, mayAudit);
  const [move, setMove] = useState<LifecycleAction | null>(null);
  const [editing, setEditing] = useState(false);
  const [reviewing, setReviewing] = useState(false);
  const [notes, setNotes] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [revoked, setRevoked] = useState<Revoked[] | null>(null);

  if (agent.error) return <ErrorText error={agent.error} />;
  const a = agent.data;
  if (!a) return <p aria-live="polite">Loading…</p>;

  const edit = async (fields: AgentFields) => {
    setFormError(null);
    try {
      const answer = await api<Agent | Held>('PATCH', `/v1/agents/${encodeURIComponent(a.id)}`, { body: fields });
      setEditing(false);
      setOutcome('grant_request' in answer ? answer.message : 'Saved.');
      agent.reload();
      activity.reload();
    } catch (e) {
      setFormError(describeError(e));
    }
  };
  const review = async () => {
    setFormError(null);
    try {
      await api<Agent>('POST', `/v1/agents/${encodeURIComponent(a.id)}/review`, { body: notes ? { notes } : {} });
      setReviewing(false);
      setNotes('');
      setOutcome('Review recorded.');
      agent.reload();
      activity.reload();
    } catch (e) {
      setFormError(describeError(e));
    }
  };
  const moves = LIFECYCLE_MOVES[a.status as AgentStatus] ?? [];
  const frozen = a.status === 'decommissioned';

  return (
    <>
      <p>
        <StatusBadge status={a.status} /> {a.review_overdue && <StatusBadge status="overdue" />} {a.purpose}
      </p>
      {mayWrite && (
        <div className="buttons" role="group" aria-label="Agent actions">
          {!frozen && (
            <button type="button" onClick={() => setEditing(true)}>
              Edit
            </button>
          )}
          {moves.map((m) => (
            <button key={m} type="button" className={m === 'decommission' ? 'danger' : undefined} onClick={() => setMove(m)}>
              {m[0]!.toUpperCase() + m.slice(1)}
            </button>
          ))}
          {!frozen && (
            <button type="button" onClick={() => setReviewing(true)}>
              Review
            </button>
          )}
        </div>
      )}
      <div role="status" aria-live="polite">
        {outcome && <p className="notice">{outcome}</p>}
        {revoked && (
          <div className="notice">
            <p>Revoked with the move: {revoked.length === 0 ? 'nothing' : ''}</p>
            {revoked.length > 0 && (
              <ul>
                {revoked.map((r) => (
                  <li key={`${r.kind}:${r.id}`}>
                    {r.kind} {r.id}
                    {r.detail ? ` (${r.detail})` : ''}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>

      <section aria-labelledby="fields">
        <h2 id="fields">Registry record</h2>
        <dl className="fields">
          <Field name="Id">
            <code>{a.id}</code>
          </Field>
          <Field name="Name">{a.name}</Field>
          <Field name="Purpose">{a.purpose}</Field>
          <Field name="Owner">{a.owner}</Field>
          <Field name="Status">
            <StatusBadge status={a.status} /> since <Time iso={a.status_changed_at} /> by {a.status_changed_by}
            {a.status_reason ? `: ${a.status_reason}` : ''}
          </Field>
          <Field name="Scopes">{list(a.scopes)}</Field>
          <Field name="Tools">{list(a.tools)}</Field>
          <Field name="Maximum data classification">{a.data_classification}</Field>
          <Field name="Environment">{a.environment}</Field>
          <Field name="Client id">
            <code>{a.client_id}</code>
          </Field>
          <Field name="Client secret issued">
            <Time iso={a.client_secret_issued_at} />
          </Field>
          <Field name="Previous secret expires">
            <Time iso={a.previous_secret_expires_at} />
          </Field>
          <Field name="Token lifetime">{a.token_ttl_seconds === null ? 'server default' : `${a.token_ttl_seconds} s`}</Field>
          <Field name="Client keys (private_key_jwt)">{a.jwks ? `${a.jwks.keys.length} key(s)` : '—'}</Field>
          <Field name="TLS client subject DN">{a.tls_client_auth_subject_dn ?? '—'}</Field>
          <Field name="Metadata">
            {Object.keys(a.metadata).length === 0
              ? '—'
              : Object.entries(a.metadata).map(([k, v]) => (
                  <span key={k}>
                    {k}={v}{' '}
                  </span>
                ))}
          </Field>
          <Field name="Created">
            <Time iso={a.created_at} /> by {a.created_by}
          </Field>
          <Field name="Updated">
            <Time iso={a.updated_at} />
          </Field>
          <Field name="Last review">
            {a.last_review ? (
              <>
                <Time iso={a.last_review.at} /> by {a.last_review.by}
                {a.last_review.notes ? `: ${a.last_review.notes}` : ''}
              </>
            ) : (
              'never'
            )}
          </Field>
          <Field name="Review due">
            <Time iso={a.review_due_at} /> {a.review_overdue && <StatusBadge status="overdue" />}
          </Field>
        </dl>
      </section>

      <CredentialsSection agentId={a.id} clientId={a.client_id} reloadKey={a.updated_at} />
      <SignalsSection agentId={a.id} />
      <DelegationSection agentId={a.id} />
      {mayAudit && <ActivitySection entries={activity.data ?? []} error={activity.error} />}

      <LifecycleDialog
        agent={a}
        action={move}
        onClose={() => setMove(null)}
        onDone={(_, r) => {
          setMove(null);
          setOutcome(null);
          setRevoked(r);
          agent.reload();
          activity.reload();
        }}
      />
      <Dialog title={`Edit ${a.name}`} open={editing} onClose={() => setEditing(false)}>
        <ErrorText error={formError} />
        <AgentForm initial={a} submitLabel="Save" onSubmit={edit} onCancel={() => setEditing(false)} />
      </Dialog>
      <Dialog title={`Review ${a.name}`} open={reviewing} onClose={() => setReviewing(false)}>
        <p>Records that a person checked this agent's purpose and permissions; the next review falls due after the review interval.</p>
        <ErrorText error={formError} />
        <label>
          Notes
          <textarea name="notes" value={notes} onChange={(e) => setNotes(e.target.value)} />
        </label>
        <div className="buttons">
          <button type="button" className="primary" onClick={() => void review()}>
            Record review
          </button>
          <button type="button" onClick={() => setReviewing(false)}>
            Cancel
          </button>
        </div>
      </Dialog>
    </>
  );
}
