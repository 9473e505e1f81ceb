/**
 * The MCP guard: puts a Streamable HTTP MCP server behind Mandate. Every HTTP request must carry
 * an access token whose audience is the server's canonical URI (RFC 8707); every `tools/call`
 * is mapped through its declaration to `POST /v1/authorize` (the decision point logs it, with
 * the token's delegation chain) and reaches the MCP server only on `allow`.
 *
 * | what happens                                  | answer                                                                  |
 * |-----------------------------------------------|-------------------------------------------------------------------------|
 * | `GET` the path-inserted well-known URI        | RFC 9728 metadata                                                       |
 * | no token, or a token refused by the verifier  | 401 `WWW-Authenticate: Bearer resource_metadata="…", scope="…"` (never passed on) |
 * | a tool needing a scope the token lacks        | 403 `Bearer error="insufficient_scope", scope="<all it needs>"` (step-up) |
 * | decision `deny` / `approval_required`         | JSON-RPC error -32050 / -32051, `data: {error, reasons, decision_id, approval_id?}` |
 * | Mandate unreachable                           | JSON-RPC error -32052 (fail closed)                                     |
 * | `allow`, and every non-tool request           | the MCP transport, with `req.auth` (the SDK's AuthInfo) set             |
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
// Type only (erased): the MCP SDK's AuthInfo, which its transport hands to tool handlers as `extra.authInfo`.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { AuthorizationDecision } from '../api/authorize.js';
import { resourceServerDecider, type Decider } from '../enforce.js';
import { canonicalResource, protectedResourceMetadata, protectedResourceMetadataPath, resourceChallenge, type ProtectedResourceMetadata } from '../resource/protected-resource.js';
import type { Actor, VerifiedAccessToken } from '../verifier/claims.js';
import { errorBody, TokenVerificationError } from '../verifier/errors.js';
import { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions } from '../verifier/verifier.js';
import { APPROVAL_META_KEY, jsonRpcError, type McpGuardErrorName } from './errors.js';
import { mapToolCall, missingScopes, type GuardedTool, type ToolArguments } from './tools.js';

/** Largest request body read (1 MiB): a bigger one is 413 before any JSON is parsed. */
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface McpGuardOptions {
  /** Mandate's issuer. */
  issuer: string;
  /** The MCP server's canonical URI, e.g. `https://mcp.example.com/calendar`: the audience tokens must name. */
  resource: string;
  /**
   * The MCP server's resource server registration (`POST /v1/resource-servers` with `audience` =
   * `resource`): it follows the revocation feed and asks `/v1/authorize` with these.
   */
  credentials: { clientId: string; clientSecret: string };
  /** One declaration per tool name; calls to any other tool are refused. */
  tools: Record<string, GuardedTool>;
  /** Scopes a client should ask for first (the 401 challenge's `scope`); default: none named. */
  initialScopes?: readonly string[];
  /** `scopes_supported` in the metadata; default: the initial scopes and every tool's scopes. */
  scopesSupported?: readonly string[];
  resourceName?: string;
  /** Called once per tool call with its outcome, for the MCP server's own log. */
  onToolCall?: (record: ToolCallRecord) => void;
  /** Ask the decision point another way (default: as the registered resource server, HTTP Basic). */
  decide?: Decider;
  /** Extra verifier settings (clock, fetch, DPoP, revocation tolerance); issuer and audience are the guard's. */
  verifier?: Partial<Omit<TokenVerifierOptions, 'issuer' | 'audience'>>;
  maxBodyBytes?: number;
}

/** One guarded tool call, as `onToolCall` sees it. */
export interface ToolCallRecord {
  name: string;
  tool: string | undefined;
  action: string | undefined;
  outcome: 'allow' | 'deny' | 'approval_required' | 'insufficient_scope' | 'refused' | 'unavailable';
  reasons: string[];
  decisionId: string | undefined;
  approvalId: string | undefined;
  subject: string;
  clientId: string;
  /** Outermost actor first, as in the token's `act` (empty when the agent acts for itself). */
  delegation: Actor[];
}

/** What a tool handler finds in `extra.authInfo.extra.mandate`. */
export interface MandateCall {
  token: VerifiedAccessToken;
  /** The decision for this tool call (absent for requests that are not tool calls). */
  decision?: AuthorizationDecision;
}

/** The MCP SDK's AuthInfo, spelled out so this entry point's types do not need the SDK installed. */
export interface GuardAuthInfo {
  token: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  resource: URL;
  extra: { mandate: MandateCall };
}

/** Passes an accepted request on to the MCP transport (`transport.handleRequest(req, res, body)`). */
export type McpHandler = (req: IncomingMessage & { auth: GuardAuthInfo }, res: ServerResponse, body: unknown) => Promise<void>;

