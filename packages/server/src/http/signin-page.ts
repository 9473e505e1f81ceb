/**
 * The server-rendered sign-in page (GET /signin) and the refusal page of a failed IdP sign-in:
 * plain HTML with labelled fields, no script, nothing loaded from elsewhere, so it works
 * offline and under the strict Content-Security-Policy the routes send with it.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** Sent with every sign-in page: no script at all, forms post only here, never framed. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  // same-origin, not no-referrer: under no-referrer Chromium sends `Origin: null` with the form's POST,
  // which the session's origin check (CSRF) must refuse.
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
} as const;

const STYLE = `body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}a.idp,button{display:block;width:100%;box-sizing:border-box;margin:.5rem 0;padding:.6rem;border:1px solid #444;border-radius:4px;background:#f4f4f4;color:#1b1b1b;text-align:center;text-decoration:none;font-size:1rem;cursor:pointer}
label{display:block;margin-top:1rem}input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
.error{border:1px solid #a00;background:#fee;padding:.6rem;border-radius:4px}`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>
`;
}

export interface SigninPageInput {
  /** One button per configured upstream IdP. */
  idps: ReadonlyArray<{ id: string; name: string }>;
  /** Already checked (a local path). */
  returnTo: string;
  error?: string;
}

export function signinPage({ idps, returnTo, error }: SigninPageInput): string {
  const alert = error ? `<p class="error" role="alert">${escape(error)}</p>` : '';
  const buttons = idps
    .map((idp) => `<a class="idp" href="/signin/idp/${encodeURIComponent(idp.id)}?return_to=${encodeURIComponent(returnTo)}">Sign in with ${escape(idp.name)}</a>`)
    .join('\n');
  const idpSection = idps.length > 0 ? `<section aria-labelledby="idps"><h2 id="idps">Your company account</h2>\n${buttons}\n</section>` : '';
  return layout(
    'Sign in to Mandate',
    `<h1>Sign in to Mandate</h1>
${alert}
${idpSection}
<section aria-labelledby="token-heading"><h2 id="token-heading">Sign in with an operator token</h2>
<form method="post" action="/signin/token">
<input type="hidden" name="return_to" value="${escape(returnTo)}">
<label for="token">Operator token</label>
<input id="token" name="token" type="password" autocomplete="off" required maxlength="512">
<button type="submit">Sign in</button>
</form></section>`,
  );
}

/** A refused sign-in at the company IdP: why, and the way back. */
export function refusalPage(reason: string, returnTo: string): string {
  return layout(
    'Sign-in refused',
    `<h1>Sign-in refused</h1>
<p class="error" role="alert">${escape(reason)}</p>
<p><a href="/signin?return_to=${encodeURIComponent(returnTo)}">Back to the sign-in page</a></p>`,
  );
}
