import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, createLocalJWKSet, type JSONWebKeySet, type JWK } from 'jose';
import { sql } from 'kysely';
import type { AuditLog } from '../../audit/index.js';
import type { Actor } from '../../audit/index.js';
import type { Envelope } from '../../crypto/index.js';
import { isoTime, type Clock } from '../../shared/clock.js';
import { CHANGE_TOPICS, type ChangeNotifier, type Store, type Tx } from '../../storage/index.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../algorithms.js';
import type { SigningKeyRow } from '../tables.js';
import { planKeys, type KeyPlan, type KeyStatus, type RotationPolicy, type RotationRequest } from './rotation.js';
import { oauthTables } from '../tables.js';

/** A key ready to sign: the private key object and the encoded JWS header are built once. */
export interface LoadedKey {
  kid: string;
  alg: SigningAlgorithm['alg'];
  activatesAt: number;
  publicJwk: JWK;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** base64url of the access-token JWS header `{alg, typ: at+jwt, kid}` followed by '.'. */
  encodedHeader: string;
}

export interface SigningKeysOptions {
  store: Store;
  envelope: Envelope;
  clock: Clock;
  audit: AuditLog;
  algorithm: SigningAlgorithm['alg'];
  policy: RotationPolicy;
  /**
   * Tells other replicas when the key set changed (topic `signing-keys`), in the change's
   * transaction, and reloads on theirs: a key removed on compromise stops verifying on every
   * replica at once, not at the next periodic reload (docs/replicas.md).
   */
  notifier?: ChangeNotifier | undefined;
}

export const sealContext = (kid: string) => `oauth-signing-key:${kid}`;
const ADVISORY_LOCK = 0x6f61757468; // "oauth": serialises key maintenance across PostgreSQL replicas

/**
 * Token-signing keys: generated on first start, private keys sealed with the master key,
 * rotated by planKeys(). The database is the source of truth so replicas agree on the
 * signing key; each replica caches decrypted keys and the JWKS and reloads periodically
 * (the publish delay exceeds the reload interval, so every replica knows a key before it signs).
 */
export class SigningKeys {
  private keys: LoadedKey[] = [];
  private jwksJson = '{"keys":[]}';
  private jwksObject: JSONWebKeySet = { keys: [] };
  private publishedKids = new Set<string>();
  private localJwks: ReturnType<typeof createLocalJWKSet> = createLocalJWKSet({ keys: [] });
  private plan: KeyPlan | null = null;
  private reloading: Promise<void> = Promise.resolve();

  constructor(private readonly options: SigningKeysOptions) {
    options.notifier?.subscribe(CHANGE_TOPICS.signingKeys, { onNotice: () => void this.reload().catch(() => undefined), resync: () => this.reload() });
  }

  /** Ensures a signing key exists (creating the first one) and loads the cache. */
  async start(): Promise<void> {
    await this.maintain();
  }

