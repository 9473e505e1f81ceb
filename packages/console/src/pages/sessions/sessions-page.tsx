/**
 * Sessions: every browser the signed-in operator or person is signed in on
 * (GET /v1/sessions/mine), with **End** for any but this one (DELETE /v1/sessions/mine/{id}: a
 * lost laptop is signed out at once); this browser signs out with the header's button. With
 * `sessions:read` also everyone's live sessions (GET /v1/sessions), and with `sessions:manage`
 * **Revoke** on them (DELETE /v1/sessions/{id}). No session cookie is ever shown: the server
 * lists sessions by id only.
 */
import { useState, type ReactNode } from 'react';
import { api, describeError } from '../../api';
import { ErrorText, Time } from '../../components/status';
import { useResource, type Resource } from '../../hooks';
import { useCan } from '../../session';
import type { BrowserSession, OwnBrowserSession } from '../../types';
import { DataTable } from '../../components/data-table';
import '../review.css';

/** How the session was signed in: an operator token, or the named identity provider. */
const signedInWith = (s: BrowserSession) => (s.method === 'idp' ? `identity provider ${s.idp ?? ''}`.trim() : 'operator token');

/** The earlier of the session's two ends: its lifetime and its idle timeout. */
const endsAt = (s: BrowserSession) => (Date.parse(s.idle_expires_at) < Date.parse(s.expires_at) ? s.idle_expires_at : s.expires_at);

export function SessionsPage() {
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const mayList = useCan('sessions:read');
  const mayRevoke = useCan('sessions:manage');
  const mine = useResource((signal) => api<{ items: OwnBrowserSession[] }>('GET', '/v1/sessions/mine', { signal }), 'mine');
  const everyone = useResource((signal) => (mayList ? api<{ items: BrowserSession[] }>('GET', '/v1/sessions', { signal }) : Promise.resolve({ items: [] })), `all:${mayList}`);

  const end = async (path: string, done: string) => {
    setError(null);
    setMessage(null);
    try {
      await api('DELETE', path);
      setMessage(done);
      mine.reload();
      everyone.reload();
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <>
      <p role="status">{message}</p>
      <ErrorText error={error} />
      <SessionTable
        caption="Your sessions: every browser you are signed in on"
        list={mine}
        empty="No live session."
        action={(s) =>
          s.current ? (
            <span>This browser</span>
          ) : (
            <button type="button" aria-label={`End session ${s.id}`} onClick={() => void end(`/v1/sessions/mine/${encodeURIComponent(s.id)}`, `Session ${s.id} ended.`)}>
              End
            </button>
          )
        }
      />
      {mayList && (
        <section aria-labelledby="all-sessions">
          <h2 id="all-sessions">Everyone&apos;s live sessions</h2>
          <SessionTable
            caption="Live sessions of every operator and person, newest first"
            list={everyone}
            empty="No live session."
            showHolder
            action={(s) =>
              mayRevoke ? (
                <button type="button" aria-label={`Revoke session ${s.id}`} onClick={() => void end(`/v1/sessions/${encodeURIComponent(s.id)}`, `Session ${s.id} revoked.`)}>
                  Revoke
                </button>
              ) : null
            }
          />
        </section>
      )}
    </>
  );
}

interface SessionTableProps<S extends BrowserSession> {
  caption: string;
  list: Resource<{ items: S[] }>;
  empty: string;
  showHolder?: boolean;
  action: (session: S) => ReactNode;
}

function SessionTable<S extends BrowserSession>({ caption, list, empty, showHolder = false, action }: SessionTableProps<S>) {
  return (
    <>
      <ErrorText error={list.error} />
      <DataTable
        caption={caption}
        busy={list.loading}
        columns={[...(showHolder ? ['Who'] : []), 'Browser', 'Signed in with', 'Signed in', 'Last seen', 'Ends', 'Actions']}
        items={list.data?.items}
        empty={empty}
        row={(s) => (
          <tr key={s.id}>
            {showHolder && (
              <td>
                {s.email} ({s.kind})
              </td>
            )}
            <td>{s.user_agent ? <code title={s.user_agent}>{s.user_agent.length > 60 ? `${s.user_agent.slice(0, 60)}…` : s.user_agent}</code> : 'unknown'}</td>
            <td>{signedInWith(s)}</td>
            <td>
              <Time iso={s.created_at} />
            </td>
            <td>
              <Time iso={s.last_seen_at} />
            </td>
            <td>
              <Time iso={endsAt(s)} />
            </td>
            <td>{action(s)}</td>
          </tr>
        )}
      />
    </>
  );
}
