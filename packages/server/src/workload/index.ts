/**
 * The workload context's public face: Mandate's internal CA and the SPIFFE X.509-SVIDs it
 * issues to agents (docs/workload-identity.md). `WorkloadService` is what the composition root
 * builds (its CA rotation runs on the scheduler as `workload.ca-rotation`) and the routes call:
 * issue from a CSR, the trust bundle (PEM and SPIFFE JWKS form), the CRL and the revocation
 * feed, certificates for operators, CA rotation. `revokeOnStatusChange` joins the registry's
 * in-transaction hook; `revokeAgentCertificates(trx, agentId)` on the service is for any other
 * context revoking an agent's certificates in its own transaction. The CA keys (sealed with
 * the envelope), the signer, the rotator and the SQL stay inside.
 */
export type { NewIssuer } from './service.js';
export type { IssuerRow } from './tables.js';
export type { MappingRule } from './federation/rules.js';
export { WorkloadService, CA_ROTATION_JOB, type CertificateRevocationEvent, type CertificateRevocationPage, type WorkloadAgents, type WorkloadServiceOptions } from './service.js';
export type { IssuedSvid } from './issue-svid.js';
export type { IssuedJwtSvid } from './jwt-svid.js';
export type { CertificateRevocation } from './revoke.js';
export type { SigningAuthority } from './ca/authority.js';
export type { SpiffeBundle } from './bundle.js';
export type { CertificateRow } from './tables.js';
export { revokeOnStatusChange } from './status-changes.js';
export { spiffeIdOf, agentIdFrom } from './spiffe.js';
export { workloadMigrations } from './migrations/index.js';
export { rewrapAuthorityKeys } from './ca/rewrap.js';
