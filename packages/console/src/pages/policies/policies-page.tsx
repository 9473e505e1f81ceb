/**
 * Policies: the active modules (GET /v1/policies) and every revision (GET /v1/policy-revisions,
 * one with its texts at GET /v1/policy-revisions/{n}); the editor evaluates a draft against a
 * sample input without storing it (POST /v1/policies/evaluate), shows compile errors at their
 * line, replays the last day's decisions against the draft (POST /v1/policies/replay) and
 * saves it as a new revision (PUT /v1/policies/{id}, policies:write).
 */
import { useRef, useState } from 'react';
import { api, ApiError, describeError } from '../../api';
import { ErrorText, StatusBadge, Time } from '../../components/status';
import { useResource } from '../../hooks';
import { useCan } from '../../session';
import { DataTable } from '../../components/data-table';
import '../review.css';

interface Module {
  id: string;
  raw: string;
}

interface Revision {
  revision: number;
  author: string;
  created_at: string;
  change: string;
  modules_hash: string;
  modules: string[];
  active: boolean;
}

interface CompileError {
  code: string;
  message: string;
  location?: { file: string; row: number; col: number };
}

interface Replay {
  evaluated: number;
  skipped: number;
  truncated: boolean;
  base_revision: number;
  changed: Array<{ decision_id: string; before: string; after: string; reasons_after: string[]; time: string; agent: string | null; action: string; tool: string | null }>;
}

const SAMPLE_INPUT = '{\n  "action": "read",\n  "tool": "google-calendar-api:events.list"\n}';
const idPath = (id: string) => id.split('/').map(encodeURIComponent).join('/');

export function PoliciesPage() {
  const modules = useResource((signal) => api<{ result: Module[] }>('GET', '/v1/policies', { signal }), 'modules');
  const [editing, setEditing] = useState<Module | null>(null);
  const [revisionsTick, setRevisionsTick] = useState(0);
  return (
    <>
      <section aria-labelledby="modules">
        <h2 id="modules">Active modules</h2>
        <ErrorText error={modules.error} />
        <DataTable
          caption="Modules of the active revision"
          busy={modules.loading}
          columns={['Module', 'Lines', 'Edit']}
          items={modules.data?.result}
          row={(m) => (
            <tr key={m.id}>
              <td>
                <code>{m.id}</code>
              </td>
              <td>{m.raw.split('\n').length}</td>
              <td>
                <button type="button" aria-label={`Edit ${m.id}`} onClick={() => setEditing(m)}>
                  Edit
                </button>
              </td>
            </tr>
          )}
        />
        <div className="buttons">
          <button type="button" onClick={() => setEditing({ id: 'example/new.rego', raw: 'package example.new\n\nimport rego.v1\n\ndefault allow := false\n' })}>
            New module
          </button>
        </div>
      </section>
      {editing && (
        <Editor
          key={editing.id}
          module={editing}
          onSaved={() => {
            modules.reload();
            setRevisionsTick((t) => t + 1);
          }}
        />
      )}
      <Revisions tick={revisionsTick} />
    </>
  );
}

