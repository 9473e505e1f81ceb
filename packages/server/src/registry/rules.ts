import { ValidationError } from '../shared/errors.js';
import { CLASSIFICATION_NAMES, isDataClassification, type DataClassification } from './classification.js';
import { isAgentId, AGENT_ID_PATTERN } from './ids.js';
import { validatePublicJwks, type PublicJwks } from './jwks.js';

/**
 * The shape of every agent field, as one table the service checks and the HTTP schema
 * reuses, so the API and direct callers of the service refuse the same input.
 */
export const FIELD_LIMITS = {
  id: { pattern: AGENT_ID_PATTERN, maxLength: 64 },
  name: { minLength: 1, maxLength: 200 },
  purpose: { minLength: 1, maxLength: 2000 },
  owner: { maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' },
  // RFC 6749 §3.3 scope-token: printable ASCII except space, '"' and '\'.
  scope: { minLength: 1, maxLength: 128, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' },
  scopes: { maxItems: 200 },
  // `<api>[:<operation>]`, e.g. google-calendar-api:events.insert or mcp.github:create_issue.
  tool: { minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]*(?::[A-Za-z0-9._/*-]+)?$' },
  tools: { maxItems: 200 },
  // Free text within a pattern: development, staging, production, eu-prod, …
  environment: { minLength: 1, maxLength: 32, pattern: '^[a-z][a-z0-9-]*$' },
  metadataKey: { maxLength: 63, pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]*$' },
  metadataValue: { maxLength: 512 },
  metadata: { maxProperties: 50 },
  tlsClientAuthSubjectDn: { minLength: 1, maxLength: 1024 },
  reason: { maxLength: 1000 },
  reviewNotes: { maxLength: 4000 },
} as const;

const RE = {
  owner: new RegExp(FIELD_LIMITS.owner.pattern),
  scope: new RegExp(FIELD_LIMITS.scope.pattern),
  tool: new RegExp(FIELD_LIMITS.tool.pattern),
  environment: new RegExp(FIELD_LIMITS.environment.pattern),
  metadataKey: new RegExp(FIELD_LIMITS.metadataKey.pattern),
};

function bad(field: string, message: string): never {
  throw new ValidationError(`${field} ${message}`, { field });
}

/**
 * Control characters drive whoever displays the text later (ESC sequences clear a terminal,
 * rewrite lines, set titles). Multi-line fields keep tab, newline and carriage return;
 * single-line fields keep none.
 */
const CONTROL = { multiLine: /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/, singleLine: /[\u0000-\u001f\u007f-\u009f]/ } as const;

/** Fields that are one line of text (everything else checked by checkText may span lines). */
const SINGLE_LINE_FIELDS = new Set(['name', 'owner', 'tls_client_auth_subject_dn']);

function checkControls(field: string, value: string, singleLine: boolean): void {
  if ((singleLine ? CONTROL.singleLine : CONTROL.multiLine).test(value)) {
    bad(field, singleLine ? 'must not contain control characters (one line of text)' : 'must not contain control characters other than tab and newline');
  }
}

export function checkText(field: string, value: unknown, limits: { minLength?: number; maxLength: number }): string {
  if (typeof value !== 'string') bad(field, 'must be a string');
  checkControls(field, value, SINGLE_LINE_FIELDS.has(field));
  const trimmed = value.trim();
  if (trimmed.length < (limits.minLength ?? 0)) bad(field, 'must not be empty');
  if (trimmed.length > limits.maxLength) bad(field, `must be at most ${limits.maxLength} characters`);
  return trimmed;
}

export function checkId(value: unknown): string {
  if (typeof value !== 'string' || !isAgentId(value)) {
    bad('id', 'must be 1-64 lowercase letters, digits, ".", "_" or "-", starting and ending with a letter or digit');
  }
  return value;
}

export function checkOwner(value: unknown): string {
  const owner = checkText('owner', value, { minLength: 3, maxLength: FIELD_LIMITS.owner.maxLength }).toLowerCase();
  if (!RE.owner.test(owner)) bad('owner', 'must be the email of the responsible human');
  return owner;
}

function checkList(field: string, value: unknown, item: { maxLength: number; pattern: string }, re: RegExp, maxItems: number): string[] {
  if (!Array.isArray(value)) bad(field, 'must be an array of strings');
  if (value.length > maxItems) bad(field, `may hold at most ${maxItems} entries`);
  const seen = new Set<string>();
  value.forEach((entry, index) => {
    if (typeof entry !== 'string' || entry.length === 0 || entry.length > item.maxLength || !re.test(entry)) {
      bad(`${field}[${index}]`, `must match ${item.pattern} (at most ${item.maxLength} characters)`);
    }
    seen.add(entry);
  });
  // Duplicates carry no meaning; keep the first occurrence and the caller's order.
  return [...seen];
}

export const checkScopes = (value: unknown) => checkList('scopes', value, FIELD_LIMITS.scope, RE.scope, FIELD_LIMITS.scopes.maxItems);
export const checkTools = (value: unknown) => checkList('tools', value, FIELD_LIMITS.tool, RE.tool, FIELD_LIMITS.tools.maxItems);

export function checkClassification(value: unknown): DataClassification {
  if (!isDataClassification(value)) bad('data_classification', `must be one of: ${CLASSIFICATION_NAMES.join(', ')}`);
  return value;
}

export function checkEnvironment(value: unknown): string {
  if (typeof value !== 'string' || value.length > FIELD_LIMITS.environment.maxLength || !RE.environment.test(value)) {
    bad('environment', `must match ${FIELD_LIMITS.environment.pattern} (at most ${FIELD_LIMITS.environment.maxLength} characters), e.g. production`);
  }
  return value;
}

export interface TtlRange {
  min: number;
  max: number;
}

export function checkTokenTtl(value: unknown, range: TtlRange): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isInteger(value)) bad('token_ttl_seconds', 'must be an integer number of seconds');
  if (value < range.min || value > range.max) bad('token_ttl_seconds', `must lie between ${range.min} and ${range.max} seconds (server limits)`);
  return value;
}

export function checkJwks(value: unknown): PublicJwks | null {
  if (value === null || value === undefined) return null;
  return validatePublicJwks(value);
}

export function checkTlsSubjectDn(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return checkText('tls_client_auth_subject_dn', value, FIELD_LIMITS.tlsClientAuthSubjectDn);
}

export function checkMetadata(value: unknown): Record<string, string> {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) bad('metadata', 'must be an object of string labels');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > FIELD_LIMITS.metadata.maxProperties) bad('metadata', `may hold at most ${FIELD_LIMITS.metadata.maxProperties} labels`);
  const out: Record<string, string> = {};
  for (const [key, label] of entries) {
    if (key.length > FIELD_LIMITS.metadataKey.maxLength || !RE.metadataKey.test(key)) bad(`metadata.${key}`, `key must match ${FIELD_LIMITS.metadataKey.pattern}`);
    if (typeof label !== 'string' || label.length > FIELD_LIMITS.metadataValue.maxLength) {
      bad(`metadata.${key}`, `must be a string of at most ${FIELD_LIMITS.metadataValue.maxLength} characters`);
    }
    checkControls(`metadata.${key}`, label, true);
    out[key] = label;
  }
  return out;
}

export function checkOptionalText(field: string, value: unknown, maxLength: number): string | null {
  if (value === null || value === undefined) return null;
  const text = checkText(field, value, { maxLength });
  return text.length === 0 ? null : text;
}
