import {
  checkClassification,
  checkEnvironment,
  checkJwks,
  checkMetadata,
  checkOwner,
  checkScopes,
  checkText,
  checkTlsSubjectDn,
  checkTokenTtl,
  checkTools,
  FIELD_LIMITS,
  type TtlRange,
} from './rules.js';
import type { AgentRow } from './tables.js';
import type { Agent, AgentPatch, MUTABLE_FIELDS, NewAgent } from './types.js';

/** The stored fields that a registration or patch sets, already validated: the agent's mutable fields. */
export type AgentFields = Pick<Agent, (typeof MUTABLE_FIELDS)[number]>;
type FieldName = keyof AgentFields;

/** The columns that store the mutable fields. */
export type FieldColumns = Pick<
  AgentRow,
  'name' | 'purpose' | 'owner' | 'scopes' | 'tools' | 'data_classification' | 'environment' | 'token_ttl_seconds' | 'jwks' | 'tls_client_auth_subject_dn' | 'metadata'
>;

interface FieldSpec<V> {
  /** Validates and normalises caller input (rules.ts); throws ValidationError naming the field. */
  check: (value: unknown, tokenTtl: TtlRange) => V;
  column: keyof FieldColumns;
  /** The name in the API and in audit details. */
  wire: string;
  encode: (value: V) => unknown;
}

const asIs = <V>(value: V): unknown => value;
const json = (value: unknown): string => JSON.stringify(value);

/**
 * Every mutable field in one row (STYLE.md §3): how input is checked, where it is stored, what
 * the API and audit call it. Registration and patches check fields in this order, so the first
 * bad field named is the same for both.
 */
const FIELDS: { [K in FieldName]: FieldSpec<AgentFields[K]> } = {
  name: { check: (v) => checkText('name', v, FIELD_LIMITS.name), column: 'name', wire: 'name', encode: asIs },
  purpose: { check: (v) => checkText('purpose', v, FIELD_LIMITS.purpose), column: 'purpose', wire: 'purpose', encode: asIs },
  owner: { check: checkOwner, column: 'owner', wire: 'owner', encode: asIs },
  scopes: { check: checkScopes, column: 'scopes', wire: 'scopes', encode: json },
  tools: { check: checkTools, column: 'tools', wire: 'tools', encode: json },
  dataClassification: { check: checkClassification, column: 'data_classification', wire: 'data_classification', encode: asIs },
  environment: { check: checkEnvironment, column: 'environment', wire: 'environment', encode: asIs },
  tokenTtlSeconds: { check: checkTokenTtl, column: 'token_ttl_seconds', wire: 'token_ttl_seconds', encode: asIs },
  jwks: { check: checkJwks, column: 'jwks', wire: 'jwks', encode: (v) => (v ? json(v) : null) },
  tlsClientAuthSubjectDn: { check: checkTlsSubjectDn, column: 'tls_client_auth_subject_dn', wire: 'tls_client_auth_subject_dn', encode: asIs },
  metadata: { check: checkMetadata, column: 'metadata', wire: 'metadata', encode: json },
};

const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

/** Loosely typed view of one row of FIELDS, for loops over every field. */
function spec(field: FieldName): FieldSpec<unknown> {
  return FIELDS[field] as FieldSpec<unknown>;
}

/** A registration's fields, all checked (optional ones absent get their defaults). */
export function checkNewAgent(input: NewAgent, tokenTtl: TtlRange): AgentFields {
  const fields: Record<string, unknown> = {};
  for (const field of FIELD_NAMES) fields[field] = spec(field).check(input[field], tokenTtl);
  return fields as AgentFields;
}

/** The fields a patch gives, checked; the fields it leaves out stay out. */
export function checkAgentPatch(patch: AgentPatch, tokenTtl: TtlRange): Partial<AgentFields> {
  const fields: Record<string, unknown> = {};
  for (const field of FIELD_NAMES) if (patch[field] !== undefined) fields[field] = spec(field).check(patch[field], tokenTtl);
  return fields as Partial<AgentFields>;
}

/** The columns that store these fields, encoded (lists and objects as JSON text). */
export function encodeFields(fields: AgentFields): FieldColumns {
  const row: Record<string, unknown> = {};
  for (const field of FIELD_NAMES) row[spec(field).column] = spec(field).encode(fields[field]);
  return row as unknown as FieldColumns;
}

/** What the audit log shows of a field's value: key ids instead of whole key sets. */
function auditValue(field: FieldName, value: unknown): unknown {
  if (field === 'jwks') return value ? { kids: (value as NonNullable<Agent['jwks']>).keys.map((k) => k.kid ?? null) } : null;
  return value;
}

/** A registration's audit details: every field under its wire name. */
export function registrationDetails(fields: AgentFields): Record<string, unknown> {
  return wireFields(fields);
}

/** The fields present, under their wire names, as the audit log shows them. */
export function wireFields(fields: Partial<AgentFields>): Record<string, unknown> {
  const details: Record<string, unknown> = {};
  for (const field of FIELD_NAMES) if (field in fields) details[spec(field).wire] = auditValue(field, fields[field]);
  return details;
}

/** What a patch really changes against the stored row: the columns to set and the audit's before and after. */
export function fieldChanges(
  row: AgentRow,
  current: AgentFields,
  next: Partial<AgentFields>,
): { set: Partial<AgentRow>; before: Record<string, unknown>; after: Record<string, unknown> } {
  const set: Record<string, unknown> = {};
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const field of FIELD_NAMES) {
    if (!(field in next)) continue;
    const { column, wire, encode } = spec(field);
    const encoded = encode(next[field]);
    if (encoded === row[column]) continue;
    set[column] = encoded;
    before[wire] = auditValue(field, current[field]);
    after[wire] = auditValue(field, next[field]);
  }
  return { set: set as Partial<AgentRow>, before, after };
}
