import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import { buildApp } from '../http/index.js';
import { ADMIN_TOKEN_FILE } from '../config/files.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../runtime.js';
import { join } from 'node:path';

export interface RunningServer {
  runtime: Runtime;
  app: FastifyInstance;
  /** Base URL the server listens on. */
  url: string;
  /** Stops accepting connections, lets in-flight requests finish, then closes the store. */
  stop(): Promise<void>;
}

export async function startServer(config: Config, options: RuntimeOptions = {}): Promise<RunningServer> {
  const runtime = await createRuntime(config, options);
  let app: FastifyInstance;
  try {
    app = await buildApp(runtime);
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let stopping: Promise<void> | null = null;
  return {
    runtime,
    app,
    url: `${config.tls ? 'https' : 'http'}://${host}:${port}`,
    stop: () => {
      stopping ??= (async () => {
        try {
          await app.close();
        } finally {
          await runtime.close();
        }
      })();
      return stopping;
    },
  };
}

/**
 * `mandate server`: starts, prints the bootstrap token once, and shuts down gracefully on
 * SIGTERM/SIGINT (stop accepting, answer long-polls, finish in-flight requests, close the
 * store). A second signal, or the grace period running out, ends the process at once. Logs go
 * to stdout without ever blocking (shared/logger.ts), so a pipe nobody reads cannot hold the
 * stop (docs/security.md, "Shutdown").
 */
export async function runServer(config: Config): Promise<void> {
  const server = await startServer(config);
  const { runtime } = server;
  if (runtime.bootstrapToken) {
    const file = join(config.dataDir, ADMIN_TOKEN_FILE);
    process.stderr.write(
      `\nBootstrap admin token (shown once; also saved to ${file}, mode 0600):\n\n  ${runtime.bootstrapToken}\n\n`,
    );
  }
  runtime.logger.info({ url: server.url, store: runtime.store.dialect, issuer: config.issuer }, 'mandate listening');
  let signals = 0;
  const shutdown = (signal: string) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    // The hard stop is armed before anything else runs, so nothing after it can outlast the grace.
    const timer = setTimeout(() => {
      runtime.logger.error('shutdown grace period over; exiting');
      process.exit(1);
    }, config.shutdownGraceMs);
    timer.unref();
    runtime.logger.info({ signal, grace_ms: config.shutdownGraceMs }, 'shutting down');
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        runtime.logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
