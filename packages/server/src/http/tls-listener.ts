import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.js';

/**
 * The optional TLS listener (config `tls.certFile`/`tls.keyFile`; without them Mandate serves
 * plain HTTP, as a clean checkout does). Client certificates are asked for but not required
 * and not checked by OpenSSL: a certificate authenticates only at the token endpoint
 * (tls_client_auth, RFC 8705), and only when it is exactly an X.509-SVID Mandate issued.
 */
export function tlsListenerOptions(config: Config): ServerOptions | null {
  if (!config.tls) return null;
  const read = (key: 'certFile' | 'keyFile'): string => {
    try {
      return readFileSync(config.tls![key], 'utf8');
    } catch (error) {
      throw new Error(`config tls.${key}: cannot read '${config.tls![key]}': ${(error as Error).message}`);
    }
  };
  return { cert: read('certFile'), key: read('keyFile'), requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' };
}

/** The DER client certificate of the request's TLS connection, if it presented one. */
export function clientCertificateOf(request: FastifyRequest): Buffer | undefined {
  const socket = request.raw.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const raw = socket.getPeerCertificate().raw as Buffer | undefined;
  return raw && raw.length > 0 ? raw : undefined;
}
