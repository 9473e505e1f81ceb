import { createHash } from 'node:crypto';

/**
 * The `x5t#S256` (RFC 8705 §3.1) of the TLS client certificate a request came with, or null.
 * Reads the raw socket structurally: identity knows no HTTP framework, and a request without
 * a TLS socket (plain HTTP, tests injecting requests) simply has none.
 */
export function clientCertificateThumbprint(request: unknown): string | null {
  const socket = (request as { raw?: { socket?: { getPeerCertificate?: () => { raw?: Buffer } } } } | undefined)?.raw?.socket;
  const raw = typeof socket?.getPeerCertificate === 'function' ? socket.getPeerCertificate().raw : undefined;
  return raw && raw.length > 0 ? createHash('sha256').update(raw).digest('base64url') : null;
}