type JsonRpcMessage = { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: { name?: unknown; arguments?: unknown; _meta?: Record<string, unknown> } };

class HttpRefusal {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

export class McpGuard {
  readonly resource: string;
  readonly metadataPath: string;
  readonly metadata: ProtectedResourceMetadata;
  private readonly verifier: TokenVerifier;
  private readonly decide: Decider;
  private readonly resourcePath: string;
  private readonly initialScopes: readonly string[];
  private readonly maxBodyBytes: number;

  constructor(private readonly options: McpGuardOptions) {
    this.resource = canonicalResource(options.resource);
    this.resourcePath = new URL(this.resource).pathname;
    this.metadataPath = protectedResourceMetadataPath(this.resource);
    this.initialScopes = options.initialScopes ?? [];
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const toolScopes = Object.values(options.tools).flatMap((declaration) => declaration.scopes ?? []);
    this.metadata = protectedResourceMetadata({
      resource: this.resource,
      authorizationServers: options.issuer,
      scopesSupported: [...new Set(options.scopesSupported ?? [...this.initialScopes, ...toolScopes])],
      ...(options.resourceName ? { resourceName: options.resourceName } : {}),
    });
    this.verifier = createTokenVerifier({
      revocation: { credentials: options.credentials },
      ...options.verifier,
      issuer: options.issuer,
      audience: this.resource,
    });
    this.decide =
      options.decide ??
      resourceServerDecider({ baseUrl: options.issuer, clientId: options.credentials.clientId, clientSecret: options.credentials.clientSecret });
  }

