import type { AuditLog } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { ValidationError } from '../shared/errors.js';
import { newSerial, type SigningAuthority } from './ca/authority.js';
import { checkCsr } from './csr.js';
import { SVID_BACKDATE_MS, signSvid } from './signer.js';
import { spiffeIdOf } from './spiffe.js';
import { insertCertificate, lockRevocationHead } from './store.js';

/** `POST /v1/svids`'s answer (docs/contract.md). */
export interface IssuedSvid {
  /** The X.509-SVID, PEM. */
  certificate: string;
  /** PEMs from the certificate's issuer up to, not including, the trust anchor (empty under a root CA). */
  chain: string[];
  expires_at: string;
  spiffe_id: string;
  serial: string;
}

export interface IssueSvidInput {
  agentId: string;
  csr: unknown;
  ttlSeconds: number | undefined;
  now: number;
  /** An open task of the agent (checked by the caller): the certificate ends with it. */
  taskId?: string | undefined;
}

export interface IssueSvidSettings {
  trustDomain: string;
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  csrMaxBytes: number;
}

/** The shortest lifetime one may ask for: below it, renewal at half-life would be a busy loop. */
export const MIN_SVID_TTL_SECONDS = 60;

function lifetime(requested: number | undefined, settings: IssueSvidSettings): number {
  if (requested === undefined) return settings.defaultTtlSeconds;
  if (!Number.isInteger(requested) || requested < MIN_SVID_TTL_SECONDS || requested > settings.maxTtlSeconds) {
    throw new ValidationError(`ttl_seconds must be an integer from ${MIN_SVID_TTL_SECONDS} to ${settings.maxTtlSeconds}`, { min: MIN_SVID_TTL_SECONDS, max: settings.maxTtlSeconds });
  }
  return requested;
}

/**
 * Issues an X.509-SVID for an (already checked: active) agent from its CSR. The identity is
 * the agent's, whatever the CSR asks; a CSR asking for another one is recorded in the audit
 * entry. The certificate never outlives the CA that signs it. Stored and audited in one
 * transaction before it is returned.
 */
export async function issueSvid(input: IssueSvidInput, authority: SigningAuthority, settings: IssueSvidSettings, audit: AuditLog): Promise<IssuedSvid> {
  const ttlSeconds = lifetime(input.ttlSeconds, settings);
  const csr = await checkCsr(input.csr, settings.csrMaxBytes);
  const spiffeId = spiffeIdOf(settings.trustDomain, input.agentId);
  const notBefore = Math.max(input.now - SVID_BACKDATE_MS, authority.notBefore);
  const notAfter = Math.min(input.now + ttlSeconds * 1000, authority.notAfter);
  const serial = newSerial();
  const signed = await signSvid(authority, { publicKey: csr.publicKey, spiffeId, commonName: input.agentId, serial, notBefore, notAfter });
  const ignored = csr.requestedUris.filter((uri) => uri !== spiffeId);
  await audit.withEntry(async (trx) => {
    if (input.taskId !== undefined) await lockRevocationHead(trx);
    await insertCertificate(trx, {
      serial,
      agent_id: input.agentId,
      spiffe_id: spiffeId,
      authority_id: authority.id,
      thumbprint: signed.thumbprint,
      not_before: isoTime(notBefore),
      not_after: isoTime(notAfter),
      issued_at: isoTime(input.now),
      revoked_at: null,
      revoke_reason: null,
      task_id: input.taskId ?? null,
    });
    return {
      result: undefined,
      events: [
        {
          type: 'certificate.issued',
          actor: { kind: 'agent', id: input.agentId },
          subject: serial,
          agentId: input.agentId,
          action: 'issue',
          outcome: 'success',
          details: { serial, spiffe_id: spiffeId, ca: authority.id, not_after: isoTime(notAfter), ...(input.taskId !== undefined ? { task_id: input.taskId } : {}), ...(ignored.length > 0 ? { requested_identity_ignored: ignored } : {}) },
        },
      ],
    };
  });
  return { certificate: signed.pem, chain: authority.chain, expires_at: isoTime(notAfter), spiffe_id: spiffeId, serial };
}
