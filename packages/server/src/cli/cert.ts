import { readFileSync, writeFileSync } from 'node:fs';
import { CliError } from './client.js';
import type { RegisterCommands } from './context.js';
import { positiveInt } from './numbers.js';
import { printJson, printRecord, printTable } from './output.js';

interface CertificateView {
  serial: string;
  agent_id: string;
  spiffe_id: string;
  ca: string;
  not_after: string;
  revoked_at: string | null;
  [key: string]: unknown;
}

interface IssuedSvid {
  certificate: string;
  chain: string[];
  expires_at: string;
  spiffe_id: string;
  serial: string;
}

function readCsr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read --csr '${file}': ${(error as Error).message}`);
  }
}

/**
 * `mandate cert issue|show|revoke`: agents' X.509-SVIDs (docs/workload-identity.md). `issue`
 * runs as the agent (its access token in --token or MANDATE_TOKEN) with a CSR the agent made:
 * the private key never reaches Mandate. `show` and `revoke` are for operators.
 */
export const registerCertCommands: RegisterCommands = (program, context) => {
  const cert = program.command('cert').description("agents' X.509-SVIDs from the internal CA");

  cert
    .command('issue')
    .description("issue an X.509-SVID for the agent whose access token is --token, from its CSR (PEM)")
    .requiredOption('--csr <file>', 'PKCS#10 certificate request in PEM, signed by the agent’s key')
    .option('--ttl <seconds>', 'lifetime in seconds (default: workload.svidTtlSeconds)', positiveInt)
    .option('--out <file>', 'write the certificate and its chain (PEM) here instead of printing it')
    .option('--task <id>', 'an open task of the agent: the certificate is revoked when the task ends')
    .action(async (options: { csr: string; ttl?: number; out?: string; task?: string }) => {
      const issued = await context.client().request<IssuedSvid>('POST', '/v1/svids', { csr: readCsr(options.csr), ...(options.ttl === undefined ? {} : { ttl_seconds: options.ttl }), ...(options.task ? { task_id: options.task } : {}) });
      const pem = [issued.certificate, ...issued.chain].map((p) => p.trim()).join('\n') + '\n';
      if (options.out) writeFileSync(options.out, pem);
      if (context.globals().json) return printJson(issued);
      if (options.out) return printRecord({ serial: issued.serial, spiffe_id: issued.spiffe_id, expires_at: issued.expires_at, written_to: options.out });
      process.stdout.write(pem);
    });

  cert
    .command('show')
    .description('show one certificate by serial, or list certificates (--agent to filter)')
    .argument('[serial]', 'hexadecimal serial number')
    .option('--agent <id>', 'only this agent’s certificates')
    .option('--limit <n>', 'at most this many (1-1000)', '100')
    .action(async (serial: string | undefined, options: { agent?: string; limit: string }) => {
      if (serial) {
        const one = await context.client().request<CertificateView>('GET', `/v1/certificates/${encodeURIComponent(serial)}`);
        return context.globals().json ? printJson(one) : printRecord(one);
      }
      const query = new URLSearchParams({ limit: options.limit, ...(options.agent ? { agent_id: options.agent } : {}) });
      const { items } = await context.client().request<{ items: CertificateView[] }>('GET', `/v1/certificates?${query}`);
      if (context.globals().json) return printJson(items);
      printTable(items as unknown as Array<Record<string, unknown>>, ['serial', 'agent_id', 'not_after', 'revoked_at']);
    });

  cert
    .command('revoke')
    .description('revoke a certificate: its serial goes on the revocation feed and into the CRL at once')
    .argument('<serial>', 'hexadecimal serial number')
    .option('--reason <text>', 'why (recorded in the audit log)')
    .action(async (serial: string, options: { reason?: string }) => {
      const result = await context.client().request<{ revoked: boolean; certificate: CertificateView }>(
        'POST',
        `/v1/certificates/${encodeURIComponent(serial)}/revoke`,
        options.reason ? { reason: options.reason } : {},
      );
      if (context.globals().json) return printJson(result);
      process.stdout.write(result.revoked ? `revoked ${result.certificate.serial}\n` : `${result.certificate.serial} was already revoked or expired\n`);
    });
};
