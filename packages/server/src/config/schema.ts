import { Type, type Static } from '@sinclair/typebox';

const PositiveInt = (minimum = 1) => Type.Integer({ minimum });

const Severity = Type.Union(['low', 'medium', 'high', 'critical'].map((s) => Type.Literal(s)));
const RateSignal = Type.Object(
  {
    zScore: Type.Number({ exclusiveMinimum: 0 }),
    minCount: PositiveInt(),
    severity: Severity,
    escalateZScore: Type.Number({ exclusiveMinimum: 0 }),
    escalatedSeverity: Severity,
    burstPerMinute: PositiveInt(0),
  },
  { additionalProperties: false },
);
/** Monitoring (monitoring/ context; docs/monitoring.md). */
const MonitoringSchema = Type.Object(
  {
    enabled: Type.Boolean(),
    warmupMinutes: PositiveInt(0),
    maxAgents: PositiveInt(),
    maxSeenPerAgent: PositiveInt(),
    signals: Type.Object(
      {
        auth_frequency: RateSignal,
        action_velocity: RateSignal,
        error_rate: RateSignal,
        cross_user: RateSignal,
        scope_usage: Type.Object({ undeclaredSeverity: Severity, firstUseSeverity: Severity }, { additionalProperties: false }),
        delegation_depth: Type.Object({ severity: Severity }, { additionalProperties: false }),
      },
      { additionalProperties: false },
    ),
    autoSuspendSeverities: Type.Array(Severity, { maxItems: 4 }),
    webhookUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
    webhookSecret: Type.Optional(Type.String({ minLength: 16 })),
    metricsToken: Type.Optional(Type.String({ minLength: 16 })),
    unusedDays: PositiveInt(),
  },
  { additionalProperties: false },
);

