/**
 * Agent ids are readable (`agent-cal-prod-001`): they appear in tokens (`sub`, `client_id`),
 * SPIFFE ids (`spiffe://<trust domain>/agent/<id>`), audit entries and logs. So they are
 * lowercase, URL- and SPIFFE-path-safe, and at most 64 characters.
 */
export const AGENT_ID_PATTERN = '^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$';
const AGENT_ID_RE = new RegExp(AGENT_ID_PATTERN);

export function isAgentId(value: string): boolean {
  return AGENT_ID_RE.test(value);
}

/** Usual environment names and their short forms in generated ids; others are slugged. */
const ENVIRONMENT_ABBREVIATIONS: Readonly<Record<string, string>> = {
  production: 'prod',
  prod: 'prod',
  staging: 'stg',
  development: 'dev',
  dev: 'dev',
  testing: 'test',
  test: 'test',
  sandbox: 'sbx',
};

const NAME_PART_MAX = 24;
const ENV_PART_MAX = 12;
/** Counter digits: `-001`; more agents with one name and environment simply get wider numbers. */
const COUNTER_WIDTH = 3;

function slug(text: string, max: number): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // drop the accents NFKD split off
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
}

/** `agent-<name>-<env>-`: the part before the counter, from the agent's name and environment. */
export function agentIdPrefix(name: string, environment: string): string {
  const namePart = slug(name, NAME_PART_MAX + 6).replace(/^agent(?:-|$)/, '').slice(0, NAME_PART_MAX).replace(/-+$/, '') || 'unnamed';
  const envPart = ENVIRONMENT_ABBREVIATIONS[environment.toLowerCase()] ?? (slug(environment, ENV_PART_MAX) || 'env');
  return `agent-${namePart}-${envPart}-`;
}

/** The next id after the existing ones that share `prefix` (ids with other suffixes are ignored). */
export function nextAgentId(prefix: string, existing: readonly string[]): string {
  let highest = 0;
  for (const id of existing) {
    if (!id.startsWith(prefix)) continue;
    const suffix = id.slice(prefix.length);
    if (/^\d+$/.test(suffix)) highest = Math.max(highest, Number(suffix));
  }
  return `${prefix}${String(highest + 1).padStart(COUNTER_WIDTH, '0')}`;
}
