import type { AuthorizationDecision, AuthorizeRequest } from '@mandate/sdk';
import { Option } from 'commander';
import { CliError, EXIT } from './client.js';
import type { RegisterCommands } from './context.js';
import { readText } from './files.js';
import { CLASSIFICATION_NAMES } from './names.js';
import { printJson, printRecord } from './output.js';

/** The decision point's answer: the SDK's type, and the policy revision it was decided under. */
type DecisionView = AuthorizationDecision & { policy_revision: number };

interface AuthorizeOptions {
  agentToken: string;
  action: string;
  tool: string;
  resourceType: string;
  resourceId: string;
  owner?: string;
  sensitivity?: string;
  context?: string;
}

/** `@file` reads the token from a file, so it stays out of shell history and `ps`. */
function agentToken(value: string): string {
  const token = value.startsWith('@') ? readText(value.slice(1)).trim() : value;
  if (!token) throw new CliError(`--agent-token ${value}: empty`, EXIT.usage);
  return token;
}

function contextObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(`--context is not JSON: ${(error as Error).message}`, EXIT.usage);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new CliError('--context must be a JSON object, e.g. {"ticket": "OPS-1"}', EXIT.usage);
  return parsed as Record<string, unknown>;
}

/** Anything but allow exits 1, after the decision is printed; the message says what would let it through. */
function notAllowed(decision: DecisionView): CliError {
  if (decision.decision === 'deny') return new CliError(`denied: ${decision.reasons.join(', ') || 'no reason given'}`);
  const id = decision.approval_id;
  return new CliError(
    id
      ? `approval required: request ${id} waits for an approver (mandate approvals show ${id}; mandate approvals approve ${id}); once approved, the agent asks again with approval_id ${id}`
      : 'approval required: no approval request was raised',
  );
}

/**
 * `mandate authorize`: an operator asks the decision point whether an agent would be allowed an
 * action (`POST /v1/authorize` with the agent's token in `token`). The decision is real: it is
 * audited, and approval_required raises (or reuses) an approval request, as for the agent.
 *
 * The agent's token is `--agent-token`, not `--token`: `--token` is the CLI's own bearer token
 * (the operator asking), and commander reads a program option anywhere on the line.
 */
export const registerAuthorizeCommands: RegisterCommands = (program, context) => {
  program
    .command('authorize')
    .description("would this agent be allowed? ask the decision point with the agent's token (operators with decisions:request)")
    .requiredOption('--agent-token <token>', "the agent's access token, or @FILE to read it from a file")
    .requiredOption('--action <action>', 'read, write, delete, admin, or a finer verb such as events.insert')
    .requiredOption('--tool <tool>', '<api>[:<operation>], e.g. google-calendar-api:events.list')
    .requiredOption('--resource-type <type>', "the resource's type, e.g. calendar")
    .requiredOption('--resource-id <id>', "the resource's id")
    .option('--owner <user>', 'the user who owns the resource')
    .addOption(new Option('--sensitivity <level>', "the resource's data classification (none: counts as the highest)").choices([...CLASSIFICATION_NAMES]))
    .option('--context <json>', 'a JSON object the policy sees as input.context')
    .addHelpText('after', '\nExit codes: 0 allow; 1 deny; 1 approval_required (stderr names the approval\nrequest an approver decides); 2 bad usage.')
    .action(async (options: AuthorizeOptions) => {
      const resource = { type: options.resourceType, id: options.resourceId, ...(options.owner ? { owner: options.owner } : {}), ...(options.sensitivity ? { sensitivity: options.sensitivity } : {}) };
      const requestContext = contextObject(options.context);
      const body: AuthorizeRequest = { token: agentToken(options.agentToken), action: options.action, tool: options.tool, resource, ...(requestContext ? { context: requestContext } : {}) };
      const decision = await context.client().request<DecisionView>('POST', '/v1/authorize', body);
      if (context.globals().json) printJson(decision);
      else {
        printRecord({
          decision: decision.decision,
          reasons: decision.reasons.join(', ') || null,
          obligations: decision.obligations,
          decision_id: decision.decision_id,
          policy_revision: decision.policy_revision,
          ...(decision.approval_id ? { approval_id: decision.approval_id } : {}),
        });
      }
      if (decision.decision !== 'allow') throw notAllowed(decision);
    });
};