  /** A Node `http` request listener: metadata, the guarded MCP endpoint, 404 for anything else. */
  listener(next: McpHandler): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      this.handle(req, res, next).then((handled) => {
        if (!handled) send(res, 404, { error: 'not_found' });
      }, (error: unknown) => {
        if (!res.headersSent) send(res, 500, { error: 'server_error', error_description: 'the MCP guard failed' });
        else res.destroy(error instanceof Error ? error : undefined);
      });
    };
  }

  /** Handles one request; returns false when the path is neither the metadata nor the MCP endpoint. */
  async handle(req: IncomingMessage, res: ServerResponse, next: McpHandler): Promise<boolean> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === this.metadataPath) {
      if (req.method !== 'GET' && req.method !== 'HEAD') send(res, 405, { error: 'method_not_allowed' }, { allow: 'GET, HEAD' });
      else send(res, 200, this.metadata, { 'cache-control': 'public, max-age=300' });
      return true;
    }
    if (path !== this.resourcePath) return false;
    try {
      const token = await this.authenticate(req);
      const body = req.method === 'POST' ? await this.readJson(req) : undefined;
      const decision = await this.guardToolCall(body, token);
      if (decision && 'rpcError' in decision) {
        send(res, 200, decision.rpcError);
        return true;
      }
      const call: MandateCall = { token, ...(decision ? { decision: decision.allowed } : {}) };
      const auth: GuardAuthInfo = {
        token: token.token,
        clientId: token.clientId,
        scopes: token.scopes,
        expiresAt: Math.floor(token.expiresAt / 1000),
        resource: new URL(this.resource),
        extra: { mandate: call },
      };
      await next(Object.assign(req, { auth: auth satisfies AuthInfo }), res, body);
    } catch (error) {
      if (!(error instanceof HttpRefusal)) throw error;
      send(res, error.status, error.body, error.headers);
    }
    return true;
  }

  /** Stops following the revocation feed. */
  close(): Promise<void> {
    return this.verifier.close();
  }

  private async authenticate(req: IncomingMessage): Promise<VerifiedAccessToken> {
    try {
      return await this.verifier.verifyRequest({
        authorization: header(req, 'authorization'),
        dpop: header(req, 'dpop'),
        method: req.method ?? 'GET',
        url: this.resource,
      });
    } catch (error) {
      if (!(error instanceof TokenVerificationError)) throw error;
      const challenge: Record<string, string> =
        error.status >= 500
          ? {}
          : {
              'www-authenticate': resourceChallenge({
                resource: this.resource,
                scope: this.initialScopes,
                ...(error.code !== 'ERR_TOKEN_MISSING' && error.oauthError ? { error: error.oauthError, errorDescription: error.description } : {}),
              }),
            };
      throw new HttpRefusal(error.status, errorBody(error), challenge);
    }
  }

  private async readJson(req: IncomingMessage): Promise<unknown> {
    const declared = Number(header(req, 'content-length') ?? 0);
    if (declared > this.maxBodyBytes) throw new HttpRefusal(413, { error: 'payload_too_large', error_description: `the body exceeds ${this.maxBodyBytes} bytes` });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.maxBodyBytes) throw new HttpRefusal(413, { error: 'payload_too_large', error_description: `the body exceeds ${this.maxBodyBytes} bytes` });
      chunks.push(chunk);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new HttpRefusal(400, jsonRpcError(null, 'parse_error'));
    }
  }

  /** undefined for a request that is not a tool call; else the allowing decision or the JSON-RPC refusal. */
  private async guardToolCall(body: unknown, token: VerifiedAccessToken): Promise<{ allowed: AuthorizationDecision } | { rpcError: Record<string, unknown> } | undefined> {
    if (Array.isArray(body)) {
      const call = body.find((message) => isToolCall(message));
      if (call) throw new HttpRefusal(400, jsonRpcError((call as JsonRpcMessage).id, 'batch_not_allowed'));
      return undefined;
    }
    if (!isToolCall(body)) return undefined;
    const message = body as JsonRpcMessage;
    const name = typeof message.params?.name === 'string' ? message.params.name : '';
    const record = (outcome: ToolCallRecord['outcome'], rest: Partial<ToolCallRecord> = {}) =>
      this.options.onToolCall?.({
        name,
        tool: undefined,
        action: undefined,
        outcome,
        reasons: [],
        decisionId: undefined,
        approvalId: undefined,
        subject: token.subject,
        clientId: token.clientId,
        delegation: token.delegation,
        ...rest,
      });
    const refuse = (error: McpGuardErrorName, data: Record<string, unknown> = {}, detail?: string) => ({ rpcError: jsonRpcError(message.id, error, data, detail) });

    const declaration = Object.hasOwn(this.options.tools, name) ? this.options.tools[name] : undefined;
    if (!declaration) {
      record('refused', { reasons: ['tool_not_guarded'] });
      return refuse('tool_not_guarded', { tool: name });
    }
    const missing = missingScopes(declaration, token);
    if (missing.length > 0) {
      record('insufficient_scope', { tool: declaration.tool, action: declaration.action, reasons: missing.map((scope) => `scope_missing:${scope}`) });
      const wanted = [...new Set([...token.scopes, ...missing])];
      throw new HttpRefusal(
        403,
        { error: 'insufficient_scope', error_description: `the tool '${name}' needs the scope ${missing.join(' ')}`, scope: wanted.join(' ') },
        { 'www-authenticate': resourceChallenge({ resource: this.resource, scope: wanted, error: 'insufficient_scope', errorDescription: `the tool '${name}' needs more scope` }) },
      );
    }
    const args = (message.params?.arguments ?? {}) as ToolArguments;
    const mapped = mapToolCall(declaration, typeof args === 'object' && args !== null ? args : {}, token);
    if (!mapped.ok) {
      record('refused', { tool: declaration.tool, action: declaration.action, reasons: ['invalid_arguments'] });
      return refuse('invalid_arguments', {}, mapped.message);
    }
    const approvalId = message.params?._meta?.[APPROVAL_META_KEY];
    const { ok: _ok, ...request } = mapped;
    let decision: AuthorizationDecision;
    try {
      decision = await this.decide({ ...request, token: token.token, ...(typeof approvalId === 'string' ? { approval_id: approvalId } : {}) });
    } catch {
      record('unavailable', { tool: mapped.tool, action: mapped.action });
      return refuse('decision_unavailable');
    }
    const facts = { tool: mapped.tool, action: mapped.action, reasons: decision.reasons, decisionId: decision.decision_id, approvalId: decision.approval_id };
    record(decision.decision, facts);
    if (decision.decision === 'allow') return { allowed: decision };
    if (decision.reasons.includes('invalid_token')) {
      // Revoked between the local check and the decision: the same answer as a refused token.
      throw new HttpRefusal(401, { error: 'invalid_token', error_description: 'the access token is not valid' }, {
        'www-authenticate': resourceChallenge({ resource: this.resource, scope: this.initialScopes, error: 'invalid_token', errorDescription: 'the access token is not valid' }),
      });
    }
    const data = { reasons: decision.reasons, decision_id: decision.decision_id };
    if (decision.decision === 'approval_required') return refuse('approval_required', { ...data, approval_id: decision.approval_id });
    return refuse('access_denied', data, decision.reasons.join(', '));
  }
}

/** Guards an MCP server: `http.createServer(mcpGuard(options).listener(transportHandler))`. */
export function mcpGuard(options: McpGuardOptions): McpGuard {
  return new McpGuard(options);
}

/** The Mandate facts of a tool call, from the handler's `extra` (undefined when unguarded). */
export function mandateCallOf(extra: { authInfo?: { extra?: Record<string, unknown> } | undefined }): MandateCall | undefined {
  return extra.authInfo?.extra?.mandate as MandateCall | undefined;
}

function isToolCall(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as JsonRpcMessage).method === 'tools/call';
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}
