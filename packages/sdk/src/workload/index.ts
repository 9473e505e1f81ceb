/**
 * @mandate/sdk/workload: an agent's X.509-SVID and mutual TLS between agents
 * (docs/sdk.md, "Workload identity"). A subpath of its own because it is Node-only (node's
 * tls and https types) and needs the optional peer dependencies @peculiar/x509 and
 * reflect-metadata; the package root stays runtime-neutral.
 */
export { AgentIdentity, type AgentIdentityOptions, type JwtSvid, type SvidState } from './identity.js';
export { createMtlsServer, mtlsFetch, type MtlsFetchInit, type MtlsRequest, type MtlsServerOptions } from './mtls.js';
export { PeerRefusedError, spiffeIdOf, type SpiffeAllowList } from './peer.js';
