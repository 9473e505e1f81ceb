import { InvalidArgumentError } from 'commander';
import type { RegisterCommands } from './context.js';

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return parsed;
}

/** `mandate server`: flags win over environment variables, which win over the config file. */
export const registerServerCommands: RegisterCommands = (program, context) => {
  program
    .command('server')
    .description('run the Mandate server (embedded SQLite store unless MANDATE_DATABASE_URL is set)')
    .option('--host <host>', 'listen address (MANDATE_HOST)')
    .option('--port <port>', 'listen port (MANDATE_PORT)', port)
    .option('--database-url <url>', 'postgres://… to use PostgreSQL (MANDATE_DATABASE_URL)')
    .option('--issuer <url>', 'OAuth issuer URL (MANDATE_ISSUER)')
    .option('--config <file>', 'JSON config file (MANDATE_CONFIG)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (MANDATE_LOG_LEVEL)')
    .action(async (options: { host?: string; port?: number; databaseUrl?: string; issuer?: string; config?: string; logLevel?: string }) => {
      const flags: Record<string, unknown> = {
        host: options.host,
        port: options.port,
        databaseUrl: options.databaseUrl,
        issuer: options.issuer,
        logLevel: options.logLevel,
        dataDir: context.globals().dataDir,
      };
      // The server (Fastify, the stores, the Rego engine) loads only when this verb runs, so
      // every other verb starts in a fraction of the time (docs/architecture.md, "The CLI").
      const [{ loadConfig }, { runServer }] = await Promise.all([import('../config/load.js'), import('../server/index.js')]);
      const config = loadConfig({ flags, ...(options.config ? { configFile: options.config } : {}) });
      await runServer(config);
    });
};
