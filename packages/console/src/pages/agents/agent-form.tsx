/**
 * The agent form, for registering and for editing: the registry's fields, each labelled,
 * lists as one entry per line or comma. The server validates; its message is shown as is.
 */
import { useState, type FormEvent } from 'react';
import { CLASSIFICATION_NAMES } from '../../names';
import type { Agent } from '../../types';

export interface AgentFields {
  name: string;
  purpose: string;
  owner: string;
  scopes: string[];
  tools: string[];
  data_classification: string;
  environment: string;
}

const splitList = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

export function AgentForm({ initial, submitLabel, onSubmit, onCancel }: { initial?: Agent; submitLabel: string; onSubmit: (fields: AgentFields) => Promise<void>; onCancel: () => void }) {
  const [name, setName] = useState(initial?.name ?? '');
  const [purpose, setPurpose] = useState(initial?.purpose ?? '');
  const [owner, setOwner] = useState(initial?.owner ?? '');
  const [scopes, setScopes] = useState(initial?.scopes.join(' ') ?? '');
  const [tools, setTools] = useState(initial?.tools.join(' ') ?? '');
  const [classification, setClassification] = useState(initial?.data_classification ?? 'internal');
  const [environment, setEnvironment] = useState(initial?.environment ?? 'production');
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await onSubmit({ name, purpose, owner, scopes: splitList(scopes), tools: splitList(tools), data_classification: classification, environment });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} className="form">
      <label>
        Name
        <input name="name" required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Purpose
        <input name="purpose" required value={purpose} onChange={(e) => setPurpose(e.target.value)} />
      </label>
      <label>
        Owner (email of the responsible human)
        <input name="owner" type="email" required value={owner} onChange={(e) => setOwner(e.target.value)} />
      </label>
      <label>
        Scopes (separated by spaces)
        <input name="scopes" value={scopes} onChange={(e) => setScopes(e.target.value)} />
      </label>
      <label>
        Tools (separated by spaces)
        <input name="tools" value={tools} onChange={(e) => setTools(e.target.value)} />
      </label>
      <label>
        Maximum data classification
        <select name="data_classification" value={classification} onChange={(e) => setClassification(e.target.value)}>
          {CLASSIFICATION_NAMES.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <label>
        Environment
        <input name="environment" required value={environment} onChange={(e) => setEnvironment(e.target.value)} />
      </label>
      <div className="buttons">
        <button type="submit" disabled={busy}>
          {submitLabel}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