function Editor({ module, onSaved }: { module: Module; onSaved: () => void }) {
  const mayWrite = useCan('policies:write');
  const [id, setId] = useState(module.id);
  const [text, setText] = useState(module.raw);
  const [path, setPath] = useState(() => (/^\s*package\s+(\S+)/m.exec(module.raw)?.[1] ?? 'mandate.authz').replace(/\./g, '/'));
  const [input, setInput] = useState(SAMPLE_INPUT);
  const [errors, setErrors] = useState<CompileError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [replay, setReplay] = useState<Replay | null>(null);
  const [busy, setBusy] = useState(false);
  const source = useRef<HTMLTextAreaElement>(null);

  /** Runs a call; a compile error's list is kept to show at its lines, anything else as text. */
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setErrors([]);
    setFailure(null);
    try {
      await work();
    } catch (e) {
      const listed = e instanceof ApiError ? (e.body as { errors?: CompileError[] } | undefined)?.errors : undefined;
      if (e instanceof ApiError && e.status === 400 && Array.isArray(listed) && listed.length > 0) setErrors(listed);
      else setFailure(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const parsedInput = (): unknown => {
    try {
      return JSON.parse(input);
    } catch (e) {
      throw new Error(`Sample input is not JSON: ${(e as Error).message}`);
    }
  };
  const evaluate = () =>
    run(async () => {
      setResult(null);
      const answer = await api<{ revision: number; result?: unknown }>('POST', '/v1/policies/evaluate', { body: { modules: { [id]: text }, path, input: parsedInput() } });
      setResult('result' in answer ? JSON.stringify(answer.result, null, 2) : `undefined (data.${path.replace(/\//g, '.')} has no value for this input)`);
    });
  const whatIf = () =>
    run(async () => {
      setReplay(null);
      setReplay(await api<Replay>('POST', '/v1/policies/replay', { body: { modules: { [id]: text }, since: '24h' } }));
    });
  const save = () =>
    run(async () => {
      // A JSON string body is the module's text (the policy API takes text however it is labelled).
      const saved = await api<{ policy_revision: number }>('PUT', `/v1/policies/${idPath(id)}`, { body: text });
      setResult(`Saved as revision ${saved.policy_revision}.`);
      onSaved();
    });
  const goTo = (row: number) => {
    const area = source.current;
    if (!area) return;
    const lines = text.split('\n');
    const start = lines.slice(0, row - 1).reduce((n, l) => n + l.length + 1, 0);
    area.focus();
    area.setSelectionRange(start, start + (lines[row - 1]?.length ?? 0));
  };
  const lines = text.split('\n');

  return (
    <section aria-labelledby="editor">
      <h2 id="editor">Edit {module.id}</h2>
      <div className="editor">
        <label>
          Module id
          <input value={id} onChange={(e) => setId(e.target.value)} />
        </label>
        <label>
          Rego source
          <textarea ref={source} className="code" rows={Math.min(Math.max(lines.length + 1, 8), 30)} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} aria-invalid={errors.length > 0} aria-describedby={errors.length > 0 ? 'compile-errors' : undefined} />
        </label>
        {errors.length > 0 && (
          <div id="compile-errors" role="alert">
            <p className="error">The draft does not compile:</p>
            <ol className="compile-errors">
              {errors.map((e, i) => (
                <li key={i}>
                  {e.location ? (
                    <>
                      <button type="button" onClick={() => goTo(e.location!.row)}>
                        Line {e.location.row}, column {e.location.col}
                      </button>{' '}
                      {e.location.file !== id && <>in {e.location.file} </>}
                    </>
                  ) : null}
                  {e.code}: {e.message}
                  {e.location && e.location.file === id && lines[e.location.row - 1] !== undefined && (
                    <>
                      {' '}
                      — <code>{lines[e.location.row - 1]}</code>
                    </>
                  )}
                </li>
              ))}
            </ol>
          </div>
        )}
        <label>
          Document to evaluate (under data)
          <input value={path} onChange={(e) => setPath(e.target.value)} />
        </label>
        <label>
          Sample input (JSON)
          <textarea className="code" rows={6} spellCheck={false} value={input} onChange={(e) => setInput(e.target.value)} />
        </label>
        <div className="buttons">
          <button type="button" className="primary" disabled={busy} onClick={() => void evaluate()}>
            Evaluate draft
          </button>
          <button type="button" disabled={busy} onClick={() => void whatIf()}>
            What-if replay (last 24 h)
          </button>
          {mayWrite && (
            <button type="button" disabled={busy} onClick={() => void save()}>
              Save as a new revision
            </button>
          )}
        </div>
        <ErrorText error={failure} />
        <div role="status">
          {result !== null && (
            <>
              <h3>Result</h3>
              <pre className="json" tabIndex={0} aria-label="Evaluation result">
                {result}
              </pre>
            </>
          )}
        </div>
        {replay && <ReplayResults replay={replay} />}
      </div>
    </section>
  );
}

function ReplayResults({ replay }: { replay: Replay }) {
  return (
    <section aria-labelledby="replay">
      <h3 id="replay">What-if replay</h3>
      <p>
        {replay.evaluated} logged decisions of the last 24 h re-evaluated against the draft (on revision {replay.base_revision}); {replay.changed.length} would change
        {replay.skipped > 0 ? `, ${replay.skipped} skipped` : ''}
        {replay.truncated ? ' (stopped at the limit: older decisions not replayed)' : ''}.
      </p>
      {replay.changed.length > 0 && (
        <DataTable
          caption="Decisions that would change"
          columns={['Time', 'Agent', 'Action', 'Tool', 'Before → after', 'Reasons after']}
          items={replay.changed}
          row={(c) => (
            <tr key={c.decision_id}>
              <td>
                <Time iso={c.time} />
              </td>
              <td>{c.agent ?? '—'}</td>
              <td>{c.action}</td>
              <td>{c.tool ?? '—'}</td>
              <td>
                <StatusBadge status={c.before} /> → <StatusBadge status={c.after} />
              </td>
              <td>{c.reasons_after.join(', ') || '—'}</td>
            </tr>
          )}
        />
      )}
    </section>
  );
}

function Revisions({ tick }: { tick: number }) {
  const list = useResource((signal) => api<{ result: Revision[] }>('GET', '/v1/policy-revisions', { query: { limit: 50 }, signal }), String(tick));
  const [shown, setShown] = useState<number | null>(null);
  return (
    <section aria-labelledby="revisions">
      <h2 id="revisions">Revisions</h2>
      <ErrorText error={list.error} />
      <DataTable
        caption="The 50 newest revisions"
        busy={list.loading}
        columns={['Revision', 'Created', 'Author', 'Change', 'View']}
        items={list.data?.result}
        row={(r) => (
          <tr key={r.revision} className={shown === r.revision ? 'selected' : undefined}>
            <td>
              {r.revision} {r.active && <StatusBadge status="active" />}
            </td>
            <td>
              <Time iso={r.created_at} />
            </td>
            <td>{r.author}</td>
            <td>{r.change}</td>
            <td>
              <button type="button" aria-pressed={shown === r.revision} aria-label={`View revision ${r.revision}`} onClick={() => setShown(shown === r.revision ? null : r.revision)}>
                View
              </button>
            </td>
          </tr>
        )}
      />
      {shown !== null && <RevisionView revision={shown} />}
    </section>
  );
}

function RevisionView({ revision }: { revision: number }) {
  const r = useResource((signal) => api<Omit<Revision, 'modules'> & { modules: Record<string, string> }>('GET', `/v1/policy-revisions/${revision}`, { signal }), String(revision));
  return (
    <section aria-labelledby="revision-view">
      <h3 id="revision-view">Revision {revision}</h3>
      <ErrorText error={r.error} />
      {r.data && (
        <>
          <p>
            {r.data.change} — {r.data.author}, <Time iso={r.data.created_at} />; modules hash <span className="hash">{r.data.modules_hash}</span>
          </p>
          {Object.entries(r.data.modules).map(([id, raw]) => (
            <details key={id}>
              <summary>
                <code>{id}</code> ({raw.split('\n').length} lines)
              </summary>
              <pre className="json" tabIndex={0} aria-label={`${id} in revision ${revision}`}>
                {raw}
              </pre>
            </details>
          ))}
        </>
      )}
    </section>
  );
}
