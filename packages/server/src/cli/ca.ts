import type { RegisterCommands } from './context.js';
import { printJson, printTable } from './output.js';

interface AuthorityView {
  id: string;
  state: string;
  not_before: string;
  not_after: string;
  remove_at: string | null;
  certificate: string;
}

interface SpiffeBundle {
  keys: Array<{ x5c?: string[] }>;
  spiffe_sequence: number;
}

/** A DER certificate (base64, as in `x5c`) as PEM. */
function pemOf(base64: string): string {
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** `mandate ca show|rotate|bundle`: the internal CA that signs agents' X.509-SVIDs. */
export const registerCaCommands: RegisterCommands = (program, context) => {
  const ca = program.command('ca').description('the internal CA that signs X.509-SVIDs');

  /** `show` and `rotate` both answer with every published CA and its state. */
  const printAuthorities = (items: AuthorityView[]) =>
    context.globals().json ? printJson(items) : printTable(items as unknown as Array<Record<string, unknown>>, ['id', 'state', 'not_before', 'not_after', 'remove_at']);

  ca
    .command('show')
    .description('list the published CAs and their states: prepared (published, not signing yet), active (signing), retired (until its last certificate expires)')
    .action(async () => printAuthorities((await context.client().request<{ items: AuthorityView[] }>('GET', '/v1/ca')).items));

  ca
    .command('rotate')
    .description('make the next CA sign now; the old one stays in the bundle until its last certificate expires')
    .action(async () => printAuthorities((await context.client().request<{ items: AuthorityView[] }>('POST', '/v1/ca/rotate', {})).items));

  ca
    .command('bundle')
    .description('print the trust bundle: PEM, or the SPIFFE bundle (JWKS form) with --json')
    .action(async () => {
      const bundle = await context.client().request<SpiffeBundle>('GET', '/v1/bundle');
      if (context.globals().json) return printJson(bundle);
      process.stdout.write(bundle.keys.flatMap((key) => (key.x5c ?? []).slice(0, 1).map(pemOf)).join(''));
    });
};
