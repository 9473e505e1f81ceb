/** One challenge of a WWW-Authenticate header: its scheme and auth-params (RFC 9110 §11.6.1). */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

const PARAM = /([A-Za-z0-9_!#$%&'*+.^`|~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/y;

/** Parses `Bearer error="invalid_token", DPoP algs="ES256", error="use_dpop_nonce"` into challenges. */
export function parseWwwAuthenticate(header: string | null | undefined): Challenge[] {
  if (!header) return [];
  const challenges: Challenge[] = [];
  let index = 0;
  let current: Challenge | undefined;
  while (index < header.length) {
    while (index < header.length && /[\s,]/.test(header[index]!)) index++;
    if (index >= header.length) break;
    PARAM.lastIndex = index;
    const param = PARAM.exec(header);
    if (param && current) {
      current.params[param[1]!.toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : param[3]!;
      index = PARAM.lastIndex;
      continue;
    }
    const scheme = /[A-Za-z0-9_!#$%&'*+.^`|~-]+/y;
    scheme.lastIndex = index;
    const match = scheme.exec(header);
    if (!match) break;
    current = { scheme: match[0], params: {} };
    challenges.push(current);
    index = scheme.lastIndex;
  }
  return challenges;
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** Formats one challenge; parameters with undefined values are left out. */
export function formatChallenge(scheme: string, params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${quote(value)}`);
  return parts.length > 0 ? `${scheme} ${parts.join(', ')}` : scheme;
}
