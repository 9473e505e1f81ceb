import { tablesOf, type Executor } from '../storage/index.js';

/** One CA key pair and its certificate; states follow SPIRE's slots (ca/slot.ts). */
export interface AuthorityRow {
  id: string;
  /** PEM of this CA's certificate. */
  certificate: string;
  /** PEM of the trust anchor peers must hold: this certificate itself, or the operator's upstream CA. */
  anchor: string;
  /** JSON array of PEM certificates between this CA and the anchor (empty for a root). */
  chain: string;
  /** The PKCS#8 private key, sealed with the master key (crypto/ envelope, context `workload-ca:<id>`). */
  sealed_key: string;
  /** `prepared` (published, not signing), `active` (signing) or `retired` (published until its last certificate expires). */
  state: string;
  not_before: string;
  not_after: string;
  created_at: string;
  activated_at: string | null;
  /** When a retired CA leaves the bundle: the expiry of the last certificate it signed. */
  remove_at: string | null;
}

/** One X.509-SVID issued: what revocation and `mandate cert show` need, never the key (the agent keeps it). */
export interface CertificateRow {
  /** Lower-case hex serial number. */
  serial: string;
  agent_id: string;
  spiffe_id: string;
  authority_id: string;
  /** SHA-256 of the DER (base64url): the `x5t#S256` a certificate-bound token carries. */
  thumbprint: string;
  not_before: string;
  not_after: string;
  issued_at: string;
  revoked_at: string | null;
  revoke_reason: string | null;
  /** The task it was issued with (`task_id` on `POST /v1/svids`): revoked when the task ends. */
  task_id: string | null;
}

/** The revocation feed: one event per revoked serial, in order (`seq`). */
export interface RevocationRow {
  seq: number;
  serial: string;
  agent_id: string;
  not_after: string;
  revoked_at: string;
}

export interface RevocationHeadRow {
  id: number;
  seq: number;
}

/** A trusted workload issuer (federation): whose JWTs authenticate which agent. */
export interface IssuerRow {
  id: string;
  /** The `iss` its tokens carry (unique). */
  issuer: string;
  /** Where its keys are; null: found by OIDC discovery at `<issuer>/.well-known/openid-configuration`. */
  jwks_uri: string | null;
  /** The `aud` its tokens must carry for Mandate. */
  audience: string;
  /** JSON array of mapping rules (federation/rules.ts). */
  rules: string;
  created_at: string;
}

export interface WorkloadTables {
  workload_issuers: IssuerRow;
  workload_authorities: AuthorityRow;
  workload_certificates: CertificateRow;
  workload_revocations: RevocationRow;
  workload_revocation_head: RevocationHeadRow;
}

/** This context's typed view of the database or of an open transaction: only its own tables. */
export const workloadTables = (executor: Executor) => tablesOf<WorkloadTables>(executor);
