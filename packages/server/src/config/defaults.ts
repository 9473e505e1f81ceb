/**
 * Every default in one place, each named and explained (STYLE.md §10). A default that a
 * production deployment should change is marked `productionWarning` and warned about
 * once at start-up.
 */
/** One upstream OpenID Provider (signin.idps[]): see docs/signin.md. */
export interface IdpSetting {
  id: string;
  name?: string;
  issuer: string;
  clientId: string;
  /** A file holding the client secret (preferred), or the environment variable that does. */
  clientSecretFile?: string;
  clientSecretEnv?: string;
  /** Emails (verified by the IdP) whose domain is one of these may sign in. */
  allowedEmailDomains?: string[];
  /** A claim that must hold one of these values (e.g. `groups` containing `mandate-users`). */
  requiredClaim?: { name: string; values: string[] };
  scopes?: string;
}

export const DEFAULTS = {
  /** Loopback only: exposing the server is a deliberate choice. */
  host: '127.0.0.1',
  port: 8700,
  /** SQLite file, generated keys and the bootstrap admin token live here. */
  dataDir: './.mandate',
  logLevel: 'info',
  /** Largest accepted request body; larger bodies get 413 before any parsing. */
  bodyLimitBytes: 1_048_576,
  /**
   * Deepest nesting of objects and arrays in any request's JSON (body, query, params); deeper is
   * a 400 before any route runs (shared/json-guard.ts). Well above any document the API takes
   * (decision contexts have their own, lower `policy.decisionInputMaxDepth`), well below what
   * recursive code (the Rego engine's values, canonical JSON) could overflow on.
   */
  bodyMaxDepth: 64,
  /** Grace period for in-flight requests on SIGTERM before connections are cut. */
  shutdownGraceMs: 10_000,
  /**
   * Apply pending database migrations at start (under the migration lock, so replicas starting
   * at once migrate once). Off: a start that would need to migrate refuses and names what is
   * pending, for operators who migrate ahead of a rollout with `mandate server migrate`.
   */
  migrateOnStart: true,

  registry: {
    /** Agents not reviewed for this long are flagged as overdue. */
    reviewIntervalDays: 90,
    /** After `rotate-secret`, the previous client secret keeps working this long. */
    secretRotationOverlapSeconds: 3_600,
  },

  oauth: {
    /** Access token lifetime: the seed's 5–15 minute range, 10 minutes unless an agent says otherwise. */
    accessTokenTtlSeconds: 600,
    accessTokenTtlMinSeconds: 300,
    accessTokenTtlMaxSeconds: 900,
    signingAlgorithm: 'EdDSA' as 'EdDSA' | 'ES256',
    /** Signing keys rotate on this schedule; retired keys stay in the JWKS until their tokens expire. */
    signingKeyRotationDays: 30,
    /** `private_key_jwt` assertions may not live longer than this (RFC 7523 replay window). */
    clientAssertionMaxLifetimeSeconds: 300,
    /** Tokens issued per authenticated client per minute before 429 (counted after authentication). */
    tokenRateLimitPerMinute: 600,
    /**
     * Failed client authentications per presented client_id and source address per minute before
     * 429: a stranger who knows a client id can only lock out their own address, never the client.
     */
    clientAuthFailuresPerMinute: 30,
    /** Allowed clock skew when checking iat/exp/nbf of incoming JWTs and DPoP proofs. */
    clockSkewSeconds: 30,
    /**
     * A new signing key is published in the JWKS this long before it signs, so verifiers that
     * cache the JWKS (jose refetches on an unknown kid at most every 30 s) know it in time.
     */
    signingKeyPublishDelaySeconds: 300,
    /** A DPoP proof's `iat` may be at most this old (plus skew); its `jti` is remembered this long. */
    dpopProofMaxAgeSeconds: 60,
    /** Longest `wait` a revocation-feed long-poll is held. */
    revocationFeedMaxWaitSeconds: 30,
    /** Largest form body accepted by the token, introspection and revocation endpoints. */
    formBodyLimitBytes: 16_384,
    /**
     * Verified access tokens kept by /v1 and the decision point (a token's signature is checked
     * once, its claims reused until exp); the least recently used is evicted beyond this.
     */
    verifiedTokenCacheEntries: 10_000,
  },

  /** People's clients (MCP clients, the console): authorization code + PKCE, refresh tokens, CIMD (docs/oauth.md). */
  authorization: {
    /** An authorization code lives this long (RFC 6749 §4.1.2 recommends at most 10 minutes; a client redeems it at once). */
    codeTtlSeconds: 60,
    /** A refresh family (one grant to a person's client) ends this long after the code was redeemed (30 days). */
    refreshTokenTtlSeconds: 2_592_000,
    /** Longest `state`, `redirect_uri`, `resource`, `scope` and `client_id` accepted at /oauth2/authorize. */
    parameterMaxLength: 2_048,
    /**
     * Requests to /oauth2/authorize per source address per minute (bursts up to the same): the
     * endpoint needs no sign-in, and each refusal is audited and each new https client_id is a
     * fetch. A person signing in makes a handful; beyond this, 429 with Retry-After.
     */
    requestsPerMinutePerAddress: 120,
    /**
     * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): `any` accepts
     * every https client_id URL and shows a warning on the consent page; `allow-list` only hosts in
     * `cimdAllowedHosts` (exact host or `*.example.com`).
     */
    cimdTrust: 'any' as 'any' | 'allow-list',
    cimdAllowedHosts: [] as string[],
    /** Largest metadata document read (the draft suggests 5 KB); a bigger one is refused. */
    cimdMaxBytes: 5_120,
    /** Whole fetch of a metadata document, DNS to last byte. */
    cimdTimeoutMs: 5_000,
    /** Documents kept in memory (least recently used dropped beyond this). */
    cimdCacheEntries: 1_000,
    /** Metadata documents fetched at once; a request that would start one more is refused (503, retry). */
    cimdMaxConcurrentFetches: 16,
    /** Cache lifetime bounds: HTTP cache headers are honoured within [min, max]. */
    cimdCacheMinSeconds: 60,
    cimdCacheMaxSeconds: 86_400,
    // cimdCaFile (unset): a PEM file of extra CAs trusted when fetching metadata documents (a company CA).
  },

  delegation: {
    maxDepth: 3,
    /** Chains deeper than this need a human's approval. */
    approvalDepth: 2,
    /** Share of its parent's (resource, action) pairs each delegation level must give up (docs/delegation.md). */
    minimumReduction: 0.5,
  },

  policy: {
    /** Evaluation limits so that no policy can hang a decision. */
    maxSteps: 1_000_000,
    maxEvalMs: 250,
    /**
     * How often a replica checks the database for a policy revision another replica stored
     * (one indexed read); a change elsewhere applies here within this long. 0: every decision.
     */
    revisionCheckMs: 1_000,
    /**
     * The Rego syntax policy modules are parsed as, for the policy API, the default bundle and the
     * what-if replay. 'v1' (OPA 1.x's default): `if`/`contains` required. 'v0': OPA's
     * `--v0-compatible`, modules written for OPA before 1.0 are accepted as they are (a module with
     * `import rego.v1` is still v1). A v0 module refused under 'v1' gets an error saying how to convert it.
     */
    regoVersion: 'v1' as 'v1' | 'v0',
    /**
     * The package `POST /v1/authorize` evaluates for every agent's action. Agents and resource
     * servers cannot name another one; only an operator with `policies:write` may (docs/security.md).
     */
    decisionPackage: 'mandate.authz',
    /** Decisions per agent (the agent whose token is judged) per minute before 429 with Retry-After. */
    decisionsPerMinutePerAgent: 600,
    /**
     * Largest `context` and `resource` of one decision, each measured as JSON (UTF-8 bytes):
     * both are stored whole in the decision log, so this bounds what one call can make it hold.
     */
    decisionInputMaxBytes: 16_384,
    /** Deepest nesting of `context` and `resource` (an object or array inside another is one level deeper). */
    decisionInputMaxDepth: 16,
    /**
     * Total time one what-if replay or data API evaluation may run in its worker thread (the
     * sandbox) before the worker is terminated and the request answered 422 naming this limit.
     * Each single evaluation inside still stops at maxSteps / maxEvalMs.
     */
    workerBudgetMs: 10_000,
    /** Sandbox workers running at once; a request beyond gets 429 naming this limit. */
    workers: 4,
    /** Heap of each sandbox worker in MiB: a policy that allocates without bound ends its worker, not the server. */
    workerMemoryMb: 256,
    /**
     * The decision-log policy's package (OPA's `system.log`): its `mask` rule removes or replaces
     * fields of a decision's logged input, its `drop` rule keeps allows out of the log (never a
     * deny, approval_required or error). Absent from the loaded policy: nothing is evaluated.
     */
    decisionLogPackage: 'system.log',
  },

  approvals: {
    /** A request not decided and used within 15 minutes expires: stale consent is no consent. */
    ttlSeconds: 900,
    /** Longest `?wait=N` long-poll the server honours. */
    maxWaitSeconds: 60,
    /**
     * Actions that need two distinct approvers (e.g. `['admin']`). Empty: one approver suffices.
     * Typed as a plain array so deployments can configure any action names.
     */
    twoPersonActions: [] as string[],
    /**
     * Whether the human an agent acts for (an operator whose email equals `on_behalf_of`) may
     * decide that agent's requests. Off: deciders are independent approvers only.
     */
    allowDelegatingUser: false,
    /**
     * Separation of duties: an operator may not approve or deny the requests of agents they own
     * (the agent's `owner` equals their email), whatever their roles. On: an owner who is also
     * an approver would otherwise approve what their own agent asks.
     */
    separationOfDuties: true,
    /** Webhook on each new request: attempts in all (first try + retries), backing off from this delay, doubling. */
    webhookAttempts: 4,
    webhookBackoffMs: 1_000,
    /** One webhook attempt gives up after this long, so a hanging receiver cannot pile up sockets. */
    webhookTimeoutMs: 5_000,
    /** Long-polls re-read the row this often on PostgreSQL, where another replica may decide. */
    pollIntervalMs: 500,
    /** Expired requests are marked `expired` (and audited) at least this often. */
    sweepIntervalSeconds: 60,
    /** An agent with this many requests still pending gets 429 for the next: humans are not a queue to flood. */
    maxPendingPerAgent: 50,
  },

  audit: {
    /** A signed checkpoint after this many entries or this much time, whichever comes first. */
    checkpointEveryEntries: 1_000,
    checkpointIntervalSeconds: 300,
    /**
     * Group commit for high-volume events (`AuditLog.enqueue`): an event waits at most this
     * long for others to share its transaction, and a batch holds at most this many events.
     */
    groupCommitMaxDelayMs: 2,
    groupCommitMaxEntries: 500,
    /**
     * Retention (docs/audit.md "Retention and archive"): entries older than this many days move
     * to sealed archive segments and leave the live table. Unset (the default): keep every entry
     * in the live table. Fractions are allowed (0.5 = twelve hours).
     */
    retentionDays: undefined as number | undefined,
    /** Where archive segments go; unset: `<data dir>/audit-archive`. */
    archiveDir: undefined as string | undefined,
    /** Entries per archive segment at most: bounds the memory of one segment's sealing (~2 KB each). */
    archiveSegmentEntries: 10_000,
    /** How often the leader looks for entries past retention. */
    archiveIntervalSeconds: 300,
    /** One archive run starts no new segment after this long; the next run goes on. */
    archiveRunMaxSeconds: 60,
    /**
     * Compact entries (docs/audit.md "Compact entries"): the writer remembers the shared base of
     * this many compact keys (one per agent token in use: ~2 KB each); a key it forgot starts a
     * new base, costing one blob. 0 stores every entry whole (the format before migration 033).
     */
    compactBaseCacheEntries: 10_000,
  },

  monitoring: {
    /** Watch every agent's behaviour (docs/monitoring.md). Off: no signals, no alerts; /metrics still served. */
    enabled: true,
    /**
     * An agent is watched this long (a day: most agents use their whole toolset daily) before
     * first-use and depth signals may alert; rate windows warm up by buckets of their own.
     */
    warmupMinutes: 1_440,
    /** Agents tracked at once (about 0.5 KB of heap each); beyond, the agent seen first is forgotten. */
    maxAgents: 200_000,
    /** Distinct tools and scopes remembered per agent for first-use detection. */
    maxSeenPerAgent: 64,
    /**
     * Per signal: alert when the current bucket is `zScore` deviations above the agent's usual
     * count (and at least `minCount`); `escalatedSeverity` from `escalateZScore`; `burstPerMinute`
     * events in one minute alert even during warm-up (0: off). Tuned on a simulated day of
     * 1,000 agents (docs/monitoring.md "False positives").
     */
    signals: {
      auth_frequency: { zScore: 6, minCount: 10, severity: 'medium', escalateZScore: 12, escalatedSeverity: 'high', burstPerMinute: 0 },
      action_velocity: { zScore: 6, minCount: 30, severity: 'medium', escalateZScore: 12, escalatedSeverity: 'high', burstPerMinute: 0 },
      error_rate: { zScore: 6, minCount: 10, severity: 'medium', escalateZScore: 12, escalatedSeverity: 'high', burstPerMinute: 30 },
      cross_user: { zScore: 6, minCount: 5, severity: 'high', escalateZScore: 12, escalatedSeverity: 'critical', burstPerMinute: 0 },
      scope_usage: { undeclaredSeverity: 'high', firstUseSeverity: 'low' },
      delegation_depth: { severity: 'medium' },
    },
    /** Severities that suspend the agent at once (audited; an operator resumes it). Empty: never. */
    autoSuspendSeverities: [] as Array<'low' | 'medium' | 'high' | 'critical'>,
    /** Least-privilege report: a grant unused for this many days is reported as unused. */
    unusedDays: 30,
  },
  /**
   * Several replicas on one PostgreSQL (docs/replicas.md). Ignored on SQLite (one process,
   * always the leader, nothing to propagate).
   */
  replicas: {
    /**
     * A replica that does not lead tries to take the leader lock this often, and the leader
     * checks the connection that holds it this often: after a leader dies, another one runs
     * the singleton jobs (lease expiry, rotations, checkpoints) within about this long.
     */
    leaderRetryMs: 1_000,
    /** A leader check or lock attempt not answered within this is a lost connection (leadership ends). */
    leaderQueryTimeoutMs: 5_000,
    /**
     * Every replica re-reads what it holds in memory (policy revision, signing keys, CA, agent
     * caches, waiting long-polls) this often whatever the notices said: the longest a missed
     * LISTEN/NOTIFY notice can leave a replica stale.
     */
    catchUpIntervalMs: 5_000,
    /**
     * How often the leader's monitor reads the audit entries every replica committed since its
     * last read (monitoring/follow.ts): the lag between an event and its alert with replicas.
     */
    monitorFollowMs: 1_000,
    /** The LISTEN connection dropped: first reconnect after this, doubling per failure up to the max. */
    listenReconnectDelayMs: 250,
    listenReconnectMaxDelayMs: 10_000,
  },
  /** The secrets engine: secret store, leases, dynamic database credentials, tasks (docs/secrets.md). */
  secrets: {
    /** Versions of a secret kept; writing beyond it destroys the oldest (as Vault KV v2's max_versions). */
    versionsKept: 10,
    /** Largest secret value (its JSON), so one write cannot fill the store. */
    valueMaxBytes: 65_536,
    /** Expired leases are looked for this often: the bound on the lag between expiry and revocation. */
    leaseSweepIntervalMs: 1_000,
    /** A failed revocation is retried after this delay, doubling per failure up to the cap. */
    revocationBackoffMs: 1_000,
    revocationBackoffMaxMs: 60_000,
    /** After this many failed attempts of one revocation, the `revocation failing` alert is raised. */
    revocationAlertAfterFailures: 3,
    /** Live leases one agent may hold: a runaway agent cannot fill the database with roles. */
    maxLeasesPerAgent: 100,
    /** Dynamic database credentials live 60 s unless the role says otherwise: zero persistent passwords. */
    dbDefaultTtlSeconds: 60,
    /** No role may grant (or renew) credentials beyond this. */
    dbMaxTtlSeconds: 3_600,
    /** A target database that does not answer within this is treated as down (the revocation is retried). */
    dbConnectTimeoutMs: 5_000,
    /** Root credentials Mandate manages are rotated this often (0: never). */
    rootRotationSeconds: 86_400,
    /** How often the rotation job looks for root credentials that are due. */
    rotationCheckSeconds: 300,
    /** A task without a stated lifetime closes (revoking what was issued for it) after an hour. */
    taskDefaultTtlSeconds: 3_600,
    taskMaxTtlSeconds: 86_400,
  },
  /** Browser sign-in and sessions for operators and people (docs/signin.md). */
  signin: {
    /** A session ends this long after it began, used or not (8 hours: a working day). */
    sessionTtlSeconds: 28_800,
    /** A session unused this long ends (1 hour). */
    sessionIdleSeconds: 3_600,
    /**
     * Failed sign-ins (bad operator token, refused IdP callback) per source address per minute;
     * beyond, the address gets 429 until its minute is over, before any credential is checked.
     */
    failedAttemptsPerMinute: 10,
    /** Longest `return_to` followed after sign-in; a longer one sends the browser to /console/. */
    returnToMaxLength: 2_048,
    /** Largest body POST /signin/token accepts (a form or JSON with one token). */
    formBodyLimitBytes: 8_192,
    /** A sign-in started at an upstream IdP must come back within this long (its state, nonce and PKCE verifier expire). */
    stateTtlSeconds: 600,
    /** An upstream IdP that does not answer discovery or the token request within this long fails the sign-in. */
    idpTimeoutMs: 10_000,
    /**
     * Upstream OpenID Providers people sign in at (docs/signin.md): each `{id, name?, issuer,
     * clientId, clientSecretFile | clientSecretEnv, allowedEmailDomains?, requiredClaim?, scopes?}`.
     * None by default: only operator tokens sign in.
     */
    idps: [] as IdpSetting[],
  },
  workload: {
    /** The SPIFFE trust domain: agents are `spiffe://<trustDomain>/agent/<id>` (docs/workload-identity.md). */
    trustDomain: 'mandate.local',
    /** X.509-SVID lifetime: short on purpose, the SDK renews at half-life. */
    svidTtlSeconds: 3_600,
    /** The longest lifetime an SVID request may ask for. */
    svidMaxTtlSeconds: 86_400,
    /** The internal CA's lifetime; the next CA is prepared at half-life and signs from 5/6 on (SPIRE's slots). */
    caTtlSeconds: 7 * 86_400,
    /** How often the rotator checks the CA slots. */
    rotationCheckSeconds: 60,
    /** A PEM CSR larger than this is refused (a P-256 CSR is about 450 bytes). */
    csrMaxBytes: 8_192,
    /** The CRL's nextUpdate: peers refetch at least this often. */
    crlTtlSeconds: 300,
    /** Certificates an agent may obtain per minute (renewals are every half hour by default). */
    svidsPerMinutePerAgent: 30,
  },
} as const;
