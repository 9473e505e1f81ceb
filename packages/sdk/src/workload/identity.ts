import { decodeJwt } from 'jose';
import type { ConnectionOptions, PeerCertificate, SecureContextOptions, TlsOptions } from 'node:tls';
import { realSleep, systemClock, type Clock, type Sleeper } from '../shared/clock.js';
import { ApiError, ResponseError } from '../shared/errors.js';
import { readJson, send, type FetchLike } from '../shared/http.js';
import { createCsr, generateAgentKey } from './csr.js';
import { checkPeer, normaliseSerial, type SpiffeAllowList } from './peer.js';

export interface AgentIdentityOptions {
  /** Mandate's base URL (the issuer). */
  issuer: string;
  /** The agent's access token for `POST /v1/svids`, e.g. `() => auth.getToken()`. */
  accessToken: () => Promise<string>;
  /** Certificate lifetime to ask for; the server's default (1 h) when absent. */
  ttlSeconds?: number;
  /** How often the trust bundle and the revocation feed are read again (default 60 s). */
  refreshSeconds?: number;
  clock?: Clock;
  sleep?: Sleeper;
  fetch?: FetchLike;
}

/** The agent's current X.509-SVID and what it trusts. */
export interface SvidState {
  spiffeId: string;
  serial: string;
  /** The certificate followed by its chain (PEM), as TLS sends it. */
  certificateChainPem: string;
  privateKeyPem: string;
  /** Trust anchors (PEM) of every CA Mandate publishes. */
  bundlePem: string;
  /** When it was obtained and when it expires, on the identity's clock. */
  obtainedAt: number;
  expiresAt: number;
}

/** A JWT-SVID from Mandate (`AgentIdentity.jwtSvid()`). */
export interface JwtSvid {
  token: string;
  spiffeId: string;
  /** When it was obtained and when it expires (its lifetime after that), on the identity's clock. */
  obtainedAt: number;
  expiresAt: number;
}

const DEFAULT_REFRESH_SECONDS = 60;

/**
 * An agent's workload identity (docs/workload-identity.md): makes its key pair (which never
 * leaves the process), obtains an X.509-SVID for it from Mandate, renews it at half-life on the
 * injected clock with a new key, keeps the trust bundle fresh and follows the certificate
 * revocation feed. `tlsServerOptions()`, `tlsClientOptions()` and `undiciConnectOptions()` give
 * node's https/tls and undici what they need; `onChange` tells servers to swap their context.
 */
export class AgentIdentity {
  private state: SvidState | null = null;
  private bundle = '';
  private readonly revoked = new Map<string, number>();
  private cursor = 0;
  private lastRefresh = Number.NEGATIVE_INFINITY;
  private readonly listeners = new Set<(state: SvidState) => void>();
  private readonly clock: Clock;
  private readonly fetchImpl: FetchLike;
  private running: AbortController | null = null;