  /**
   * Applies the rotation plan (create the next key, activate, drop expired ones) under a
   * lock, then reloads. Returns the plan as it stood after the change.
   */
  async maintain(request: RotationRequest = {}, actor: Actor = { kind: 'system', id: 'key-rotation' }): Promise<KeyPlan> {
    const { store, clock, audit, policy } = this.options;
    await audit.withEntry(async (trx) => {
      if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${ADVISORY_LOCK})`.execute(trx);
      const rows = await oauthTables(trx).selectFrom('oauth_signing_keys').select(['kid', 'activates_at']).execute();
      const now = clock.now();
      const plan = planKeys(
        rows.map((r) => ({ kid: r.kid, activatesAt: Date.parse(r.activates_at) })),
        now,
        policy,
        request,
      );
      const events = [];
      if (plan.removable.length > 0) {
        await oauthTables(trx).deleteFrom('oauth_signing_keys').where('kid', 'in', plan.removable).execute();
        for (const kid of plan.removable) events.push({ type: 'oauth.key.removed', actor, subject: kid, action: 'remove', outcome: 'success' as const });
      }
      if (plan.activateNow) {
        await oauthTables(trx).updateTable('oauth_signing_keys').set({ activates_at: isoTime(now) }).where('kid', '=', plan.activateNow).execute();
        events.push({ type: 'oauth.key.activated', actor, subject: plan.activateNow, action: 'activate', outcome: 'success' as const, details: { immediate: true } });
      }
      if (plan.create) {
        const kid = await this.createKey(trx, plan.create.activatesAt);
        events.push({
          type: 'oauth.key.created',
          actor,
          subject: kid,
          action: 'create',
          outcome: 'success' as const,
          details: { alg: this.options.algorithm, activates_at: isoTime(plan.create.activatesAt), on_demand: Boolean(request.rotateNow) },
        });
      }
      if (events.length > 0) await this.options.notifier?.publish(trx, CHANGE_TOPICS.signingKeys);
      return { result: null, events };
    });
    await this.reload();
    return this.plan!;
  }

  private async createKey(trx: Tx, activatesAt: number): Promise<string> {
    const algorithm = SIGNING_ALGORITHMS[this.options.algorithm];
    const { privateKey, publicKey } = algorithm.generate();
    const exported = publicKey.export({ format: 'jwk' }) as JWK;
    const kid = await calculateJwkThumbprint(exported, 'sha256');
    const publicJwk: JWK = { ...exported, kid, alg: algorithm.alg, use: 'sig' };
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const row: SigningKeyRow = {
      kid,
      alg: algorithm.alg,
      public_jwk: JSON.stringify(publicJwk),
      private_key: this.options.envelope.encrypt(der, sealContext(kid)),
      created_at: isoTime(this.options.clock.now()),
      activates_at: isoTime(activatesAt),
    };
    await oauthTables(trx).insertInto('oauth_signing_keys').values(row).execute();
    return kid;
  }

  /**
   * Re-reads the keys from the database (other replicas may have rotated). Reloads run one at
   * a time in call order, so one that read the rows before a rotation committed never
   * overwrites one that read them after.
   */
  reload(): Promise<void> {
    const run = this.reloading.then(() => this.load());
    this.reloading = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    const rows = await oauthTables(this.options.store.db).selectFrom('oauth_signing_keys').selectAll().execute();
    const known = new Map(this.keys.map((k) => [k.kid, k]));
    const loaded: LoadedKey[] = [];
    for (const row of rows) {
      const cached = known.get(row.kid);
      const activatesAt = Date.parse(row.activates_at);
      if (cached) {
        loaded.push({ ...cached, activatesAt });
        continue;
      }
      const privateKey = createPrivateKey({ key: this.options.envelope.decrypt(row.private_key, sealContext(row.kid)), format: 'der', type: 'pkcs8' });
      const alg = row.alg as SigningAlgorithm['alg'];
      const header = Buffer.from(JSON.stringify({ alg, typ: 'at+jwt', kid: row.kid })).toString('base64url');
      loaded.push({
        kid: row.kid,
        alg,
        activatesAt,
        publicJwk: JSON.parse(row.public_jwk) as JWK,
        privateKey,
        publicKey: createPublicKey(privateKey),
        encodedHeader: `${header}.`,
      });
    }
    loaded.sort((a, b) => a.activatesAt - b.activatesAt);
    this.keys = loaded;
    this.refreshPublished();
  }

  private refreshPublished(): void {
    this.plan = planKeys(
      this.keys.map((k) => ({ kid: k.kid, activatesAt: k.activatesAt })),
      this.options.clock.now(),
      this.options.policy,
    );
    const published = new Set(this.plan.published.map((k) => k.kid));
    this.publishedKids = published;
    this.jwksObject = { keys: this.keys.filter((k) => published.has(k.kid)).map((k) => k.publicJwk) };
    this.jwksJson = JSON.stringify(this.jwksObject);
    this.localJwks = createLocalJWKSet(this.jwksObject);
  }

  /**
   * The key that signs at `now`: the latest whose activation has passed. Decided from the
   * cache, so a pending key takes over at its time without a database round trip.
   */
  signer(now: number): LoadedKey {
    let chosen: LoadedKey | undefined;
    for (const key of this.keys) if (key.activatesAt <= now) chosen = key;
    if (!chosen) throw new Error('no signing key is active (keys not loaded)');
    // A key crossed its activation or removal time since the JWKS was computed: recompute.
    if (this.plan && this.plan.signing !== chosen.kid) this.refreshPublished();
    return chosen;
  }

  /** The published JWKS as JSON text (built once per change). */
  jwks(): string {
    this.checkFresh();
    return this.jwksJson;
  }

  /** A jose key resolver over the published keys, for verifying Mandate's own tokens. */
  verificationKeys(): ReturnType<typeof createLocalJWKSet> {
    this.checkFresh();
    return this.localJwks;
  }

  /** Whether `kid` is in the published set now, i.e. tokens it signed still verify. */
  publishes(kid: string): boolean {
    this.checkFresh();
    return this.publishedKids.has(kid);
  }

  /** Every published key with its state, for `GET /v1/keys`. */
  list(): Array<KeyStatus & { alg: string }> {
    this.refreshPublished();
    const byKid = new Map(this.keys.map((k) => [k.kid, k]));
    return this.plan!.published.map((k) => ({ ...k, alg: byKid.get(k.kid)?.alg ?? this.options.algorithm }));
  }

  /** Recomputes the published set when a time boundary (activation, removal) has passed. */
  private checkFresh(): void {
    const plan = this.plan;
    if (!plan) return;
    const now = this.options.clock.now();
    const boundary = plan.published.some((k) => (k.state === 'pending' && k.activatesAt <= now) || (k.removeAt !== null && k.removeAt <= now));
    if (boundary) this.refreshPublished();
  }
}
