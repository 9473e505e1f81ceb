import type { AuditEntryRow } from './tables.js';
import type { AuditEntry } from './types.js';

/**
 * Columns stored beside the hashed fields only so that queries can filter on them through an
 * index, each derived from a hashed field. Every other column a query filters on (`seq`, `time`,
 * `type`, `subject`, `agent_id`, `outcome`) is itself a hashed field, so an edit to it is a
 * `hash_mismatch`. A derived column is outside the hash: verification checks that it still says
 * what its hashed field says (`column_mismatch`), and a query filtering on it drops a row whose
 * column no longer does (so an edit can hide an entry from a filter until verification runs, but
 * never show one under the wrong value). Adding a filter column is a row here.
 */
export const DERIVED_COLUMNS = {
  actor_id: (entry: Omit<AuditEntry, 'hash'>) => entry.actor.id,
  // The delegation chain an entry belongs to: a token exchange's `details.delegation.chain_id`,
  // a decision's `details.input.delegation.chain_id` (docs/delegation.md "Audit").
  chain_id: (entry: Omit<AuditEntry, 'hash'>) => chainIdOf(entry.details),
} as const satisfies Record<string, (entry: Omit<AuditEntry, 'hash'>) => string | null>;

export type DerivedColumn = keyof typeof DERIVED_COLUMNS;

/** The derived columns of a row about to be written. */
export function derivedColumns(entry: Omit<AuditEntry, 'hash'>): Pick<AuditEntryRow, DerivedColumn> {
  return { actor_id: DERIVED_COLUMNS.actor_id(entry), chain_id: DERIVED_COLUMNS.chain_id(entry) };
}

/** The first derived column whose stored value differs from what the hashed fields say, if any. */
export function derivedMismatch(row: AuditEntryRow, entry: AuditEntry): { column: DerivedColumn; stored: unknown; expected: string | null } | undefined {
  for (const [column, derive] of Object.entries(DERIVED_COLUMNS) as Array<[DerivedColumn, (entry: AuditEntry) => string | null]>) {
    const expected = derive(entry);
    if (row[column] !== expected) return { column, stored: row[column], expected };
  }
  return undefined;
}

function chainIdOf(details: Record<string, unknown>): string | null {
  const direct = (details.delegation as { chain_id?: unknown } | undefined)?.chain_id;
  if (typeof direct === 'string') return direct;
  const input = details.input as { delegation?: { chain_id?: unknown } } | undefined;
  const viaInput = input?.delegation?.chain_id;
  return typeof viaInput === 'string' ? viaInput : null;
}
