/**
 * The seed's calendar API as an MCP server (official TypeScript MCP SDK, Streamable HTTP,
 * stateless) behind the Mandate guard: `list_events` reads a calendar, `delete_event` deletes one
 * event. The demo and the MCP guard tests both drive it; the tool declarations are the ABAC
 * mapping the seed's policy expects (tool `google-calendar-api:events.*`, resource type
 * `calendar` owned by the calendar's user, which the scope convention covers with `calendar:<action>`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { mandateCallOf, mcpGuard, type GuardedTool, type McpGuard, type ToolCallRecord } from '@mandate/sdk/mcp';

export const CALENDAR_SCOPES = { read: 'calendar:read', delete: 'calendar:delete', eventRead: 'calendar-events:read', eventDelete: 'calendar-events:delete' } as const;

interface CalendarEvent {
  id: string;
  title: string;
  start: string;
}

function text(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new TypeError('calendar and event_id must be non-empty strings');
  return value;
}

/** tool call → decision request: the calendar's owner is the user whose calendar it is. */
export const CALENDAR_TOOLS: Record<string, GuardedTool> = {
  list_events: {
    tool: 'google-calendar-api:events.list',
    action: 'read',
    resource: (args) => ({ type: 'calendar', id: text(args.calendar), owner: text(args.calendar), sensitivity: 'internal' }),
    scopes: [CALENDAR_SCOPES.read],
  },
  delete_event: {
    tool: 'google-calendar-api:events.delete',
    action: 'delete',
    resource: (args) => ({ type: 'calendar', id: `${text(args.calendar)}/events/${text(args.event_id)}`, owner: text(args.calendar), sensitivity: 'internal' }),
    scopes: [CALENDAR_SCOPES.delete],
  },
  get_event: {
    tool: 'google-calendar-api:events.get',
    action: 'read',
    resource: (args) => ({ type: 'calendar-events', id: `${text(args.calendar)}/events/${text(args.event_id)}`, owner: text(args.calendar), sensitivity: 'internal' }),
    scopes: [CALENDAR_SCOPES.eventRead],
  },
};

export interface CalendarMcp {
  /** The canonical URI: the audience of its tokens and the MCP endpoint. */
  url: string;
  guard: McpGuard;
  /** What the guard decided, call by call. */
  calls: ToolCallRecord[];
  /** Tool calls that reached the tool handlers. */
  executed: string[];
  events(calendar: string): CalendarEvent[];
  close(): Promise<void>;
}

export interface CalendarMcpOptions {
  issuer: string;
  /** Registers the resource server for the audience (POST /v1/resource-servers) and returns its credentials. */
  register(audience: string): Promise<{ clientId: string; clientSecret: string }>;
}

function seedEvents(): Map<string, CalendarEvent[]> {
  return new Map([
    [
      'alice@example.com',
      [
        { id: 'evt-standup', title: 'Team standup', start: '2026-12-03T09:00:00Z' },
        { id: 'evt-dentist', title: 'Dentist', start: '2026-12-04T15:30:00Z' },
      ],
    ],
    ['bob@example.com', [{ id: 'evt-board', title: 'Board meeting', start: '2026-12-03T14:00:00Z' }]],
  ]);
}

/** The MCP server for one request (stateless mode: a new server and transport per request). */
function calendarServer(calendars: Map<string, CalendarEvent[]>, executed: string[]): McpServer {
  const server = new McpServer({ name: 'calendar', version: '1.0.0' });
  server.registerTool(
    'list_events',
    { description: "Lists a user's calendar events", inputSchema: { calendar: z.string() } },
    async ({ calendar }, extra) => {
      executed.push(`list_events ${calendar} (decision ${mandateCallOf(extra)?.decision?.decision_id ?? 'none'})`);
      return { content: [{ type: 'text', text: JSON.stringify(calendars.get(calendar) ?? []) }] };
    },
  );
  server.registerTool(
    'delete_event',
    { description: 'Deletes one calendar event', inputSchema: { calendar: z.string(), event_id: z.string() } },
    async ({ calendar, event_id }, extra) => {
      executed.push(`delete_event ${calendar} ${event_id} (decision ${mandateCallOf(extra)?.decision?.decision_id ?? 'none'})`);
      const events = calendars.get(calendar) ?? [];
      calendars.set(calendar, events.filter((event) => event.id !== event_id));
      return { content: [{ type: 'text', text: `deleted ${event_id}` }] };
    },
  );
  server.registerTool(
    'get_event',
    { description: 'Looks up one calendar event', inputSchema: { calendar: z.string(), event_id: z.string() } },
    async ({ calendar, event_id }, extra) => {
      executed.push(`get_event ${calendar} ${event_id} (decision ${mandateCallOf(extra)?.decision?.decision_id ?? 'none'})`);
      const event = (calendars.get(calendar) ?? []).find((candidate) => candidate.id === event_id);
      return { content: [{ type: 'text', text: JSON.stringify(event ?? null) }] };
    },
  );
  return server;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts the guarded calendar MCP server on a random loopback port. */
export async function startCalendarMcp(options: CalendarMcpOptions): Promise<CalendarMcp> {
  const calendars = seedEvents();
  const executed: string[] = [];
  const calls: ToolCallRecord[] = [];
  let listener: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const http = createServer((req, res) => {
    if (listener) listener(req, res);
    else res.writeHead(503).end();
  });
  const port = await listen(http);
  const url = `http://127.0.0.1:${port}/mcp/calendar`;
  const credentials = await options.register(url);
  const guard = mcpGuard({
    issuer: options.issuer,
    resource: url,
    credentials,
    tools: CALENDAR_TOOLS,
    initialScopes: [CALENDAR_SCOPES.read],
    resourceName: 'Calendar (MCP)',
    onToolCall: (record) => calls.push(record),
  });
  listener = guard.listener(async (req, res, body) => {
    const server = calendarServer(calendars, executed);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  });
  return {
    url,
    guard,
    calls,
    executed,
    events: (calendar) => [...(calendars.get(calendar) ?? [])],
    async close() {
      await guard.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
