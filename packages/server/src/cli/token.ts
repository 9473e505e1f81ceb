import { readFileSync } from 'node:fs';
import { CliError, unreachable } from './client.js';
import { NO_TOKEN_HINT, operatorToken, serverUrl } from './connection.js';
import type { CliContext, RegisterCommands } from './context.js';
import { send, type HttpResponse } from './http.js';
import { printJson, printRecord } from './output.js';

/** POSTs a form to an OAuth endpoint and turns RFC 6749 error bodies into CliErrors. */
async function postForm(base: string, endpoint: string, form: Record<string, string>, authorization: string): Promise<Record<string, unknown>> {
  let response: HttpResponse;
  try {
    response = await send(`${base}${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization },
      body: new URLSearchParams(form).toString(),
    });
  } catch (error) {
    throw unreachable(base, error);
  }
  const text = await response.text();
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!response.ok) throw new CliError(`${response.status} ${String(body.error ?? '')}: ${String(body.error_description ?? response.statusText)}`);
  return body;
}

/** Introspection and revocation act as an operator: a missing token is an error before any request. */
function requiredOperatorToken(context: CliContext): string {
  const token = operatorToken(context.globals());
  if (!token) throw new CliError(`no operator token: ${NO_TOKEN_HINT}`);
  return token;
}

/**
 * `mandate token`: get an access token for an agent with its client credentials (client
 * credentials grant, client_secret_basic); `mandate token introspect|revoke` for operators.
 */
export const registerTokenCommands: RegisterCommands = (program, context) => {
  const token = program
    .command('token')
    .description("get an access token with an agent's client credentials; or introspect/revoke a token")
    .option('--client-id <id>', "the agent's client_id (MANDATE_CLIENT_ID)")
    .option('--client-secret <secret>', 'the client secret (MANDATE_CLIENT_SECRET; prefer the variable or --client-secret-file)')
    .option('--client-secret-file <file>', 'read the client secret from a file')
    .option('--scope <scope...>', 'scopes to ask for (default: all the agent is registered with)')
    .option('--resource <uri>', 'the resource server (audience) the token is for (RFC 8707)')
    .option('--task <id>', 'an open task of the agent: the token is revoked when the task ends (claim task_id)')
    .action(async (options: { clientId?: string; clientSecret?: string; clientSecretFile?: string; scope?: string[]; resource?: string; task?: string }) => {
      const clientId = options.clientId ?? process.env.MANDATE_CLIENT_ID;
      const secret = options.clientSecretFile ? readFileSync(options.clientSecretFile, 'utf8').trim() : (options.clientSecret ?? process.env.MANDATE_CLIENT_SECRET);
      if (!clientId || !secret) throw new CliError('pass --client-id and a client secret (--client-secret-file, MANDATE_CLIENT_SECRET or --client-secret)', 2);
      const form: Record<string, string> = { grant_type: 'client_credentials' };
      if (options.scope?.length) form.scope = options.scope.join(' ');
      if (options.resource) form.resource = options.resource;
      if (options.task) form.task_id = options.task;
      const basic = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
      const result = await postForm(serverUrl(context.globals()), '/oauth2/token', form, basic);
      if (context.globals().json) return printJson(result);
      process.stdout.write(`${String(result.access_token)}\n`);
    });

  token
    .command('introspect <token>')
    .description('introspect a token (RFC 7662) as an operator with tokens:introspect')
    .action(async (value: string) => {
      const result = await postForm(serverUrl(context.globals()), '/oauth2/introspect', { token: value }, `Bearer ${requiredOperatorToken(context)}`);
      if (context.globals().json) return printJson(result);
      printRecord(result);
    });

  token
    .command('revoke <token>')
    .description('revoke a token (RFC 7009) as an operator with tokens:revoke')
    .action(async (value: string) => {
      await postForm(serverUrl(context.globals()), '/oauth2/revoke', { token: value }, `Bearer ${requiredOperatorToken(context)}`);
      if (context.globals().json) return printJson({ revoked: true });
      process.stdout.write('revoked\n');
    });
};
