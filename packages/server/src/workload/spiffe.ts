/**
 * SPIFFE IDs of agents: `spiffe://<trust-domain>/agent/<agent-id>`, the one URI SAN of an
 * X.509-SVID. Mandate sets it from the authenticated agent, never from what a CSR asks.
 */
export function spiffeIdOf(trustDomain: string, agentId: string): string {
  return `spiffe://${trustDomain}/agent/${encodeURIComponent(agentId)}`;
}

/** The trust domain's own SPIFFE ID, carried by the CA certificates (X509-SVID §4.1). */
export function trustDomainId(trustDomain: string): string {
  return `spiffe://${trustDomain}`;
}

/** The agent id a SPIFFE ID names in this trust domain, or null when it names something else. */
export function agentIdFrom(spiffeId: string, trustDomain: string): string | null {
  const prefix = `spiffe://${trustDomain}/agent/`;
  if (!spiffeId.startsWith(prefix)) return null;
  const rest = spiffeId.slice(prefix.length);
  if (rest.length === 0 || rest.includes('/')) return null;
  try {
    return decodeURIComponent(rest);
  } catch {
    return null;
  }
}
