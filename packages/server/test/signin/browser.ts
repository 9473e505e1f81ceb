/**
 * A small browser for the sign-in tests: real HTTP with fetch, redirects followed by hand (so
 * tests see each hop), and a cookie jar per origin that honours Max-Age=0 / past Expires. Only
 * what the flows need; the attributes are kept so tests can check them.
 */
export interface StoredCookie {
  value: string;
  attributes: string[];
}

export interface Hop {
  status: number;
  url: string;
  location: string | null;
  headers: Headers;
  text: string;
}

export function parseSetCookie(line: string): { name: string; value: string; attributes: string[] } {
  const [pair, ...attributes] = line.split(';').map((part) => part.trim());
  const eq = pair!.indexOf('=');
  return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attributes };
}

export class Browser {
  readonly jar = new Map<string, Map<string, StoredCookie>>();

  cookies(origin: string): Map<string, StoredCookie> {
    let cookies = this.jar.get(origin);
    if (!cookies) this.jar.set(origin, (cookies = new Map()));
    return cookies;
  }

  cookie(origin: string, name: string): string | undefined {
    return this.cookies(origin).get(name)?.value;
  }

  /** One request, no redirect followed; cookies stored from the response. */
  async request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Hop> {
    const origin = new URL(url).origin;
    const jar = this.cookies(origin);
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (jar.size > 0 && headers.cookie === undefined) headers.cookie = [...jar].map(([name, c]) => `${name}=${c.value}`).join('; ');
    const response = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const { name, value, attributes } = parseSetCookie(line);
      const gone = attributes.some((a) => /^max-age=0$/i.test(a)) || attributes.some((a) => /^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now());
      if (gone || value === '') jar.delete(name);
      else jar.set(name, { value, attributes });
    }
    const location = response.headers.get('location');
    return { status: response.status, url, location: location ? new URL(location, url).toString() : null, headers: response.headers, text: await response.text() };
  }

  /** Follows redirects (GET after 30x) until a non-redirect answer or `stopAt` matches the next URL. */
  async follow(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}, stopAt?: (url: string) => boolean): Promise<Hop[]> {
    const hops: Hop[] = [];
    let hop = await this.request(url, init);
    hops.push(hop);
    while (hop.status >= 300 && hop.status < 400 && hop.location && hops.length < 20) {
      if (stopAt?.(hop.location)) break;
      hop = await this.request(hop.location);
      hops.push(hop);
    }
    return hops;
  }

  /** Posts a form (application/x-www-form-urlencoded). */
  postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Hop> {
    return this.request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });
  }
}
