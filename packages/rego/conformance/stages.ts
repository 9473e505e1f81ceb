/**
 * Stage of a conformance case (see stages.md beside this file): S1 core language
 * (no named builtins), S2 core builtins, S3 the builtins agent authorization needs, S4 the rest.
 */

/** Agent-authz builtins (stages.md, "Agent-authz builtins"). */
export const AGENT_AUTHZ_BUILTINS: ReadonlySet<string> = new Set([
  'time.now_ns', 'time.parse_rfc3339_ns', 'time.parse_ns', 'time.parse_duration_ns', 'time.date', 'time.clock',
  'time.weekday', 'time.add_date', 'time.diff', 'time.format', 'startswith', 'endswith', 'contains', 'lower', 'upper',
  'split', 'concat', 'sprintf', 'replace', 'substring', 'trim_space', 'strings.any_prefix_match',
  'strings.any_suffix_match', 'regex.match', 'regex.is_valid', 'regex.find_n', 'regex.split', 'regex.replace',
  'regex.template_match', 're_match', 'count', 'union', 'intersection', 'object.get', 'object.keys', 'json.unmarshal',
  'glob.match', 'glob.quote_meta', 'net.cidr_contains', 'net.cidr_contains_matches', 'net.cidr_intersects',
  'net.cidr_is_valid', 'net.cidr_merge', 'net.cidr_expand', 'io.jwt.decode', 'io.jwt.decode_verify',
  'io.jwt.verify_rs256', 'io.jwt.verify_es256', 'io.jwt.verify_hs256', 'io.jwt.verify_eddsa', 'io.jwt.verify_ps256',
  'crypto.sha256', 'crypto.hmac.sha256', 'crypto.hmac.equal', 'base64url.decode', 'base64.decode', 'semver.compare',
  'uuid.rfc4122', 'units.parse_bytes',
]);

/** Builtin families beyond the core set (groups stages.md lists after S2). */
const NON_CORE = /^(graphql|semver|units|uuid|graph|io\.jwt|crypto|http|net|providers|rego|opa|time|regex|glob|test|trace|rand)\.|^(internal\.template_string|strings\.render_template|json\.match_schema|json\.verify_schema|re_match|trace)$/;

/** Builtins needing the network: such cases are skipped offline. */
export const NETWORK_BUILTINS: ReadonlySet<string> = new Set(['http.send', 'net.lookup_ip_addr']);

export type Stage = 'S1' | 'S2' | 'S3' | 'S4';

export function stageOf(builtins: readonly string[]): Stage {
  if (builtins.length === 0) return 'S1';
  let stage: Stage = 'S2';
  for (const b of builtins) {
    if (AGENT_AUTHZ_BUILTINS.has(b)) {
      if (stage === 'S2') stage = 'S3';
    } else if (NON_CORE.test(b)) return 'S4';
  }
  return stage;
}
