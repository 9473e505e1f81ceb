import { InvalidArgumentError } from 'commander';
import type { RegisterCommands } from './context.js';

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return parsed;
}

/** `mandate server`: flags win over environment variables, which win over the config file. */
export const registerServerCommands: RegisterCommands = (program, context) => {
  const server = program
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
  server
    .command('migrate')
    .description('apply pending database migrations ahead of a rollout, beside running replicas (docs/operations.md, "Rolling upgrade")')
    .option('--dry-run', 'list what would be applied; change nothing')
    .option('--status', 'show applied, pending and unknown (newer) migrations; change nothing')
    .option('--database-url <url>', 'postgres://… when the store is PostgreSQL (MANDATE_DATABASE_URL)')
    .option('--config <file>', 'JSON config file (MANDATE_CONFIG)')
    .action(async (own: { dryRun?: boolean; status?: boolean; databaseUrl?: string; config?: string }) => {
      // As for rekey: commander hands `server`'s own flags to it even after `migrate`.
      const options = { ...server.opts<{ databaseUrl?: string; config?: string }>(), ...own };
      const [{ loadConfig }, { migrateCommand }] = await Promise.all([import('../config/load.js'), import('./migrate.js')]);
      const config = loadConfig({ flags: { databaseUrl: options.databaseUrl, dataDir: context.globals().dataDir }, ...(options.config ? { configFile: options.config } : {}) });
      await migrateCommand(config, { dryRun: options.dryRun, status: options.status, json: context.globals().json });
    });
  server
    .command('rekey')
    .description('rotate the master key offline, every replica stopped: rewraps everything it seals in one transaction (docs/secrets.md)')
    .requiredOption('--new-key-file <file>', 'the new key (32 bytes, base64 or hex) in a file of mode 0600; never on the command line')
    .option('--database-url <url>', 'postgres://… when the store is PostgreSQL (MANDATE_DATABASE_URL)')
    .option('--config <file>', 'JSON config file (MANDATE_CONFIG)')
    .action(async (own: { newKeyFile: string; databaseUrl?: string; config?: string }) => {
      // Without positional options, commander gives `server`'s own flags to it even after `rekey`.
      const options = { ...server.opts<{ databaseUrl?: string; config?: string }>(), ...own };
      const [{ loadConfig }, { rekeyCommand }] = await Promise.all([import('../config/load.js'), import('./rekey.js')]);
      const config = loadConfig({ flags: { databaseUrl: options.databaseUrl, dataDir: context.globals().dataDir }, ...(options.config ? { configFile: options.config } : {}) });
      await rekeyCommand(config, options.newKeyFile);
    });
};
