import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AgentIdentity } from './identity.js';
import { checkPeer, type SpiffeAllowList } from './peer.js';

/** A request on an mTLS server, with the peer's verified SPIFFE ID. */
export interface MtlsRequest extends IncomingMessage {
  peer: { spiffeId: string };
}

export interface MtlsServerOptions {
  /** The SPIFFE IDs (or a predicate) whose clients may connect; everyone else is cut off after the handshake. */
  allow: SpiffeAllowList;
  /** Hears refused connections (for logs and metrics). */
  onRefused?: (error: Error) => void;
}

/**
 * An HTTPS server for an agent: it presents the agent's X.509-SVID, requires a client
 * certificate chaining to Mandate's bundle (node verifies chain and validity in the
 * handshake), then checks the client's SPIFFE ID against the allow-list and the revocation
 * feed, closing the connection of anyone refused before a byte of the request is read. When
 * the identity renews or the bundle changes, the server swaps its secure context: new
 * connections use the new certificate, open ones finish undisturbed.
 */
export function createMtlsServer(identity: AgentIdentity, options: MtlsServerOptions, handler: (request: MtlsRequest, response: ServerResponse) => void): Server {
  const peers = new WeakMap<TLSSocket, string>();
  const server = createServer(identity.tlsServerOptions(), (request, response) => {
    const spiffeId = peers.get(request.socket as TLSSocket);
    if (spiffeId === undefined) {
      request.socket.destroy();
      return;
    }
    (request as MtlsRequest).peer = { spiffeId };
    handler(request as MtlsRequest, response);
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    try {
      peers.set(socket, checkPeer(socket.getPeerCertificate(), { allow: options.allow, isRevoked: (serial) => identity.isRevoked(serial) }));
    } catch (error) {
      options.onRefused?.(error as Error);
      socket.destroy();
    }
  });
  const unsubscribe = identity.onChange(() => server.setSecureContext(identity.tlsServerOptions()));
  server.once('close', unsubscribe);
  return server;
}

export interface MtlsFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Whose servers this call trusts (SPIFFE IDs or a predicate). */
  allow: SpiffeAllowList;
  signal?: AbortSignal;
}

/**
 * fetch over mutual TLS with node's https (no dependency): the agent's certificate as client
 * certificate, Mandate's bundle as the only CAs, and the server's SPIFFE ID checked against
 * `allow` and the revocation feed instead of its host name. Answers a standard `Response`.
 */
export function mtlsFetch(identity: AgentIdentity, url: string | URL, init: MtlsFetchInit): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      url,
      { method: init.method ?? 'GET', headers: init.headers ?? {}, ...identity.tlsClientOptions(init.allow), agent: false, ...(init.signal ? { signal: init.signal } : {}) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            if (Array.isArray(value)) for (const v of value) headers.append(name, v);
            else if (value !== undefined) headers.set(name, value);
          }
          const status = response.statusCode ?? 502;
          const nullBody = status === 204 || status === 304;
          resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers }));
        });
      },
    );
    request.on('error', reject);
    request.end(init.body);
  });
}