/** The validated configuration. Every key is required after defaults are merged in. */
export const ConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 0, maximum: 65_535 }),
    dataDir: Type.String({ minLength: 1 }),
    databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
    issuer: Type.String({ pattern: '^https?://' }),
    masterKey: Type.Optional(Type.String({ minLength: 1 })),
    /** A file holding the master key (a Docker or Kubernetes secret); read by loadConfig into `masterKey`. */
    masterKeyFile: Type.Optional(Type.String({ minLength: 1 })),
    migrateOnStart: Type.Boolean(),
    logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
    bodyLimitBytes: PositiveInt(1024),
    bodyMaxDepth: Type.Integer({ minimum: 2, maximum: 1000 }),
    shutdownGraceMs: PositiveInt(0),
    registry: Type.Object(
      { reviewIntervalDays: PositiveInt(), secretRotationOverlapSeconds: PositiveInt(0) },
      { additionalProperties: false },
    ),
    oauth: Type.Object(
      {
        accessTokenTtlSeconds: PositiveInt(),
        accessTokenTtlMinSeconds: PositiveInt(),
        accessTokenTtlMaxSeconds: PositiveInt(),
        signingAlgorithm: Type.Union([Type.Literal('EdDSA'), Type.Literal('ES256')]),
        signingKeyRotationDays: PositiveInt(),
        clientAssertionMaxLifetimeSeconds: PositiveInt(),
        tokenRateLimitPerMinute: PositiveInt(),
        clientAuthFailuresPerMinute: PositiveInt(),
        clockSkewSeconds: PositiveInt(0),
        signingKeyPublishDelaySeconds: PositiveInt(0),
        dpopProofMaxAgeSeconds: PositiveInt(),
        revocationFeedMaxWaitSeconds: PositiveInt(),
        formBodyLimitBytes: PositiveInt(1024),
        verifiedTokenCacheEntries: PositiveInt(1),
      },
      { additionalProperties: false },
    ),
    authorization: Type.Object(
      {
        codeTtlSeconds: PositiveInt(),
        refreshTokenTtlSeconds: PositiveInt(),
        parameterMaxLength: PositiveInt(256),
        requestsPerMinutePerAddress: PositiveInt(),
        cimdTrust: Type.Union([Type.Literal('any'), Type.Literal('allow-list')]),
        cimdAllowedHosts: Type.Array(Type.String({ pattern: '^(\\*\\.)?[A-Za-z0-9.-]+(:[0-9]+)?$', maxLength: 253 }), { maxItems: 1000 }),
        cimdMaxBytes: PositiveInt(256),
        cimdTimeoutMs: PositiveInt(100),
        cimdCacheEntries: PositiveInt(1),
        cimdMaxConcurrentFetches: PositiveInt(),
        cimdCacheMinSeconds: PositiveInt(0),
        cimdCacheMaxSeconds: PositiveInt(0),
        cimdCaFile: Type.Optional(Type.String({ minLength: 1 })),
      },
      { additionalProperties: false },
    ),
    delegation: Type.Object(
      { maxDepth: PositiveInt(), approvalDepth: PositiveInt(), minimumReduction: Type.Number({ minimum: 0, maximum: 1 }) },
      { additionalProperties: false },
    ),
    policy: Type.Object(
      {
        maxSteps: PositiveInt(),
        maxEvalMs: PositiveInt(),
        revisionCheckMs: PositiveInt(0),
        regoVersion: Type.Union([Type.Literal('v1'), Type.Literal('v0')]),
        decisionPackage: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$', maxLength: 200 }),
        decisionsPerMinutePerAgent: PositiveInt(),
        decisionInputMaxBytes: PositiveInt(64),
        decisionInputMaxDepth: PositiveInt(),
        workerBudgetMs: PositiveInt(),
        workers: PositiveInt(),
        workerMemoryMb: PositiveInt(16),
        decisionLogPackage: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$', maxLength: 200 }),
      },
      { additionalProperties: false },
    ),
    approvals: Type.Object(
      {
        ttlSeconds: PositiveInt(),
        maxWaitSeconds: PositiveInt(0),
        twoPersonActions: Type.Array(Type.String({ minLength: 1 })),
        allowDelegatingUser: Type.Boolean(),
        separationOfDuties: Type.Boolean(),
        webhookUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
        webhookSecret: Type.Optional(Type.String({ minLength: 16 })),
        webhookAttempts: PositiveInt(),
        webhookBackoffMs: PositiveInt(0),
        webhookTimeoutMs: PositiveInt(),
        pollIntervalMs: PositiveInt(10),
        sweepIntervalSeconds: PositiveInt(),
        maxPendingPerAgent: PositiveInt(),
      },
      { additionalProperties: false },
    ),
    audit: Type.Object(
      {
        checkpointEveryEntries: PositiveInt(),
        checkpointIntervalSeconds: PositiveInt(),
        groupCommitMaxDelayMs: PositiveInt(0),
        groupCommitMaxEntries: PositiveInt(),
        retentionDays: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 365_000 })),
        archiveDir: Type.Optional(Type.String({ minLength: 1 })),
        archiveSegmentEntries: PositiveInt(),
        archiveIntervalSeconds: PositiveInt(),
        archiveRunMaxSeconds: PositiveInt(),
        compactBaseCacheEntries: PositiveInt(0),
      },
      { additionalProperties: false },
    ),
    monitoring: MonitoringSchema,
    replicas: Type.Object(
      {
        leaderRetryMs: PositiveInt(50),
        leaderQueryTimeoutMs: PositiveInt(100),
        catchUpIntervalMs: PositiveInt(100),
        monitorFollowMs: PositiveInt(50),
        listenReconnectDelayMs: PositiveInt(10),
        listenReconnectMaxDelayMs: PositiveInt(10),
      },
      { additionalProperties: false },
    ),
    secrets: Type.Object(
      {
        versionsKept: PositiveInt(),
        valueMaxBytes: PositiveInt(16),
        leaseSweepIntervalMs: PositiveInt(10),
        revocationBackoffMs: PositiveInt(1),
        revocationBackoffMaxMs: PositiveInt(1),
        revocationAlertAfterFailures: PositiveInt(),
        maxLeasesPerAgent: PositiveInt(),
        dbDefaultTtlSeconds: PositiveInt(),
        dbMaxTtlSeconds: PositiveInt(),
        dbConnectTimeoutMs: PositiveInt(10),
        rootRotationSeconds: PositiveInt(0),
        rotationCheckSeconds: PositiveInt(),
        taskDefaultTtlSeconds: PositiveInt(),
        taskMaxTtlSeconds: PositiveInt(),
      },
      { additionalProperties: false },
    ),
    signin: Type.Object(
      {
        sessionTtlSeconds: PositiveInt(60),
        sessionIdleSeconds: PositiveInt(60),
        failedAttemptsPerMinute: PositiveInt(),
        returnToMaxLength: Type.Integer({ minimum: 16, maximum: 8_192 }),
        formBodyLimitBytes: PositiveInt(1024),
        stateTtlSeconds: PositiveInt(30),
        idpTimeoutMs: PositiveInt(100),
        idps: Type.Array(
          Type.Object(
            {
              id: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' }),
              name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
              issuer: Type.String({ pattern: '^https?://', maxLength: 2_048 }),
              clientId: Type.String({ minLength: 1, maxLength: 500 }),
              clientSecretFile: Type.Optional(Type.String({ minLength: 1 })),
              clientSecretEnv: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' })),
              allowedEmailDomains: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z0-9.-]+\\.[a-z]{2,}$' }), { minItems: 1, maxItems: 100 })),
              requiredClaim: Type.Optional(
                Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), values: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 100 }) }, { additionalProperties: false }),
              ),
              scopes: Type.Optional(Type.String({ pattern: '^openid( [\\x21\\x23-\\x5b\\x5d-\\x7e]+)*$', maxLength: 500 })),
            },
            { additionalProperties: false },
          ),
          { maxItems: 20 },
        ),
      },
      { additionalProperties: false },
    ),
    workload: Type.Object(
      {
        trustDomain: Type.String({ pattern: '^[a-z0-9._-]+$', minLength: 1, maxLength: 255 }),
        svidTtlSeconds: PositiveInt(60),
        svidMaxTtlSeconds: PositiveInt(60),
        caTtlSeconds: PositiveInt(3600),
        upstreamCaCertFile: Type.Optional(Type.String({ minLength: 1 })),
        upstreamCaKeyFile: Type.Optional(Type.String({ minLength: 1 })),
        rotationCheckSeconds: PositiveInt(),
        csrMaxBytes: PositiveInt(256),
        crlTtlSeconds: PositiveInt(60),
        svidsPerMinutePerAgent: PositiveInt(),
      },
      { additionalProperties: false },
    ),
    /** Optional TLS listener (docs/workload-identity.md): HTTPS with optional client certificates (RFC 8705). */
    tls: Type.Optional(Type.Object({ certFile: Type.String({ minLength: 1 }), keyFile: Type.String({ minLength: 1 }) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