  private constructor(private readonly options: AgentIdentityOptions) {
    this.clock = options.clock ?? systemClock;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Obtains the first certificate, the bundle and the revocation feed's current state. */
  static async create(options: AgentIdentityOptions): Promise<AgentIdentity> {
    const identity = new AgentIdentity(options);
    await identity.refresh();
    await identity.renew();
    return identity;
  }

  current(): SvidState {
    if (!this.state) throw new Error('AgentIdentity has no certificate yet');
    return this.state;
  }

  get spiffeId(): string {
    return this.current().spiffeId;
  }

  /** When the certificate is renewed: half its lifetime after it was obtained. */
  renewsAt(): number {
    const state = this.current();
    return state.obtainedAt + (state.expiresAt - state.obtainedAt) / 2;
  }

  /** Hears every new certificate or bundle (a server swaps its secure context); returns the unsubscribe. */
  onChange(listener: (state: SvidState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether a serial is on Mandate's revocation feed (as last read). */
  isRevoked(serial: string): boolean {
    return this.revoked.has(normaliseSerial(serial));
  }

  /**
   * Does what is due by the clock: renews the certificate from half-life on, re-reads the
   * bundle and the revocation feed every `refreshSeconds`. Call it after moving a test clock;
   * `start()` calls it in a loop.
   */
  async maintain(): Promise<void> {
    const now = this.clock.now();
    if (now - this.lastRefresh >= (this.options.refreshSeconds ?? DEFAULT_REFRESH_SECONDS) * 1000) await this.refresh();
    if (now >= this.renewsAt()) await this.renew();
  }

  /** Runs `maintain()` until `stop()`, sleeping (on the injected sleeper) until the next thing is due. */
  start(): void {
    if (this.running) return;
    const controller = new AbortController();
    this.running = controller;
    const sleep = this.options.sleep ?? realSleep;
    const loop = async (): Promise<void> => {
      while (!controller.signal.aborted) {
        const refreshMs = (this.options.refreshSeconds ?? DEFAULT_REFRESH_SECONDS) * 1000;
        const next = Math.min(this.renewsAt(), this.lastRefresh + refreshMs);
        await sleep(Math.max(1_000, next - this.clock.now()), controller.signal).catch(() => undefined);
        if (controller.signal.aborted) return;
        // A failed renewal is retried on the next turn; the current certificate is still valid until then.
        await this.maintain().catch(() => undefined);
      }
    };
    void loop();
  }

  stop(): void {
    this.running?.abort();
    this.running = null;
  }

  /** A new key pair and a certificate for it. */
  async renew(): Promise<void> {
    const { keys, privateKeyPem } = await generateAgentKey();
    const csr = await createCsr(keys);
    const obtainedAt = this.clock.now();
    const body = await this.call('POST', '/v1/svids', { csr, ...(this.options.ttlSeconds ? { ttl_seconds: this.options.ttlSeconds } : {}) });
    const certificate = body.certificate;
    const chain = body.chain;
    if (typeof certificate !== 'string' || !Array.isArray(chain) || typeof body.spiffe_id !== 'string' || typeof body.expires_at !== 'string' || typeof body.serial !== 'string') {
      throw new ResponseError('POST /v1/svids: the answer lacks certificate, chain, spiffe_id, serial or expires_at', 200);
    }
    this.state = {
      spiffeId: body.spiffe_id,
      serial: normaliseSerial(body.serial),
      certificateChainPem: [certificate, ...(chain as string[])].map((pem) => `${pem.trim()}\n`).join(''),
      privateKeyPem,
      bundlePem: this.bundle,
      obtainedAt,
      expiresAt: Date.parse(body.expires_at),
    };
    this.changed();
  }

  /**
   * A JWT-SVID naming this agent for `audience` (`POST /v1/svids/jwt`, authenticated by the
   * access token): for a peer that prefers tokens, which verifies it against the bundle's
   * `jwt-svid` keys, or for Mandate's token endpoint (`clientAssertion()`).
   */
  async jwtSvid(audience: string | string[], ttlSeconds?: number): Promise<JwtSvid> {
    const body = await this.call('POST', '/v1/svids/jwt', { audience, ...(ttlSeconds ? { ttl_seconds: ttlSeconds } : {}) });
    if (typeof body.token !== 'string' || typeof body.spiffe_id !== 'string' || typeof body.expires_at !== 'string') {
      throw new ResponseError('POST /v1/svids/jwt: the answer lacks token, spiffe_id or expires_at', 201);
    }
    const { iat, exp } = decodeJwt(body.token);
    const obtainedAt = this.clock.now();
    // The lifetime from the token's own claims, counted on this clock: a skewed clock does not shorten or stretch it.
    const lifetimeMs = typeof iat === 'number' && typeof exp === 'number' ? (exp - iat) * 1000 : Date.parse(body.expires_at) - obtainedAt;
    return { token: body.token, spiffeId: body.spiffe_id, obtainedAt, expiresAt: obtainedAt + lifetimeMs };
  }

  /**
   * Client authentication with this agent's JWT-SVID instead of a secret, for
   * `new AgentAuthService({ auth: { method: 'client_assertion', assertion: identity.clientAssertion() } })`.
   * Each token request gets a JWT-SVID whose `aud` is the token endpoint, reused until half its
   * lifetime (`ttlSeconds`, the server's 5 minutes by default) is gone. Obtaining one needs this
   * identity's `accessToken`, so that must come from another credential than the service it
   * authenticates (a supervisor's AgentAuthService with the secret): otherwise each waits for the other.
   */
  clientAssertion(options: { ttlSeconds?: number } = {}): (context: { tokenEndpoint: string }) => Promise<string> {
    let current: (JwtSvid & { audience: string }) | null = null;
    return async ({ tokenEndpoint }) => {
      const now = this.clock.now();
      const fresh = current !== null && current.audience === tokenEndpoint && now < current.obtainedAt + (current.expiresAt - current.obtainedAt) / 2;
      if (!fresh) current = { ...(await this.jwtSvid(tokenEndpoint, options.ttlSeconds)), audience: tokenEndpoint };
      return current!.token;
    };
  }

  /** Re-reads the trust bundle and the revocation feed. */
  async refresh(): Promise<void> {
    const bundle = await this.text('/v1/bundle');
    this.lastRefresh = this.clock.now();
    await this.followRevocations();
    if (bundle === this.bundle) return;
    this.bundle = bundle;
    if (this.state) {
      this.state = { ...this.state, bundlePem: bundle };
      this.changed();
    }
  }

  private async followRevocations(): Promise<void> {
    for (let page = 0; page < 100; page += 1) {
      const body = await this.call('GET', `/v1/svids/revocations?after=${this.cursor}&limit=1000`);
      const events = Array.isArray(body.events) ? (body.events as Array<{ serial: string; not_after: string }>) : [];
      for (const event of events) this.revoked.set(normaliseSerial(event.serial), Date.parse(event.not_after));
      if (typeof body.cursor === 'number') this.cursor = body.cursor;
      if (body.has_more !== true) break;
    }
    // A serial whose certificate has expired can never be presented again.
    const now = this.clock.now();
    for (const [serial, notAfter] of this.revoked) if (notAfter <= now) this.revoked.delete(serial);
  }

  private changed(): void {
    const state = this.current();
    for (const listener of [...this.listeners]) listener(state);
  }

  private async call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method === 'POST') {
      headers.authorization = `Bearer ${await this.options.accessToken()}`;
      headers['content-type'] = 'application/json';
    }
    const url = `${this.options.issuer.replace(/\/$/, '')}${path}`;
    const response = await send(this.fetchImpl, url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const parsed = (await readJson(response)) as Record<string, unknown> | undefined;
    if (!response.ok) throw new ApiError(String(parsed?.error ?? 'ERR_SVID'), response.status, `${method} ${path}: ${String(parsed?.message ?? response.statusText)}`, parsed?.details);
    if (!parsed || typeof parsed !== 'object') throw new ResponseError(`${method} ${path}: expected a JSON object`, response.status);
    return parsed;
  }

  private async text(path: string): Promise<string> {
    const url = `${this.options.issuer.replace(/\/$/, '')}${path}`;
    const response = await send(this.fetchImpl, url, { method: 'GET', headers: { accept: 'application/x-pem-file' } });
    const text = await response.text();
    if (!response.ok || !text.includes('BEGIN CERTIFICATE')) throw new ResponseError(`GET ${path}: expected PEM certificates (HTTP ${response.status})`, response.status);
    return text;
  }

  /** Key, certificate chain and trust bundle: the part every TLS endpoint shares. */
  secureContextOptions(): SecureContextOptions {
    const state = this.current();
    return { key: state.privateKeyPem, cert: state.certificateChainPem, ca: state.bundlePem, minVersion: 'TLSv1.2' };
  }

  /** For `https.createServer` / `tls.createServer`: client certificates required and verified against the bundle. */
  tlsServerOptions(): TlsOptions {
    return { ...this.secureContextOptions(), requestCert: true, rejectUnauthorized: true };
  }

  /**
   * For `https.request` / `tls.connect`: the agent's certificate, the bundle as the only CAs,
   * and a server identity check by SPIFFE ID (allow-list and revocation feed) instead of by
   * host name: SVIDs carry no DNS names.
   */
  tlsClientOptions(allow: SpiffeAllowList): ConnectionOptions {
    return {
      ...this.secureContextOptions(),
      rejectUnauthorized: true,
      checkServerIdentity: (_host: string, certificate: PeerCertificate) => {
        try {
          checkPeer(certificate, { allow, isRevoked: (serial) => this.isRevoked(serial) });
          return undefined;
        } catch (error) {
          return error as Error;
        }
      },
    };
  }

  /**
   * For undici: `new Agent({ connect: identity.undiciConnectOptions(allow) })`. A plain options
   * object (undici passes it to `tls.connect`), so the SDK itself does not depend on undici.
   * Build a new Agent after `onChange`: a connector keeps the options it was made with.
   */
  undiciConnectOptions(allow: SpiffeAllowList): ConnectionOptions {
    return this.tlsClientOptions(allow);
  }
}
