import { createHash } from 'node:crypto';
import type { Agent } from '../registry/index.js';
import { CLIENT_AUTH_METHODS, type PresentedCredentials } from './client-auth.js';
import { InvalidClient } from './errors.js';
import type { FormParameters } from './form.js';

/**
 * RFC 8705 §2.2 `tls_client_auth` with agents' X.509-SVIDs: the client presents its
 * certificate in the TLS handshake (which proves it holds the key) and names itself with
 * `client_id` in the body. The certificate authenticates the client when it is a live SVID
 * Mandate issued to that very agent (the workload context answers, through this port).
 * A token issued this way is bound to the certificate (`cnf.x5t#S256`, RFC 8705 §3).
 */
export const TLS_CLIENT_AUTH = 'tls_client_auth';

/** RFC 8705 §3.3 / §2.1.1 metadata when tls_client_auth is served (the TLS listener is on). */
export const CERTIFICATE_METADATA: Record<string, unknown> = {
  token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, TLS_CLIENT_AUTH],
  tls_client_certificate_bound_access_tokens: true,
};

/** The port the workload context fills: which agent a presented certificate belongs to. */
export interface ClientCertificates {
  /** The agent id of a live (unexpired, unrevoked) X.509-SVID Mandate issued, or null. */
  agentFor(der: Buffer, now: number): Promise<string | null>;
}

/** RFC 8705 §3.1: base64url SHA-256 of the DER certificate. */
export function certificateThumbprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('base64url');
}

/** tls_client_auth credentials when the request came with a client certificate and names its client; else null. */
export function presentedCertificate(form: FormParameters, certificate: Buffer | undefined): PresentedCredentials | null {
  const clientId = form.get('client_id');
  if (!certificate || clientId === undefined) return null;
  return { method: 'tls_client_auth', clientId, certificate };
}

/** The agent a certificate authenticates as `clientId`, or InvalidClient saying why not. */
export async function authenticateByCertificate(
  agentByClientId: (clientId: string) => Promise<Agent | null>,
  certificates: ClientCertificates | undefined,
  presented: { clientId: string; certificate: Buffer },
  now: number,
): Promise<Agent> {
  if (!certificates) throw new InvalidClient('tls_client_auth is not available on this server');
  const agent = await agentByClientId(presented.clientId);
  if (!agent) throw new InvalidClient('unknown client');
  const owner = await certificates.agentFor(presented.certificate, now);
  if (owner !== agent.id) throw new InvalidClient('the client certificate is not a live X.509-SVID of this client');
  return agent;
}
