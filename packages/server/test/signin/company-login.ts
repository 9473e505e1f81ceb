/**
 * The company's identity provider for people's sign-in: oidc-provider (panva) 9 with its own
 * development login and consent pages (devInteractions), driven over HTTP by the tests' Browser
 * exactly as a person's browser would: any login name with any password signs in, and the
 * account's email is its login name.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Browser, type Hop } from './browser.js';

export const COMPANY_CLIENT = { id: 'mandate-signin', secret: 'company-signin-secret-0123456789abcdef' };

export interface CompanyLogin {
  issuer: string;
  stop(): Promise<void>;
}

export async function startCompanyLogin(redirectUri: string): Promise<CompanyLogin> {
  const { default: Provider } = await import('oidc-provider');
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `login-${randomUUID().slice(0, 8)}`, alg: 'EdDSA', use: 'sig' };
  let handler: (req: never, res: never) => void = () => undefined;
  const http = createServer((req, res) => handler(req as never, res as never));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: COMPANY_CLIENT.id,
        client_secret: COMPANY_CLIENT.secret,
        redirect_uris: [redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'EdDSA',
      },
    ],
    jwks: { keys: [jwk as never] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, email: id, email_verified: true }) }),
    features: { devInteractions: { enabled: true } },
  });
  handler = provider.callback() as never;
  return { issuer, stop: () => new Promise<void>((resolve) => http.close(() => resolve())) };
}

const decode = (text: string) => text.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#x2F;', '/').replaceAll('&#x3D;', '=');

/** Submits the first form of a page with its hidden fields plus `fields`. */
async function submit(browser: Browser, page: Hop, fields: Record<string, string> = {}): Promise<Hop> {
  const action = /<form[^>]*action="([^"]*)"/.exec(page.text)?.[1];
  if (action === undefined) throw new Error(`no form on ${page.url}: ${page.text.slice(0, 300)}`);
  const hidden: Record<string, string> = {};
  for (const match of page.text.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) hidden[match[1]!] = decode(match[2]!);
  return browser.postForm(new URL(decode(action), page.url).toString(), { ...hidden, ...fields });
}

/**
 * A person's sign-in through Mandate's button: Mandate → the IdP's login form (filled in with
 * `login`) → its consent page → back to Mandate's callback. Stops before the callback is
 * requested when `holdCallback`, returning its URL; else returns the callback's answer.
 */
export async function signInAtCompany(browser: Browser, mandate: string, login: string, options: { idp?: string; returnTo?: string; holdCallback?: boolean } = {}): Promise<{ callback: string; answer: Hop | null }> {
  const isCallback = (url: string) => url.startsWith(`${mandate}/signin/callback`);
  let hops = await browser.follow(`${mandate}/signin/idp/${options.idp ?? 'company'}?return_to=${encodeURIComponent(options.returnTo ?? '/console/')}`, {}, isCallback);
  for (let step = 0; step < 4; step++) {
    const last = hops[hops.length - 1]!;
    if (last.location && isCallback(last.location)) {
      if (options.holdCallback) return { callback: last.location, answer: null };
      return { callback: last.location, answer: await browser.request(last.location) };
    }
    if (last.status !== 200) throw new Error(`unexpected ${last.status} at ${last.url}: ${last.text.slice(0, 300)}`);
    const posted = await submit(browser, last, /name="login"/.test(last.text) ? { login, password: 'any' } : {});
    hops = [posted];
    if (posted.location && !isCallback(posted.location)) hops = [posted, ...(await browser.follow(posted.location, {}, isCallback))];
  }
  throw new Error('the company sign-in did not come back to Mandate');
}
