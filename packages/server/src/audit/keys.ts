import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { Envelope } from '../crypto/index.js';
import { isoTime, type Clock } from '../shared/clock.js';
import type { Executor } from '../storage/index.js';
import { checkpointMessage, HEAD_PURPOSE, publicKeyFromJwk, type Checkpoint, type SignedHead } from './checkpoint.js';
import { allKeys, insertKeyIfAbsent, oldestActiveKey } from './store.js';
import type { AuditKeyRow } from './tables.js';

/** The one algorithm audit checkpoints use; a table so that adding one is a row, not a branch. */
const ALGORITHMS = {
  Ed25519: { jwsAlg: 'EdDSA', generate: () => generateKeyPairSync('ed25519') },
} as const;
type Algorithm = keyof typeof ALGORITHMS;
const DEFAULT_ALGORITHM: Algorithm = 'Ed25519';

/** A published audit key: a public JWK plus when it was made and retired. */
export interface AuditPublicKey {
  kid: string;
  kty: string;
  crv: string;
  x: string;
  alg: string;
  use: 'sig';
  created_at: string;
  retired_at: string | null;
}

/** The envelope context binds a sealed private key to its row. */
export const sealContext = (keyId: string) => `mandate:audit-key:${keyId}`;

/** RFC 7638 thumbprint of an OKP key: the key id third parties can recompute. */
export function okpThumbprint(jwk: { crv: string; x: string }): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: 'OKP', x: jwk.x });
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}

export function publicKeyView(row: AuditKeyRow): AuditPublicKey {
  const jwk = JSON.parse(row.public_jwk) as { kty: string; crv: string; x: string };
  const algorithm = ALGORITHMS[row.algorithm as Algorithm];
  return { kid: row.id, kty: jwk.kty, crv: jwk.crv, x: jwk.x, alg: algorithm?.jwsAlg ?? row.algorithm, use: 'sig', created_at: row.created_at, retired_at: row.retired_at };
}

/** Every audit key ever used (retired ones stay: old checkpoints are signed with them). */
export async function loadPublicKeys(db: Executor): Promise<Map<string, { view: AuditPublicKey; key: KeyObject }>> {
  const rows = await allKeys(db);
  return new Map(rows.map((row) => [row.id, { view: publicKeyView(row), key: publicKeyFromJwk(JSON.parse(row.public_jwk) as Record<string, unknown>) }]));
}

/**
 * The audit signing key. Generated on first start and stored sealed by the master key;
 * later starts (and other replicas) load the oldest active key, so every replica signs
 * with the same key unless two raced to create one (then both are published and valid).
 */
export class AuditKeyring {
  private constructor(
    readonly keyId: string,
    private readonly privateKey: KeyObject,
  ) {}

  static async open(db: Executor, envelope: Envelope, clock: Clock): Promise<AuditKeyring> {
    let row = await oldestActiveKey(db);
    if (!row) {
      const { publicKey, privateKey } = ALGORITHMS[DEFAULT_ALGORITHM].generate();
      const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
      const id = okpThumbprint(jwk);
      const der = privateKey.export({ format: 'der', type: 'pkcs8' });
      await insertKeyIfAbsent(db, {
        id,
        algorithm: DEFAULT_ALGORITHM,
        public_jwk: JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }),
        private_key: envelope.encrypt(der, sealContext(id)),
        created_at: isoTime(clock.now()),
        retired_at: null,
      });
      row = await oldestActiveKey(db);
      if (!row) throw new Error('audit signing key could not be stored');
    }
    const der = envelope.decrypt(row.private_key, sealContext(row.id));
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    der.fill(0);
    return new AuditKeyring(row.id, privateKey);
  }

  /** Signs the head (seq, hash, time): synchronous node:crypto, so it fits inside an append's transaction. */
  sign(point: { seq: number; hash: string; time: string }): Checkpoint {
    const signature = sign(null, checkpointMessage(point), this.privateKey).toString('base64url');
    return { ...point, keyId: this.keyId, signature };
  }

  /** Signs the head for an operator to pin (GET /v1/audit/head): same key, its own purpose. */
  signHead(point: { seq: number; hash: string; time: string }): SignedHead {
    const signature = sign(null, checkpointMessage(point, HEAD_PURPOSE), this.privateKey).toString('base64url');
    return { purpose: HEAD_PURPOSE, ...point, keyId: this.keyId, signature };
  }
}
