import type { ConsentView } from '../oauth/index.js';

/** HTML-escapes text for element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * The pages of the authorization endpoint: no script at all (CSP `script-src 'none'`), no frames
 * (clickjacking: `frame-ancestors 'none'`), the logo only from https. Served with these headers.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; img-src https:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const STYLE = 'body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}h1{font-size:1.4rem}.warning{border:2px solid #b35900;background:#fff4e5;padding:.75rem}img{max-width:64px;max-height:64px}button{font-size:1rem;padding:.5rem 1.25rem;margin-right:1rem}code{word-break:break-all}';

function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>\n`;
}

/** The consent page: who asks (name, logo, URL from its registration or metadata document), for which resource and scopes. */
export function consentPage(view: ConsentView, csrfToken: string | null): string {
  const { client } = view;
  const logo = client.logoUri !== null && client.logoUri.startsWith('https://') ? `<img src="${escapeHtml(client.logoUri)}" alt="${escapeHtml(client.name)} logo">` : '';
  const site = client.clientUri !== null ? `<p>Website: <a href="${escapeHtml(client.clientUri)}" rel="noopener noreferrer">${escapeHtml(client.clientUri)}</a></p>` : '';
  const warning = client.warning !== null ? `<p class="warning" role="alert"><strong>Unverified application.</strong> ${escapeHtml(client.warning)}</p>` : '';
  const scopes = view.scopes.length > 0 ? `<ul>${view.scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('')}</ul>` : '<p>No scopes (identity only).</p>';
  const hidden = Object.entries(view.parameters)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const csrf = csrfToken !== null ? `<input type="hidden" name="csrf_token" value="${escapeHtml(csrfToken)}">` : '';
  return page(
    `Allow ${client.name}?`,
    `${logo}<h1>Allow <span>${escapeHtml(client.name)}</span> to act for you?</h1>
${warning}<p>Signed in as <strong>${escapeHtml(view.user.email ?? view.user.userId)}</strong>.</p>
<p>Application: <code>${escapeHtml(client.clientId)}</code> (${client.source === 'metadata_document' ? 'described by its metadata document' : 'registered with Mandate'})</p>${site}
<h2>It asks for access to</h2><p><strong>${escapeHtml(view.resourceName)}</strong> <code>${escapeHtml(view.resource)}</code></p>
<h2>With these scopes</h2>${scopes}
<form method="post" action="/oauth2/authorize" aria-label="Consent to ${escapeHtml(client.name)}">${hidden}${csrf}
<button type="submit" name="decision" value="allow">Allow</button><button type="submit" name="decision" value="deny">Deny</button>
</form><p>You can withdraw this consent later (mandate consent revoke, or DELETE /v1/consents/{id}).</p>`,
  );
}

/** An authorization request Mandate cannot send back to the client (bad client or redirect URI): shown, never redirected. */
export function errorPage(error: string, description: string): string {
  return page('Authorization request refused', `<h1>This authorization request was refused</h1><p role="alert"><code>${escapeHtml(error)}</code>: ${escapeHtml(description)}</p><p>Return to the application and try again, or tell its developer.</p>`);
}
