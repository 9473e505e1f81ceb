/**
 * Data classifications as one table (STYLE.md §3), lowest first. An agent's ceiling is the
 * most sensitive class of data it may touch; other contexts (the decision point, secrets)
 * compare a resource's sensitivity with it through `permitsClassification`, never by name.
 */
export const DATA_CLASSIFICATIONS = [
  { name: 'public', rank: 0, description: 'may be published; no harm if disclosed' },
  { name: 'internal', rank: 1, description: 'for the organisation; limited harm if disclosed' },
  { name: 'confidential', rank: 2, description: 'need-to-know business or personal data' },
  { name: 'restricted', rank: 3, description: 'regulated or highly sensitive (credentials, health, payment data)' },
] as const;

export type DataClassification = (typeof DATA_CLASSIFICATIONS)[number]['name'];

export const CLASSIFICATION_NAMES: readonly DataClassification[] = DATA_CLASSIFICATIONS.map((c) => c.name);

const RANKS: ReadonlyMap<string, number> = new Map(DATA_CLASSIFICATIONS.map((c) => [c.name, c.rank]));

export function isDataClassification(value: unknown): value is DataClassification {
  return typeof value === 'string' && RANKS.has(value);
}

/** The rank of a classification (0 = public); throws on an unknown name so typos never rank as 0. */
export function classificationRank(name: DataClassification): number {
  const rank = RANKS.get(name);
  if (rank === undefined) throw new TypeError(`unknown data classification '${String(name)}'`);
  return rank;
}

/** True when data of `sensitivity` lies at or below the agent's `ceiling`. */
export function permitsClassification(ceiling: DataClassification, sensitivity: DataClassification): boolean {
  return classificationRank(sensitivity) <= classificationRank(ceiling);
}
