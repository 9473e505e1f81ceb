import { Command, CommanderError } from 'commander';
import { registerAgentCommands } from './agent.js';
import { registerAlertCommands } from './alerts.js';
import { registerGrantRequestCommands } from './grant-request.js';
import { registerApprovalCommands } from './approvals.js';
import { CliError, EXIT } from './client.js';
import { registerAuditCommands } from './audit.js';
import { registerAuthorizeCommands } from './authorize.js';
import { contextFor, type RegisterCommands } from './context.js';
import { registerDataCommands } from './data.js';
import { registerIdpCommands } from './idp.js';
import { registerJobCommands } from './jobs.js';
import { registerSessionCommands } from './session.js';
import { registerKeyCommands } from './keys.js';
import { registerOperatorCommands } from './operator.js';
import { printable } from './output.js';
import { registerPolicyCommands } from './policy.js';
import { checkRequiredTogether } from './required.js';
import { registerResourceServerCommands } from './resource-server.js';
import { registerServerCommands } from './server.js';
import { registerTokenCommands } from './token.js';
import { registerSecretCommands } from './secrets.js';
import { registerDbCommands } from './db.js';
import { registerTaskCommands } from './task.js';
import { isDatabaseUrl } from './names.js';
import { registerCaCommands } from './ca.js';
import { registerCertCommands } from './cert.js';
import { registerWorkloadIssuerCommands } from './workload-issuer.js';
import { packageVersion } from './version.js';
import { registerClientCommands } from './oauth-client.js';
import { registerConsentCommands } from './consent.js';

/**
 * Every verb group, one line each (STYLE.md §1: one file per group). Client verbs load only the
 * HTTP client, the output helpers and the connection settings; `server` and `policy eval|test`
 * import what they run when they run (docs/architecture.md, "The CLI").
 */
const GROUPS: RegisterCommands[] = [registerServerCommands, registerOperatorCommands, registerAgentCommands, registerAuditCommands, registerApprovalCommands, registerTokenCommands, registerKeyCommands, registerResourceServerCommands, registerPolicyCommands, registerAuthorizeCommands, registerDataCommands, registerJobCommands, registerIdpCommands, registerAlertCommands, registerGrantRequestCommands, registerSecretCommands, registerDbCommands, registerTaskCommands, registerCaCommands, registerCertCommands, registerWorkloadIssuerCommands, registerSessionCommands, registerClientCommands, registerConsentCommands];

export function buildProgram(): Command {
  const program = new Command('mandate')
    .description('Mandate: identity and access management for AI agents')
    // A postgres:// URL is `mandate db config --url`'s (global options are read anywhere on the line); db.ts reads it.
    .option('--url <url>', 'server URL (MANDATE_URL; default http://$MANDATE_HOST:$MANDATE_PORT, i.e. http://127.0.0.1:8700)', (value: string, previous?: string) => (isDatabaseUrl(value) ? previous : value))
    .option('--token <token>', 'bearer token (MANDATE_TOKEN; default: <data dir>/admin-token)')
    .option('--data-dir <dir>', 'data directory (MANDATE_DATA_DIR; default ./.mandate)')
    .option('--json', 'print JSON instead of tables')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  const context = contextFor(program);
  for (const register of GROUPS) register(program, context);
  checkRequiredTogether(program);
  return program;
}

/** Runs the CLI and returns its exit code: 0 ok, 1 refused or failed, 2 bad usage. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version end with exit code 0; everything else commander raises is bad usage.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    // Messages may echo what someone else typed (an id, a name): print them inert, keeping
    // the line breaks of multi-line messages (configuration errors).
    if (error instanceof CliError) {
      process.stderr.write(`error: ${printable(error.message, { keepNewlines: true })}\n`);
      return error.exitCode;
    }
    process.stderr.write(`error: ${printable((error as Error).message, { keepNewlines: true })}\n`);
    return EXIT.failed;
  }
}
