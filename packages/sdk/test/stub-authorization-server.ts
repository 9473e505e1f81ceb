/**
 * A small stand-in for Mandate's authorization server (node:http on 127.0.0.1) for the SDK's
 * unit tests: metadata, JWKS, a scriptable token endpoint and a long-polling revocation feed
 * shaped as docs/oauth.md describes. The real server is exercised by the integration suites
 * in packages/server/test/sdk/.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface RecordedRequest {
  method: string;
  /** The raw body text (JSON bodies; `form` parses form bodies). */
  text: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  form: URLSearchParams;
}

export interface StubReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export type FeedEvent = Record<string, unknown>;

export interface StubServer {
  issuer: string;
  tokenEndpoint: string;
  requests: RecordedRequest[];
  /** Answers token requests; replace per test. Default: a Bearer token valid 600 s. */
  onToken: (request: RecordedRequest, index: number) => StubReply | Promise<StubReply>;
  /** Answers feed requests before the default feed logic when it returns a reply. */
  onFeed: ((request: RecordedRequest) => StubReply | undefined) | undefined;
  /** Extra routes by `METHOD /path` (e.g. `POST /v1/authorize`), for API client tests. */
  routes: Map<string, (request: RecordedRequest) => StubReply | Promise<StubReply>>;
  keys: SigningKey[];
  published: SigningKey[];
  addKey(kid: string, publish?: boolean): Promise<SigningKey>;
  sign(claims: Record<string, unknown>, options?: { key?: SigningKey; typ?: string; header?: Record<string, unknown> }): Promise<string>;
  pushEvent(event: FeedEvent): void;
  count(path: string): number;
  close(): Promise<void>;
}

export async function startStubServer(options: { issuerPath?: string } = {}): Promise<StubServer> {
  const events: FeedEvent[] = [];
  const waiting = new Set<() => void>();
  const sockets = new Set<import('node:net').Socket>();
  let tokenIndex = 0;

  const stub: StubServer = {
    issuer: '',
    tokenEndpoint: '',
    requests: [],
    onToken: (_request, index) => ({ status: 200, body: { access_token: `tok-${index}`, token_type: 'Bearer', expires_in: 600 } }),
    onFeed: undefined,
    routes: new Map(),
    keys: [],
    published: [],
    async addKey(kid, publish = true) {
      const { privateKey, publicKey } = await generateKeyPair('EdDSA');
      const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
      const key = { kid, alg: 'EdDSA', privateKey, publicJwk };
      stub.keys.push(key);
      if (publish) stub.published.push(key);
      return key;
    },
    async sign(claims, signOptions = {}) {
      const key = signOptions.key ?? stub.keys[0]!;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: signOptions.typ ?? 'at+jwt', ...signOptions.header })
        .sign(key.privateKey);
    },
    pushEvent(event) {
      events.push(event);
      for (const wake of [...waiting]) wake();
    },
    count(path) {
      return stub.requests.filter((r) => r.path === path).length;
    },
    async close() {
      for (const wake of [...waiting]) wake();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const send = (res: ServerResponse, reply: StubReply): void => {
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  };

  const feed = async (req: RecordedRequest, res: ServerResponse): Promise<void> => {
    const custom = stub.onFeed?.(req);
    if (custom) return send(res, custom);
    const after = Number(req.query.get('after') ?? '0');
    const wait = Math.min(Number(req.query.get('wait') ?? '0'), 30);
    if (events.length <= after && wait > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait * 1000);
        function done(): void {
          clearTimeout(timer);
          waiting.delete(done);
          resolve();
        }
        waiting.add(done);
        res.on('close', done);
      });
    }
    if (res.destroyed) return;
    const limit = Number(req.query.get('limit') ?? '500');
    const page = events.slice(after, after + limit);
    send(res, { status: 200, body: { events: page, cursor: String(after + page.length), has_more: after + page.length < events.length } });
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', stub.issuer);
      const text = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: request.method ?? 'GET',
        text,
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        form: new URLSearchParams(text),
      };
      stub.requests.push(recorded);
      const prefix = options.issuerPath ?? '';
      void (async () => {
        switch (url.pathname) {
          case `/.well-known/oauth-authorization-server${prefix}`:
            return send(response, {
              status: 200,
              body: {
                issuer: stub.issuer,
                token_endpoint: stub.tokenEndpoint,
                jwks_uri: `${stub.issuer}/jwks`,
                revocation_feed_endpoint: `${stub.issuer}/oauth2/revocations`,
                introspection_endpoint: `${stub.issuer}/oauth2/introspect`,
                revocation_endpoint: `${stub.issuer}/oauth2/revoke`,
              },
            });
          case `${prefix}/jwks`:
            return send(response, { status: 200, body: { keys: stub.published.map((k) => k.publicJwk) } });
          case `${prefix}/oauth2/token`:
            return send(response, await stub.onToken(recorded, tokenIndex++));
          case `${prefix}/oauth2/revocations`:
            return feed(recorded, response);
          default: {
            const route = stub.routes.get(`${recorded.method} ${url.pathname}`);
            if (route) return send(response, await route(recorded));
            return send(response, { status: 404, body: { error: 'not_found' } });
          }
        }
      })().catch((error: unknown) => send(response, { status: 500, body: { error: 'server_error', error_description: String(error) } }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  stub.issuer = `http://127.0.0.1:${port}${options.issuerPath ?? ''}`;
  stub.tokenEndpoint = `${stub.issuer}/oauth2/token`;
  await stub.addKey('key-1');
  return stub;
}

/** A sleeper that moves a manual clock instead of waiting, then yields to pending I/O. */
export function clockSleeper(clock: { advance(ms: number): void }, delays: number[] = []) {
  return async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) throw signal.reason;
    delays.push(ms);
    clock.advance(ms);
    await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw signal.reason;
  };
}
